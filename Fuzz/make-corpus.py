#!/usr/bin/env python3
"""Writes the seed corpora in Fuzz/corpus/<target>/ from certs-fixtures/ (and the SCIM examples of
the library's tests). Run it again after ./certs-fixtures/generate.sh: the fixtures' keys and
signatures change on every generation, and the corpus should carry tokens that verify.

Needs python3 and the openssl CLI (for the distinguished names, in each of OpenSSL's spellings).
Small files only: the largest fixture token (oversized.jwt) is left out.
"""
import base64
import hashlib
import json
import pathlib
import re
import shutil
import subprocess

FUZZ = pathlib.Path(__file__).resolve().parent
ROOT = FUZZ.parent
FIX = ROOT / "certs-fixtures"
CORPUS = FUZZ / "corpus"

written = {}


def put(target, name, data):
    if isinstance(data, str):
        data = data.encode()
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha1(data).hexdigest()
    seen = written.setdefault(target, set())
    if digest in seen:
        return
    seen.add(digest)
    (folder / name).write_bytes(data)


def b64url_decode(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def tokens():
    for path in sorted((FIX / "jose/ssa").glob("*.jwt")):
        if path.stat().st_size <= 16 * 1024:
            yield path.stem, path.read_text().strip()
    yield "request-joserfc", (FIX / "registration/request-joserfc.jwt").read_text().strip()


def pem(name):
    return (FIX / "pki" / name).read_text()


def subjects():
    """Every fixture certificate's subject in OpenSSL's RFC 2253, slash (compat) and one-line forms."""
    for path in sorted((FIX / "pki").glob("*.pem")):
        if ".key" in path.name or path.name in ("ca-bundle.pem", "directory-server-chain.pem"):
            continue
        for option in ("RFC2253", "compat", "oneline", "RFC2253,dump_all,dump_der"):
            out = subprocess.run(["openssl", "x509", "-in", str(path), "-noout", "-subject", "-nameopt", option],
                                 capture_output=True, text=True, check=True).stdout.strip()
            yield path.stem, option.split(",")[-1].replace("_", "-"), out.split("=", 1)[1].strip()


def main():
    shutil.rmtree(CORPUS, ignore_errors=True)

    # json: the fixtures' JSON documents, every token's decoded header and payload (the hostile
    # ones included: duplicate members, lone surrogates, deep nesting), and a few edge cases.
    for path in sorted((FIX / "jose").glob("*.jwks.json")):
        put("json", path.name, path.read_bytes())
    put("json", "valid-ps256.claims.json", (FIX / "jose/ssa/valid-ps256.claims.json").read_bytes())
    put("json", "request-joserfc.claims.json", (FIX / "registration/request-joserfc.claims.json").read_bytes())
    for path in sorted((FIX / "config").glob("*.json")):
        put("json", "config-" + path.name, path.read_bytes())
    for name, token in tokens():
        parts = token.split(".")
        for label, part in zip(("header", "payload"), parts[:2]):
            try:
                put("json", f"{name}.{label}.json", b64url_decode(part))
            except Exception:
                pass
    edge = {
        "numbers": b'[0,-0,1.5e-7,-1E+22,123456789012345678901234567890,4.9e-324,1.7976931348623157e308,0.1]',
        "escapes": b'{"a\\u0000b":"\\"\\\\\\/\\b\\f\\n\\r\\t\\u001f\\u007f\\u2028\\ud83d\\ude00"}',
        "unicode": '{"é":"e\u0301","Ω":"\u2126","ﬀ":"\U0001F600"}'.encode(),
        "nested": b'{"a":[{"b":[{"c":[[[[[[[[null]]]]]]]}]}]}',
        "literals": b' [true , false , null , "" , {} , [] ] ',
        "bidi": '{"kid":"\u202e\u2066evil\u2069\u200f\u0085"}'.encode(),
    }
    for name, data in edge.items():
        put("json", f"edge-{name}.json", data)

    # base64url: the three parts of a few tokens, and short strings at each length modulo 4.
    for name, token in tokens():
        if name in ("valid-ps256", "valid-es256", "padded-base64", "bad-base64-char", "empty-signature", "es256-der-signature"):
            for label, part in zip(("header", "payload", "signature"), token.split(".")):
                put("base64url", f"{name}.{label}", part)
    for text in ("", "A", "AA", "AAA", "AAAA", "_-_-", "QQ", "QR", "QUI", "QUJ", "YWJj"):
        put("base64url", f"short-{len(text)}-{hashlib.sha1(text.encode()).hexdigest()[:6]}", text)

    # jws: every fixture token (valid, attacks and malformed ones).
    for name, token in tokens():
        put("jws", name + ".jwt", token)

    # jwks: the fixture JWKS documents, each of their keys alone, and keys the parser refuses.
    for path in sorted((FIX / "jose").glob("*.jwks.json")):
        put("jwks", path.name, path.read_bytes())
        for i, key in enumerate(json.loads(path.read_text())["keys"]):
            put("jwks", f"{path.stem}.key{i}.json", json.dumps(key))
    put("jwks", "private-member.json", '{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA","d":"AA"}]}')
    put("jwks", "p384-short.json", '{"keys":[{"kty":"EC","crv":"P-384","x":"AAAA","y":"AAAA"}]}')
    put("jwks", "oct.json", '{"keys":[{"kty":"oct","k":"c2VjcmV0"},"not an object",7,null]}')
    put("jwks", "rsa-tiny.json", '{"keys":[{"kty":"RSA","n":"AAAAAQ","e":"AQAB","use":"enc","alg":"RS256"}]}')

    # dn: the fixture certificates' subjects in OpenSSL's spellings, and the library tests' forms.
    for stem, option, subject in subjects():
        put("dn", f"{stem}.{option}", subject)
    for i, text in enumerate([
        "OID.2.5.4.97=PSDGB-FCA-123456, CN=2kiXQyo0tedjW2somjSgH7, OU=0015800001HQQrZAAX, O=Sandbox Bank plc, C=GB",
        'organizationIdentifier=PSDGB-FCA-123456,commonName=2kiXQyo0tedjW2somjSgH7,organizationalUnitName=0015800001HQQrZAAX,O="Sandbox Bank plc",countryName=GB',
        "organizationIdentifier=PSDGB-FCA-123456,CN=2kiXQyo0tedjW2somjSgH7,OU=0015800001HQQrZAAX,O=Sandbox\\20Bank plc,C=#13024742",
        "organizationIdentifier=PSDGB-FCA-123456+CN=2kiXQyo0tedjW2somjSgH7,OU=0015800001HQQrZAAX,O=Sandbox Bank plc,C=GB",
        "CN=2kiXQyo0tedjW2somjSgH7\\,OU=0015800001HQQrZAAX;O=Sandbox Bank plc;C=GB",
        "CN=x+OU=y,O=z", "CN=\"open", "CN=a\\", "1.2.x=3", "CN=#0401ff", "UID=u1,DC=example,DC=com,emailAddress=a@b.c",
        "CN=  spaced\\  ,  O = \"q\\\"uoted\" ", "/C=GB/O=Sandbox Bank plc/OU=0015800001HQQrZAAX/CN=a\\/b",
        "CN=4ZU\u212abHjbA2ZqxCxTsQPkTY,O=Acme Budgeting \u212atd,C=GB", "jurisdictionC=GB,serialNumber=12345678,businessCategory=Private Organization",
    ]):
        put("dn", f"form-{i:02d}", text)

    # registration-body: POST /v1/decisions bodies as the Janssen script sends them.
    request_jwt = (FIX / "registration/request-joserfc.jwt").read_text().strip()
    ssa = (FIX / "jose/ssa/valid-ps256.jwt").read_text().strip()
    metadata = json.loads((FIX / "registration/request-joserfc.claims.json").read_text())
    transport = pem("as-transport.pem")
    put("registration-body", "request-jwt", json.dumps({"registration_request": request_jwt}))
    put("registration-body", "request-jwt-cert", json.dumps({"registration_request": request_jwt, "client_certificate": transport}))
    put("registration-body", "metadata-object", json.dumps({"registration_request": metadata, "client_certificate": transport}))
    plain = {k: v for k, v in metadata.items() if k != "software_statement"}
    put("registration-body", "metadata-and-ssa", json.dumps({"registration_request": plain, "software_statement": ssa}))
    put("registration-body", "ssa-only", json.dumps({"software_statement": ssa, "client_certificate": pem("as-transport-self-signed.pem")}))
    put("registration-body", "metadata-string", json.dumps({"registration_request": json.dumps(metadata)}))
    for name in ("alg-none", "dup-member-payload", "lone-surrogate", "x5c-attacker", "valid-es256"):
        put("registration-body", "ssa-" + name, json.dumps({"software_statement": (FIX / f"jose/ssa/{name}.jwt").read_text().strip()}))
    put("registration-body", "wrong-types", '{"registration_request": 7, "software_statement": null, "client_certificate": ["x"]}')

    # token-body: POST /v1/token-decisions bodies as the Janssen token script sends them.
    base = {"client_id": "4ZUKbHjbA2ZqxCxTsQPkTY", "software_id": "4ZUKbHjbA2ZqxCxTsQPkTY", "org_id": "0015800001041REAAY",
            "grant_type": "authorization_code", "scope": "openid accounts payments", "user_id": "user-1",
            "claims": {"id_token": {"openbanking_intent_id": {"value": "urn-alphabank-intent-58923", "essential": True}}}}
    put("token-body", "authorization-code", json.dumps(base, sort_keys=True))
    mtls = dict(base, token_endpoint_auth_method="tls_client_auth", client_certificate=transport,
                tls_client_auth_subject_dn="organizationIdentifier=PSDGB-FCA-123456,CN=2kiXQyo0tedjW2somjSgH7,OU=0015800001HQQrZAAX,O=Sandbox Bank plc,C=GB")
    put("token-body", "tls-client-auth", json.dumps(mtls, sort_keys=True))
    put("token-body", "client-credentials", json.dumps({"client_id": "c", "software_id": "s", "org_id": "o", "grant_type": "client_credentials",
                                                          "scope": ["accounts", "payments"], "acr": "urn:openbanking:psd2:sca"}))
    put("token-body", "refresh", json.dumps(dict(base, grant_type="refresh_token", claims={"userinfo": {"openbanking_intent_id": {"value": 7}}})))
    put("token-body", "ciba-null-members", json.dumps(dict(base, grant_type="urn:openid:params:grant-type:ciba", user_id=None, acr=None, claims=None)))
    put("token-body", "unknown-member", '{"software_id": "x", "scopes": "openid"}')

    # scim: the SCIM participant resources of the library's tests (shapes from the directory's
    # published scim-swagger.yml 2.2), bare and inside a list response.
    tests = (ROOT / "Tests/SSAToolkitTests/Directory/SCIMSpecificationTests.swift").read_text()
    documents = re.findall(r'#"""\n(.*?)\n\s*"""#', tests, re.S) + re.findall(r'#"(\{.*?\})"#', tests)
    for i, text in enumerate(documents):
        text = text.replace('\\#(status)', 'Active')
        try:
            json.loads(text)
        except ValueError:
            continue
        put("scim", f"resource-{i:02d}.json", text)
        wrapped = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 1, "startIndex": 1,
                   "itemsPerPage": 1, "Resources": [json.loads(text)]}
        put("scim", f"list-{i:02d}.json", json.dumps(wrapped))
    put("scim", "list-empty.json", '{"Resources": []}')
    put("scim", "case-folded.json", '{"ID": "x", "URN:OPENBANKING:ORGANISATION:1.0": {"STATUS": "Active"}, '
        '"urn:openbanking:softwarestatement:1.0": {"softwarestatements": [{"id": "s", "active": true, "roles": ["AISP", 1]}]}}')

    # pem: certificate files (single, chain, bundle, weak ones), a public key where a
    # certificate is expected, and DER. No private key: those stay in certs-fixtures/.
    for name in ("as-transport.pem", "directory-server-chain.pem", "ca-bundle.pem", "as-signing-ec.pem",
                 "as-transport-rsa1024.pem", "as-transport-sha1.pem", "as-transport-self-signed.pem", "as-transport-wrong-eku.pem"):
        put("pem", name, pem(name))
    put("pem", "attacker-rsa.pem", (FIX / "jose/keys/attacker-rsa.pem").read_bytes())
    put("pem", "as-signing-ec.pub.pem", subprocess.run(["openssl", "x509", "-pubkey", "-noout", "-in", str(FIX / "pki/as-signing-ec.pem")],
                                                       check=True, capture_output=True).stdout)
    put("pem", "as-transport.der", (FIX / "stores/as-transport.der").read_bytes())

    # pkcs12: every fixture store (password "changeit", or empty), and what is not one.
    for path in sorted((FIX / "stores").iterdir()):
        if path.suffix in (".p12", ".jks", ".bin", ".der"):
            put("pkcs12", path.name, path.read_bytes())

    total = sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file())
    for target in sorted(written):
        print(f"{target:18} {len(written[target]):4} files")
    print(f"total {total} bytes")


if __name__ == "__main__":
    main()
