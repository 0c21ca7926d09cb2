#!/usr/bin/env bash
# generate.sh - regenerate every ssa-toolkit test fixture under certs-fixtures/.
#
# Usage:   ./certs-fixtures/generate.sh        (from any directory; `make fixtures` calls it)
#
# What it does (from scratch, every run):
#   1. deletes and recreates pki/ and jose/ (only generated files live there);
#   2. generates all private keys with `openssl genpkey` (PKCS#8 PEM, UNENCRYPTED, TEST-ONLY);
#   3. builds the sandbox directory PKI with `openssl ca` + ./openssl.cnf:
#        root CA -> issuing CA -> TLS server certs (localhost / wrong host) and the
#        directory JWS signing certificates; all valid 2025-01-01 .. 2045-01-01;
#   4. runs ./make_jose.py (python3 + cryptography + joserfc) which writes the JWKS files,
#      the SSA tokens in jose/ssa/*.jwt, jose/ssa/manifest.json and
#      jose/ssa/valid-ps256.claims.json, then re-checks every case with an independent
#      reference verifier (and joserfc for the valid ones) and fails if any disagree.
#
# File NAMES are deterministic; key material, serial numbers and signatures are random
# each run, so regenerating changes file contents (commit them together).
# Requirements: bash, openssl (3.0+), python3 with `cryptography` and `joserfc`.
# See README.md for the list of files and their roles.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
HERE="$(pwd)"

command -v openssl >/dev/null || { echo "generate.sh: openssl not found" >&2; exit 1; }
python3 -c 'import cryptography, joserfc' 2>/dev/null \
  || { echo "generate.sh: python3 needs the 'cryptography' and 'joserfc' packages" >&2; exit 1; }

export OPENSSL_CONF="$HERE/openssl.cnf"
CA_STATE_DIR="$(mktemp -d)"
export CA_STATE_DIR
trap 'rm -rf "$CA_STATE_DIR"' EXIT
mkdir -p "$CA_STATE_DIR/newcerts"
: > "$CA_STATE_DIR/index.txt"
openssl rand -hex 16 > "$CA_STATE_DIR/serial"

rm -rf pki jose
mkdir -p pki jose/keys jose/ssa

PKI=pki
KEYS=jose/keys

# ---------------------------------------------------------------- key generation
rsa_key() { openssl genpkey -quiet -algorithm RSA -pkeyopt "rsa_keygen_bits:$2" -out "$1"; }
ec_key()  { openssl genpkey -quiet -algorithm EC -pkeyopt "ec_paramgen_curve:$2" \
                            -pkeyopt ec_param_enc:named_curve -out "$1"; }

rsa_key "$PKI/directory-root-ca.key.pem"     3072
rsa_key "$PKI/directory-issuing-ca.key.pem"  2048
ec_key  "$PKI/directory-server.key.pem"      P-256
ec_key  "$PKI/wrong-host-server.key.pem"     P-256

rsa_key "$KEYS/ob-rsa-1.key.pem"      2048
rsa_key "$KEYS/ob-rsa-2.key.pem"      2048
ec_key  "$KEYS/ob-ec-1.key.pem"       P-256
rsa_key "$KEYS/ob-rsa-ps256.key.pem"  2048
rsa_key "$KEYS/ob-rsa-enc.key.pem"    2048
rsa_key "$KEYS/ob-rsa-weak.key.pem"   1024
ec_key  "$KEYS/ob-ec-p384.key.pem"    P-384
rsa_key "$KEYS/attacker-rsa.key.pem"  2048
ec_key  "$KEYS/attacker-ec.key.pem"   P-256

# ---------------------------------------------------------------- certificates
# issue OUT_CERT KEY SUBJECT EXTENSIONS [ca|self]
issue() {
  local out="$1" key="$2" subj="$3" ext="$4" mode="${5:-ca}" csr
  csr="$CA_STATE_DIR/req.csr"
  openssl req -new -key "$key" -subj "$subj" -sha256 -out "$csr"
  if [ "$mode" = self ]; then
    openssl ca -batch -notext -selfsign -keyfile "$key" -in "$csr" -out "$out" \
      -extensions "$ext" -startdate 20250101000000Z -enddate 20450101000000Z 2>/dev/null
  elif [ "$mode" = root ]; then
    openssl ca -batch -notext -cert "$PKI/directory-root-ca.pem" \
      -keyfile "$PKI/directory-root-ca.key.pem" -in "$csr" -out "$out" \
      -extensions "$ext" -startdate 20250101000000Z -enddate 20450101000000Z 2>/dev/null
  else
    openssl ca -batch -notext -cert "$PKI/directory-issuing-ca.pem" \
      -keyfile "$PKI/directory-issuing-ca.key.pem" -in "$csr" -out "$out" \
      -extensions "$ext" -startdate 20250101000000Z -enddate 20450101000000Z 2>/dev/null
  fi
  rm -f "$csr"
}

