#!/usr/bin/env python3
"""make_jose.py - JOSE fixtures for ssa-toolkit (called by generate.sh; not used at test time).

Usage: python3 make_jose.py CERTS_FIXTURES_DIR

Reads the private keys that generate.sh created in jose/keys/ and writes:
  jose/directory.jwks.json, jose/directory-single.jwks.json, jose/directory-rotated.jwks.json
  jose/ssa/*.jwt                   compact JWS (or deliberately broken) tokens, no trailing newline
  jose/ssa/manifest.json           one case per expectation (file, JWKS, allow-list, max_age, verdict)
  jose/ssa/valid-ps256.claims.json exact payload of valid-ps256.jwt, pretty-printed

Tokens are built in one of four ways (recorded as "signer" in the manifest):
  python-cryptography  header/payload bytes assembled here, signed with `cryptography`
  joserfc              signed (or encrypted) through the joserfc library API
  openssl-cli          signing input signed by `openssl dgst` (ES256 DER converted to raw r||s)
  hand-built           bytes crafted or mangled here (no signature, broken structure, ...)

Before finishing, every manifest case is re-run through `reference_verify` below, an
independent, strict Python model of the verifier's check order, and every "valid" case is
additionally verified with joserfc. Any disagreement aborts generation (exit status 1).
Standard library + cryptography + joserfc only.
"""
import base64
import copy
import hashlib
import hmac
import json
import os
import re
import subprocess
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from joserfc import jwe, jws
from joserfc.jwk import ECKey, RSAKey

AT = 1767229200            # evaluation time used by the tests (2026-01-01T01:00:00Z)
IAT = 1767225600           # default iat (2026-01-01T00:00:00Z)
ISSUER = "OpenBanking Ltd"  # the trusted issuer
DEFAULT_ALLOW = ["PS256", "ES256"]
MAX_TOKEN_BYTES = 65536    # 64 KiB
MAX_JSON_DEPTH = 64


def fail(msg):
    print("make_jose.py: " + msg, file=sys.stderr)
    sys.exit(1)


# ------------------------------------------------------------------ encoding helpers
def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


B64U_RE = re.compile(r"^[A-Za-z0-9_-]*$")


def b64u_strict(s: str) -> bytes:
    """Unpadded base64url only; raises ValueError otherwise (no padding, no whitespace,
    no '+' '/', no non-canonical trailing bits)."""
    if not B64U_RE.match(s) or len(s) % 4 == 1:
        raise ValueError("not unpadded base64url")
    raw = base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
    if b64u(raw) != s:
        raise ValueError("non-canonical base64url")
    return raw


