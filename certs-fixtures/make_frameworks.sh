#!/usr/bin/env bash
# make_frameworks.sh - fixtures for the trust frameworks beside Open Banking UK (Open Finance
# Brasil, the Australian CDR) in frameworks/: each directory's SSA signing key and JWKS, TPP
# transport certificates in each framework's profile (openssl CLI), and software statements
# signed through joserfc (make_frameworks.py), independently of the toolkit's own code.
#
# Usage:   ./certs-fixtures/make_frameworks.sh     (from any directory; additive, like
#          make_registration.sh: it reads pki/directory-issuing-ca.* and writes frameworks/ only)
#
# Certificates: `openssl ca` with ./openssl.cnf, profile v3_tpp_transport, validity
# 2025-01-01T00:00:00Z .. 2045-01-01T00:00:00Z. Keys: RSA 2048, PKCS#8, UNENCRYPTED, TEST-ONLY.
# Requirements: bash, openssl (3.0+), python3 with `cryptography` and `joserfc`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
HERE="$(pwd)"
command -v openssl >/dev/null || { echo "make_frameworks.sh: openssl not found" >&2; exit 1; }
python3 -c 'import cryptography, joserfc' 2>/dev/null \
  || { echo "make_frameworks.sh: python3 needs the 'cryptography' and 'joserfc' packages" >&2; exit 1; }

# The issuing CA in a temporary folder, rsa_key and tpp_cert (shared with make_registration.sh).
. "$HERE/tpp-ca.sh"

# Identifiers (also in make_frameworks.py and the sandbox's SandboxFrameworks).
BR_ORG=74e929d9-33b6-4d85-8ba7-c146c867a817
BR_SOFTWARE=b7e1a8c2-3f4d-4e5a-9b6c-7d8e9f0a1b2c
BR_OTHER_ORG=c3d4e5f6-0000-4000-8000-000000000002
BR_OTHER_SOFTWARE=f0e1d2c3-0000-4000-8000-000000000003
CDR_SOFTWARE=9f8e7d6c-3333-4333-8333-333333333333
CDR_OTHER_SOFTWARE=6b5a4938-4444-4444-8444-444444444444

# ICP-Brasil profile: UID = software_id, organizationIdentifier = OFBBR-<org_id>.
tpp_cert brasil-transport "/C=BR/O=Fintech Exemplo Ltda/OU=$BR_ORG/UID=$BR_SOFTWARE/CN=tpp.fintech-exemplo.com.br/organizationIdentifier=OFBBR-$BR_ORG"
tpp_cert brasil-other     "/C=BR/O=Outra Fintech SA/OU=$BR_OTHER_ORG/UID=$BR_OTHER_SOFTWARE/CN=tpp.outra-fintech.com.br/organizationIdentifier=OFBBR-$BR_OTHER_ORG"
# The CDR: no subject rule binds the certificate to the software (holder-of-key).
tpp_cert cdr-transport    "/C=AU/O=Example Data Recipient Pty Ltd/CN=$CDR_SOFTWARE"
tpp_cert cdr-other        "/C=AU/O=Other Recipient Pty Ltd/CN=$CDR_OTHER_SOFTWARE"
rsa_key "$OUT/brasil-directory.key.pem"
rsa_key "$OUT/cdr-register.key.pem"

AT=1767229200   # 2026-01-01T01:00:00Z, the fixtures' instant
for c in brasil-transport brasil-other cdr-transport cdr-other; do
  openssl verify -attime "$AT" -CAfile pki/ca-bundle.pem "$OUT/$c.pem" >/dev/null \
    || { echo "make_frameworks.sh: $c.pem does not verify" >&2; exit 1; }
done
openssl x509 -in "$OUT/brasil-transport.pem" -noout -subject -nameopt RFC2253 | grep -q "UID=$BR_SOFTWARE" \
  || { echo "make_frameworks.sh: brasil-transport.pem has no UID" >&2; exit 1; }
openssl x509 -in "$OUT/brasil-transport.pem" -noout -subject -nameopt RFC2253 | grep -q "organizationIdentifier=OFBBR-$BR_ORG" \
  || { echo "make_frameworks.sh: brasil-transport.pem has no organizationIdentifier" >&2; exit 1; }

python3 "$HERE/make_frameworks.py" "$OUT"
mkdir -p frameworks
cp "$OUT"/* frameworks/
echo "make_frameworks.sh: fixtures written to $HERE/frameworks"
