#!/usr/bin/env bash
# make_registration.sh - the registration fixtures in registration/: the TPP side of a dynamic
# client registration (its transport certificates, the software signing key and its JWKS, and
# a registration request JWT signed through joserfc).
#
# Usage:   ./certs-fixtures/make_registration.sh     (from any directory; generate.sh calls it last)
#
# Additive: it reads the EXISTING issuing CA (pki/directory-issuing-ca.pem + .key.pem), the trust
# bundle (pki/ca-bundle.pem) and the SSA jose/ssa/valid-ps256.jwt, and creates or overwrites files
# in registration/ only (it never touches pki/, jose/ or stores/). Everything is built in a
# temporary directory, self-checked, and only then copied into registration/, so a failed run
# leaves the previous fixtures in place.
#
# Certificates: `openssl ca` with ./openssl.cnf, profile v3_tpp_transport, fixed validity
# 2025-01-01T00:00:00Z .. 2045-01-01T00:00:00Z (as generate.sh's `issue`). Keys: RSA 2048,
# PKCS#8 PEM, UNENCRYPTED, TEST-ONLY. Key material, serials and signatures are new every run.
# Requirements: bash, openssl (3.0+), python3 with `cryptography` and `joserfc`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
HERE="$(pwd)"

command -v openssl >/dev/null || { echo "make_registration.sh: openssl not found" >&2; exit 1; }
python3 -c 'import cryptography, joserfc' 2>/dev/null \
  || { echo "make_registration.sh: python3 needs the 'cryptography' and 'joserfc' packages" >&2; exit 1; }
for f in pki/directory-issuing-ca.pem pki/directory-issuing-ca.key.pem pki/ca-bundle.pem jose/ssa/valid-ps256.jwt; do
  [ -f "$f" ] || { echo "make_registration.sh: $f is missing (run generate.sh first)" >&2; exit 1; }
done

# The issuing CA in a temporary folder, rsa_key and tpp_cert (shared with make_frameworks.sh).
. "$HERE/tpp-ca.sh"

# DER order C, O, OU, CN, organizationIdentifier (2.5.4.97) - the last RDN.
tpp_cert tpp-transport "/C=GB/O=Acme Budgeting Ltd/OU=0015800001041REAAY/CN=4ZUKbHjbA2ZqxCxTsQPkTY/organizationIdentifier=PSDGB-FCA-123456"
tpp_cert tpp-other     "/C=GB/O=Other Fintech Ltd/OU=0015800001OTHER001/CN=OtherSoftware000001"
cat "$OUT/tpp-transport.pem" pki/directory-issuing-ca.pem > "$OUT/tpp-transport-chain.pem"
rsa_key "$OUT/tpp-software.key.pem"

# ---------------------------------------------------------------- self-checks (PKI)
AT=1767229200   # 2026-01-01T01:00:00Z, inside the test window
for c in tpp-transport tpp-other; do
  openssl verify -CAfile pki/ca-bundle.pem -purpose sslclient "$OUT/$c.pem" >/dev/null
  openssl verify -attime "$AT" -CAfile pki/ca-bundle.pem -purpose sslclient "$OUT/$c.pem" >/dev/null
  [ "$(openssl x509 -in "$OUT/$c.pem" -noout -pubkey)" = "$(openssl pkey -in "$OUT/$c.key.pem" -pubout)" ] \
    || { echo "make_registration.sh: $c.pem does not match its key" >&2; exit 1; }
done
openssl verify -attime "$AT" -CAfile pki/directory-root-ca.pem -untrusted "$OUT/tpp-transport-chain.pem" \
  "$OUT/tpp-transport.pem" >/dev/null
expect_subject() {  # NAME EXPECTED (RFC 2253 form, last RDN first)
  local got
  got="$(openssl x509 -in "$OUT/$1.pem" -noout -subject -nameopt RFC2253)"
  [ "$got" = "subject=$2" ] || { echo "make_registration.sh: $1 subject is '$got'" >&2; exit 1; }
}
expect_subject tpp-transport "organizationIdentifier=PSDGB-FCA-123456,CN=4ZUKbHjbA2ZqxCxTsQPkTY,OU=0015800001041REAAY,O=Acme Budgeting Ltd,C=GB"
expect_subject tpp-other     "CN=OtherSoftware000001,OU=0015800001OTHER001,O=Other Fintech Ltd,C=GB"
for c in tpp-transport tpp-other; do
  openssl x509 -in "$OUT/$c.pem" -noout -dates | tr '\n' ' ' \
    | grep -q 'notBefore=Jan  1 00:00:00 2025 GMT notAfter=Jan  1 00:00:00 2045 GMT' \
    || { echo "make_registration.sh: $c.pem has the wrong validity" >&2; exit 1; }
  openssl x509 -in "$OUT/$c.pem" -noout -ext extendedKeyUsage | grep -q 'TLS Web Client Authentication' \
    || { echo "make_registration.sh: $c.pem lacks EKU clientAuth" >&2; exit 1; }
done
for k in tpp-transport tpp-other tpp-software; do
  head -1 "$OUT/$k.key.pem" | grep -qx -- '-----BEGIN PRIVATE KEY-----' \
    || { echo "make_registration.sh: $k.key.pem is not unencrypted PKCS#8" >&2; exit 1; }
done

# ---------------------------------------------------------------- JOSE files (+ joserfc self-check)
python3 "$HERE/make_registration.py" "$OUT" "$HERE/jose/ssa/valid-ps256.jwt"

# ---------------------------------------------------------------- install into registration/
mkdir -p registration
chmod 644 "$OUT"/*   # test-only keys: world-readable so tests run under any user
for f in tpp-transport.pem tpp-transport.key.pem tpp-transport-chain.pem tpp-other.pem tpp-other.key.pem \
         tpp-software.key.pem tpp-software.jwks.json request-joserfc.jwt request-joserfc.claims.json request-plain.json; do
  cp "$OUT/$f" "registration/$f.new.$$"
  mv -f "registration/$f.new.$$" "registration/$f"
done
echo "make_registration.sh: fixtures written to $HERE/registration"