def cjson(obj) -> bytes:
    """Compact JSON, member order preserved, ASCII-only."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def int_b64u(n: int, length: int = 0) -> str:
    size = length or max(1, (n.bit_length() + 7) // 8)
    return b64u(n.to_bytes(size, "big"))


# ------------------------------------------------------------------ keys
ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(__file__))
JOSE = os.path.join(ROOT, "jose")
KEYS_DIR = os.path.join(JOSE, "keys")
SSA_DIR = os.path.join(JOSE, "ssa")


def load_key(name):
    with open(os.path.join(KEYS_DIR, name + ".key.pem"), "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=None)


KEY_NAMES = ["ob-rsa-1", "ob-rsa-2", "ob-ec-1", "ob-rsa-ps256", "ob-rsa-enc",
             "ob-rsa-weak", "ob-ec-p384", "attacker-rsa", "attacker-ec"]
K = {n: load_key(n) for n in KEY_NAMES}

with open(os.path.join(KEYS_DIR, "attacker-rsa.pem"), "rb") as f:
    from cryptography import x509
    ATTACKER_CERT_DER = x509.load_pem_x509_certificate(f.read()).public_bytes(
        serialization.Encoding.DER)


def public_jwk(key, kid=None, **extra):
    pub = key.public_key()
    if isinstance(pub, rsa.RSAPublicKey):
        nums = pub.public_numbers()
        jwk = {"kty": "RSA"}
        if kid:
            jwk["kid"] = kid
        jwk.update(extra)
        jwk["n"] = int_b64u(nums.n)
        jwk["e"] = int_b64u(nums.e)
        return jwk
    if isinstance(pub, ec.EllipticCurvePublicKey):
        crv, size = {"secp256r1": ("P-256", 32), "secp384r1": ("P-384", 48)}[pub.curve.name]
        nums = pub.public_numbers()
        jwk = {"kty": "EC"}
        if kid:
            jwk["kid"] = kid
        jwk.update(extra)
        jwk["crv"] = crv
        jwk["x"] = int_b64u(nums.x, size)
        jwk["y"] = int_b64u(nums.y, size)
        return jwk
    raise TypeError(pub)


# ------------------------------------------------------------------ JWKS
okp_pub = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
    serialization.Encoding.Raw, serialization.PublicFormat.Raw)

JWK_OB_RSA_1 = public_jwk(K["ob-rsa-1"], "ob-rsa-1", use="sig")
DIRECTORY_JWKS = {"keys": [
    JWK_OB_RSA_1,
    public_jwk(K["ob-ec-1"], "ob-ec-1", use="sig", alg="ES256"),
    public_jwk(K["ob-rsa-ps256"], "ob-rsa-ps256", use="sig", alg="PS256"),
    public_jwk(K["ob-rsa-enc"], "ob-rsa-enc", use="enc"),
    public_jwk(K["ob-rsa-weak"], "ob-rsa-weak", use="sig"),
    public_jwk(K["ob-ec-p384"], "ob-ec-p384", use="sig"),
    {"kty": "RSA", "kid": "broken-rsa", "n": "@@not-base64@@", "e": "AQAB"},
    {"kty": "OKP", "crv": "Ed25519", "kid": "okp-1", "x": b64u(okp_pub)},
]}
SINGLE_JWKS = {"keys": [JWK_OB_RSA_1]}
ROTATED_JWKS = {"keys": [JWK_OB_RSA_1, public_jwk(K["ob-rsa-2"], "ob-rsa-2", use="sig")]}
JWKS_FILES = {
    "directory.jwks.json": DIRECTORY_JWKS,
    "directory-single.jwks.json": SINGLE_JWKS,
    "directory-rotated.jwks.json": ROTATED_JWKS,
}
assert len(DIRECTORY_JWKS["keys"][7]["x"]) == 43

# ------------------------------------------------------------------ signing
PSS32 = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)


def der_to_raw(der: bytes, size: int) -> bytes:
    r, s = decode_dss_signature(der)
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def sign(alg, key, data: bytes) -> bytes:
    if alg == "PS256":
        return key.sign(data, PSS32, hashes.SHA256())
    if alg == "RS256":
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    if alg == "ES256":  # (also used with a P-384 key on purpose: raw r||s of the curve size)
        size = (key.curve.key_size + 7) // 8
        return der_to_raw(key.sign(data, ec.ECDSA(hashes.SHA256())), size)
    raise ValueError(alg)


def enc_part(x) -> str:
    return b64u(x if isinstance(x, bytes) else cjson(x))


def jwt(header, payload, alg, key) -> bytes:
    """header/payload: dict (serialized compactly) or raw bytes (used verbatim)."""
    si = enc_part(header) + "." + enc_part(payload)
    return (si + "." + b64u(sign(alg, key, si.encode("ascii")))).encode("ascii")


def openssl_sign(alg, key_name, data: bytes) -> bytes:
    key_path = os.path.join(KEYS_DIR, key_name + ".key.pem")
    cmd = ["openssl", "dgst", "-sha256", "-sign", key_path]
    if alg == "PS256":
        cmd += ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32",
                "-sigopt", "rsa_mgf1_md:sha256"]
    out = subprocess.run(cmd, input=data, capture_output=True, check=True).stdout
    return der_to_raw(out, 32) if alg == "ES256" else out


def parts(token: bytes):
    return token.decode("ascii").split(".")


# ------------------------------------------------------------------ payloads
BASE = {
    "iss": ISSUER,
    "iat": IAT,
    "jti": "a1b2c3d4-0000-4000-8000-000000000001",
    "software_environment": "sandbox",
    "software_mode": "Test",
    "software_id": "4ZUKbHjbA2ZqxCxTsQPkTY",
    "software_client_id": "4ZUKbHjbA2ZqxCxTsQPkTY",
    "software_client_name": "Acme Budgeting",
    "software_client_description": "Budgeting app for Acme customers",
    "software_version": "1.4",
    "software_client_uri": "https://acme-budget.example.com",
    "software_redirect_uris": ["https://acme-budget.example.com/callback",
                               "https://acme-budget.example.com/oauth/cb"],
    "software_roles": ["AISP", "PISP"],
    "software_logo_uri": "https://acme-budget.example.com/logo.png",
    "software_policy_uri": "https://acme-budget.example.com/policy",
    "software_tos_uri": "https://acme-budget.example.com/tos",
    "software_on_behalf_of_org": "",
    "software_jwks_endpoint":
        "https://keystore.directory.example/0015800001041REAAY/4ZUKbHjbA2ZqxCxTsQPkTY.jwks",
    "software_jwks_revoked_endpoint":
        "https://keystore.directory.example/0015800001041REAAY/revoked/4ZUKbHjbA2ZqxCxTsQPkTY.jwks",
    "org_status": "Active",
    "org_id": "0015800001041REAAY",
    "org_name": "Acme Budgeting Ltd",
    "org_contacts": [{"name": "Technical", "email": "tech@acme-budget.example.com",
                      "phone": "+440000000000", "type": "Technical"}],
    "org_jwks_endpoint":
        "https://keystore.directory.example/0015800001041REAAY/0015800001041REAAY.jwks",
    "org_jwks_revoked_endpoint":
        "https://keystore.directory.example/0015800001041REAAY/revoked/0015800001041REAAY.jwks",
    "organisation_competent_authority_claims": {
        "authority_id": "FCAGBR", "registration_id": "123456", "status": "Active",
        "authorisations": [{"member_state": "GB", "roles": ["AISP", "PISP"]}]},
}
BASE_BYTES = cjson(BASE)


def payload(**changes):
    """Copy of BASE with changes; a value of DELETE removes the claim. New claims go last."""
    p = copy.deepcopy(BASE)
    for k, v in changes.items():
        if v is DELETE:
            p.pop(k, None)
        else:
            p[k] = v
    return p


DELETE = object()


def raw_payload_with(extra_json_member: str) -> bytes:
    """BASE_BYTES with a raw JSON member appended before the closing brace."""
    assert BASE_BYTES.endswith(b"}")
    return BASE_BYTES[:-1] + b"," + extra_json_member.encode("latin-1") + b"}"


H_PS = {"alg": "PS256", "kid": "ob-rsa-1", "typ": "JWT"}
H_ES = {"alg": "ES256", "kid": "ob-ec-1", "typ": "JWT"}


def hdr(**kw):
    h = dict(H_PS)
    for k, v in kw.items():
        if v is DELETE:
            h.pop(k, None)
        else:
            h[k] = v
    return h


# ------------------------------------------------------------------ cases
CASES = []
TOKENS = {}


def case(name, token, signer, verdict, check=None, error=None, why="", file=None,
         jwks="directory.jwks.json", allow_alg=None, max_age=None):
    file = file or name + ".jwt"
    if token is not None:
        if file in TOKENS:
            fail("duplicate file " + file)
        TOKENS[file] = token
    elif file not in TOKENS:
        fail("case %s refers to unknown file %s" % (name, file))
    if verdict == "rejected" and error is None:
        error = "invalid_software_statement"
    CASES.append({
        "name": name, "file": file, "jwks": jwks,
        "allow_alg": list(allow_alg or DEFAULT_ALLOW), "max_age": max_age,
        "signer": signer,
        "expect": {"verdict": verdict, "error": error if verdict == "rejected" else None,
                   "check": check if verdict == "rejected" else None},
        "why": why,
    })


PY, JOSERFC, OSSL, HAND = "python-cryptography", "joserfc", "openssl-cli", "hand-built"
RSA1, EC1 = K["ob-rsa-1"], K["ob-ec-1"]

# ---- valid
valid_ps256 = jwt(H_PS, BASE, "PS256", RSA1)
case("valid-ps256", valid_ps256, PY, "valid",
     why="Base SSA signed PS256 by the directory key ob-rsa-1.")
case("valid-es256", jwt(H_ES, BASE, "ES256", EC1), PY, "valid",
     why="Base SSA signed ES256 (raw r||s) by ob-ec-1, whose JWK declares alg ES256.")

case("valid-ps256-joserfc",
     jws.serialize_compact(H_PS, BASE_BYTES, RSAKey.import_key(RSA1),
                           algorithms=["PS256"]).encode("ascii"),
     JOSERFC, "valid", why="Base SSA signed PS256 with the joserfc library (interop).")
case("valid-es256-joserfc",
     jws.serialize_compact(H_ES, BASE_BYTES, ECKey.import_key(EC1),
                           algorithms=["ES256"]).encode("ascii"),
     JOSERFC, "valid", why="Base SSA signed ES256 with the joserfc library (interop).")


def openssl_jwt(header, alg, key_name):
    si = enc_part(header) + "." + enc_part(BASE_BYTES)
    return (si + "." + b64u(openssl_sign(alg, key_name, si.encode("ascii")))).encode("ascii")


case("valid-ps256-openssl", openssl_jwt(H_PS, "PS256", "ob-rsa-1"), OSSL, "valid",
     why="Base SSA signed PS256 (salt 32, MGF1-SHA256) by the openssl CLI.")
case("valid-es256-openssl", openssl_jwt(H_ES, "ES256", "ob-ec-1"), OSSL, "valid",
     why="Base SSA signed ES256 by the openssl CLI, DER signature converted to raw r||s.")

case("valid-rs256", jwt(hdr(alg="RS256"), BASE, "RS256", RSA1), PY, "valid",
     allow_alg=["PS256", "RS256"],
     why="RS256 by ob-rsa-1 (JWK has no alg) is accepted when RS256 is on the allow-list.")
case("alg-rs256-not-allowed", None, PY, "rejected", "algorithm", file="valid-rs256.jwt",
     why="Same RS256 token, but RS256 is not on the default allow-list [PS256, ES256].")
case("valid-extra-claims",
     jwt(H_PS, payload(x_acme_custom={"tier": "gold"}, software_version_note="beta"), "PS256", RSA1),
     PY, "valid", why="Unknown claims x_acme_custom and software_version_note are kept, not rejected.")
case("valid-no-kid-single", jwt(hdr(kid=DELETE), BASE, "PS256", RSA1), PY, "valid",
     jwks="directory-single.jwks.json",
     why="No kid in the header, but the JWKS holds exactly one usable key.")
case("valid-jku-ignored",
     jwt(hdr(jku="https://attacker.example/jwks.json"), BASE, "PS256", RSA1), PY, "valid",
     why="The jku header is ignored (never fetched); the key comes from the configured JWKS.")
case("valid-rotated-kid", jwt(hdr(kid="ob-rsa-2"), BASE, "PS256", K["ob-rsa-2"]), PY, "valid",
     jwks="directory-rotated.jwks.json",
     why="Signed by the rotated-in key ob-rsa-2, present in the rotated JWKS.")
case("valid-rotated-kid-old-jwks", None, PY, "rejected", "key", file="valid-rotated-kid.jwt",
     why="kid ob-rsa-2 is not in directory.jwks.json (a refresh would return the same set).")
case("valid-old", jwt(H_PS, payload(iat=1735689600), "PS256", RSA1), PY, "valid",
     why="iat 2025-01-01 is acceptable when no maximum age is configured.")
case("valid-old-max-age", None, PY, "rejected", "age", file="valid-old.jwt", max_age=31536000,
     why="iat 2025-01-01 is 31539600 s before `at`, over max_age 31536000 (365 days).")
case("exp-valid", jwt(H_PS, payload(exp=AT + 86400), "PS256", RSA1), PY, "valid",
     why="exp is one day after `at`, so the SSA has not expired.")

# ---- format
vp = parts(valid_ps256)
sig_padded = vp[2] + "=" * (-len(vp[2]) % 4)
assert sig_padded != vp[2]
case("padded-base64", ".".join([vp[0], vp[1], sig_padded]).encode(), HAND, "rejected", "format",
     why="The signature part carries '=' padding; JWS compact parts must be unpadded base64url.")
mid = len(vp[1]) // 2
case("whitespace", ".".join([vp[0], vp[1][:mid] + " " + vp[1][mid:], vp[2]]).encode(), HAND,
     "rejected", "format",
     why="A space inside the payload part (signature covers the unspaced text, so stripping would 'fix' it).")
case("four-parts", valid_ps256 + b"." + b64u(b"extra").encode(), HAND, "rejected", "format",
     why="Four dot-separated parts; a compact JWS has exactly three.")
jwe_token = jwe.encrypt_compact(
    {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "ob-rsa-enc", "cty": "JWT"},
    valid_ps256, RSAKey.import_key(K["ob-rsa-enc"]),
    algorithms=["RSA-OAEP-256", "A256GCM"]).encode("ascii")
assert jwe_token.count(b".") == 4
case("five-parts-jwe", jwe_token, JOSERFC, "rejected", "format",
     why="A real 5-part compact JWE (RSA-OAEP-256/A256GCM to ob-rsa-enc); only JWS is accepted.")
case("two-parts", (vp[0] + "." + vp[1]).encode(), HAND, "rejected", "format",
     why="Only header.payload, no signature part at all.")
si = "." + b64u(BASE_BYTES)
case("empty-header", (si + "." + b64u(sign("PS256", RSA1, si.encode()))).encode(), PY,
     "rejected", "format", why="Empty header part ('.payload.sig'), signed over exactly that input.")
case("header-not-object", jwt(b"[]", BASE, "PS256", RSA1), PY, "rejected", "format",
     why="The header decodes to the JSON array [], not an object.")
case("payload-not-json", jwt(H_PS, b"not json", "PS256", RSA1), PY, "rejected", "format",
     why="The payload decodes to the text 'not json'.")
case("payload-array", jwt(H_PS, b"[1,2]", "PS256", RSA1), PY, "rejected", "format",
     why="The payload is the JSON array [1,2], not an object.")
dup_payload = raw_payload_with('"iss":"Evil Directory"')
assert dup_payload.count(b'"iss"') == 2
case("dup-member-payload", jwt(H_PS, dup_payload, "PS256", RSA1), PY, "rejected", "format",
     why="Payload JSON has 'iss' twice (OpenBanking Ltd, then Evil Directory); duplicates are ambiguous.")
case("dup-member-header",
     jwt(b'{"alg":"none","kid":"ob-rsa-1","alg":"PS256","typ":"JWT"}', BASE, "PS256", RSA1), PY,
     "rejected", "format",
     why="Header JSON has 'alg' twice (none, then PS256); duplicate members must be rejected.")
case("deep-nesting",
     jwt(H_PS, raw_payload_with('"x_deep":' + "[" * 300 + "1" + "]" * 300), "PS256", RSA1), PY,
     "rejected", "format",
     why="A claim nested 300 arrays deep exceeds the JSON nesting limit (validly signed).")
lone = BASE_BYTES.replace(b'"software_client_name":"Acme Budgeting"',
                          b'"software_client_name":"Acme \\ud800 Budgeting"')
assert lone != BASE_BYTES
case("lone-surrogate", jwt(H_PS, lone, "PS256", RSA1), PY, "rejected", "format",
     why="software_client_name contains the escape \\ud800, an unpaired UTF-16 surrogate.")
bad_utf8 = BASE_BYTES.replace(b'"software_client_name":"Acme Budgeting"',
                              b'"software_client_name":"Acme \xff Budgeting"')
assert bad_utf8 != BASE_BYTES
case("invalid-utf8", jwt(H_PS, bad_utf8, "PS256", RSA1), PY, "rejected", "format",
     why="The payload bytes contain 0xFF inside a string: not UTF-8 (validly signed).")
oversized = jwt(H_PS, payload(x_padding="A" * 70000), "PS256", RSA1)
assert MAX_TOKEN_BYTES < len(oversized) < 100 * 1024
case("oversized", oversized, PY, "rejected", "format",
     why="Validly signed but the token is over 64 KiB (a 70000-character claim).")
while True:  # a signature containing '-' or '_' so it can be swapped for its base64 twin
    t = jwt(H_PS, BASE, "PS256", RSA1)
    p = parts(t)
    if "-" in p[2]:
        p[2] = p[2].replace("-", "+", 1)
        break
    if "_" in p[2]:
        p[2] = p[2].replace("_", "/", 1)
        break
case("bad-base64-char", ".".join(p).encode(), HAND, "rejected", "format",
     why="The signature part has a standard-base64 '+' or '/' where base64url has '-' or '_'.")

# ---- header
case("crit-unknown",
     jwt(hdr(crit=["urn:example:unknown"], **{"urn:example:unknown": 1}), BASE, "PS256", RSA1), PY,
     "rejected", "header", why="crit lists an extension the verifier does not understand.")
case("b64-false", jwt(hdr(b64=False, crit=["b64"]), BASE, "PS256", RSA1), PY, "rejected", "header",
     why="RFC 7797 unencoded payload (b64:false, crit b64) is not supported.")
case("cty-jwt-nested", jwt(hdr(cty="JWT"), BASE, "PS256", RSA1), PY, "rejected", "header",
     why="cty JWT announces a nested JWT, which an SSA must not be.")
case("typ-wrong", jwt(hdr(typ="at+jwt"), BASE, "PS256", RSA1), PY, "rejected", "header",
     why="typ at+jwt (an access token) is not JWT.")

# ---- algorithm
case("alg-none", (enc_part({"alg": "none", "typ": "JWT"}) + "." + b64u(BASE_BYTES) + ".").encode(),
     HAND, "rejected", "algorithm", why="Unsecured JWS: alg none with an empty signature.")
case("alg-none-kid",
     (enc_part({"alg": "none", "kid": "ob-rsa-1", "typ": "JWT"}) + "." + b64u(BASE_BYTES) + ".").encode(),
     HAND, "rejected", "algorithm", why="alg none with a real kid and an empty signature.")
rsa1_pub_pem = RSA1.public_key().public_bytes(serialization.Encoding.PEM,
                                              serialization.PublicFormat.SubjectPublicKeyInfo)
si = enc_part(hdr(alg="HS256")) + "." + b64u(BASE_BYTES)
case("alg-hs256-confusion",
     (si + "." + b64u(hmac.new(rsa1_pub_pem, si.encode(), hashlib.sha256).digest())).encode(),
     PY, "rejected", "algorithm",
     why="HS256 keyed with ob-rsa-1's public-key PEM text: the RSA/HMAC key-confusion attack.")
case("alg-lowercase", jwt(hdr(alg="ps256"), BASE, "PS256", RSA1), PY, "rejected", "algorithm",
     why="alg 'ps256': algorithm names are case-sensitive (signature is a real PS256 one).")
si = enc_part({"alg": "ES512", "kid": "ob-ec-1", "typ": "JWT"}) + "." + b64u(BASE_BYTES)
case("alg-es512", (si + "." + b64u(os.urandom(132))).encode(), HAND, "rejected", "algorithm",
     why="ES512 is not on the allow-list (random 132-byte signature).")

# ---- key
case("unknown-kid", jwt(hdr(kid="not-in-jwks"), BASE, "PS256", K["attacker-rsa"]), PY,
     "rejected", "key", why="kid not-in-jwks matches no key in the directory JWKS.")
case("no-kid-ambiguous", jwt(hdr(kid=DELETE), BASE, "PS256", RSA1), PY, "rejected", "key",
     why="No kid and several RSA signing keys in directory.jwks.json could fit; no guessing.")
case("alg-key-type-mismatch", jwt(hdr(kid="ob-ec-1"), BASE, "PS256", RSA1), PY, "rejected", "key",
     why="alg PS256 names an RSA algorithm but kid ob-ec-1 is an EC key.")
case("jwk-alg-mismatch",
     jwt(hdr(alg="RS256", kid="ob-rsa-ps256"), BASE, "RS256", K["ob-rsa-ps256"]), PY, "rejected",
     "key", allow_alg=["PS256", "RS256"],
     why="RS256 is allowed, but the JWK ob-rsa-ps256 is restricted to alg PS256.")
case("jwk-use-enc", jwt(hdr(kid="ob-rsa-enc"), BASE, "PS256", K["ob-rsa-enc"]), PY, "rejected",
     "key", why="The JWK ob-rsa-enc has use enc, so it may not verify signatures.")
case("weak-rsa-1024", jwt(hdr(kid="ob-rsa-weak"), BASE, "PS256", K["ob-rsa-weak"]), PY,
     "rejected", "key", why="ob-rsa-weak is a 1024-bit RSA key, below the 2048-bit minimum.")
case("es256-p384-key",
     jwt(hdr(alg="ES256", kid="ob-ec-p384"), BASE, "ES256", K["ob-ec-p384"]), PY, "rejected", "key",
     why="ES256 requires a P-256 key but ob-ec-p384 is on P-384 (96-byte raw signature).")
case("broken-jwk-kid", jwt(hdr(kid="broken-rsa"), BASE, "PS256", RSA1), PY, "rejected", "key",
     why="broken-rsa has an undecodable n, so it was skipped when loading the JWKS: kid not found.")

# ---- signature
tampered = BASE_BYTES.replace(b'"org_id":"0015800001041REAAY"', b'"org_id":"0015800001041REAAZ"')
assert tampered != BASE_BYTES
case("tampered-payload", ".".join([vp[0], b64u(tampered), vp[2]]).encode(), HAND, "rejected",
     "signature", why="valid-ps256 with org_id changed in the payload and its original signature kept.")
case("attacker-signed", jwt(H_PS, BASE, "PS256", K["attacker-rsa"]), PY, "rejected", "signature",
     why="kid ob-rsa-1 but signed by the attacker's RSA key.")
case("embedded-jwk-attacker",
     jwt(hdr(jwk=public_jwk(K["attacker-rsa"])), BASE, "PS256", K["attacker-rsa"]), PY,
     "rejected", "signature",
     why="Header embeds the attacker's public JWK; it must be ignored, so ob-rsa-1 fails to verify.")
case("x5c-attacker",
     jwt(hdr(x5c=[base64.b64encode(ATTACKER_CERT_DER).decode()]), BASE, "PS256", K["attacker-rsa"]),
     PY, "rejected", "signature",
     why="Header carries the attacker's self-signed x5c; it must be ignored, so ob-rsa-1 fails.")
si = enc_part(H_PS) + "." + b64u(BASE_BYTES)
case("ps256-signed-pkcs1", (si + "." + b64u(sign("RS256", RSA1, si.encode()))).encode(), PY,
     "rejected", "signature", why="Header says PS256 but the signature is PKCS#1 v1.5 (RS256).")
si = enc_part(H_ES) + "." + b64u(BASE_BYTES)
while True:
    der = EC1.sign(si.encode(), ec.ECDSA(hashes.SHA256()))
    if len(der) != 64:
        break
case("es256-der-signature", (si + "." + b64u(der)).encode(), PY, "rejected", "signature",
     why="ES256 signature in DER (ASN.1) form instead of the 64-byte raw r||s JWS form.")
case("empty-signature", (vp[0] + "." + vp[1] + ".").encode(), HAND, "rejected", "signature",
     why="PS256 with kid ob-rsa-1 and an empty signature part.")
case("truncated-signature", ".".join([vp[0], vp[1], vp[2][:-10]]).encode(), HAND, "rejected",
     "signature", why="valid-ps256 with the last 10 base64url characters of the signature removed.")

# ---- issuer / org_status
case("wrong-issuer", jwt(H_PS, payload(iss="Evil Directory Ltd"), "PS256", RSA1), PY, "rejected",
     "issuer", error="unapproved_software_statement",
     why="Validly signed, but iss is Evil Directory Ltd, not OpenBanking Ltd.")
case("org-revoked", jwt(H_PS, payload(org_status="Revoked"), "PS256", RSA1), PY, "rejected",
     "org_status", error="unapproved_software_statement",
     why="Validly signed, but the organisation's status is Revoked.")

# ---- issued_at / expiry
case("iat-future", jwt(H_PS, payload(iat=AT + 3600), "PS256", RSA1), PY, "rejected", "issued_at",
     why="iat is one hour after `at`.")
case("iat-missing", jwt(H_PS, payload(iat=DELETE), "PS256", RSA1), PY, "rejected", "issued_at",
     why="The required iat claim is absent.")
case("iat-string", jwt(H_PS, payload(iat=str(IAT)), "PS256", RSA1), PY, "rejected", "issued_at",
     why="iat is the string \"1767225600\", not a JSON number.")
case("expired", jwt(H_PS, payload(exp=1767226200), "PS256", RSA1), PY, "rejected", "expiry",
     why="exp 1767226200 is before `at` (1767229200).")

# ---- claims
case("missing-software-id", jwt(H_PS, payload(software_id=DELETE), "PS256", RSA1), PY,
     "rejected", "claims", why="The required software_id claim is absent.")
case("missing-org-id", jwt(H_PS, payload(org_id=DELETE), "PS256", RSA1), PY, "rejected", "claims",
     why="The required org_id claim is absent.")
case("http-redirect-uri",
     jwt(H_PS, payload(software_redirect_uris=["https://acme-budget.example.com/callback",
                                               "http://acme-budget.example.com/cb"]), "PS256", RSA1),
     PY, "rejected", "claims", why="One software_redirect_uris entry uses plain http.")
case("roles-not-array", jwt(H_PS, payload(software_roles="AISP"), "PS256", RSA1), PY, "rejected",
     "claims", why="software_roles is the string AISP instead of an array.")
case("unsafe-software-id", jwt(H_PS, payload(software_id='4ZUK" or 1 eq 1 or "'), "PS256", RSA1), PY,
     "rejected", "claims", why="software_id contains quotes and spaces (injection attempt).")
case("http-jwks-endpoint",
     jwt(H_PS, payload(software_jwks_endpoint=BASE["software_jwks_endpoint"].replace("https://", "http://")),
         "PS256", RSA1), PY, "rejected", "claims",
     why="software_jwks_endpoint uses plain http.")
case("empty-org-id", jwt(H_PS, payload(org_id=""), "PS256", RSA1), PY, "rejected", "claims",
     why="org_id is the empty string.")


# ==================================================================== reference verifier
class Reject(Exception):
    def __init__(self, check, error="invalid_software_statement"):
        super().__init__(check)
        self.check, self.error = check, error


def strict_json(raw: bytes):
    try:
        text = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        raise Reject("format")

    def pairs(items):
        keys = [k for k, _ in items]
        if len(keys) != len(set(keys)):
            raise Reject("format")
        return dict(items)

    def bad_constant(_):
        raise Reject("format")

    try:
        value = json.loads(text, object_pairs_hook=pairs, parse_constant=bad_constant)
    except (ValueError, RecursionError):
        raise Reject("format")

    def walk(v, depth):
        if depth > MAX_JSON_DEPTH:
            raise Reject("format")
        if isinstance(v, str):
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:  # lone surrogate
                raise Reject("format")
        elif isinstance(v, list):
            for x in v:
                walk(x, depth + 1)
        elif isinstance(v, dict):
            for k, x in v.items():
                walk(k, depth + 1)
                walk(x, depth + 1)
    walk(value, 1)
    return value


def load_jwks(doc):
    """Usable keys only; malformed / unsupported entries are skipped (the verifier warns)."""
    keys = []
    for j in doc["keys"]:
        try:
            if j.get("kty") == "RSA":
                n = int.from_bytes(b64u_strict(j["n"]), "big")
                e = int.from_bytes(b64u_strict(j["e"]), "big")
                pub = rsa.RSAPublicNumbers(e, n).public_key()
            elif j.get("kty") == "EC":
                curve, size = {"P-256": (ec.SECP256R1(), 32), "P-384": (ec.SECP384R1(), 48)}[j["crv"]]
                x, y = b64u_strict(j["x"]), b64u_strict(j["y"])
                if len(x) != size or len(y) != size:
                    raise ValueError("coordinate length")
                pub = ec.EllipticCurvePublicNumbers(int.from_bytes(x, "big"), int.from_bytes(y, "big"),
                                                    curve).public_key()
            else:
                continue
        except (KeyError, ValueError):
            continue
        keys.append((j, pub))
    return keys


SUPPORTED = {"PS256": "RSA", "RS256": "RSA", "ES256": "EC"}
SAFE_ID = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")


def key_fits(jwk, pub, alg):
    if SUPPORTED[alg] != jwk["kty"]:
        return False
    if jwk.get("use", "sig") != "sig":
        return False
    if "alg" in jwk and jwk["alg"] != alg:
        return False
    if jwk["kty"] == "RSA" and pub.key_size < 2048:
        return False
    if alg == "ES256" and jwk.get("crv") != "P-256":
        return False
    return True


def is_https(u):
    return isinstance(u, str) and re.match(r"^https://[^\s/?#]+", u) is not None


def reference_verify(token: bytes, jwks_doc, allow_alg, max_age, at):
    # format
    if len(token) > MAX_TOKEN_BYTES:
        raise Reject("format")
    try:
        text = token.decode("ascii")
    except UnicodeDecodeError:
        raise Reject("format")
    ps = text.split(".")
    if len(ps) != 3 or not ps[0] or not ps[1]:
        raise Reject("format")
    try:
        raw_h, raw_p, sig = (b64u_strict(x) for x in ps)
    except ValueError:
        raise Reject("format")
    header, claims = strict_json(raw_h), strict_json(raw_p)
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise Reject("format")
    # header
    if not isinstance(header.get("alg"), str) or ("kid" in header and not isinstance(header["kid"], str)):
        raise Reject("header")
    if any(k in header for k in ("crit", "b64", "cty", "zip")):
        raise Reject("header")
    if "typ" in header and header["typ"] not in ("JWT", "application/jwt"):
        raise Reject("header")
    # algorithm
    alg = header["alg"]
    if alg not in allow_alg or alg not in SUPPORTED:
        raise Reject("algorithm")
    # key
    keys = load_jwks(jwks_doc)
    if "kid" in header:
        found = [(j, p) for j, p in keys if j.get("kid") == header["kid"]]
        if len(found) != 1 or not key_fits(found[0][0], found[0][1], alg):
            raise Reject("key")
        jwk, pub = found[0]
    else:
        fit = [(j, p) for j, p in keys if key_fits(j, p, alg)]
        if len(fit) != 1:
            raise Reject("key")
        jwk, pub = fit[0]
    # signature
    si = (ps[0] + "." + ps[1]).encode("ascii")
    try:
        if alg in ("PS256", "RS256"):
            if len(sig) != (pub.key_size + 7) // 8:
                raise Reject("signature")
            pub.verify(sig, si, PSS32 if alg == "PS256" else padding.PKCS1v15(), hashes.SHA256())
        else:
            if len(sig) != 64:
                raise Reject("signature")
            r, s = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")
            pub.verify(encode_dss_signature(r, s), si, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise Reject("signature")
    # issuer
    if claims.get("iss") != ISSUER:
        raise Reject("issuer", "unapproved_software_statement")

    def is_int(v):
        return isinstance(v, int) and not isinstance(v, bool)
    # issued_at
    iat = claims.get("iat")
    if not is_int(iat) or iat > at:
        raise Reject("issued_at")
    # expiry
    if "exp" in claims and (not is_int(claims["exp"]) or claims["exp"] <= at):
        raise Reject("expiry")
    # age
    if max_age is not None and at - iat > max_age:
        raise Reject("age")
    # claims
    for name in ("software_id", "org_id"):
        if not isinstance(claims.get(name), str) or not SAFE_ID.match(claims[name]):
            raise Reject("claims")
    roles = claims.get("software_roles")
    if not isinstance(roles, list) or not roles or not all(isinstance(r, str) for r in roles):
        raise Reject("claims")
    uris = claims.get("software_redirect_uris")
    if not isinstance(uris, list) or not uris or not all(is_https(u) for u in uris):
        raise Reject("claims")
    if not is_https(claims.get("software_jwks_endpoint")):
        raise Reject("claims")
    for opt in ("software_jwks_revoked_endpoint", "org_jwks_endpoint", "org_jwks_revoked_endpoint"):
        if opt in claims and not is_https(claims[opt]):
            raise Reject("claims")
    # org_status
    if claims.get("org_status") != "Active":
        raise Reject("org_status", "unapproved_software_statement")
    return header, claims


def joserfc_verify(token: bytes, jwks_doc):
    header = json.loads(b64u_strict(token.decode().split(".")[0]))
    jwk = next(j for j in jwks_doc["keys"]
               if "kid" not in header or j.get("kid") == header["kid"])
    key = (RSAKey if jwk["kty"] == "RSA" else ECKey).import_key(jwk)
    return jws.deserialize_compact(token, key, algorithms=[header["alg"]]).payload


def self_check():
    problems = []
    for c in CASES:
        token = TOKENS[c["file"]]
        jwks_doc = JWKS_FILES[c["jwks"]]
        try:
            reference_verify(token, jwks_doc, c["allow_alg"], c["max_age"], AT)
            got = {"verdict": "valid", "error": None, "check": None}
        except Reject as r:
            got = {"verdict": "rejected", "error": r.error, "check": r.check}
        if got != c["expect"]:
            problems.append("%s: expected %s, reference verifier says %s" % (c["name"], c["expect"], got))
        if c["expect"]["verdict"] == "valid":
            try:
                joserfc_verify(token, jwks_doc)
            except Exception as e:  # noqa: BLE001 - any failure is a generation error
                problems.append("%s: joserfc does not verify it: %r" % (c["name"], e))
    # signatures that are meant to be genuine (the rejection must come from elsewhere)
    genuine = {"dup-member-payload.jwt": RSA1, "deep-nesting.jwt": RSA1, "lone-surrogate.jwt": RSA1,
               "invalid-utf8.jwt": RSA1, "oversized.jwt": RSA1, "empty-header.jwt": RSA1,
               "dup-member-header.jwt": RSA1, "crit-unknown.jwt": RSA1, "typ-wrong.jwt": RSA1,
               "wrong-issuer.jwt": RSA1, "org-revoked.jwt": RSA1, "expired.jwt": RSA1}
    for f, key in genuine.items():
        h, p, s = TOKENS[f].decode().split(".")
        try:
            key.public_key().verify(b64u_strict(s), (h + "." + p).encode(), PSS32, hashes.SHA256())
        except InvalidSignature:
            problems.append(f + ": signature is not genuine")
    if problems:
        fail("self-check failed:\n  " + "\n  ".join(problems))


# ==================================================================== write
def write_json(path, obj, indent=2):
    with open(path, "w", encoding="ascii") as f:
        json.dump(obj, f, indent=indent, ensure_ascii=True)
        f.write("\n")


def main():
    self_check()
    for name, doc in JWKS_FILES.items():
        write_json(os.path.join(JOSE, name), doc)
    for f, token in TOKENS.items():
        with open(os.path.join(SSA_DIR, f), "wb") as fh:
            fh.write(token)  # no trailing newline
    write_json(os.path.join(SSA_DIR, "valid-ps256.claims.json"), BASE)
    manifest = {"at": AT, "issuer": ISSUER, "cases": CASES}
    with open(os.path.join(SSA_DIR, "manifest.json"), "w", encoding="ascii") as f:
        f.write('{\n  "at": %d,\n  "issuer": %s,\n  "cases": [\n' % (AT, json.dumps(ISSUER)))
        f.write(",\n".join("    " + json.dumps(c, ensure_ascii=True) for c in CASES))
        f.write("\n  ]\n}\n")
    json.loads(open(os.path.join(SSA_DIR, "manifest.json")).read()) == manifest or fail("manifest")
    print("make_jose.py: %d tokens, %d manifest cases, self-check passed" % (len(TOKENS), len(CASES)))


if __name__ == "__main__":
    main()
