#!/usr/bin/env python3
"""Drives client_registration.py (the Janssen script) outside Janssen. CPython 3, stdlib only.

Stand-ins for the Java and Janssen classes the script imports are installed into sys.modules
first; the context stand-in behaves like Janssen's DynamicClientRegistrationContext in
createClient (the decoded request with the SSA's claims copied over it, no request JWT, the
certificate parsed from X-ClientCert) and in updateClient (the PUT body as it came, no
certificate parsed, the client already overwritten from the body).

This covers the pure functions and the hooks' logic on CPython only. The proof that the script
works in Janssen is jython/run-jython-tests.sh (real Jython 2.7 on the JVM). The script imports
Janssen classes Jython's way (`from io.jans.as.model... import X`), which CPython cannot parse
(`as` is a keyword): load_script() compiles the script with those module names spelled
`io.jans.as_...`, and the stand-ins are registered under that spelling.

  python3 test_client_registration.py --self-test
      The pure functions and createClient/updateClient on canned answers (accept, reject,
      undecided, HTTP 500, malformed JSON, connection refused, ...). No decision service needed.
      Exit 0 when every case behaves and every failure is closed.

  python3 test_client_registration.py --url http://127.0.0.1:PORT --ssa FILE --client-cert PEM \\
          --redirect-uri URI --expect accept|reject [--expect-error CODE]
      createClient against a running `ssa-verify serve`. Exit 0 only when the outcome is the
      expected one (accept: createClient returned True and the client got the redirect URIs;
      reject: the raised error is HTTP 400 with the expected RFC 7591 code).
"""
import argparse
import base64
import json
import os
import re
import socket
import subprocess
import sys
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


class _Enum(object):
    known = ()

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return isinstance(other, _Enum) and other.value == self.value

    def __hash__(self):
        return hash(self.value)

    def __repr__(self):
        return self.value

    @classmethod
    def fromString(cls, value):
        return cls(value) if value in cls.known else None


class GrantType(_Enum):
    known = ("authorization_code", "implicit", "client_credentials", "refresh_token", "password",
             "urn:openid:params:grant-type:ciba", "urn:ietf:params:oauth:grant-type:device_code")


class ResponseType(_Enum):
    known = ("code", "token", "id_token")


class Scope(object):
    def __init__(self, name):
        self.name = name

    def getDn(self):
        return "inum=%s,ou=scopes,o=jans" % self.name


class Subject(object):
    """java.security.Principal"""

    def __init__(self, name):
        self.name = name

    def getName(self):
        return self.name


# Attribute types CertUtils.equalsRdn (BouncyCastle) treats as one: the OID, OID.x and the name.
_RDN_ALIASES = {"2.5.4.97": "organizationidentifier", "oid.2.5.4.97": "organizationidentifier",
                "2.5.4.3": "cn", "oid.2.5.4.3": "cn"}


def _rdns(dn):
    """The RDNs of an RFC 2253 / RFC 1779 DN as a sorted list of (type, value), lowercased."""
    parts, current, escaped = [], "", False
    for ch in dn:
        if escaped:
            current, escaped = current + ch, False
        elif ch == "\\":
            current, escaped = current + ch, True
        elif ch == ",":
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    pairs = []
    for part in parts:
        name, _, value = part.strip().partition("=")
        name = name.strip().lower()
        pairs.append((_RDN_ALIASES.get(name, name), " ".join(value.strip().lower().split())))
    return sorted(pairs)


class CertUtils(object):
    """io.jans.as.model.util.CertUtils: RDN comparison in order-insensitive, case-insensitive form
    (the real one uses BouncyCastle; the Jython test runs that)."""

    @staticmethod
    def equalsRdn(rdn1, rdn2):
        if not rdn1 or not rdn2:
            return False
        return _rdns(rdn1) == _rdns(rdn2)

    @staticmethod
    def x509CertificateFromPem(pem):
        try:
            return X509Certificate(pem, DEFAULT_SUBJECT)
        except (AttributeError, ValueError, TypeError):
            return None


class ScopeService(object):
    defined = ("openid", "accounts", "payments", "fundsconfirmations")

    def getScopeById(self, name):
        return Scope(name) if name in self.defined else None


