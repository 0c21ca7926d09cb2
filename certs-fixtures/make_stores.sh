#!/usr/bin/env bash
# Makes the authorization server's certificates, its key stores in every format the toolkit
# must load (and the broken ones it must explain), the signing key in each PEM form, and the
# configuration files that name them. Called by generate.sh after pki/ exists; TEST-ONLY.
#
# Passwords: every store "changeit" unless its name says otherwise; encrypted signing keys
# "signing-pass". Needs openssl (3.x), python3 with cryptography, and Java keytool.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
HERE="$(pwd)"
export OPENSSL_CONF="$HERE/openssl.cnf"
CA_STATE_DIR="$(mktemp -d)"
export CA_STATE_DIR
trap 'rm -rf "$CA_STATE_DIR"' EXIT
mkdir -p "$CA_STATE_DIR/newcerts"
: > "$CA_STATE_DIR/index.txt"
openssl rand -hex 16 > "$CA_STATE_DIR/serial"
command -v keytool >/dev/null || { echo "make_stores.sh: keytool (Java) is needed" >&2; exit 1; }

PKI=pki
ST=stores
rm -rf "$ST" config
mkdir -p "$ST" config
PASS=changeit

rsa_key() { openssl genpkey -quiet -algorithm RSA -pkeyopt "rsa_keygen_bits:$2" -out "$1"; }
ec_key()  { openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve -out "$1"; }

# issue OUT KEY SUBJECT EXTENSIONS [START END [CA_CERT CA_KEY [MD]]]
issue() {
  local out="$1" key="$2" subj="$3" ext="$4" start="${5:-20250101000000Z}" end="${6:-20450101000000Z}"
  local cacert="${7:-$PKI/directory-issuing-ca.pem}" cakey="${8:-$PKI/directory-issuing-ca.key.pem}" md="${9:-sha256}"
  local csr="$CA_STATE_DIR/req.csr"
  openssl req -new -key "$key" -subj "$subj" -out "$csr"
  if [ "$cacert" = self ]; then
    openssl ca -batch -notext -selfsign -keyfile "$key" -in "$csr" -out "$out" -extensions "$ext" \
      -startdate "$start" -enddate "$end" -md "$md" 2>/dev/null
  else
    openssl ca -batch -notext -cert "$cacert" -keyfile "$cakey" -in "$csr" -out "$out" -extensions "$ext" \
      -startdate "$start" -enddate "$end" -md "$md" 2>/dev/null
  fi
  rm -f "$csr"
}

AS_SUBJ="/C=GB/O=Sandbox Bank plc/OU=0015800001HQQrZAAX/CN=2kiXQyo0tedjW2somjSgH7/organizationIdentifier=PSDGB-FCA-123456"

# --- certificates ---
rsa_key "$PKI/as-transport.key.pem" 2048
issue "$PKI/as-transport.pem" "$PKI/as-transport.key.pem" "$AS_SUBJ" v3_as_transport
rsa_key "$PKI/as-signing.key.pem" 2048
issue "$PKI/as-signing.pem" "$PKI/as-signing.key.pem" "/C=GB/O=Sandbox Bank plc/OU=0015800001HQQrZAAX/CN=as-signing-1" v3_as_signing
ec_key "$PKI/as-signing-ec.key.pem"
issue "$PKI/as-signing-ec.pem" "$PKI/as-signing-ec.key.pem" "/C=GB/O=Sandbox Bank plc/OU=0015800001HQQrZAAX/CN=as-signing-ec-1" v3_as_signing

openssl pkey -in "$PKI/as-signing.key.pem" -traditional -out "$PKI/as-signing.rsa-traditional.key.pem"
openssl pkcs8 -topk8 -in "$PKI/as-signing.key.pem" -v2 aes-256-cbc -passout pass:signing-pass -out "$PKI/as-signing.pkcs8-encrypted.key.pem"
openssl rsa -in "$PKI/as-signing.key.pem" -traditional -aes256 -passout pass:signing-pass -out "$PKI/as-signing.traditional-encrypted.key.pem" 2>/dev/null
openssl ec -in "$PKI/as-signing-ec.key.pem" -out "$PKI/as-signing-ec.sec1.key.pem" 2>/dev/null

