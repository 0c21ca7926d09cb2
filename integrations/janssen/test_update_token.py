#!/usr/bin/env python3
"""Drives update_token.py (the Janssen Update Token script) outside Janssen. CPython 3, stdlib only.

Stand-ins for the Java and Janssen classes the script touches are installed into sys.modules
first. A token request is played the way Janssen's token endpoint plays an authorization_code
request: getRefreshTokenLifetimeInSeconds and modifyRefreshToken (TokenCreatorService,
AuthorizationGrant.saveRefreshToken), getAccessTokenLifetimeInSeconds and modifyAccessToken
(AuthorizationGrant.createAccessToken), getIdTokenLifetimeInSeconds and modifyIdToken
(IdTokenFactory and the id_token post-processor), each hook with its own context object, all
sharing one HttpServletRequest and one grant, as in Janssen.

This covers the pure functions and the hooks' logic on CPython only. The proof that the script
works in Janssen is jython/run-jython-tests.sh (real Jython 2.7 on the JVM, a real decision
service). The stand-in JwtClaims refuses a plain Python int (under Jython it would land on
setClaim(String, Boolean)).

  python3 test_update_token.py --self-test
      Every path on canned answers (allow, deny, invalid_grant, undecided, HTTP 500, malformed
      JSON, ...) and the real HTTP code against local sockets (timeout, connection refused,
      headers sent). No decision service needed. Exit 0 when all behave and every failure is
      closed.

  python3 test_update_token.py --url http://127.0.0.1:PORT --client-cert PEM --expect allow|deny|unavailable
      One token request (the fixture client 4ZUKbHjbA2ZqxCxTsQPkTY, authorization_code, openid
      accounts payments) against a running `ssa-verify serve`; prints what was applied.
"""
import argparse
import base64
import http.server
import json
import os
import re
import socket
import sys
import tempfile
import threading
import time
import types

HERE = os.path.dirname(os.path.abspath(__file__))


# --------------------------------------------------------------------------- Java / Janssen stand-ins

class Throwable(Exception):
    """java.lang.Throwable"""


class WebApplicationException(Throwable):
    """What context.createWebApplicationException builds (NoLogWebApplicationException)."""

    def __init__(self, status, entity):
        Throwable.__init__(self, "HTTP %s" % status)
        self.status, self.entity = status, entity


class JavaLong(object):
    """java.lang.Long"""

    def __init__(self, value):
        if isinstance(value, bool) or not isinstance(value, int) or not (-2 ** 63 <= value < 2 ** 63):
            raise TypeError("java.lang.Long(%r)" % (value,))
        self.value = value

    def __eq__(self, other):
        return isinstance(other, JavaLong) and other.value == self.value

    def __repr__(self):
        return "Long(%d)" % self.value


class JSONObject(object):
    """org.json.JSONObject, built from JSON text as the script does."""

    def __init__(self, text=None):
        if not isinstance(text, str):
            raise TypeError("the stand-in JSONObject takes JSON text, got %r" % (text,))
        self.value = json.loads(text)
        if not isinstance(self.value, dict):
            raise ValueError("A JSONObject text must begin with '{'")

    def toString(self):
        return json.dumps(self.value)

    __str__ = toString

    def has(self, key):
        return key in self.value

    def get(self, key):
        item = self.value[key]
        return JSONObject(json.dumps(item)) if isinstance(item, dict) else item


class JSONArray(object):
    def __init__(self, text=None):
        if not isinstance(text, str):
            raise TypeError("the stand-in JSONArray takes JSON text, got %r" % (text,))
        self.value = json.loads(text)
        if not isinstance(self.value, list):
            raise ValueError("A JSONArray text must start with '['")

    def toString(self):
        return json.dumps(self.value)

    __str__ = toString


class LinkedHashSet(list):
    """java.util.LinkedHashSet (insertion order)."""

    def add(self, value):
        if value not in self:
            self.append(value)
        return True


class Response(object):
    """jakarta.ws.rs.core.Response (the script's fallback when createWebApplicationException fails)."""

    def __init__(self, status):
        self.status, self.entity_value = status, None

    @staticmethod
    def status(code):
        return Response(code)

    def entity(self, value):
        self.entity_value = value
        return self

    def build(self):
        return self


class JakartaWebApplicationException(WebApplicationException):
    def __init__(self, response):
        WebApplicationException.__init__(self, response.status, response.entity_value)


def install_stand_ins():
    """Registers the modules the script imports (the real `io` module is left alone: only the
    dotted io.jans... name is added, which the import system finds in sys.modules)."""
    def module(name, **members):
        m = types.ModuleType(name)
        m.__dict__.update(members)
        sys.modules[name] = m
        return m
    module("io.jans.model.custom.script.type.token", UpdateTokenType=object)
    for name in ("java", "org", "jakarta", "jakarta.ws"):
        if name not in sys.modules:
            module(name)
    module("java.lang", Long=JavaLong, Throwable=Throwable)
    module("java.util", LinkedHashSet=LinkedHashSet)
    module("org.json", JSONObject=JSONObject, JSONArray=JSONArray)
    module("jakarta.ws.rs", WebApplicationException=JakartaWebApplicationException)
    module("jakarta.ws.rs.core", Response=Response)


def load_script():
    install_stand_ins()
    path = os.path.join(HERE, "update_token.py")
    with open(path) as f:
        source = f.read()
    script = types.ModuleType("update_token")
    script.__file__ = path
    sys.modules["update_token"] = script
    exec(compile(source, path, "exec"), script.__dict__)
    return script


class JwtClaims(object):
    """io.jans.as.model.jwt.JwtClaims: setClaim takes the Java types Janssen's overloads take."""

    ALLOWED = (str, bool, JavaLong, JSONObject, JSONArray, list)

    def __init__(self, claims=None):
        self.claims = dict(claims or {})

    def setClaim(self, name, value):
        if not isinstance(name, str):
            raise TypeError("claim name %r" % (name,))
        if isinstance(value, int) and not isinstance(value, bool):
            raise TypeError("a Python int for claim %s: under Jython it lands on setClaim(String, Boolean)" % name)
        if not isinstance(value, self.ALLOWED):
            raise TypeError("no setClaim overload for %r" % (value,))
        self.claims[name] = value

    def getClaim(self, name):
        return self.claims.get(name)

    def plain(self, name):
        """The claim as JSON would carry it."""
        value = self.claims.get(name)
        if isinstance(value, JavaLong):
            return value.value
        if isinstance(value, (JSONObject, JSONArray)):
            return value.value
        return value


class JsonWebResponse(object):
    def __init__(self):
        self.claims = JwtClaims({"iss": "https://as.example.com", "sub": "default-sub"})

    def getClaims(self):
        return self.claims


class Attributes(object):
    def __init__(self, subject_dn):
        self.subject_dn = subject_dn

    def getTlsClientAuthSubjectDn(self):
        return self.subject_dn


