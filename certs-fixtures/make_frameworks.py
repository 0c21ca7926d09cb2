#!/usr/bin/env python3
"""make_frameworks.py OUT_DIR - the JOSE half of the trust-framework fixtures.

Called by make_frameworks.sh after it has written OUT_DIR/brasil-directory.key.pem and
OUT_DIR/cdr-register.key.pem (RSA 2048, PKCS#8). Writes into OUT_DIR:

  brasil-directory.jwks.json   the Brasil directory's public key (kid brasil-ssa-1, use sig)
  cdr-register.jwks.json       the CDR Register's public key (kid cdr-register-1, use sig)
  <case>.jwt                   software statements signed through joserfc's JWS API
  manifest.json                each case: framework, expected verdict and the check that fails

Every token is verified again with joserfc from the files as written: a "valid" case must
verify with its JWKS, a "signature" case must not. TEST-ONLY material.
"""
import copy
import json
import os
import sys

from cryptography.hazmat.primitives import serialization
from joserfc import jws
from joserfc.jwk import KeySet, RSAKey

AT = 1767229200  # 2026-01-01T01:00:00Z: the instant the tests decide at

BR_ISSUER = "Open Finance Open Finance Brasil sandbox SSA issuer"
BR_ORG = "74e929d9-33b6-4d85-8ba7-c146c867a817"
BR_SOFTWARE = "b7e1a8c2-3f4d-4e5a-9b6c-7d8e9f0a1b2c"
CDR_LEGAL_ENTITY = "8e5f2d1c-1111-4111-8111-111111111111"
CDR_BRAND = "2a3b4c5d-2222-4222-8222-222222222222"
CDR_SOFTWARE = "9f8e7d6c-3333-4333-8333-333333333333"


def fail(message):
    sys.stderr.write("make_frameworks.py: %s\n" % message)
    sys.exit(1)


def brasil_claims():
    keystore = "https://keystore.sandbox.directory.openbankingbrasil.org.br/%s/%s" % (BR_ORG, BR_SOFTWARE)
    return {
        "iss": BR_ISSUER,
        "iat": AT - 120,
        "jti": "brasil-ssa-0001",
        "software_mode": "Live",
        "software_environment": "production",
        "software_id": BR_SOFTWARE,
        "software_client_id": BR_SOFTWARE,
        "software_client_name": "Fintech Exemplo",
        "software_client_description": "Agregador de contas",
        "software_version": "1.0",
        "software_client_uri": "https://www.fintech-exemplo.com.br",
        "software_redirect_uris": ["https://www.fintech-exemplo.com.br/callback"],
        "software_roles": ["DADOS", "PAGTO"],
        "software_statement_roles": [
            {"role": "DADOS", "authorisation_domain": "Open Banking", "status": "Active"},
            {"role": "PAGTO", "authorisation_domain": "Open Banking", "status": "Active"},
        ],
        "organisation_competent_authority_claims": [
            {"authority_id": "687a1c94-b360-4e04-9589-0fa5913c7a59", "registration_id": "13353236-OFBBR-001",
             "authority_name": "Banco Central do Brasil", "authority_code": "BCB", "authorisation_domain": "Open Banking",
             "authorisations": [], "status": "Active"},
        ],
        "software_logo_uri": "https://www.fintech-exemplo.com.br/logo.png",
        "org_status": "Active",
        "org_id": BR_ORG,
        "org_name": "Fintech Exemplo Ltda",
        "org_number": "13353236000181",
        "software_jwks_uri": keystore + "/application.jwks",
        "software_jwks_transport_uri": keystore + "/transport.jwks",
        "software_jwks_inactive_uri": keystore + "/inactive/application.jwks",
        "software_jwks_transport_inactive_uri": keystore + "/inactive/transport.jwks",
    }


def cdr_claims():
    return {
        "iss": "cdr-register",
        "iat": AT - 60,
        "exp": AT - 60 + 600,
        "jti": "cdr-ssa-0001",
        "legal_entity_id": CDR_LEGAL_ENTITY,
        "legal_entity_name": "Example Data Recipient Pty Ltd",
        "org_id": CDR_BRAND,
        "org_name": "Example Budgeting",
        "client_name": "Example Budgeting App",
        "client_description": "Budgeting with your bank data",
        "client_uri": "https://budgeting.example.com.au",
        "redirect_uris": ["https://budgeting.example.com.au/callback"],
        "sector_identifier_uri": "https://budgeting.example.com.au/sector",
        "logo_uri": "https://budgeting.example.com.au/logo.png",
        "tos_uri": "https://budgeting.example.com.au/tos",
        "policy_uri": "https://budgeting.example.com.au/policy",
        "jwks_uri": "https://budgeting.example.com.au/jwks",
        "revocation_uri": "https://budgeting.example.com.au/revoke",
        "recipient_base_uri": "https://budgeting.example.com.au",
        "software_id": CDR_SOFTWARE,
        "software_roles": "data-recipient-software-product",
        "scope": "openid profile bank:accounts.basic:read bank:accounts.detail:read bank:transactions:read common:customer.basic:read",
    }


