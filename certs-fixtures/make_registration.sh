#!/usr/bin/env bash
# make_registration.sh - the registration fixtures in registration/: the TPP side of a dynamic
# client registration (transport certificates, the software signing key and its JWKS, request
# JWTs signed by joserfc). Additive: uses the existing issuing CA in pki/ and writes only
# registration/. generate.sh calls it last; it can also be run alone.
# Requirements: openssl (3.0+), python3 with `cryptography` and `joserfc`. TEST-ONLY material.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
HERE="$(pwd)"
export OPENSSL_CONF="$HERE/openssl.cnf"
CA_STATE_DIR="$(mktemp -d)"; export CA_STATE_DIR
trap 'rm -rf "$CA_STATE_DIR"' EXIT
mkdir -p "$CA_STATE_DIR/newcerts"; : > "$CA_STATE_DIR/index.txt"; openssl rand -hex 16 > "$CA_STATE_DIR/serial"

R=registration
rm -rf "$R"; mkdir -p "$R"
tpp_cert() {  # OUT SUBJECT
  openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$R/$1.key.pem"
  openssl req -new -key "$R/$1.key.pem" -subj "$2" -sha256 -out "$CA_STATE_DIR/req.csr"
  openssl ca -batch -notext -cert pki/directory-issuing-ca.pem -keyfile pki/directory-issuing-ca.key.pem \
    -in "$CA_STATE_DIR/req.csr" -out "$R/$1.pem" -extensions v3_tpp_transport \
    -startdate 20250101000000Z -enddate 20450101000000Z 2>/dev/null
}
tpp_cert tpp-transport "/C=GB/O=Acme Budgeting Ltd/OU=0015800001041REAAY/CN=4ZUKbHjbA2ZqxCxTsQPkTY/organizationIdentifier=PSDGB-FCA-123456"
tpp_cert tpp-other "/C=GB/O=Other Fintech Ltd/OU=0015800001OTHER001/CN=OtherSoftware000001"
cat "$R/tpp-transport.pem" pki/directory-issuing-ca.pem > "$R/tpp-transport-chain.pem"
openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$R/tpp-software.key.pem"
chmod 644 "$R"/*.pem

for c in tpp-transport tpp-other; do
  openssl verify -attime 1767229200 -CAfile pki/ca-bundle.pem -purpose sslclient "$R/$c.pem" >/dev/null
done
[ "$(openssl x509 -in "$R/tpp-transport.pem" -noout -subject -nameopt RFC2253)" = \
  "subject=organizationIdentifier=PSDGB-FCA-123456,CN=4ZUKbHjbA2ZqxCxTsQPkTY,OU=0015800001041REAAY,O=Acme Budgeting Ltd,C=GB" ] \
  || { echo "make_registration.sh: unexpected tpp-transport subject" >&2; exit 1; }

python3 - "$HERE" <<'PY'
import json, os, sys
from cryptography.hazmat.primitives import serialization
from joserfc import jws
from joserfc.jwk import RSAKey, KeySet

root = sys.argv[1]
reg = os.path.join(root, "registration")
def b64u_int(n):
    import base64
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

with open(os.path.join(reg, "tpp-software.key.pem"), "rb") as f:
    pem = f.read()
private = serialization.load_pem_private_key(pem, password=None)
numbers = private.public_key().public_numbers()
jwk = {"kty": "RSA", "kid": "tpp-sig-1", "use": "sig", "n": b64u_int(numbers.n), "e": b64u_int(numbers.e)}
jwks = {"keys": [jwk]}
with open(os.path.join(reg, "tpp-software.jwks.json"), "w") as f:
    json.dump(jwks, f, indent=2); f.write("\n")

with open(os.path.join(root, "jose", "ssa", "valid-ps256.jwt")) as f:
    ssa = f.read().strip()
metadata = {
    "software_statement": ssa,
    "redirect_uris": ["https://acme-budget.example.com/callback"],
    "token_endpoint_auth_method": "tls_client_auth",
    "tls_client_auth_subject_dn": "2.5.4.97=PSDGB-FCA-123456,CN=4ZUKbHjbA2ZqxCxTsQPkTY,OU=0015800001041REAAY,O=Acme Budgeting Ltd,C=GB",
    "grant_types": ["authorization_code", "client_credentials", "refresh_token"],
    "response_types": ["code id_token"],
    "scope": "openid accounts payments",
    "application_type": "web",
    "id_token_signed_response_alg": "PS256",
    "request_object_signing_alg": "PS256",
    "token_endpoint_auth_signing_alg": "PS256",
}
claims = {"iss": "4ZUKbHjbA2ZqxCxTsQPkTY", "aud": "https://as.sandbox-bank.example", "iat": 1767229000,
          "exp": 1767232600, "jti": "req-0001-joserfc", **metadata}
key = RSAKey.import_key(pem)
token = jws.serialize_compact({"alg": "PS256", "kid": "tpp-sig-1", "typ": "JWT"}, json.dumps(claims, separators=(",", ":")).encode(), key, algorithms=["PS256"])
with open(os.path.join(reg, "request-joserfc.jwt"), "w") as f:
    f.write(token)
with open(os.path.join(reg, "request-joserfc.claims.json"), "w") as f:
    json.dump(claims, f, indent=2); f.write("\n")
with open(os.path.join(reg, "request-plain.json"), "w") as f:
    json.dump(metadata, f, indent=2); f.write("\n")
# Self-check: the token verifies with the published JWKS, through joserfc.
obj = jws.deserialize_compact(token, KeySet.import_key_set(jwks), algorithms=["PS256"])
assert json.loads(obj.payload) == claims
PY
echo "make_registration.sh: fixtures written to $HERE/$R"