class Client(object):
    def __init__(self, client_id="4ZUKbHjbA2ZqxCxTsQPkTY", software_id="4ZUKbHjbA2ZqxCxTsQPkTY",
                 organization="0015800001041REAAY", method="tls_client_auth",
                 subject_dn="2.5.4.97=PSDGB-FCA-123456,CN=4ZUKbHjbA2ZqxCxTsQPkTY,OU=0015800001041REAAY,O=Acme Budgeting Ltd,C=GB",
                 jwt_access_token=True, software_statement=None, jwks_uri=None):
        self.client_id, self.software_id, self.organization = client_id, software_id, organization
        self.method, self.attributes, self.jwt = method, Attributes(subject_dn), jwt_access_token
        self.software_statement, self.jwks_uri = software_statement, jwks_uri

    def getSoftwareStatement(self):
        return self.software_statement

    def getJwksUri(self):
        return self.jwks_uri

    def getClientId(self):
        return self.client_id

    def getSoftwareId(self):
        return self.software_id

    def getOrganization(self):
        return self.organization

    def getTokenEndpointAuthMethod(self):
        return self.method

    def getAttributes(self):
        return self.attributes

    def isAccessTokenAsJwt(self):
        return self.jwt


class GrantType(object):
    def __init__(self, value):
        self.value = value

    def getValue(self):
        return self.value


class JwtAuthorizationRequest(object):
    def __init__(self, payload):
        self.payload = JSONObject(json.dumps(payload))

    def getJsonPayload(self):
        return self.payload


INTENT = "urn-alphabank-intent-58923"
CLAIMS_PARAMETER = {"id_token": {"openbanking_intent_id": {"value": INTENT, "essential": True}}}


class Grant(object):
    """An AuthorizationCodeGrant as the token endpoint holds it."""

    def __init__(self, client, scopes=("openid", "accounts", "payments"), user_id="user-1", acr="urn:openbanking:psd2:sca",
                 claims=None, request_object=None, grant_id="grant-1"):
        self.client, self.scopes, self.user_id, self.acr = client, list(scopes), user_id, acr
        self.claims = json.dumps(CLAIMS_PARAMETER) if claims is None else claims
        self.request_object = JwtAuthorizationRequest(request_object) if request_object is not None else None
        self.grant_id = grant_id

    def getGrantId(self):
        return self.grant_id

    def getGrantType(self):
        return GrantType("authorization_code")

    def getClient(self):
        return self.client

    def getScopes(self):
        return list(self.scopes)

    def setScopes(self, scopes):
        self.scopes = list(scopes)

    def getUserId(self):
        return self.user_id

    def getAcrValues(self):
        return self.acr

    def getClaims(self):
        return self.claims

    def getJwtAuthorizationRequest(self):
        return self.request_object


class HttpRequest(object):
    def __init__(self, certificate=None, grant_type="authorization_code"):
        self.headers = {"X-ClientCert": certificate} if certificate else {}
        self.parameters = {"grant_type": grant_type} if grant_type is not None else {}
        self.attributes = {}

    def getHeader(self, name):
        return self.headers.get(name)

    def getParameter(self, name):
        return self.parameters.get(name)

    def getAttribute(self, name):
        return self.attributes.get(name)

    def setAttribute(self, name, value):
        self.attributes[name] = value


class Context(object):
    """ExternalUpdateTokenContext: one per hook, as Janssen builds them."""

    def __init__(self, http_request, grant, client, jwt_claims=None):
        self.http_request, self.grant, self.client, self.jwt_claims = http_request, grant, client, jwt_claims
        self.raised = None

    def getHttpRequest(self):
        return self.http_request

    def getGrant(self):
        return self.grant

    def getClient(self):
        return self.client

    def getClaims(self):
        return self.jwt_claims

    def overwriteAccessTokenScopes(self, access_token, scopes):
        self.grant.setScopes(scopes)
        if self.jwt_claims is not None:
            self.jwt_claims.setClaim("scope", list(scopes))

    def createWebApplicationException(self, status, entity):
        self.raised = WebApplicationException(status, entity)
        return self.raised


class Token(object):
    """AccessToken / RefreshToken"""


class Outcome(object):
    def __init__(self):
        self.refused = None  # (status, entity dict)
        self.results = {}  # hook -> returned value
        self.id_token = None
        self.access_claims = None
        self.refresh_issued = None

    def __repr__(self):
        return "refused %r" % (self.refused,) if self.refused else "issued %r" % (self.results,)


def token_request(script, grant, client, http_request):
    """One token request played in Janssen's order; a WebApplicationException ends it as Janssen
    ends it (a refusal), except in modifyRefreshToken, where Janssen swallows it and issues no
    refresh token. Any other exception escapes (a bug in the script)."""
    out = Outcome()
    try:
        lifetime = script.getRefreshTokenLifetimeInSeconds(Context(http_request, grant, client))
        out.results["getRefreshTokenLifetimeInSeconds"] = lifetime
        try:
            kept = script.modifyRefreshToken(Token(), Context(http_request, grant, client))
            out.results["modifyRefreshToken"] = kept
            out.refresh_issued = kept is True
        except WebApplicationException:
            out.refresh_issued = False  # AuthorizationGrant.saveRefreshToken: no refresh token
        out.results["getAccessTokenLifetimeInSeconds"] = script.getAccessTokenLifetimeInSeconds(Context(http_request, grant, client))
        out.access_claims = JwtClaims({"scope": list(grant.getScopes()), "client_id": client.getClientId()}) if client.isAccessTokenAsJwt() else None
        ok = script.modifyAccessToken(Token(), Context(http_request, grant, client, out.access_claims))
        out.results["modifyAccessToken"] = ok
        if ok is not True:
            out.refused = (403, {"error": "access_denied"})  # Janssen: false forbids the access token
            return out
        out.results["getIdTokenLifetimeInSeconds"] = script.getIdTokenLifetimeInSeconds(Context(http_request, grant, client))
        out.id_token = JsonWebResponse()
        out.results["modifyIdToken"] = script.modifyIdToken(out.id_token, Context(http_request, grant, client))
    except WebApplicationException as raised:
        out.refused = (raised.status, json.loads(raised.entity))
    return out


class captured(object):
    """with captured() as out: what the script printed (its log), kept out of the test's output."""

    def __enter__(self):
        import io as _io
        self.saved, self.out = sys.stdout, _io.StringIO()
        sys.stdout = self.out
        return self.out

    def __exit__(self, *exc):
        sys.stdout = self.saved
        return False


# --------------------------------------------------------------------------- canned answers

THUMBPRINT = "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"  # 43 base64url characters

