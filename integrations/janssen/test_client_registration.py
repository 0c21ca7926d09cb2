#!/usr/bin/env python3
"""Drives client_registration.py outside Janssen (CPython 3, standard library only).

  --self-test                       the pure functions on canned answers, no server
  --url URL --ssa F --client-cert F --redirect-uri U --expect accept|reject [--expect-error CODE]
                                    createClient through a stand-in context against `ssa-verify serve`

Exit 0 when every outcome is the expected one and every failure is closed.
"""
import argparse
import json
import os
import subprocess
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))


class WebApplicationException(Exception):
    def __init__(self, status, entity):
        Exception.__init__(self, "%s %s" % (status, entity))
        self.status, self.entity = status, entity


class JSONObjectStandIn:
    def __init__(self, value):
        self.value = value

    def toString(self):
        return json.dumps(self.value)


class Attributes:
    tls = None

    def setTlsClientAuthSubjectDn(self, dn):
        self.tls = dn


class ClientStandIn:
    def __init__(self):
        self.fields = {}
        self.attributes = Attributes()

    def getAttributes(self):
        return self.attributes

    def __getattr__(self, name):
        if name.startswith("set"):
            return lambda value: self.fields.__setitem__(name[3:], value)
        raise AttributeError(name)


class ContextStandIn:
    """The parts of DynamicClientRegistrationContext the script uses; the certificate arrives
    in the X-ClientCert header, as from a TLS-terminating proxy."""

    def __init__(self, request, certificate_pem):
        self.request, self.certificate_pem, self.client = request, certificate_pem, ClientStandIn()

    def getDcr(self):
        return None

    def getRegisterRequestJson(self):
        return JSONObjectStandIn(self.request)

    def getSoftwareStatement(self):
        return None

    def getCertificate(self):
        return None

    def getHttpRequest(self):
        pem = self.certificate_pem

        class Request:
            def getHeader(self, name):
                return pem if name == "X-ClientCert" else None
        return Request()

    def getClient(self):
        return self.client

    def createWebApplicationException(self, status, entity):
        return WebApplicationException(status, entity)


def load_script():
    sys.path.insert(0, HERE)
    import client_registration
    return client_registration


def self_test(script):
    failures = []

    def expect(name, got, outcome):
        if got[0] != outcome:
            failures.append("%s: got %r, expected %s" % (name, got, outcome))

    accept = json.dumps({"verdict": "accept", "client": {"client_id": "x", "redirect_uris": ["https://a.example/cb"]}, "checks": []})
    expect("accept", script.interpret(200, accept), script.ACCEPT)
    reject = json.dumps({"verdict": "reject", "error": "invalid_redirect_uri", "error_description": "no"})
    got = script.interpret(200, reject)
    expect("reject", got, script.REJECT)
    if got[1] != "invalid_redirect_uri":
        failures.append("reject keeps the RFC 7591 error: %r" % (got,))
    expect("undecided", script.interpret(200, json.dumps({"verdict": "undecided", "error": "temporarily_unavailable"})), script.UNAVAILABLE)
    expect("accept without client", script.interpret(200, json.dumps({"verdict": "accept"})), script.UNAVAILABLE)
    expect("HTTP 500", script.interpret(500, accept), script.UNAVAILABLE)
    expect("HTTP 400", script.interpret(400, accept), script.UNAVAILABLE)
    expect("not JSON", script.interpret(200, "<html>"), script.UNAVAILABLE)
    expect("JSON array", script.interpret(200, "[]"), script.UNAVAILABLE)
    expect("unknown verdict", script.interpret(200, json.dumps({"verdict": "ACCEPT", "client": {}})), script.UNAVAILABLE)
    # Nothing listens on port 1: a refused connection is unavailable, never an accept.
    expect("connection refused", script.decide("http://127.0.0.1:1", 2, request_json={"redirect_uris": []}), script.UNAVAILABLE)
    body = json.loads(script.build_call(request_jwt="a.b.c", request_json={"x": 1}, software_statement="s", certificate_pem="pem"))
    if body != {"registration_request": "a.b.c", "software_statement": "s", "client_certificate": "pem"}:
        failures.append("build_call prefers the JWT: %r" % body)
    for failure in failures:
        print("FAIL " + failure)
    print("self-test: %d failures" % len(failures))
    return 1 if failures else 0


def live(script, args):
    with open(args.ssa) as f:
        ssa = f.read().strip()
    with open(args.client_cert) as f:
        pem = f.read()
    subject = subprocess.run(["openssl", "x509", "-noout", "-subject", "-nameopt", "RFC2253"], input=pem.encode(),
                             capture_output=True, check=True).stdout.decode().strip()
    request = {
        "software_statement": ssa, "redirect_uris": [args.redirect_uri], "token_endpoint_auth_method": "tls_client_auth",
        "tls_client_auth_subject_dn": subject[len("subject="):], "scope": "openid accounts",
    }
    registration = script.ClientRegistration(0)
    registration.base_url, registration.timeout = args.url, 15
    context = ContextStandIn(request, pem)
    try:
        accepted = registration.createClient(context)
        outcome, error = ("accept" if accepted is True else "refused"), None
    except WebApplicationException as raised:
        outcome = "reject" if raised.status == 400 else "unavailable"
        error = json.loads(raised.entity).get("error")
    print("outcome %s%s" % (outcome, " (%s)" % error if error else ""))
    if outcome != args.expect:
        return 1
    if args.expect == "accept" and context.client.fields.get("RedirectUris") != [args.redirect_uri]:
        print("FAIL the client did not get the redirect URIs: %r" % context.client.fields)
        return 1
    if args.expect_error and error != args.expect_error:
        return 1
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--self-test", action="store_true")
    parser.add_argument("--url")
    parser.add_argument("--ssa")
    parser.add_argument("--client-cert")
    parser.add_argument("--redirect-uri")
    parser.add_argument("--expect", choices=["accept", "reject", "unavailable"])
    parser.add_argument("--expect-error")
    args = parser.parse_args()
    script = load_script()
    return self_test(script) if args.self_test else live(script, args)


if __name__ == "__main__":
    sys.exit(main())
