#!/usr/bin/env python3
"""make_registration.py OUT_DIR SSA_FILE - the JOSE half of the registration fixtures.

Called by make_registration.sh after it has written OUT_DIR/tpp-software.key.pem (RSA 2048,
PKCS#8). Writes into OUT_DIR:

  tpp-software.jwks.json       {"keys": [the public JWK, kid tpp-sig-1, use sig]}
  request-joserfc.jwt          the registration request, compact JWS (PS256) signed through
                               joserfc's JWS API, no trailing newline
  request-joserfc.claims.json  the exact claims of that JWT, pretty-printed
  request-plain.json           the same metadata unsigned (no iss/aud/iat/exp/jti)

Then re-reads the files it wrote and verifies the JWT with joserfc against the JWKS file;
exits non-zero if anything disagrees. Requires python3 with `cryptography` and `joserfc`.
TEST-ONLY material.
"""
import base64
import json
import os
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jws
from joserfc.jwk import KeySet, RSAKey

KID = "tpp-sig-1"
HEADER = {"alg": "PS256", "kid": KID, "typ": "JWT"}
# The tpp-transport subject, RFC 4514 order (last RDN first), organizationIdentifier by OID.
SUBJECT_DN = "2.5.4.97=PSDGB-FCA-123456,CN=4ZUKbHjbA2ZqxCxTsQPkTY,OU=0015800001041REAAY,O=Acme Budgeting Ltd,C=GB"


def fail(message):
    sys.stderr.write("make_registration.py: %s\n" % message)
    sys.exit(1)


def b64u_uint(value):
    """Unpadded base64url of an unsigned integer, big-endian, minimal length (no leading zero)."""
    raw = value.to_bytes((value.bit_length() + 7) // 8 or 1, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def public_jwk(private_key):
    numbers = private_key.public_key().public_numbers()
    return {"kty": "RSA", "kid": KID, "use": "sig", "n": b64u_uint(numbers.n), "e": b64u_uint(numbers.e)}


def metadata(ssa):
    """The registration metadata (member order is the order of the serialized JWT payload)."""
    return {
        "software_statement": ssa,
        "redirect_uris": ["https://acme-budget.example.com/callback"],
        "token_endpoint_auth_method": "tls_client_auth",
        "tls_client_auth_subject_dn": SUBJECT_DN,
        "grant_types": ["authorization_code", "client_credentials", "refresh_token"],
        "response_types": ["code id_token"],
        "scope": "openid accounts payments",
        "application_type": "web",
        "id_token_signed_response_alg": "PS256",
        "request_object_signing_alg": "PS256",
        "token_endpoint_auth_signing_alg": "PS256",
    }


def request_claims(ssa):
    claims = {
        "iss": "4ZUKbHjbA2ZqxCxTsQPkTY",
        "aud": "https://as.sandbox-bank.example",
        "iat": 1767229000,
        "exp": 1767232600,
        "jti": "req-0001-joserfc",
    }
    claims.update(metadata(ssa))
    return claims


def write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2, ensure_ascii=False)
        f.write("\n")


def main(out_dir, ssa_file):
    with open(ssa_file, "r", encoding="ascii") as f:
        ssa = f.read()
    if ssa != ssa.strip() or ssa.count(".") != 2:
        fail("%s is not a bare compact JWS (whitespace or wrong number of parts)" % ssa_file)

    with open(os.path.join(out_dir, "tpp-software.key.pem"), "rb") as f:
        pem = f.read()
    private_key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(private_key, rsa.RSAPrivateKey) or private_key.key_size != 2048:
        fail("tpp-software.key.pem is not an RSA 2048 key")

    write_json(os.path.join(out_dir, "tpp-software.jwks.json"), {"keys": [public_jwk(private_key)]})

    claims = request_claims(ssa)
    payload = json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    token = jws.serialize_compact(HEADER, payload, RSAKey.import_key(pem), algorithms=["PS256"])
    with open(os.path.join(out_dir, "request-joserfc.jwt"), "w", encoding="ascii", newline="") as f:
        f.write(token)
    write_json(os.path.join(out_dir, "request-joserfc.claims.json"), claims)
    write_json(os.path.join(out_dir, "request-plain.json"), metadata(ssa))

    # Self-check, from the files as written: the JWT verifies with joserfc against the JWKS file,
    # its header and payload are exactly what was meant, and the SSA inside is byte-identical.
    with open(os.path.join(out_dir, "tpp-software.jwks.json"), encoding="utf-8") as f:
        key_set = KeySet.import_key_set(json.load(f))
    with open(os.path.join(out_dir, "request-joserfc.jwt"), encoding="ascii", newline="") as f:
        written = f.read()
    if written != token or written.endswith("\n"):
        fail("request-joserfc.jwt was not written byte for byte")
    try:
        verified = jws.deserialize_compact(written, key_set, algorithms=["PS256"])
    except Exception as error:  # joserfc raises its own error types
        fail("request-joserfc.jwt does not verify with tpp-software.jwks.json: %r" % error)
    if dict(verified.protected) != HEADER:
        fail("unexpected JWS header %r" % (verified.protected,))
    if verified.payload != payload or json.loads(verified.payload) != claims:
        fail("the verified payload differs from the claims")
    with open(os.path.join(out_dir, "request-joserfc.claims.json"), encoding="utf-8") as f:
        if json.load(f) != claims:
            fail("request-joserfc.claims.json differs from the JWT claims")
    with open(os.path.join(out_dir, "request-plain.json"), encoding="utf-8") as f:
        plain = json.load(f)
    if set(plain) & {"iss", "aud", "iat", "exp", "jti"} or plain["software_statement"] != ssa:
        fail("request-plain.json is not the unsigned metadata")
    # A wrong key must not verify (guards against a verifier that accepts anything).
    other = RSAKey.generate_key(2048, parameters={"kid": KID, "use": "sig"})
    try:
        jws.deserialize_compact(written, KeySet([other]), algorithms=["PS256"])
    except Exception:
        pass
    else:
        fail("request-joserfc.jwt verified with an unrelated key")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        fail("usage: make_registration.py OUT_DIR SSA_FILE")
    main(sys.argv[1], sys.argv[2])