ALLOW_ANSWER = {
    "verdict": "allow", "checks": [{"check": "software_active", "outcome": "pass", "detail": "active"}],
    "scope": "openid accounts", "scopes_removed": ["payments"], "openbanking_intent_id": INTENT,
    "id_token_claims": {"openbanking_intent_id": INTENT, "sub": INTENT, "acr_level": 2, "flags": {"sca": True}, "one": "x"},
    "access_token_claims": {"openbanking_intent_id": INTENT, "roles": ["AISP"], "cnf": {"x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}},
    "x5t#S256": THUMBPRINT,
    "lifetimes": {"access_token": 300, "id_token": 300, "refresh_token": 7776000},
}

SAMPLE_PEM = ("-----BEGIN CERTIFICATE-----\n" + "\n".join(
    [base64.b64encode(bytes(range(256)) * 2).decode()[i:i + 64] for i in range(0, 684, 64)])
    + "\n-----END CERTIFICATE-----\n")

CALL_MEMBERS = {"client_id", "software_id", "org_id", "token_endpoint_auth_method", "tls_client_auth_subject_dn",
                "grant_type", "scope", "user_id", "acr", "claims", "client_certificate", "ssa_issuer",
                "software_jwks_endpoint", "software_jwks_revoked_endpoint", "legal_entity_id", "ssa_scope"}
HOOKS = ("getRefreshTokenLifetimeInSeconds", "modifyRefreshToken", "getAccessTokenLifetimeInSeconds",
         "modifyAccessToken", "getIdTokenLifetimeInSeconds", "modifyIdToken")


def free_port_refusing():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Recorder(http.server.BaseHTTPRequestHandler):
    """A local decision service: records each request, answers the class's canned answer."""
    answer = (200, json.dumps(ALLOW_ANSWER))
    seen = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        Recorder.seen.append({"path": self.path, "headers": dict(self.headers), "body": body})
        status, text = Recorder.answer
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def self_test(script):
    failures = []

    def check(name, condition, detail=""):
        if not condition:
            failures.append("%s %s" % (name, detail))

    def canned(status, body, calls=None):
        u = script.UpdateToken(0)

        def transport(url, call, timeout, bearer=None):
            if calls is not None:
                calls.append(json.loads(call))
            return (status, body if isinstance(body, str) else json.dumps(body))
        u.transport = transport
        return u

    def fresh(client=None, **grant_args):
        client = client or Client()
        return Grant(client, **grant_args), client, HttpRequest(SAMPLE_PEM.replace("\n", " "))

    # ---- interpret: only a 200 allow with a usable answer is an allow
    allow = json.dumps(ALLOW_ANSWER)
    cases = [
        ("allow", 200, allow, script.ALLOW, None),
        ("deny", 200, json.dumps({"verdict": "deny", "error": "access_denied", "error_description": "revoked"}), script.DENY, "access_denied"),
        ("deny invalid_grant", 200, json.dumps({"verdict": "deny", "error": "invalid_grant"}), script.DENY, "invalid_grant"),
        ("deny with another code", 200, json.dumps({"verdict": "deny", "error": "server_error"}), script.DENY, "access_denied"),
        ("undecided", 200, json.dumps({"verdict": "undecided", "error": "temporarily_unavailable"}), script.UNAVAILABLE, "temporarily_unavailable"),
        ("HTTP 500", 500, allow, script.UNAVAILABLE, "temporarily_unavailable"),
        ("HTTP 400 invalid_request", 400, json.dumps({"error": "invalid_request"}), script.UNAVAILABLE, "temporarily_unavailable"),
        ("HTTP 201 allow", 201, allow, script.UNAVAILABLE, "temporarily_unavailable"),
        ("no answer", 0, "ConnectionRefusedError", script.UNAVAILABLE, "temporarily_unavailable"),
        ("malformed JSON", 200, '{"verdict": "allow", "scope": ', script.UNAVAILABLE, "temporarily_unavailable"),
        ("JSON array", 200, "[]", script.UNAVAILABLE, "temporarily_unavailable"),
        ("empty body", 200, "", script.UNAVAILABLE, "temporarily_unavailable"),
        ("verdict ALLOW (case)", 200, json.dumps(dict(ALLOW_ANSWER, verdict="ALLOW")), script.UNAVAILABLE, "temporarily_unavailable"),
        ("allow with an error", 200, json.dumps(dict(ALLOW_ANSWER, error="access_denied")), script.UNAVAILABLE, "temporarily_unavailable"),
        ("allow without scope", 200, json.dumps({k: v for k, v in ALLOW_ANSWER.items() if k != "scope"}), script.UNAVAILABLE, "temporarily_unavailable"),
        ("allow without lifetimes", 200, json.dumps({k: v for k, v in ALLOW_ANSWER.items() if k != "lifetimes"}), script.UNAVAILABLE, "temporarily_unavailable"),
        ("allow, lifetime 0", 200, json.dumps(dict(ALLOW_ANSWER, lifetimes={"access_token": 0, "id_token": 300, "refresh_token": None})), script.UNAVAILABLE, "temporarily_unavailable"),
        ("allow, lifetime as text", 200, json.dumps(dict(ALLOW_ANSWER, lifetimes={"access_token": "300", "id_token": 300, "refresh_token": None})), script.UNAVAILABLE, "temporarily_unavailable"),
        ("allow, lifetime true", 200, json.dumps(dict(ALLOW_ANSWER, lifetimes={"access_token": True, "id_token": 300, "refresh_token": None})), script.UNAVAILABLE, "temporarily_unavailable"),
        ("allow, id_token_claims sets iss", 200, json.dumps(dict(ALLOW_ANSWER, id_token_claims={"iss": "x"})), script.UNAVAILABLE, "temporarily_unavailable"),
        ("allow, access_token_claims sets scope", 200, json.dumps(dict(ALLOW_ANSWER, access_token_claims={"scope": "x"})), script.UNAVAILABLE, "temporarily_unavailable"),
        ("allow, cnf not an object", 200, json.dumps(dict(ALLOW_ANSWER, access_token_claims={"cnf": "x"})), script.UNAVAILABLE, "temporarily_unavailable"),
        ("allow, cnf x5t#S256 differs from x5t#S256", 200, json.dumps(dict(ALLOW_ANSWER, access_token_claims={"cnf": {"x5t#S256": "A" * 43}})), script.UNAVAILABLE, "temporarily_unavailable"),
        ("allow, bad thumbprint", 200, json.dumps(dict(ALLOW_ANSWER, **{"x5t#S256": "abc"})), script.UNAVAILABLE, "temporarily_unavailable"),
        ("allow, thumbprint with a trailing newline", 200, json.dumps(dict(ALLOW_ANSWER, access_token_claims=dict(ALLOW_ANSWER["access_token_claims"], cnf={"x5t#S256": THUMBPRINT + "\n"}), **{"x5t#S256": THUMBPRINT + "\n"})), script.UNAVAILABLE, "temporarily_unavailable"),
    ]
    for name, status, body, outcome, error in cases:
        got = script.interpret(status, body)
        check("interpret: " + name, got["outcome"] == outcome and got.get("error") == error, "-> %r" % (got,))
    got = script.interpret(200, json.dumps(dict(ALLOW_ANSWER, lifetimes={"access_token": 300.0, "id_token": 120, "refresh_token": None})))
    check("interpret: null refresh lifetime", got["outcome"] == script.ALLOW and got["lifetimes"] == {"access_token": 300, "id_token": 120, "refresh_token": None}, repr(got))
    got = script.interpret(200, json.dumps(dict(ALLOW_ANSWER, lifetimes={"access_token": 300, "id_token": 120, "refresh_token": 0})))
    check("interpret: refresh lifetime 0 is none", got["outcome"] == script.ALLOW and got["lifetimes"]["refresh_token"] is None, repr(got))
    check("interpret: deny status", script.interpret(200, json.dumps({"verdict": "deny"}))["status"] == 403)
    check("interpret: invalid_grant status", script.interpret(200, json.dumps({"verdict": "deny", "error": "invalid_grant"}))["status"] == 400)
    # each deny error code and the status the script raises; any other code stays 403 access_denied
    for error, status, expected in (("access_denied", 403, "access_denied"), ("invalid_grant", 400, "invalid_grant"),
                                    ("invalid_client", 401, "invalid_client"), ("unsupported_grant_type", 400, "unsupported_grant_type"),
                                    ("invalid_scope", 400, "invalid_scope"), ("server_error", 403, "access_denied"),
                                    ("invalid_request", 403, "access_denied"), ("Invalid_Client", 403, "access_denied"),
                                    ("", 403, "access_denied"), (None, 403, "access_denied"), (401, 403, "access_denied"),
                                    (["invalid_client"], 403, "access_denied")):
        got = script.interpret(200, json.dumps({"verdict": "deny", "error": error, "error_description": "why"}))
        check("interpret: deny %r is %s %s" % (error, status, expected), got["outcome"] == script.DENY and got["status"] == status
              and got["error"] == expected and got["description"] == "why", repr(got))
    check("DENY_ERRORS", script.DENY_ERRORS == {"access_denied": 403, "invalid_grant": 400, "invalid_client": 401,
                                                "unsupported_grant_type": 400, "invalid_scope": 400}, repr(script.DENY_ERRORS))

    # ---- allow: one call for the six hooks; scopes, claims, lifetimes applied
    calls = []
    grant, client, request = fresh()
    with captured() as said:
        out = token_request(canned(200, ALLOW_ANSWER, calls), grant, client, request)
    log = said.getvalue()
    check("allow: issued", out.refused is None, repr(out))
    check("allow: exactly one call for the six hooks", len(calls) == 1, "%d calls" % len(calls))
    check("allow: every hook ran", set(out.results) == set(HOOKS), repr(sorted(out.results)))
    check("allow: lifetimes", (out.results.get("getAccessTokenLifetimeInSeconds"), out.results.get("getIdTokenLifetimeInSeconds"),
                               out.results.get("getRefreshTokenLifetimeInSeconds")) == (300, 300, 7776000), repr(out.results))
    check("allow: refresh token kept", out.results.get("modifyRefreshToken") is True)
    check("allow: hooks return True", out.results.get("modifyAccessToken") is True and out.results.get("modifyIdToken") is True)
    check("allow: grant scopes narrowed", grant.getScopes() == ["openid", "accounts"], repr(grant.getScopes()))
    claims = out.id_token.getClaims() if out.id_token else JwtClaims()
    check("allow: id_token openbanking_intent_id", claims.plain("openbanking_intent_id") == INTENT, repr(claims.claims))
    check("allow: id_token sub", claims.plain("sub") == INTENT, repr(claims.claims))
    check("allow: id_token integer claim as java.lang.Long", claims.getClaim("acr_level") == JavaLong(2), repr(claims.getClaim("acr_level")))
    check("allow: id_token object claim as JSONObject", isinstance(claims.getClaim("flags"), JSONObject) and claims.plain("flags") == {"sca": True})
    check("allow: id_token one-character text stays text", claims.getClaim("one") == "x")
    at = out.access_claims or JwtClaims()
    check("allow: access token scope overwritten", at.plain("scope") == ["openid", "accounts"], repr(at.claims))
    check("allow: access token openbanking_intent_id", at.plain("openbanking_intent_id") == INTENT)
    check("allow: access token list claim as JSONArray", isinstance(at.getClaim("roles"), JSONArray) and at.plain("roles") == ["AISP"])
    check("allow: access token cnf x5t#S256", at.plain("cnf") == {"x5t#S256": THUMBPRINT}, repr(at.plain("cnf")))

    # cnf: given only inside access_token_claims, or only as x5t#S256; Janssen's own cnf members kept
    for name, answer in (("cnf only in access_token_claims", dict((k, v) for k, v in ALLOW_ANSWER.items() if k != "x5t#S256")),
                         ("x5t#S256 only", dict(ALLOW_ANSWER, access_token_claims={"openbanking_intent_id": INTENT}))):
        grant, client, request = fresh()
        at = JwtClaims({"scope": ["openid"], "cnf": JSONObject('{"jkt": "dpop-thumb"}')})
        canned(200, answer).modifyAccessToken(Token(), Context(request, grant, client, at))
        check("allow: %s" % name, at.plain("cnf") == {"jkt": "dpop-thumb", "x5t#S256": THUMBPRINT}, repr(at.plain("cnf")))
    call = calls[0] if calls else {}
    check("call: only known members", set(call) <= CALL_MEMBERS, repr(sorted(set(call) - CALL_MEMBERS)))
    check("call: identifiers", (call.get("client_id"), call.get("software_id"), call.get("org_id")) ==
          ("4ZUKbHjbA2ZqxCxTsQPkTY", "4ZUKbHjbA2ZqxCxTsQPkTY", "0015800001041REAAY"), repr(call))
    check("call: grant type, scopes, user, acr", (call.get("grant_type"), call.get("scope"), call.get("user_id"), call.get("acr")) ==
          ("authorization_code", "openid accounts payments", "user-1", "urn:openbanking:psd2:sca"), repr(call))
    check("call: claims parameter", call.get("claims") == CLAIMS_PARAMETER, repr(call.get("claims")))
    check("call: certificate from X-ClientCert, normalised", call.get("client_certificate") == SAMPLE_PEM)
    check("call: auth method and subject DN", call.get("token_endpoint_auth_method") == "tls_client_auth"
          and "CN=4ZUKbHjbA2ZqxCxTsQPkTY" in (call.get("tls_client_auth_subject_dn") or ""))
    check("allow: logged once", log.count("ssa-toolkit token: client 4ZUKbHjbA2ZqxCxTsQPkTY: allow") == 1, log)
    check("allow: no claims, intent or certificate in the log", INTENT not in log and SAMPLE_PEM.split("\n")[3] not in log, log)

    # a second token request of the same client: its own call
    grant2, _, request2 = fresh(client=client)
    u = canned(200, ALLOW_ANSWER, calls)
    token_request(u, grant2, client, request2)
    check("memo: a new token request makes its own call", len(calls) == 2, "%d calls" % len(calls))
    # the memo is keyed per request: the same request again reuses the decision
    u.getAccessTokenLifetimeInSeconds(Context(request2, grant2, client))
    check("memo: hooks of the same request share the call", len(calls) == 2, "%d calls" % len(calls))
    # the same HTTP request with another grant: its own call
    other = Grant(client, grant_id="grant-2")
    u.getAccessTokenLifetimeInSeconds(Context(request2, other, client))
    check("memo: another grant in the same request is its own call", len(calls) == 3, "%d calls" % len(calls))

    # request object claims win over the claims parameter
    calls = []
    grant, client, request = fresh(request_object={"claims": {"userinfo": {"openbanking_intent_id": {"value": "urn-ro"}}}})
    token_request(canned(200, ALLOW_ANSWER, calls), grant, client, request)
    check("call: the request object's claims", calls and calls[0].get("claims") == {"userinfo": {"openbanking_intent_id": {"value": "urn-ro"}}}, repr(calls))

    # optional members left out when Janssen has none (token_endpoint_auth_method is never optional)
    calls = []
    grant, client, request = fresh(client=Client(method="private_key_jwt", subject_dn=None), user_id=None, acr=None, claims="")
    request.headers = {}
    token_request(canned(200, ALLOW_ANSWER, calls), grant, client, request)
    check("call: absent members left out", calls and set(calls[0]) == {"client_id", "software_id", "org_id", "grant_type", "scope",
                                                                         "token_endpoint_auth_method"}, repr(calls))

    # ssa_issuer: the iss of the SSA Janssen stored with the client; left out when unreadable
    def jwt(payload):
        encode = lambda raw: base64.urlsafe_b64encode(raw).decode().rstrip("=")
        return encode(b'{"alg":"PS256"}') + "." + encode(payload) + "." + encode(b"sig")
    for name, stored, expected in (("the stored SSA's iss", jwt(b'{"iss":"Second Scheme Directory"}'), "Second Scheme Directory"),
                                   ("no stored SSA", None, None), ("not a JWT", "abc", None),
                                   ("payload not JSON", jwt(b"not json"), None), ("iss not text", jwt(b'{"iss":5}'), None),
                                   ("payload not base64url", "a.b+c.d", None)):
        calls = []
        grant, client, request = fresh(client=Client(software_statement=stored))
        token_request(canned(200, ALLOW_ANSWER, calls), grant, client, request)
        check("call: ssa_issuer, " + name, calls and calls[0].get("ssa_issuer") == expected, repr(calls and calls[0].get("ssa_issuer")))

    # software_jwks_endpoint (the client's jwks_uri, else the stored SSA's) and
    # software_jwks_revoked_endpoint (the stored SSA's): where the directory publishes the
    # software's transport certificates, for transportKeyBinding
    keyed = jwt(b'{"iss":"OpenBanking Ltd","software_jwks_endpoint":"https://keys.example/ssa.jwks","software_jwks_revoked_endpoint":"https://keys.example/revoked.jwks"}')
    for name, stored, uri, expected in (("jwks_uri first", keyed, "https://keys.example/client.jwks", "https://keys.example/client.jwks"),
                                        ("the SSA's without jwks_uri", keyed, None, "https://keys.example/ssa.jwks"),
                                        ("neither", None, None, None)):
        calls = []
        grant, client, request = fresh(client=Client(software_statement=stored, jwks_uri=uri))
        token_request(canned(200, ALLOW_ANSWER, calls), grant, client, request)
        check("call: software_jwks_endpoint, " + name, calls and calls[0].get("software_jwks_endpoint") == expected, repr(calls and calls[0].get("software_jwks_endpoint")))
        check("call: software_jwks_revoked_endpoint, " + name, calls and calls[0].get("software_jwks_revoked_endpoint") == (stored and "https://keys.example/revoked.jwks"),
              repr(calls and calls[0].get("software_jwks_revoked_endpoint")))

    # Open Finance Brasil: the SSA's transport key sets come before the client's jwks_uri (its
    # software_jwks_uri signs, its software_jwks_transport_uri lists transport certificates)
    brasil = jwt(b'{"iss":"Open Finance Open Finance Brasil production SSA issuer","software_jwks_uri":"https://keys.example/app.jwks",'
                 b'"software_jwks_transport_uri":"https://keys.example/transport.jwks","software_jwks_transport_inactive_uri":"https://keys.example/inactive.jwks"}')
    calls = []
    grant, client, request = fresh(client=Client(software_statement=brasil, jwks_uri="https://keys.example/app.jwks"))
    token_request(canned(200, ALLOW_ANSWER, calls), grant, client, request)
    check("call: Brasil transport key set", calls and calls[0].get("software_jwks_endpoint") == "https://keys.example/transport.jwks"
          and calls[0].get("software_jwks_revoked_endpoint") == "https://keys.example/inactive.jwks", repr(calls and calls[0]))
    # The CDR: legal_entity_id and ssa_scope from the stored SSA; neither for a UK client
    cdr = jwt(b'{"iss":"cdr-register","legal_entity_id":"8e5f2d1c-1111","scope":"openid bank:accounts.basic:read"}')
    for name, stored, entity, scope in (("the CDR's", cdr, "8e5f2d1c-1111", "openid bank:accounts.basic:read"), ("a UK SSA's", keyed, None, None)):
        calls = []
        grant, client, request = fresh(client=Client(software_statement=stored))
        token_request(canned(200, ALLOW_ANSWER, calls), grant, client, request)
        check("call: legal_entity_id and ssa_scope, " + name, calls and calls[0].get("legal_entity_id") == entity and calls[0].get("ssa_scope") == scope,
              repr(calls and calls[0]))

    # a reference (not JWT) access token: scopes still overwritten, no claims to set
    grant, client, request = fresh(client=Client(jwt_access_token=False))
    out = token_request(canned(200, ALLOW_ANSWER), grant, client, request)
    check("allow, reference access token: issued with narrowed scopes", out.refused is None and grant.getScopes() == ["openid", "accounts"], repr(out))

    # refresh_token null: no refresh token (modifyRefreshToken False, lifetime 0)
    no_refresh = dict(ALLOW_ANSWER, lifetimes={"access_token": 300, "id_token": 300, "refresh_token": None})
    grant, client, request = fresh()
    out = token_request(canned(200, no_refresh), grant, client, request)
    check("allow without refresh: tokens issued", out.refused is None, repr(out))
    check("allow without refresh: modifyRefreshToken returns False", out.results.get("modifyRefreshToken") is False)
    check("allow without refresh: refresh lifetime 0", out.results.get("getRefreshTokenLifetimeInSeconds") == 0)

    # a decision that widens is cut to what Janssen was about to grant
    widening = dict(ALLOW_ANSWER, scope="openid accounts payments fundsconfirmations")
    grant, client, request = fresh(scopes=("openid", "accounts"))
    out = token_request(canned(200, widening), grant, client, request)
    check("allow never widens scopes", grant.getScopes() == ["openid", "accounts"], repr(grant.getScopes()))

    # ---- refusals: every hook raises, never returns False
    refusals = [
        ("deny", 200, {"verdict": "deny", "error": "access_denied", "error_description": "software revoked"}, 403, "access_denied"),
        ("invalid_grant", 200, {"verdict": "deny", "error": "invalid_grant", "error_description": "no intent"}, 400, "invalid_grant"),
        ("invalid_client", 200, {"verdict": "deny", "error": "invalid_client", "error_description": "no certificate"}, 401, "invalid_client"),
        ("unsupported_grant_type", 200, {"verdict": "deny", "error": "unsupported_grant_type"}, 400, "unsupported_grant_type"),
        ("invalid_scope", 200, {"verdict": "deny", "error": "invalid_scope"}, 400, "invalid_scope"),
        ("deny with an unknown code", 200, {"verdict": "deny", "error": "interaction_required"}, 403, "access_denied"),
        ("undecided", 200, {"verdict": "undecided", "error": "temporarily_unavailable"}, 503, "temporarily_unavailable"),
        ("HTTP 500", 500, "", 503, "temporarily_unavailable"),
        ("HTTP 400", 400, {"error": "invalid_request", "error_description": "unknown member"}, 503, "temporarily_unavailable"),
        ("malformed JSON", 200, "{\"verdict\": ", 503, "temporarily_unavailable"),
        ("connection refused", 0, "ConnectionRefusedError", 503, "temporarily_unavailable"),
        ("allow that cannot be applied (float claim)", 200, dict(ALLOW_ANSWER, id_token_claims={"x": 1.5}), 503, "temporarily_unavailable"),
    ]
    def each_hook_raises(name, verb, code, error, make_script, make_context):
        """Each of the six hooks, called alone on a fresh script and context, raises `code` `error`
        (recorded in the context), never returning."""
        for hook in HOOKS:
            u = make_script()
            context = make_context()
            args = {"modifyIdToken": (JsonWebResponse(), context), "modifyAccessToken": (Token(), context),
                    "modifyRefreshToken": (Token(), context)}.get(hook, (context,))
            try:
                with captured():
                    result = getattr(u, hook)(*args)
                check("%s: %s raises" % (name, hook), False, "returned %r" % (result,))
            except WebApplicationException as raised:
                check("%s: %s %s %s %s" % (name, hook, verb, code, error), raised.status == code
                      and json.loads(raised.entity).get("error") == error and context.raised is raised, "%s %s" % (raised.status, raised.entity))

    for name, status, body, code, error in refusals:
        grant, client, request = fresh()
        with captured():
            out = token_request(canned(status, body), grant, client, request)
        check("%s: the token request is refused %s %s" % (name, code, error), out.refused and out.refused[0] == code
              and out.refused[1].get("error") == error, repr(out))
        check("%s: no hook returned False" % name, all(v is not False for v in out.results.values()), repr(out.results))
        def context_of_fresh():
            grant, client, request = fresh()
            return Context(request, grant, client, JwtClaims())
        each_hook_raises(name, "raises", code, error, lambda: canned(status, body), context_of_fresh)

    # ---- refused here, without a call, beside the passing twin (the exact value builds the call)
    def refused_here(name, client=None, grant_args=None, grant_type="authorization_code", code=None, error=None, logged=None):
        calls = []
        client = client or Client()
        grant = Grant(client, **(grant_args or {}))
        request = HttpRequest(SAMPLE_PEM, grant_type=grant_type)
        with captured() as said:
            out = token_request(canned(200, ALLOW_ANSWER, calls), grant, client, request)
        log = said.getvalue()
        check("%s: refused %s %s" % (name, code, error), out.refused is not None and out.refused[0] == code
              and out.refused[1].get("error") == error and out.refused[1].get("error_description"), repr(out))
        check("%s: no call" % name, not calls, "%d call(s)" % len(calls))
        check("%s: nothing issued" % name, out.id_token is None and out.access_claims is None and not out.refresh_issued, repr(out))
        check("%s: no hook returned False" % name, all(v is not False for v in out.results.values()), repr(out.results))
        check("%s: one log line, refused without a call" % name,
              log.count("ssa-toolkit token: client 4ZUKbHjbA2ZqxCxTsQPkTY: ") == 1
              and "ssa-toolkit token: client 4ZUKbHjbA2ZqxCxTsQPkTY: refused without a call, deny (HTTP %s %s): " % (code, error) in log, log)
        check("%s: the log names the offending value, escaped" % name, logged is None or logged in log, "%r not in %r" % (logged, log))
        check("%s: no certificate in the log" % name, "BEGIN CERTIFICATE" not in log and SAMPLE_PEM.split("\n")[3] not in log, log)
        each_hook_raises(name, "alone raises", code, error, lambda: canned(200, ALLOW_ANSWER, calls),
                         lambda: Context(HttpRequest(SAMPLE_PEM, grant_type=grant_type), Grant(client, **(grant_args or {})), client, JwtClaims()))
        check("%s: no call from any hook alone" % name, not calls, "%d call(s)" % len(calls))

    def passes(name, client=None, grant_args=None, grant_type="authorization_code"):
        calls = []
        client = client or Client()
        grant = Grant(client, **(grant_args or {}))
        with captured():
            out = token_request(canned(200, ALLOW_ANSWER, calls), grant, client, HttpRequest(SAMPLE_PEM, grant_type=grant_type))
        check("%s: issued" % name, out.refused is None, repr(out))
        check("%s: one call" % name, len(calls) == 1, repr(calls))
        return calls[0] if calls else {}

    # token_endpoint_auth_method: exactly one of three spellings, else 401 invalid_client
    for method in ("tls_client_auth", "private_key_jwt", "self_signed_tls_client_auth"):
        call = passes("auth method %s" % method, client=Client(method=method))
        check("auth method %s: sent as is" % method, call.get("token_endpoint_auth_method") == method, repr(call))
    for method, logged in (("TLS_Client_Auth", "'TLS_Client_Auth'"), ("client_secret_basic", "'client_secret_basic'"),
                           ("client_secret_post", None), ("client_secret_jwt", None), ("none", "'none'"), ("", "''"),
                           (None, "(none)"), ("tls_client_auth ", "'tls_client_auth '"), (" private_key_jwt", None),
                           ("tls_client_auth\n", "'tls_client_auth\\x0a'"), ("PRIVATE_KEY_JWT", None),
                           ("self_signed_tls_client_auth\u0000", "'self_signed_tls_client_auth\\x00'"),
                           ("tls_client_auth\u200b", "'tls_client_auth\\u200b'")):
        refused_here("auth method %r" % (method,), client=Client(method=method), code=401, error="invalid_client",
                     logged=None if logged is None else "token_endpoint_auth_method %s is not" % logged)

    # grant_type: the service's default allow-list, exactly, else 400 unsupported_grant_type
    for grant_type in ("authorization_code", "refresh_token", "client_credentials", "urn:openid:params:grant-type:ciba"):
        call = passes("grant_type %s" % grant_type, grant_type=grant_type)
        check("grant_type %s: sent as is" % grant_type, call.get("grant_type") == grant_type, repr(call))
    call = passes("no grant_type parameter: the grant's own type", grant_type=None)
    check("no grant_type parameter: the grant's own type is sent", call.get("grant_type") == "authorization_code", repr(call))
    for grant_type, logged in (("password", "grant_type 'password' is not"), ("implicit", None),
                               ("urn:ietf:params:oauth:grant-type:device_code", None),
                               ("urn:ietf:params:oauth:grant-type:jwt-bearer", None), ("urn:ietf:params:oauth:grant-type:token-exchange", None),
                               ("Authorization_Code", "grant_type 'Authorization_Code' is not"), ("", "grant_type '' is not"),
                               (" ", None), (" authorization_code", None), ("authorization_code\n", "grant_type 'authorization_code\\x0a' is not"),
                               ("urn:openid:params:grant-type:CIBA", None), ("refresh_token\t", None),
                               ("x" * 200, "grant_type '" + "x" * 40 + "'... is not")):
        refused_here("grant_type %r" % (grant_type,), grant_type=grant_type, code=400, error="unsupported_grant_type", logged=logged)

    # scope: each name RFC 6749 3.3 characters, at least one scope, else 400 invalid_scope
    every_allowed = "".join(chr(c) for c in [0x21] + list(range(0x23, 0x5C)) + list(range(0x5D, 0x7F)))
    for scopes in (["openid"], ["openid", "accounts", "payments"], ["urn:openbanking:accounts:read", every_allowed], ["a"]):
        call = passes("scopes %r" % (scopes,), grant_args={"scopes": scopes})
        check("scopes %r: sent as is" % (scopes,), call.get("scope") == " ".join(scopes), repr(call))
    for scopes, logged in ((["openid", "accounts\tpayments"], "scope 'accounts\\x09payments' is not"), (["openid", ""], "scope '' is not"),
                           (["open id"], "scope 'open id' is not"), (['"quoted"'], None), (["back\\slash"], "scope 'back\\x5cslash' is not"),
                           (["caf\u00e9"], "scope 'caf\\xe9' is not"), (["openid\n"], None), (["x\x7f"], None), (["\x20"], None),
                           (["\u0430ccounts"], "scope '\\u0430ccounts' is not"), (["a\rb"], None), ([], "no scope is about to be granted")):
        refused_here("scopes %r" % (scopes,), grant_args={"scopes": scopes}, code=400, error="invalid_scope", logged=logged)

    # the first check that fails decides: the client's authentication, then the grant type, then the scope
    refused_here("bad method, grant type and scope", client=Client(method="client_secret_basic"), grant_type="password",
                 grant_args={"scopes": ["a\tb"]}, code=401, error="invalid_client")
    refused_here("bad grant type and scope", grant_type="password", grant_args={"scopes": ["a\tb"]}, code=400, error="unsupported_grant_type")
    # a client without org_id is a script error first (503), whatever else is wrong
    calls = []
    with captured():
        out = token_request(canned(200, ALLOW_ANSWER, calls), Grant(Client(organization=None, method="none")), Client(organization=None, method="none"),
                            HttpRequest(SAMPLE_PEM))
    check("no org_id and a bad method: 503", out.refused and out.refused[0] == 503 and not calls, repr(out))
    check("shown: escaped and cut", script.shown(u"a'b\\c\u00e9\u4e2d" + "z" * 50) == u"'a\\x27b\\x5cc\\xe9\\u4e2d" + "z" * 33 + "'...",
          script.shown(u"a'b\\c\u00e9\u4e2d" + "z" * 50))
    check("shown: not text", script.shown(5) == "(a int)" and script.shown(None) == "(none)")

    # an error in the script (the client has no org_id): 503, the log names the exception
    grant, client, request = fresh(client=Client(organization=None))
    calls = []
    with captured() as said:
        out = token_request(canned(200, ALLOW_ANSWER, calls), grant, client, request)
    check("script error: refused 503", out.refused and out.refused[0] == 503, repr(out))
    check("script error: no call made", not calls)
    check("script error: the log names the exception", "ValueError: the token request has no org_id" in said.getvalue(), said.getvalue())

    def broken(url, call, timeout, bearer=None):
        raise RuntimeError("transport bug; %s" % SAMPLE_PEM)
    u = script.UpdateToken(0)
    u.transport = broken
    grant, client, request = fresh()
    with captured() as said:
        out = token_request(u, grant, client, request)
    check("transport error: refused 503", out.refused and out.refused[0] == 503, repr(out))
    check("transport error: logged with class and message, without the PEM",
          "RuntimeError: transport bug" in said.getvalue() and "BEGIN CERTIFICATE" not in said.getvalue(), said.getvalue())

    # createWebApplicationException failing: a plain WebApplicationException is raised instead
    class NoFactory(Context):
        def createWebApplicationException(self, status, entity):
            raise RuntimeError("no factory")
    grant, client, request = fresh()
    try:
        with captured():
            canned(200, {"verdict": "deny"}).modifyIdToken(JsonWebResponse(), NoFactory(request, grant, client))
        check("refusal without the context's factory", False, "returned")
    except WebApplicationException as raised:
        check("refusal without the context's factory", raised.status == 403, repr(raised.status))

    # ---- the real HTTP code: headers, bearer token, timeout, refused connection
    Recorder.seen = []
    Recorder.answer = (200, json.dumps(ALLOW_ANSWER))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    token_dir = tempfile.mkdtemp()
    token_path = os.path.join(token_dir, "token")
    with open(token_path, "w") as f:
        f.write("s3cr3t-token\n")
    try:
        u = script.UpdateToken(0)
        props = {"ssaToolkitUrl": "http://127.0.0.1:%d/" % server.server_address[1], "timeoutSeconds": "2", "authTokenFile": token_path}
        with captured() as said:
            u.init(None, Properties(props))
            grant, client, request = fresh()
            out = token_request(u, grant, client, request)
        check("http: allow through the real transport", out.refused is None, repr(out) + said.getvalue())
        seen = Recorder.seen[0] if Recorder.seen else {}
        check("http: one POST to /v1/token-decisions", len(Recorder.seen) == 1 and seen.get("path") == "/v1/token-decisions", repr(Recorder.seen))
        check("http: JSON body", seen.get("headers", {}).get("Content-Type") == "application/json"
              and set(json.loads(seen.get("body", b"{}"))) <= CALL_MEMBERS)
        check("http: bearer token from authTokenFile", seen.get("headers", {}).get("Authorization") == "Bearer s3cr3t-token", repr(seen.get("headers")))
        check("http: asks for the minimal answer", seen.get("headers", {}).get("Prefer") == "return=minimal", repr(seen.get("headers")))
        check("http: the token is not logged", "s3cr3t" not in said.getvalue(), said.getvalue())
        with open(token_path, "w") as f:
            f.write("rotated-token-2\n")
        os.utime(token_path, (time.time() + 5, time.time() + 5))
        token_request(u, *fresh()[0:2], HttpRequest(SAMPLE_PEM))
        check("http: a rotated token file is re-read", Recorder.seen[-1]["headers"].get("Authorization") == "Bearer rotated-token-2")
        Recorder.answer = (500, "{}")
        with captured():
            out = token_request(u, *fresh()[0:2], HttpRequest(SAMPLE_PEM))
        check("http: HTTP 500 is 503", out.refused and out.refused[0] == 503, repr(out))
        with open(token_path, "w") as f:
            f.write("two words\n")
        os.utime(token_path, (time.time() + 10, time.time() + 10))
        Recorder.answer = (200, json.dumps(ALLOW_ANSWER))
        with captured() as said:
            out = token_request(u, *fresh()[0:2], HttpRequest(SAMPLE_PEM))
        check("http: an unusable token file refuses (503), never calls without it", out.refused and out.refused[0] == 503, repr(out))
        check("http: the unusable token is not logged", "two words" not in said.getvalue(), said.getvalue())
    finally:
        server.shutdown()
        server.server_close()

    # a service that accepts and never answers: 503 within the time limit
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    try:
        u = script.UpdateToken(0)
        with captured() as said:
            u.init(None, Properties({"ssaToolkitUrl": "http://127.0.0.1:%d" % silent.getsockname()[1], "timeoutSeconds": "0.5"}))
            started = time.time()
            out = token_request(u, *fresh()[0:2], HttpRequest(SAMPLE_PEM))
            spent = time.time() - started
        check("timeout: refused 503", out.refused and out.refused[0] == 503, repr(out))
        check("timeout: within the time limit (one call for all hooks)", spent < 2.5, "%.1f s" % spent)
        check("timeout: logged", "timed out" in said.getvalue() or "timeout" in said.getvalue().lower(), said.getvalue())
    finally:
        silent.close()

    u = script.UpdateToken(0)
    with captured():
        u.init(None, Properties({"ssaToolkitUrl": "http://127.0.0.1:%d" % free_port_refusing()}))
        out = token_request(u, *fresh()[0:2], HttpRequest(SAMPLE_PEM))
    check("connection refused (real socket): 503", out.refused and out.refused[0] == 503 and out.refused[1]["error"] == "temporarily_unavailable", repr(out))

    # ---- the memo's bounds
    now = [1000.0]
    memo = script.DecisionMemo(max_entries=3, max_age=30.0, clock=lambda: now[0])
    for i in range(5):
        memo.put(("k%d" % i,), {"n": i})
    check("memo: at most max_entries", len(memo) == 3 and memo.get(("k0",)) is None and memo.get(("k4",)) == {"n": 4})
    now[0] += 31
    check("memo: entries expire", memo.get(("k4",)) is None and len(memo) == 0)
    memo.put(("a",), 1)
    now[0] += 20
    memo.put(("b",), 2)
    now[0] += 15
    check("memo: only the old entry expired", memo.get(("a",)) is None and memo.get(("b",)) == 2)

    # ---- settings, claims, PEM
    check("settings default", script.parse_settings()[:3] == ("http://127.0.0.1:8085", 2.0, None))
    check("settings given", script.parse_settings("http://127.0.0.1:9/", "0.5", " /etc/t ")[:3] == ("http://127.0.0.1:9", 0.5, "/etc/t"))
    check("settings bad", script.parse_settings("file:///etc/passwd", "60")[:2] == ("http://127.0.0.1:8085", 2.0))
    for bad in (b"", b"two words", b"\xff\xfe", b"x" * 5000):
        try:
            script.parse_bearer_token(bad)
            check("bearer token refused: %r" % bad[:10], False)
        except ValueError:
            pass
    check("java_claim: int", script.java_claim(7) == JavaLong(7))
    check("java_claim: integral float", script.java_claim(7.0) == JavaLong(7))
    check("java_claim: bool", script.java_claim(True) is True)
    check("java_claim: None", script.java_claim(None) is None)
    try:
        script.java_claim(1.5)
        check("java_claim refuses a fraction", False)
    except ValueError:
        pass
    one_line = SAMPLE_PEM.replace("\n", " ")
    escaped = SAMPLE_PEM.replace("\n", "%0A").replace(" ", "%20").replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    for name, value in (("PEM", SAMPLE_PEM), ("one line", one_line), ("URL-escaped", escaped)):
        check("normalize_pem: " + name, script.normalize_pem(value) == SAMPLE_PEM)
    check("normalize_pem: not a certificate", script.normalize_pem("hello") is None)
    for bad in (dict(client_id=""), dict(org_id=None), dict(scopes="openid accounts"), dict(claims=[1])):
        args = dict(client_id="c", software_id="s", org_id="o", grant_type="authorization_code", scopes=["openid"],
                    token_endpoint_auth_method="tls_client_auth")
        args.update(bad)
        try:
            script.build_call(**args)
            check("build_call refuses %r" % (bad,), False)
        except ValueError:
            pass
    text = script.describe(ValueError("bad %s" % SAMPLE_PEM))
    check("describe: no PEM, one line", "BEGIN CERTIFICATE" not in text and "\n" not in text and text.startswith("ValueError: bad"), text)

    # the PEM normalisation is the registration script's
    saved = {k: v for k, v in sys.modules.items() if k.split(".")[0] in ("java", "jarray", "io", "org", "jakarta")}
    try:
        sys.path.insert(0, HERE)
        import test_client_registration
        registration = test_client_registration.load_script()
        for value in (SAMPLE_PEM, one_line, escaped, "hello", None):
            check("normalize_pem as client_registration.py's", registration.normalize_pem(value) == script.normalize_pem(value))
    finally:
        sys.modules.update(saved)

    lines = ["FAIL " + failure for failure in failures]
    lines.append("self-test: %d checks failed" % len(failures) if failures else "self-test: all checks passed (fail-closed)")
    return (1 if failures else 0), lines


class Property(object):
    def __init__(self, value):
        self.value = value

    def getValue2(self):
        return self.value


class Properties(object):
    """The configurationAttributes map Janssen hands to init."""

    def __init__(self, values):
        self.values = dict((k, Property(v)) for k, v in values.items())

    def containsKey(self, name):
        return name in self.values

    def get(self, name):
        return self.values[name]


# --------------------------------------------------------------------------- live run

def live(script, args):
    with open(args.client_cert) as f:
        pem = f.read()
    u = script.UpdateToken(0)
    u.init(None, Properties({"ssaToolkitUrl": args.url, "timeoutSeconds": args.timeout}))
    client = Client()
    grant = Grant(client, acr=None)
    out = token_request(u, grant, client, HttpRequest(pem))
    if out.refused:
        outcome = "deny" if out.refused[0] in (400, 401, 403) else "unavailable"
        print("outcome: %s (HTTP %s %s)" % (outcome, out.refused[0], out.refused[1].get("error")))
    else:
        outcome = "allow"
        claims = out.id_token.getClaims()
        print("outcome: allow; scopes %s; id_token openbanking_intent_id %s, sub %s; lifetimes access %s, id %s, refresh %s"
              % (" ".join(grant.getScopes()), claims.plain("openbanking_intent_id"), claims.plain("sub"),
                 out.results["getAccessTokenLifetimeInSeconds"], out.results["getIdTokenLifetimeInSeconds"],
                 out.results["getRefreshTokenLifetimeInSeconds"] if out.refresh_issued else "none"))
    if args.expect and outcome != args.expect:
        print("FAIL expected %s" % args.expect)
        return 1
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--self-test", action="store_true")
    parser.add_argument("--url")
    parser.add_argument("--client-cert")
    parser.add_argument("--expect", choices=["allow", "deny", "unavailable"])
    parser.add_argument("--timeout", default="5")
    args = parser.parse_args()
    script = load_script()
    if args.self_test:
        with captured():
            status, lines = self_test(script)
        for line in lines:
            print(line)
        return status
    if not args.url or not args.client_cert:
        parser.error("--self-test, or --url and --client-cert")
    return live(script, args)


if __name__ == "__main__":
    sys.exit(main())