class CdiUtil(object):
    @staticmethod
    def bean(cls):
        return cls()


class _Encoder(object):
    def encodeToString(self, data):
        return base64.b64encode(bytes(data)).decode("ascii")


class JavaBase64(object):
    @staticmethod
    def getEncoder():
        return _Encoder()


def install_stand_ins():
    """Registers the modules the script imports. The real `io` module is left alone: only the
    dotted `io.jans...` names are added, which the import system finds in sys.modules
    (`io.jans.as...` spelled `io.jans.as_...`, see load_script)."""
    def module(name, **members):
        m = types.ModuleType(name)
        m.__dict__.update(members)
        sys.modules[name] = m
        return m
    module("io.jans.model.custom.script.type.client", ClientRegistrationType=object)
    module("io.jans.as_.model.common", GrantType=GrantType, ResponseType=ResponseType)
    module("io.jans.as_.server.service", ScopeService=ScopeService)
    module("io.jans.as_.common.model.registration", Client=Client)
    module("io.jans.as_.model.util", CertUtils=CertUtils)
    module("io.jans.service.cdi.util", CdiUtil=CdiUtil)
    if "java" not in sys.modules:
        module("java")
    module("java.lang", String=str, Throwable=Throwable)
    module("java.util", Base64=JavaBase64, ArrayList=list)
    module("jarray", array=lambda values, _type: list(values))


def load_script():
    """Imports client_registration.py with `io.jans.as.` spelled `io.jans.as_.` in its import
    statements (CPython cannot parse `as` in a dotted name; Jython can)."""
    install_stand_ins()
    path = os.path.join(HERE, "client_registration.py")
    with open(path) as f:
        source = f.read()
    source = re.sub(r"^(\s*from\s+io\.jans)\.as\.", r"\1.as_.", source, flags=re.M)
    script = types.ModuleType("client_registration")
    script.__file__ = path
    sys.modules["client_registration"] = script
    exec(compile(source, path, "exec"), script.__dict__)
    return script


class Attributes(object):
    def __init__(self):
        self.tls_client_auth_subject_dn = None
        self.update_token_script_dns = []

    def setTlsClientAuthSubjectDn(self, dn):
        self.tls_client_auth_subject_dn = dn

    def getUpdateTokenScriptDns(self):
        return self.update_token_script_dns

    def setUpdateTokenScriptDns(self, dns):
        self.update_token_script_dns = list(dns)


class Client(object):
    """io.jans.as.common.model.registration.Client: records every setter call."""

    def __init__(self, software_id=None, dn="inum=C1,ou=clients,o=jans"):
        self.fields = {"SoftwareId": software_id} if software_id else {}
        self.attributes = Attributes()
        self.dn = dn

    def getAttributes(self):
        return self.attributes

    def getSoftwareId(self):
        return self.fields.get("SoftwareId")

    def getDn(self):
        return self.dn

    def __getattr__(self, name):
        if name.startswith("set") and len(name) > 3:
            return lambda value: self.fields.__setitem__(name[3:], value)
        raise AttributeError(name)


class JSONObject(object):
    def __init__(self, value):
        self.value = value

    def toString(self):
        return json.dumps(self.value)


class RegisterRequest(object):
    def __init__(self, json_object):
        self.json_object = json_object

    def getJsonObject(self):
        return self.json_object


class Jwt(object):
    def __init__(self, compact):
        self.parts = compact.split(".")

    def getSigningInput(self):
        return "%s.%s" % (self.parts[0], self.parts[1])

    def getEncodedSignature(self):
        return self.parts[2]


class Principal(object):
    def __init__(self, name):
        self.name = name

    def getName(self):
        return self.name


DEFAULT_SUBJECT = "CN=SW1,OU=ORG1,O=Acme,C=GB"