for name in expired not-yet-valid self-signed wrong-eku sha1 expiring-soon unrelated-ca; do rsa_key "$PKI/as-transport-$name.key.pem" 2048; done
rsa_key "$PKI/as-transport-rsa1024.key.pem" 1024
issue "$PKI/as-transport-expired.pem" "$PKI/as-transport-expired.key.pem" "$AS_SUBJ" v3_as_transport 20200101000000Z 20210101000000Z
issue "$PKI/as-transport-not-yet-valid.pem" "$PKI/as-transport-not-yet-valid.key.pem" "$AS_SUBJ" v3_as_transport 20400101000000Z 20450101000000Z
issue "$PKI/as-transport-self-signed.pem" "$PKI/as-transport-self-signed.key.pem" "$AS_SUBJ" v3_as_transport_self_signed 20250101000000Z 20450101000000Z self
issue "$PKI/as-transport-wrong-eku.pem" "$PKI/as-transport-wrong-eku.key.pem" "$AS_SUBJ" v3_as_transport_wrong_eku
issue "$PKI/as-transport-sha1.pem" "$PKI/as-transport-sha1.key.pem" "$AS_SUBJ" v3_as_transport 20250101000000Z 20450101000000Z "$PKI/directory-issuing-ca.pem" "$PKI/directory-issuing-ca.key.pem" sha1
issue "$PKI/as-transport-rsa1024.pem" "$PKI/as-transport-rsa1024.key.pem" "$AS_SUBJ" v3_as_transport
issue "$PKI/as-transport-expiring-soon.pem" "$PKI/as-transport-expiring-soon.key.pem" "$AS_SUBJ" v3_as_transport 20250101000000Z 20260215000000Z
rsa_key "$PKI/unrelated-ca.key.pem" 2048
issue "$PKI/unrelated-ca.pem" "$PKI/unrelated-ca.key.pem" "/C=GB/O=Unrelated Trust Services/CN=Unrelated Root CA" v3_unrelated_ca 20250101000000Z 20450101000000Z self
issue "$PKI/as-transport-unrelated-ca.pem" "$PKI/as-transport-unrelated-ca.key.pem" "$AS_SUBJ" v3_as_transport 20250101000000Z 20450101000000Z "$PKI/unrelated-ca.pem" "$PKI/unrelated-ca.key.pem"
chmod 644 "$PKI"/*.pem

# --- key stores ---
export PASS
p12() {  # p12 OUT CERT KEY CHAIN [extra openssl args...]
  local out="$1" cert="$2" key="$3" chain="$4"; shift 4
  openssl pkcs12 -export -name transport -in "$cert" -inkey "$key" -certfile "$chain" -passout "pass:$PASS" -out "$out" "$@"
}
ISSUING="$PKI/directory-issuing-ca.pem"
openssl pkcs12 -export -nokeys -in "$PKI/ca-bundle.pem" -passout "pass:$PASS" -out "$ST/trust.p12"
keytool -importcert -noprompt -storetype PKCS12 -keystore "$ST/trust-keytool.p12" -storepass "$PASS" -alias sandbox-root -file "$PKI/directory-root-ca.pem" >/dev/null 2>&1
keytool -importcert -noprompt -storetype PKCS12 -keystore "$ST/trust-keytool.p12" -storepass "$PASS" -alias sandbox-issuing -file "$ISSUING" >/dev/null 2>&1
p12 "$ST/transport.p12" "$PKI/as-transport.pem" "$PKI/as-transport.key.pem" "$ISSUING"
p12 "$ST/transport-legacy.p12" "$PKI/as-transport.pem" "$PKI/as-transport.key.pem" "$ISSUING" -legacy
keytool -importkeystore -noprompt -srckeystore "$ST/transport.p12" -srcstoretype PKCS12 -srcstorepass "$PASS" \
  -destkeystore "$ST/transport-keytool.p12" -deststoretype PKCS12 -deststorepass "$PASS" -destkeypass "$PASS" >/dev/null 2>&1
keytool -importkeystore -noprompt -srckeystore "$ST/transport.p12" -srcstoretype PKCS12 -srcstorepass "$PASS" \
  -destkeystore "$ST/transport.jks" -deststoretype JKS -deststorepass "$PASS" -destkeypass "$PASS" >/dev/null 2>&1
PASS="" p12 "$ST/transport-empty-password.p12" "$PKI/as-transport.pem" "$PKI/as-transport.key.pem" "$ISSUING"
p12 "$ST/transport-no-mac.p12" "$PKI/as-transport.pem" "$PKI/as-transport.key.pem" "$ISSUING" -nomac
openssl pkcs12 -export -nokeys -in "$PKI/as-transport.pem" -certfile "$ISSUING" -passout "pass:$PASS" -out "$ST/transport-no-key.p12"
openssl pkcs12 -export -nocerts -inkey "$PKI/as-transport.key.pem" -passout "pass:$PASS" -out "$ST/key-only.p12" 2>/dev/null
for name in expired not-yet-valid self-signed wrong-eku sha1 rsa1024 expiring-soon; do
  p12 "$ST/transport-$name.p12" "$PKI/as-transport-$name.pem" "$PKI/as-transport-$name.key.pem" "$ISSUING"
done
p12 "$ST/transport-unrelated-ca.p12" "$PKI/as-transport-unrelated-ca.pem" "$PKI/as-transport-unrelated-ca.key.pem" "$PKI/unrelated-ca.pem"
python3 - "$PKI" "$ST" <<'PY'
import sys
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
pki, st = sys.argv[1], sys.argv[2]
cert = x509.load_pem_x509_certificate(open(f"{pki}/as-transport.pem", "rb").read())
issuing = x509.load_pem_x509_certificate(open(f"{pki}/directory-issuing-ca.pem", "rb").read())
other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
# cryptography refuses to pair a key with another key's certificate, so the key goes in
# unpaired and the certificate beside it: the store offers as-transport.pem with a key
# that does not belong to it.
blob = pkcs12.serialize_key_and_certificates(b"transport", other, None, [cert, issuing], serialization.BestAvailableEncryption(b"changeit"))
open(f"{st}/transport-mismatched-key.p12", "wb").write(blob)
PY
openssl x509 -in "$PKI/as-transport.pem" -outform DER -out "$ST/as-transport.der"
openssl rand -out "$ST/garbage.bin" 256
: > "$ST/empty.p12"

# --- the signing key's JWKS ---
python3 - "$PKI" jose/as-software.jwks.json <<'PY'
import base64, json, sys
from cryptography.hazmat.primitives import serialization
pki, out = sys.argv[1], sys.argv[2]
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
def num(n, length=None):
    length = length or (n.bit_length() + 7) // 8
    return b64(n.to_bytes(length, "big"))
rsa = serialization.load_pem_private_key(open(f"{pki}/as-signing.key.pem", "rb").read(), None).public_key().public_numbers()
ec = serialization.load_pem_private_key(open(f"{pki}/as-signing-ec.key.pem", "rb").read(), None).public_key().public_numbers()
keys = [{"kty": "RSA", "kid": "as-signing-1", "use": "sig", "alg": "PS256", "n": num(rsa.n), "e": num(rsa.e)},
        {"kty": "EC", "kid": "as-signing-ec-1", "use": "sig", "alg": "ES256", "crv": "P-256", "x": num(ec.x, 32), "y": num(ec.y, 32)}]
json.dump({"keys": keys}, open(out, "w"), indent=2)
PY

# --- configuration files (paths relative to the file's folder) ---
python3 - <<'PY'
import json
props = [
    ("clientScopes", "ASPSPReadAccess TPPReadAccess AuthoritiesReadAccess"), ("keyId", "as-signing-1"),
    ("signingCert", "../pki/as-signing.pem"), ("signingKey", "../pki/as-signing.key.pem"),
    ("trustKeyStore", "../stores/trust.p12"), ("trustKeyStorePassword", "changeit"),
    ("transportKeyStore", "../stores/transport.p12"), ("transportKeyStorePassword", "env:SSA_TEST_TRANSPORT_PASSWORD"),
    ("tokenUrl", "https://127.0.0.1:8443/token"), ("tppUrl", "https://127.0.0.1:8443/scim/v2/OBThirdPartyProviders"),
    ("jwks_endpoint", "https://127.0.0.1:8443/jwks"), ("aud", "https://127.0.0.1:8443/token"),
]
plain = dict(props)
json.dump(plain, open("config/toolkit.json", "w"), indent=2)
broken = dict(plain, transportKeyStorePassword="wrong-password")
json.dump(broken, open("config/toolkit-broken-password.json", "w"), indent=2)
janssen_props = dict(plain, transportKeyStorePassword="file:transport-password.txt")
script = {
    "inum": "A51E-76DA", "name": "client_registration_ob", "description": "Open Banking client registration",
    "scriptType": "client_registration", "programmingLanguage": "python", "level": 100, "enabled": True,
    "locationType": "db", "script": "# the registration script itself is not part of this fixture",
    "configurationProperties": [
        {"value1": k, "value2": v, "hide": k.endswith("Password")} for k, v in janssen_props.items()
    ],
}
json.dump(script, open("config/janssen-script.json", "w"), indent=2)
open("config/transport-password.txt", "w").write("changeit\n")
PY

# --- self-checks ---
for f in trust trust-keytool transport transport-keytool transport-no-mac transport-no-key key-only transport-mismatched-key; do
  openssl pkcs12 -in "$ST/$f.p12" -info -noout -passin "pass:$PASS" 2>/dev/null || { echo "make_stores.sh: $f.p12 does not open" >&2; exit 1; }
done
openssl pkcs12 -in "$ST/transport-legacy.p12" -info -noout -legacy -passin "pass:$PASS" 2>/dev/null || { echo "make_stores.sh: legacy store does not open" >&2; exit 1; }
openssl pkcs12 -in "$ST/transport-empty-password.p12" -info -noout -passin pass: 2>/dev/null || { echo "make_stores.sh: empty-password store does not open" >&2; exit 1; }
openssl verify -attime 1767229200 -CAfile "$PKI/ca-bundle.pem" -purpose sslclient "$PKI/as-transport.pem" >/dev/null
openssl x509 -in "$PKI/as-transport.pem" -noout -subject -nameopt RFC2253 | grep -q "organizationIdentifier=PSDGB-FCA-123456" \
  || { echo "make_stores.sh: organizationIdentifier missing from as-transport.pem" >&2; exit 1; }
openssl x509 -in "$PKI/as-transport-sha1.pem" -noout -text | grep -q "sha1WithRSAEncryption" \
  || { echo "make_stores.sh: as-transport-sha1.pem is not SHA-1 signed" >&2; exit 1; }
[ "$(head -c 4 "$ST/transport.jks" | od -An -tx1 | tr -d ' \n')" = "feedfeed" ] || { echo "make_stores.sh: transport.jks is not JKS" >&2; exit 1; }
echo "make_stores.sh: stores written to $HERE/$ST, configuration to $HERE/config"