O="/C=GB/O=Sandbox Open Banking"
issue "$PKI/directory-root-ca.pem"    "$PKI/directory-root-ca.key.pem" \
      "$O/CN=Sandbox Open Banking Root CA"    v3_root_ca     self
issue "$PKI/directory-issuing-ca.pem" "$PKI/directory-issuing-ca.key.pem" \
      "$O/CN=Sandbox Open Banking Issuing CA" v3_issuing_ca  root
issue "$PKI/directory-server.pem"     "$PKI/directory-server.key.pem" \
      "$O/CN=localhost"                       v3_directory_server
issue "$PKI/wrong-host-server.pem"    "$PKI/wrong-host-server.key.pem" \
      "$O/CN=wrong-host.example"              v3_wrong_host_server
issue "$PKI/directory-signing-rsa.pem" "$KEYS/ob-rsa-1.key.pem" \
      "$O/OU=Directory Signing/CN=ob-rsa-1"   v3_directory_signing
issue "$PKI/directory-signing-ec.pem"  "$KEYS/ob-ec-1.key.pem" \
      "$O/OU=Directory Signing/CN=ob-ec-1"    v3_directory_signing
issue "$KEYS/attacker-rsa.pem"        "$KEYS/attacker-rsa.key.pem" \
      "/C=GB/O=Evil Directory Ltd/CN=Attacker Directory" v3_attacker_self_signed self

cat "$PKI/directory-server.pem" "$PKI/directory-issuing-ca.pem" > "$PKI/directory-server-chain.pem"
cat "$PKI/directory-root-ca.pem" "$PKI/directory-issuing-ca.pem" > "$PKI/ca-bundle.pem"
# test-only keys: world-readable so tests run under any user
chmod 644 "$PKI"/*.pem "$KEYS"/*.pem

# sanity: chains verify at a fixed time inside the test window (2026-01-01T01:00:00Z)
AT=1767229200
for c in directory-issuing-ca directory-server wrong-host-server directory-signing-rsa directory-signing-ec; do
  openssl verify -attime "$AT" -CAfile "$PKI/directory-root-ca.pem" \
    -untrusted "$PKI/directory-issuing-ca.pem" "$PKI/$c.pem" >/dev/null
done
openssl verify -attime "$AT" -CAfile "$PKI/ca-bundle.pem" -purpose sslserver \
  -verify_hostname localhost -verify_ip 127.0.0.1 "$PKI/directory-server.pem" >/dev/null
if openssl verify -attime "$AT" -CAfile "$PKI/ca-bundle.pem" -verify_hostname localhost \
     "$PKI/wrong-host-server.pem" >/dev/null 2>&1; then
  echo "generate.sh: wrong-host-server.pem unexpectedly matches localhost" >&2; exit 1
fi
# the signing certs must carry the JOSE keys
for pair in "directory-signing-rsa:ob-rsa-1" "directory-signing-ec:ob-ec-1"; do
  cert="${pair%%:*}"; key="${pair##*:}"
  [ "$(openssl x509 -in "$PKI/$cert.pem" -noout -pubkey)" = "$(openssl pkey -in "$KEYS/$key.key.pem" -pubout)" ] \
    || { echo "generate.sh: $cert.pem does not match $key.key.pem" >&2; exit 1; }
done

# ---------------------------------------------------------------- JOSE files
python3 "$HERE/make_jose.py" "$HERE"

# The authorization server's certificates, key stores and configuration files.
"$HERE/make_stores.sh"

# The TPP side of a registration: certificates, software key and JWKS, request JWTs.
"$HERE/make_registration.sh"

echo "generate.sh: fixtures written to $HERE/pki and $HERE/jose"