class X509Certificate(object):
    def __init__(self, pem, subject_rfc2253=DEFAULT_SUBJECT):
        body = re.search(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", pem, re.S).group(1)
        self.der = base64.b64decode("".join(body.split()))
        self.subject = subject_rfc2253

    def getEncoded(self):
        return self.der

    def getSubjectX500Principal(self):
        return Principal(self.subject)

    def getSubjectDN(self):
        return Principal(self.subject)


class HttpRequest(object):
    def __init__(self, headers):
        self.headers = headers

    def getHeader(self, name):
        return self.headers.get(name)


def ssa_claims(ssa):
    payload = ssa.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


class Store(object):
    """io.jans.orm.PersistenceEntryManager: find(Client, dn) gives the client as persisted."""

    def __init__(self, software_id):
        self.software_id = software_id

    def find(self, entry_class, dn):
        return Client(self.software_id, dn)


class Context(object):
    """DynamicClientRegistrationContext as createClient (or, update=True, updateClient) sees it.

    update: the body as posted (no SSA claims merged), no certificate parsed, and the client
    already overwritten from the body (its software_id if the body has one); `persisted` is the
    software id the store still has (default: the client's)."""

    def __init__(self, request, certificate_pem=None, header_only=False, client=None, update=False,
                 persisted=None, subject=DEFAULT_SUBJECT):
        merged = dict(request)
        ssa = request.get("software_statement")
        if ssa and not update:  # Janssen: overrideRequestObjectFromSoftwareStatement (putOpt of every SSA claim)
            merged.update(ssa_claims(ssa))
        self.register_request = RegisterRequest(JSONObject(merged))
        self.software_statement = Jwt(ssa) if ssa else None
        header_only = header_only or update
        self.certificate = None if (header_only or not certificate_pem) else X509Certificate(certificate_pem, subject)
        self.http_request = HttpRequest({"X-ClientCert": certificate_pem} if certificate_pem else {})
        self.client = client or Client()
        self.store = Store(persisted if persisted is not None else self.client.getSoftwareId())
        if update and request.get("software_id"):  # RegisterService.updateClientFromRequestObject
            self.client.fields["SoftwareId"] = request["software_id"]
        self.raised = None

    def getPersistenceEntryManager(self):
        return self.store

    def getRegisterRequest(self):
        return self.register_request

    def getSoftwareStatement(self):
        return self.software_statement

    def getDcr(self):
        return None  # Janssen sets it only for getDcrJwks

    def getCertificate(self):
        return self.certificate

    def getHttpRequest(self):
        return self.http_request

    def getClient(self):
        return self.client

    def createWebApplicationException(self, status, entity):
        self.raised = WebApplicationException(status, entity)
        return self.raised


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


def run_create(registration, context, update=False):
    """('accept', None) | ('reject'|'unavailable', error) | ('returned-false', None)."""
    try:
        result = registration.updateClient(context) if update else registration.createClient(context)
    except WebApplicationException as raised:
        error = json.loads(raised.entity).get("error")
        return ("reject" if raised.status == 400 else "unavailable" if raised.status == 503 else "status-%s" % raised.status), error
    return ("accept" if result is True else "returned-%r" % (result,)), None


# --------------------------------------------------------------------------- self-test

SAMPLE_SSA_CLAIMS = {"iss": "OpenBanking Ltd", "iat": 1767225600, "jti": "ssa-jti", "software_id": "SW1",
                     "org_id": "ORG1", "software_redirect_uris": ["https://a.example/cb"]}


def sample_ssa():
    def seg(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
    return "%s.%s.%s" % (seg({"alg": "PS256", "kid": "k"}), seg(SAMPLE_SSA_CLAIMS), "c2ln")


SAMPLE_PEM = ("-----BEGIN CERTIFICATE-----\n" + "\n".join(
    [base64.b64encode(bytes(range(256)) * 2).decode()[i:i + 64] for i in range(0, 684, 64)])
    + "\n-----END CERTIFICATE-----\n")

ACCEPT_ANSWER = {
    "verdict": "accept", "checks": [{"check": "signature", "outcome": "pass", "detail": "ok"}],
    "software_statement": {"software_id": "SW1"},
    "client": {"client_id": "SW1", "client_name": "Acme", "redirect_uris": ["https://a.example/cb"],
               "scope": "openid accounts unknownscope", "jwks_uri": "https://keys.example/SW1.jwks",
               "token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_subject_dn": "CN=SW1,OU=ORG1,O=Acme,C=GB",
               "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code id_token"],
               "software_id": "SW1", "org_id": "ORG1", "software_roles": ["AISP"],
               "id_token_signed_response_alg": "PS256"},
}


def free_port_refusing():
    """A local port nothing listens on."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def self_test(script):
    failures = []

    def check(name, condition, detail=""):
        if not condition:
            failures.append("%s %s" % (name, detail))

    def answer(value):
        return value if isinstance(value, str) else json.dumps(value)

    # interpret: only a 200 accept with a usable client is an accept.
    cases = [
        ("accept", 200, answer(ACCEPT_ANSWER), script.ACCEPT, None),
        ("reject", 200, answer({"verdict": "reject", "error": "invalid_redirect_uri", "error_description": "no", "checks": []}), script.REJECT, "invalid_redirect_uri"),
        ("reject, unknown error code", 200, answer({"verdict": "reject", "error": "server_error"}), script.REJECT, "invalid_client_metadata"),
        ("undecided", 200, answer({"verdict": "undecided", "error": "temporarily_unavailable", "error_description": "directory down"}), script.UNAVAILABLE, "temporarily_unavailable"),
        ("HTTP 500", 500, answer(ACCEPT_ANSWER), script.UNAVAILABLE, "temporarily_unavailable"),
        ("HTTP 400 invalid_request", 400, answer({"error": "invalid_request"}), script.UNAVAILABLE, "temporarily_unavailable"),
        ("HTTP 413", 413, "", script.UNAVAILABLE, "temporarily_unavailable"),
        ("HTTP 201 accept", 201, answer(ACCEPT_ANSWER), script.UNAVAILABLE, "temporarily_unavailable"),
        ("no answer", 0, "ConnectionRefusedError", script.UNAVAILABLE, "temporarily_unavailable"),
        ("malformed JSON", 200, '{"verdict": "accept", "client": {', script.UNAVAILABLE, "temporarily_unavailable"),
        ("HTML", 200, "<html>oops</html>", script.UNAVAILABLE, "temporarily_unavailable"),
        ("JSON array", 200, "[]", script.UNAVAILABLE, "temporarily_unavailable"),
        ("empty body", 200, "", script.UNAVAILABLE, "temporarily_unavailable"),
        ("accept without client", 200, answer({"verdict": "accept"}), script.UNAVAILABLE, "temporarily_unavailable"),
        ("accept, client without redirect URIs", 200, answer({"verdict": "accept", "client": {"client_id": "x"}}), script.UNAVAILABLE, "temporarily_unavailable"),
        ("accept with an error", 200, answer(dict(ACCEPT_ANSWER, error="invalid_client_metadata")), script.UNAVAILABLE, "temporarily_unavailable"),
        ("verdict ACCEPT (case)", 200, answer(dict(ACCEPT_ANSWER, verdict="ACCEPT")), script.UNAVAILABLE, "temporarily_unavailable"),
        ("verdict true", 200, answer(dict(ACCEPT_ANSWER, verdict=True)), script.UNAVAILABLE, "temporarily_unavailable"),
        ("no verdict", 200, answer({"client": ACCEPT_ANSWER["client"]}), script.UNAVAILABLE, "temporarily_unavailable"),
    ]
    for name, status, body, outcome, error in cases:
        got = script.interpret(status, body)
        check("interpret: " + name, got[0] == outcome and got[1] == error, "-> %r" % (got[:3],))

    # connection refused, through the real HTTP code: unavailable, never an accept, never raises.
    port = free_port_refusing()
    status, text = script.post_decision("http://127.0.0.1:%d" % port, "{}", 3)
    check("post_decision: connection refused", status == 0, "-> %r" % ((status, text),))
    check("interpret: connection refused", script.interpret(status, text)[0] == script.UNAVAILABLE)

    # build_call
    body = json.loads(script.build_call("a.b.c", software_statement="s.s.s", client_certificate="PEM"))
    check("build_call: JWT", body == {"registration_request": "a.b.c", "client_certificate": "PEM"}, repr(body))
    body = json.loads(script.build_call({"redirect_uris": ["https://a.example/cb"]}, software_statement="s.s.s"))
    check("build_call: SSA beside metadata without one", body.get("software_statement") == "s.s.s", repr(body))
    body = json.loads(script.build_call({"software_statement": "x.y.z"}, software_statement="s.s.s"))
    check("build_call: SSA inside metadata", "software_statement" not in body, repr(body))
    for bad in (None, "  ", 42):
        try:
            script.build_call(bad)
            check("build_call refuses %r" % (bad,), False)
        except ValueError:
            pass

    # request_metadata undoes Janssen's merge of the SSA claims.
    ssa = sample_ssa()
    merged = {"redirect_uris": ["https://a.example/cb"], "scope": "openid accounts", "software_statement": ssa,
              "token_endpoint_auth_method": "tls_client_auth"}
    merged.update(SAMPLE_SSA_CLAIMS)
    meta = script.request_metadata(merged)
    check("request_metadata", meta == {"redirect_uris": ["https://a.example/cb"], "scope": "openid accounts",
                                       "software_statement": ssa, "token_endpoint_auth_method": "tls_client_auth"}, repr(meta))

    # certificates
    one_line = SAMPLE_PEM.replace("\n", " ")
    escaped = SAMPLE_PEM.replace("\n", "%0A").replace(" ", "%20").replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    for name, value in (("PEM", SAMPLE_PEM), ("one line", one_line), ("URL-escaped", escaped)):
        check("normalize_pem: " + name, script.normalize_pem(value) == SAMPLE_PEM, repr(script.normalize_pem(value))[:80])
    check("normalize_pem: not a certificate", script.normalize_pem("hello") is None)
    check("cert CN = software id", script.cert_matches_software("organizationIdentifier=X,CN=SW1,OU=ORG1,C=GB", "SW1"))
    check("cert CN != software id", not script.cert_matches_software("CN=SW2,OU=ORG1", "SW1"))
    check("cert CN escaped comma", script.common_name("CN=a\\,b,O=x") == "a,b")
    check("cert without software id", not script.cert_matches_software("CN=SW1", None))

    # settings
    check("settings default", script.parse_settings(None, None)[:2] == ("http://127.0.0.1:8085", 10.0))
    check("settings given", script.parse_settings("http://127.0.0.1:9/", "3")[:2] == ("http://127.0.0.1:9", 3.0))
    check("settings bad", script.parse_settings("file:///etc/passwd", "0")[:2] == ("http://127.0.0.1:8085", 10.0))

    # createClient / updateClient end to end with a canned transport.
    def registration(status, body, seen=None):
        r = script.ClientRegistration(0)

        def transport(url, call, timeout):
            if seen is not None:
                seen.append(json.loads(call))
            return (status, body)
        r.transport = transport
        return r

    request = {"redirect_uris": ["https://a.example/cb"], "scope": "openid accounts", "software_statement": ssa,
               "token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_subject_dn": "CN=SW1,OU=ORG1,O=Acme,C=GB"}
    seen = []
    context = Context(request, SAMPLE_PEM)
    got = run_create(registration(200, answer(ACCEPT_ANSWER), seen), context)
    fields = context.client.fields
    check("createClient accept", got == ("accept", None), repr(got))
    check("createClient: redirect URIs", fields.get("RedirectUris") == ["https://a.example/cb"], repr(fields))
    check("createClient: scopes (unknown left out)", fields.get("Scopes") == [Scope("openid").getDn(), Scope("accounts").getDn()], repr(fields.get("Scopes")))
    check("createClient: grant types", fields.get("GrantTypes") == [GrantType("authorization_code"), GrantType("refresh_token")])
    check("createClient: response types", fields.get("ResponseTypes") == [ResponseType("code"), ResponseType("id_token")])
    check("createClient: auth method", fields.get("TokenEndpointAuthMethod") == "tls_client_auth")
    check("createClient: subject DN", context.client.attributes.tls_client_auth_subject_dn == "CN=SW1,OU=ORG1,O=Acme,C=GB")
    check("createClient: jwks_uri, software id", fields.get("JwksUri") == "https://keys.example/SW1.jwks" and fields.get("SoftwareId") == "SW1")
    check("createClient: org id stored as the client's organization", fields.get("Organization") == "ORG1", repr(fields.get("Organization")))
    check("createClient: no Update Token script attached without updateTokenScriptDn", context.client.attributes.update_token_script_dns == [])
    check("createClient: algorithms", fields.get("IdTokenSignedResponseAlg") == "PS256")
    call = seen[0] if seen else {}
    check("call: metadata without SSA claims", call.get("registration_request") == request, repr(call)[:200])
    check("call: certificate PEM", call.get("client_certificate") == SAMPLE_PEM)

    # authTokenFile: the token is sent as a bearer token; an unreadable or malformed file refuses (503).
    import tempfile
    token_dir = tempfile.mkdtemp()
    token_path = os.path.join(token_dir, "decision-token")
    with open(token_path, "w") as handle:
        handle.write("s3cret-token-0123456789\n")
    bearers = []
    r = script.ClientRegistration(0)

    def bearer_transport(url, call, timeout, bearer=None):
        bearers.append(bearer)
        return (200, answer(ACCEPT_ANSWER))
    r.transport = bearer_transport
    with captured():
        r.init(None, Props({"authTokenFile": token_path}))
    got = run_create(r, Context(request, SAMPLE_PEM))
    check("authTokenFile: accepted, the token sent as the bearer", got == ("accept", None) and bearers == ["s3cret-token-0123456789"], repr((got, bearers)))
    with open(token_path, "w") as handle:
        handle.write("two words\n")
    with captured() as logged:
        got = run_create(r, Context(request, SAMPLE_PEM))
    check("authTokenFile malformed: refused 503, the file never echoed", got[0] == "unavailable" and "two words" not in logged.getvalue(), repr(got))
    os.remove(token_path)
    with captured():
        got = run_create(r, Context(request, SAMPLE_PEM))
    check("authTokenFile missing: refused 503", got[0] == "unavailable", repr(got))
    os.rmdir(token_dir)

    # updateTokenScriptDn: the accepted client gets the Update Token script (others kept, no duplicate)
    script_dn = "inum=2DAF-F995,ou=scripts,o=jans"
    r = registration(200, answer(ACCEPT_ANSWER))
    with captured():
        r.init(None, Props({"updateTokenScriptDn": " %s " % script_dn}))
    context = Context(request, SAMPLE_PEM)
    context.client.attributes.update_token_script_dns = ["inum=OTHER,ou=scripts,o=jans", script_dn]
    got = run_create(r, context)
    check("createClient with updateTokenScriptDn: accepted", got == ("accept", None), repr(got))
    check("createClient with updateTokenScriptDn: the script is attached once, others kept",
          context.client.attributes.update_token_script_dns == ["inum=OTHER,ou=scripts,o=jans", script_dn],
          repr(context.client.attributes.update_token_script_dns))
    context = Context(request, SAMPLE_PEM)
    run_create(r, context)
    check("createClient with updateTokenScriptDn: attached to a new client", context.client.attributes.update_token_script_dns == [script_dn])
    for bad in ("not a dn", "inum=X,\nou=scripts", "=x"):
        check("updateTokenScriptDn %r refused" % bad, script.parse_script_dn(bad)[0] is None)
    check("updateTokenScriptDn unset", script.parse_script_dn(None) == (None, []))
    # an accepted client without org_id cannot be decided at token time: refused now
    no_org = dict(ACCEPT_ANSWER, client=dict((k, v) for k, v in ACCEPT_ANSWER["client"].items() if k != "org_id"))
    with captured():
        got = run_create(registration(200, answer(no_org)), Context(request, SAMPLE_PEM))
    check("createClient: an accepted client without org_id is refused (503)", got == ("unavailable", "temporarily_unavailable"), repr(got))

    header_context = Context(request, one_line, header_only=True)
    seen = []
    run_create(registration(200, answer(ACCEPT_ANSWER), seen), header_context)
    check("call: certificate from X-ClientCert header", seen and seen[0].get("client_certificate") == SAMPLE_PEM)

    refusals = [
        ("reject", 200, answer({"verdict": "reject", "error": "unapproved_software_statement", "error_description": "org revoked"}), ("reject", "unapproved_software_statement")),
        ("undecided", 200, answer({"verdict": "undecided", "error": "temporarily_unavailable"}), ("unavailable", "temporarily_unavailable")),
        ("HTTP 500", 500, "", ("unavailable", "temporarily_unavailable")),
        ("malformed JSON", 200, "{", ("unavailable", "temporarily_unavailable")),
        ("connection refused", 0, "ConnectionRefusedError", ("unavailable", "temporarily_unavailable")),
        ("unknown grant type", 200, answer(dict(ACCEPT_ANSWER, client=dict(ACCEPT_ANSWER["client"], grant_types=["made_up"]))), ("unavailable", "temporarily_unavailable")),
    ]
    for name, status, body, expected in refusals:
        context = Context(request, SAMPLE_PEM)
        got = run_create(registration(status, body), context)
        check("createClient " + name, got == expected, "-> %r" % (got,))
        check("createClient %s: exception recorded in the context" % name, context.raised is not None)
        check("createClient %s: client untouched" % name, "RedirectUris" not in context.client.fields or name == "unknown grant type")

    def broken_transport(url, call, timeout):
        raise RuntimeError("bug in the transport; " + ssa)
    r = script.ClientRegistration(0)
    r.transport = broken_transport
    with captured() as said:
        got = run_create(r, Context(request, SAMPLE_PEM))
    check("createClient: script error is unavailable", got == ("unavailable", "temporarily_unavailable"), repr(got))
    check("createClient: the log carries the exception's class and message",
          "RuntimeError: bug in the transport" in said.getvalue(), said.getvalue())
    check("createClient: the log carries no SSA", ssa.split(".")[1][:20] not in said.getvalue(), said.getvalue())

    # describe(): one line, secrets blanked
    text = script.describe(ValueError("bad %s and\n%s" % (ssa, SAMPLE_PEM)))
    check("describe: class and message", text.startswith("ValueError: bad "), text)
    check("describe: no JWT, no PEM, one line", ssa.split(".")[1][:20] not in text and "BEGIN CERTIFICATE" not in text
          and "\n" not in text, text)

    # native(): what goes to the HTTP library is the interpreter's str, ASCII only
    check("native: ASCII text", script.native(u"http://127.0.0.1:1") == "http://127.0.0.1:1")
    try:
        script.native(u"http://d\u00e9j\u00e0.example")
        check("native refuses non-ASCII", False)
    except UnicodeError:
        pass
    check("settings: non-ASCII URL keeps the default",
          script.parse_settings(u"http://d\u00e9j\u00e0.example", None)[0] == "http://127.0.0.1:8085")

    # the real transport against a closed port, through createClient
    r = script.ClientRegistration(0)
    r.base_url, r.timeout = "http://127.0.0.1:%d" % free_port_refusing(), 3
    got = run_create(r, Context(request, SAMPLE_PEM))
    check("createClient: connection refused", got == ("unavailable", "temporarily_unavailable"), repr(got))

    # updateClient: the body as posted, the certificate only in the header, the stored software id
    raw = dict(request, software_version="2.0")
    seen = []
    context = Context(raw, one_line, client=Client("SW1"), update=True)
    got = run_create(registration(200, answer(ACCEPT_ANSWER), seen), context, update=True)
    check("updateClient same software", got == ("accept", None), repr(got))
    check("updateClient: the body is sent as posted", seen and seen[0].get("registration_request") == raw, repr(seen)[:200])
    check("updateClient: certificate from the X-ClientCert header", seen and seen[0].get("client_certificate") == SAMPLE_PEM)
    got = run_create(registration(200, answer(ACCEPT_ANSWER)), Context(request, SAMPLE_PEM, client=Client("OTHER"), update=True), update=True)
    check("updateClient other software", got == ("reject", "invalid_software_statement"), repr(got))
    named = dict(request, software_id="SW1")  # Janssen copies it onto the client before the script runs
    got = run_create(registration(200, answer(ACCEPT_ANSWER)), Context(named, SAMPLE_PEM, client=Client("OTHER"), update=True), update=True)
    check("updateClient: software_id in the body does not replace the stored one", got == ("reject", "invalid_software_statement"), repr(got))
    got = run_create(registration(200, answer(ACCEPT_ANSWER)), Context(request, SAMPLE_PEM, client=Client(None), update=True), update=True)
    check("updateClient: a client stored without software id", got == ("reject", "invalid_software_statement"), repr(got))

    # the decided subject DN must name the certificate as Janssen's token endpoint compares them
    context = Context(request, SAMPLE_PEM, subject="2.5.4.97=X1,CN=SW1,OU=ORG1,O=Acme,C=GB")
    got = run_create(registration(200, answer(ACCEPT_ANSWER)), context)
    check("createClient: subject DN that does not name the certificate", got == ("reject", "invalid_client_metadata"), repr(got))
    check("createClient: subject DN mismatch leaves the client untouched", "Scopes" not in context.client.fields)
    context = Context(request, SAMPLE_PEM, subject="C=GB, O=Acme, OU=ORG1, CN=SW1")
    got = run_create(registration(200, answer(ACCEPT_ANSWER)), context)
    check("createClient: the same DN in another order and spacing", got == ("accept", None), repr(got))

    class Cert(object):
        def getSubjectX500Principal(self):
            return Principal("CN=SW1,OU=ORG1,O=Acme,C=GB")
    check("isCertValidForClient match", script.ClientRegistration(0).isCertValidForClient(Cert(), Context({}, client=Client("SW1"))) is True)
    check("isCertValidForClient other", script.ClientRegistration(0).isCertValidForClient(Cert(), Context({}, client=Client("SW9"))) is False)

    lines = ["FAIL " + failure for failure in failures]
    lines.append("self-test: %d checks failed" % len(failures) if failures else "self-test: all checks passed (fail-closed)")
    return (1 if failures else 0), lines


class Prop(object):
    def __init__(self, value):
        self.value = value

    def getValue2(self):
        return self.value


class Props(object):
    """The configurationAttributes map Janssen hands to init."""

    def __init__(self, values):
        self.values = dict((k, Prop(v)) for k, v in values.items())

    def containsKey(self, name):
        return name in self.values

    def get(self, name):
        return self.values[name]


# --------------------------------------------------------------------------- live run

def live(script, args):
    with open(args.ssa) as f:
        ssa = f.read().strip()
    with open(args.client_cert) as f:
        pem = f.read()
    out = subprocess.run(["openssl", "x509", "-noout", "-subject", "-nameopt", "RFC2253"], input=pem.encode(),
                         capture_output=True, check=True).stdout.decode().strip()
    subject = out[len("subject="):] if out.startswith("subject=") else out
    request = {
        "software_statement": ssa,
        "redirect_uris": [args.redirect_uri],
        "token_endpoint_auth_method": "tls_client_auth",
        "tls_client_auth_subject_dn": subject,
        "scope": "openid accounts",
    }
    registration = script.ClientRegistration(0)
    registration.base_url, registration.timeout, _ = script.parse_settings(args.url, args.timeout)
    context = Context(request, pem, subject=subject)
    outcome, error = run_create(registration, context)
    print("outcome: %s%s" % (outcome, " (%s)" % error if error else ""))
    if outcome != args.expect:
        print("FAIL expected %s" % args.expect)
        return 1
    if outcome == "accept" and context.client.fields.get("RedirectUris") != [args.redirect_uri]:
        print("FAIL the client did not get the redirect URIs: %r" % (context.client.fields.get("RedirectUris"),))
        return 1
    if args.expect_error and error != args.expect_error:
        print("FAIL expected error %s" % args.expect_error)
        return 1
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--self-test", action="store_true")
    parser.add_argument("--url")
    parser.add_argument("--ssa")
    parser.add_argument("--client-cert")
    parser.add_argument("--redirect-uri")
    parser.add_argument("--expect", choices=["accept", "reject"])
    parser.add_argument("--expect-error")
    parser.add_argument("--timeout", default="15")
    args = parser.parse_args()
    script = load_script()
    if args.self_test:
        with captured():
            status, lines = self_test(script)
        for line in lines:
            print(line)
        return status
    missing = [name for name in ("url", "ssa", "client_cert", "redirect_uri", "expect") if not getattr(args, name)]
    if missing:
        parser.error("missing --" + ", --".join(m.replace("_", "-") for m in missing))
    return live(script, args)


if __name__ == "__main__":
    sys.exit(main())