def changed(base, **changes):
    claims = copy.deepcopy(base)
    for name, value in changes.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


def main(out_dir):
    keys = {}
    for name, kid in (("brasil-directory", "brasil-ssa-1"), ("cdr-register", "cdr-register-1")):
        with open(os.path.join(out_dir, name + ".key.pem"), "rb") as f:
            pem = f.read()
        serialization.load_pem_private_key(pem, password=None)
        key = RSAKey.import_key(pem, parameters={"kid": kid, "use": "sig"})
        keys[name] = (key, kid)
        public = key.as_dict(private=False)
        with open(os.path.join(out_dir, name + ".jwks.json"), "w", encoding="utf-8") as f:
            json.dump({"keys": [public]}, f, indent=2)
            f.write("\n")
    attacker = RSAKey.generate_key(2048)

    br = brasil_claims()
    cdr = cdr_claims()
    cases = [
        # name, framework, claims, signing key name, alg, expected verdict, failing check
        ("brasil-valid", "open-finance-brasil", br, "brasil-directory", "PS256", "valid", None),
        ("brasil-stale", "open-finance-brasil", changed(br, iat=AT - 600, jti="brasil-ssa-stale"), "brasil-directory", "PS256", "rejected", "age"),
        ("brasil-wrong-issuer", "open-finance-brasil", changed(br, iss="Some Other Directory"), "brasil-directory", "PS256", "rejected", "issuer"),
        ("brasil-bad-signature", "open-finance-brasil", br, "attacker", "PS256", "rejected", "signature"),
        ("brasil-unknown-role", "open-finance-brasil", changed(br, software_roles=["DADOS", "AISP"]), "brasil-directory", "PS256", "rejected", "claims"),
        ("brasil-role-inactive", "open-finance-brasil", changed(br, software_statement_roles=[
            {"role": "DADOS", "authorisation_domain": "Open Banking", "status": "Active"},
            {"role": "PAGTO", "authorisation_domain": "Open Banking", "status": "Inactive"}]),
         "brasil-directory", "PS256", "rejected", "competent_authority"),
        ("brasil-rs256", "open-finance-brasil", br, "brasil-directory", "RS256", "rejected", "algorithm"),
        ("cdr-valid", "cdr-au", cdr, "cdr-register", "PS256", "valid", None),
        ("cdr-expired", "cdr-au", changed(cdr, iat=AT - 1200, exp=AT - 600), "cdr-register", "PS256", "rejected", "expiry"),
        ("cdr-no-exp", "cdr-au", changed(cdr, exp=None), "cdr-register", "PS256", "rejected", "expiry"),
        ("cdr-long-lived", "cdr-au", changed(cdr, exp=AT - 60 + 86400), "cdr-register", "PS256", "rejected", "expiry"),
        ("cdr-wrong-issuer", "cdr-au", changed(cdr, iss="not-the-register"), "cdr-register", "PS256", "rejected", "issuer"),
        ("cdr-bad-signature", "cdr-au", cdr, "attacker", "PS256", "rejected", "signature"),
        ("cdr-no-scope", "cdr-au", changed(cdr, scope=None), "cdr-register", "PS256", "rejected", "claims"),
        ("cdr-rs256", "cdr-au", cdr, "cdr-register", "RS256", "rejected", "algorithm"),
    ]
    manifest = []
    for name, framework, claims, signer, alg, verdict, check in cases:
        if signer == "attacker":
            key, kid = attacker, keys["brasil-directory" if framework == "open-finance-brasil" else "cdr-register"][1]
        else:
            key, kid = keys[signer]
        header = {"alg": alg, "kid": kid, "typ": "JWT"}
        payload = json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        token = jws.serialize_compact(header, payload, key, algorithms=[alg])
        with open(os.path.join(out_dir, name + ".jwt"), "w", encoding="ascii", newline="") as f:
            f.write(token)
        manifest.append({"file": name + ".jwt", "framework": framework, "verdict": verdict, "failed_check": check,
                         "jwks": ("brasil-directory" if framework == "open-finance-brasil" else "cdr-register") + ".jwks.json"})
    with open(os.path.join(out_dir, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump({"instant": AT, "cases": manifest}, f, indent=2)
        f.write("\n")

    # Self-check from the files as written, with joserfc: what should verify does, what is
    # signed by another key does not.
    for case in manifest:
        with open(os.path.join(out_dir, case["jwks"]), encoding="utf-8") as f:
            key_set = KeySet.import_key_set(json.load(f))
        with open(os.path.join(out_dir, case["file"]), encoding="ascii") as f:
            token = f.read()
        try:
            jws.deserialize_compact(token, key_set, algorithms=["PS256", "RS256"])
            verified = True
        except Exception:
            verified = False
        if case["failed_check"] == "signature" and verified:
            fail("%s verified although another key signed it" % case["file"])
        if case["failed_check"] != "signature" and not verified:
            fail("%s does not verify with %s" % (case["file"], case["jwks"]))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        fail("usage: make_frameworks.py OUT_DIR")
    main(sys.argv[1])
