# tpp-ca.sh - sourced by make_registration.sh and make_frameworks.sh (never run on its own): the
# fixture issuing CA at work in a temporary folder, and the two helpers both scripts issue with.
#
# Expects the caller in certs-fixtures/ with HERE set to it. Sets OPENSSL_CONF (./openssl.cnf),
# WORK (removed on exit), CA_STATE_DIR (the `openssl ca` database) and OUT ($WORK/out, where
# everything is built before the caller copies it into place).

export OPENSSL_CONF="$HERE/openssl.cnf"
WORK="$(mktemp -d)"
CA_STATE_DIR="$WORK/ca"; export CA_STATE_DIR
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$CA_STATE_DIR/newcerts" "$WORK/out"
: > "$CA_STATE_DIR/index.txt"
openssl rand -hex 16 > "$CA_STATE_DIR/serial"
OUT="$WORK/out"

# rsa_key FILE: an RSA 2048 key, PKCS#8 PEM, unencrypted (TEST-ONLY).
rsa_key() { openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1"; }

# tpp_cert NAME SUBJECT: RSA 2048 key + certificate from the issuing CA (profile v3_tpp_transport,
# validity 2025-01-01T00:00:00Z .. 2045-01-01T00:00:00Z) as $OUT/NAME.pem and $OUT/NAME.key.pem.
tpp_cert() {
  local name="$1" subj="$2" csr="$CA_STATE_DIR/req.csr"
  rsa_key "$OUT/$name.key.pem"
  openssl req -new -key "$OUT/$name.key.pem" -subj "$subj" -sha256 -out "$csr"
  openssl ca -batch -notext -cert pki/directory-issuing-ca.pem -keyfile pki/directory-issuing-ca.key.pem \
    -in "$csr" -out "$OUT/$name.pem" -extensions v3_tpp_transport \
    -startdate 20250101000000Z -enddate 20450101000000Z 2>/dev/null
  rm -f "$csr"
}
