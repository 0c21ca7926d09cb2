# -*- coding: utf-8 -*-
#
# ssa-toolkit: Janssen "Client Registration" custom script (Jython 2.7).
#
# Every dynamic client registration (create and update) is decided by ssa-toolkit's decision
# service (`ssa-verify serve`, POST /v1/decisions on 127.0.0.1); this script only forwards the
# request and the caller's certificate and applies the answer.
#
# FAIL CLOSED: the client is registered only when the service answered HTTP 200 with verdict
# "accept" (and a usable "client" object). A "reject" becomes HTTP 400 with the service's RFC 7591
# error; "undecided", a timeout, a refused connection, a non-200 answer, an unreadable answer or
# any error in this script becomes HTTP 503 temporarily_unavailable. createClient/updateClient
# never return True otherwise.
#
# Nothing secret is logged: not the request, not the software statement, not the certificate.
#
# Configuration properties (custom script properties):
#   ssaToolkitUrl    base URL of `ssa-verify serve`   (default http://127.0.0.1:8085)
#   timeoutSeconds   time limit of one decision call (default 10; 1 .. 120)
#
# The pure functions below (build_call, request_metadata, interpret, ...) use only the Python
# standard library and run unchanged on Jython 2.7 and CPython 3; test_client_registration.py
# exercises them with stand-ins for the Java classes.

from __future__ import print_function

import base64
import json
import re

from io.jans.model.custom.script.type.client import ClientRegistrationType
from java.lang import String as JavaString
from java.lang import Throwable as JavaThrowable
from java.util import Base64 as JavaBase64
import jarray

try:  # Jython 2.7 (and Python 2)
    import urllib2 as _http
    from urllib2 import HTTPError as _HTTPError
    from urllib import unquote as _unquote
    _text_types = (str, unicode)  # noqa: F821 (Python 2 only)
except ImportError:  # CPython 3
    import urllib.request as _http
    from urllib.error import HTTPError as _HTTPError
    from urllib.parse import unquote as _unquote
    _text_types = (str,)

LOG_PREFIX = "ssa-toolkit registration:"
DEFAULT_URL = "http://127.0.0.1:8085"
DEFAULT_TIMEOUT = 10.0
MAX_ANSWER_BYTES = 1024 * 1024
MAX_DESCRIPTION = 300

ACCEPT, REJECT, UNAVAILABLE = "accept", "reject", "unavailable"
RFC7591_ERRORS = ("invalid_redirect_uri", "invalid_client_metadata",
                  "invalid_software_statement", "unapproved_software_statement")
UNAVAILABLE_ERROR = "temporarily_unavailable"
# Registered JWT claims: meaningless in unsigned metadata (Janssen overwrites them with the SSA's).
JWT_CLAIMS = ("iss", "sub", "aud", "iat", "nbf", "exp", "jti")
# Failures this script turns into "unavailable" (Python errors and Java exceptions alike).
FAILURES = (Exception, JavaThrowable)


# --------------------------------------------------------------------------- pure functions

def _text(value):
    return isinstance(value, _text_types)


def _short(text):
    text = u"%s" % (text,)
    return text if len(text) <= MAX_DESCRIPTION else text[:MAX_DESCRIPTION - 3] + u"..."


def parse_settings(url=None, timeout=None):
    """(base_url, timeout_seconds, warnings) from the script properties; bad values keep defaults."""
    warnings = []
    base_url = DEFAULT_URL
    if url is not None and ("%s" % url).strip():
        candidate = ("%s" % url).strip().rstrip("/")
        if re.match(r"^https?://[^/?#\s]+(/[^?#\s]*)?$", candidate):
            base_url = candidate
        else:
            warnings.append("ssaToolkitUrl is not an http(s) URL; using %s" % DEFAULT_URL)
    seconds = DEFAULT_TIMEOUT
    if timeout is not None and ("%s" % timeout).strip():
        try:
            seconds = float(("%s" % timeout).strip())
            if not (1 <= seconds <= 120):
                raise ValueError()
        except ValueError:
            seconds = DEFAULT_TIMEOUT
            warnings.append("timeoutSeconds is not a number between 1 and 120; using %d" % DEFAULT_TIMEOUT)
    return base_url, seconds, warnings


def jwt_payload(compact):
    """The JSON object payload of a compact JWS, or None. Decoding only: nothing is verified."""
    try:
        parts = ("%s" % compact).strip().split(".")
        if len(parts) != 3:
            return None
        segment = parts[1] + "=" * (-len(parts[1]) % 4)
        value = json.loads(base64.urlsafe_b64decode(segment.encode("ascii")).decode("utf-8"))
        return value if isinstance(value, dict) else None
    except (ValueError, TypeError, UnicodeError):
        return None


def request_metadata(merged, software_statement=None):
    """The TPP's own registration metadata from the object Janssen parsed.

    Janssen decodes the request (JWT payload or JSON) and then copies every claim of the
    software statement over it. This undoes that: members named like a claim of the SSA and the
    registered JWT claims are dropped; `software_statement` itself is kept (or added)."""
    if not isinstance(merged, dict):
        raise ValueError("the registration request is not a JSON object")
    ssa = merged.get("software_statement")
    if not _text(ssa) or not ssa:
        ssa = software_statement
    ssa_claims = jwt_payload(ssa) if ssa else None
    dropped = set(JWT_CLAIMS) | set(ssa_claims or {})
    metadata = dict((k, v) for k, v in merged.items() if k not in dropped and k != "software_statement")
    if ssa:
        metadata["software_statement"] = ssa
    return metadata


def build_call(request=None, software_statement=None, client_certificate=None):
    """The JSON text of POST /v1/decisions.

    request: the compact request JWT as posted (a string) or the registration metadata (a dict);
    software_statement: the SSA, sent only when the request does not carry it;
    client_certificate: the caller's TLS client certificate as PEM."""
    body = {}
    if _text(request):
        if not request.strip():
            raise ValueError("empty registration request")
        body["registration_request"] = request.strip()
    elif isinstance(request, dict):
        body["registration_request"] = request
    elif request is not None:
        raise ValueError("the registration request must be a JWT string or a JSON object")
    carried = isinstance(request, dict) and request.get("software_statement")
    if software_statement and not carried and not _text(request):
        body["software_statement"] = software_statement
    if client_certificate:
        body["client_certificate"] = client_certificate
    if "registration_request" not in body and "software_statement" not in body:
        raise ValueError("neither a registration request nor a software statement")
    return json.dumps(body, sort_keys=True)


def pem_from_base64(der_base64):
    """A CERTIFICATE PEM block from base64 DER text (64-character lines)."""
    body = re.sub(r"\s+", "", "%s" % der_base64)
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def normalize_pem(header_value):
    """The caller's certificate as forwarded in a header (X-ClientCert), as a clean PEM block.

    Accepts a PEM with newlines, a PEM folded onto one line (newlines turned into spaces, as
    Apache's SSL_CLIENT_CERT often arrives) and a URL-escaped PEM (nginx
    $ssl_client_escaped_cert). Returns None when there is no certificate."""
    if header_value is None:
        return None
    text = ("%s" % header_value).strip()
    if "%" in text:
        text = _unquote(text)
    match = re.search(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", text, re.S)
    if not match:
        return None
    body = re.sub(r"\s+", "", match.group(1))
    if not body or not re.match(r"^[A-Za-z0-9+/]+=*$", body):
        return None
    return pem_from_base64(body)


def interpret(status, body_text):
    """(outcome, error, description, client) from the service's answer.

    ACCEPT only for HTTP 200 + a JSON object with verdict "accept" and a client object whose
    redirect_uris is a list of strings. REJECT for HTTP 200 + verdict "reject" (the error is kept
    when it is an RFC 7591 code, else invalid_client_metadata). Anything else is UNAVAILABLE."""
    if status != 200:
        reason = "no answer" if not status else "HTTP %s" % status
        return (UNAVAILABLE, UNAVAILABLE_ERROR, "the registration decision service gave %s" % reason, None)
    try:
        decision = json.loads(body_text)
    except (ValueError, TypeError):
        decision = None
    if not isinstance(decision, dict):
        return (UNAVAILABLE, UNAVAILABLE_ERROR, "the registration decision service's answer is not a JSON object", None)
    verdict = decision.get("verdict")
    description = decision.get("error_description")
    description = _short(description) if _text(description) and description else None
    if verdict == "accept":
        client = decision.get("client")
        uris = client.get("redirect_uris") if isinstance(client, dict) else None
        if isinstance(uris, list) and uris and all(_text(u) and u for u in uris) and not decision.get("error"):
            return (ACCEPT, None, None, client)
        return (UNAVAILABLE, UNAVAILABLE_ERROR, "the registration decision service accepted without a usable client", None)
    if verdict == "reject":
        error = decision.get("error")
        if error not in RFC7591_ERRORS:
            error = "invalid_client_metadata"
        return (REJECT, error, description or "the registration request was refused", None)
    return (UNAVAILABLE, UNAVAILABLE_ERROR, description or "the registration could not be decided; try again later", None)


def check_update(existing_software_id, client):
    """None when an accepted update keeps the client's software; else a REJECT outcome."""
    decided = client.get("software_id") if isinstance(client, dict) else None
    if existing_software_id and decided and existing_software_id == decided:
        return None
    return (REJECT, "invalid_software_statement",
            "the software statement is not the one this client was registered with", None)


def http_status(outcome):
    return 400 if outcome == REJECT else 503


def error_entity(error, description):
    return json.dumps({"error": error, "error_description": description or ""}, sort_keys=True)


def common_name(rfc2253):
    """The first CN value of an RFC 2253 DN string (handles \\-escapes), or None."""
    if not rfc2253:
        return None
    rdns, current, escaped = [], "", False
    for ch in "%s" % rfc2253:
        if escaped:
            current, escaped = current + ch, False
        elif ch == "\\":
            current, escaped = current + ch, True
        elif ch in ",+":
            rdns.append(current)
            current = ""
        else:
            current += ch
    rdns.append(current)
    for rdn in rdns:
        name, _, value = rdn.partition("=")
        if name.strip().upper() in ("CN", "2.5.4.3", "OID.2.5.4.3"):
            return re.sub(r"\\(.)", r"\1", value.strip())
    return None


def cert_matches_software(subject_rfc2253, software_id):
    """isCertValidForClient: the certificate's CN is the client's software statement id."""
    cn = common_name(subject_rfc2253)
    return bool(cn) and bool(software_id) and cn == software_id


def post_decision(base_url, body, timeout):
    """POSTs the call; returns (status, text). Never raises: a failure is status 0.
    Proxies from the environment are ignored (the service is local)."""
    request = _http.Request(base_url + "/v1/decisions", data=body.encode("utf-8"),
                            headers={"Content-Type": "application/json", "Accept": "application/json"})
    opener = _http.build_opener(_http.ProxyHandler({}))
    try:
        response = opener.open(request, timeout=timeout)
        try:
            data = response.read(MAX_ANSWER_BYTES + 1)
            if len(data) > MAX_ANSWER_BYTES:
                return (0, "answer too large")
            return (response.getcode(), data.decode("utf-8"))
        finally:
            response.close()
    except _HTTPError as error:
        return (error.code, "")
    except FAILURES as error:
        return (0, type(error).__name__)


# --------------------------------------------------------------------------- Janssen glue

def _java_class(module, name):
    # `io.jans.as...`: `as` is a keyword in CPython, so these are imported by name.
    return getattr(__import__(module, globals(), locals(), [name]), name)


def _log(message):
    print("%s %s" % (LOG_PREFIX, message))


def _strings(values):
    return jarray.array([u"%s" % v for v in values], JavaString)


def certificate_pem(context):
    """The caller's certificate: the one Janssen parsed from X-ClientCert, else the header."""
    certificate = context.getCertificate()
    if certificate is not None:
        return pem_from_base64(JavaBase64.getEncoder().encodeToString(certificate.getEncoded()))
    http_request = context.getHttpRequest()
    if http_request is not None:
        return normalize_pem(http_request.getHeader("X-ClientCert"))
    return None


def call_from_context(context):
    """The decision call for this registration."""
    ssa_jwt = context.getSoftwareStatement()
    ssa = None
    if ssa_jwt is not None:
        ssa = "%s.%s" % (ssa_jwt.getSigningInput(), ssa_jwt.getEncodedSignature())
    dcr = context.getDcr()
    if dcr is not None:  # the request JWT as posted, when Janssen hands it over
        request = "%s.%s" % (dcr.getSigningInput(), dcr.getEncodedSignature())
    else:
        register_request = context.getRegisterRequest()
        json_object = register_request.getJsonObject() if register_request is not None else None
        if json_object is None:
            raise ValueError("no registration request in the context")
        request = request_metadata(json.loads("%s" % json_object.toString()), ssa)
    return build_call(request, software_statement=ssa, client_certificate=certificate_pem(context))


def apply_client(client, decided):
    """Writes the accepted client metadata onto the Janssen client. Raises on anything it cannot
    apply (the caller then refuses the registration)."""
    GrantType = _java_class("io.jans.as.model.common", "GrantType")
    ResponseType = _java_class("io.jans.as.model.common", "ResponseType")
    ScopeService = _java_class("io.jans.as.server.service", "ScopeService")
    CdiUtil = _java_class("io.jans.service.cdi.util", "CdiUtil")

    client.setRedirectUris(_strings(decided["redirect_uris"]))
    method = decided.get("token_endpoint_auth_method")
    if not _text(method) or not method:
        raise ValueError("no token_endpoint_auth_method")
    client.setTokenEndpointAuthMethod(method)
    subject_dn = decided.get("tls_client_auth_subject_dn")
    if method == "tls_client_auth" and not subject_dn:
        raise ValueError("tls_client_auth without tls_client_auth_subject_dn")
    if subject_dn:
        client.getAttributes().setTlsClientAuthSubjectDn(subject_dn)
    if decided.get("jwks_uri"):
        client.setJwksUri(decided["jwks_uri"])
    if decided.get("client_name"):
        client.setClientName(decided["client_name"])
    if decided.get("software_id"):
        client.setSoftwareId(decided["software_id"])

    grants = []
    for name in decided.get("grant_types") or []:
        grant = GrantType.fromString(name)
        if grant is None:
            raise ValueError("grant type %s is unknown to this server" % name)
        grants.append(grant)
    if grants:
        client.setGrantTypes(jarray.array(grants, GrantType))
    responses = []
    for combined in decided.get("response_types") or []:
        for name in combined.split():
            response_type = ResponseType.fromString(name)
            if response_type is None:
                raise ValueError("response type %s is unknown to this server" % name)
            if response_type not in responses:
                responses.append(response_type)
    if responses:
        client.setResponseTypes(jarray.array(responses, ResponseType))

    for member, setter in (("id_token_signed_response_alg", "setIdTokenSignedResponseAlg"),
                           ("request_object_signing_alg", "setRequestObjectSigningAlg"),
                           ("token_endpoint_auth_signing_alg", "setTokenEndpointAuthSigningAlg"),
                           ("userinfo_signed_response_alg", "setUserInfoSignedResponseAlg")):
        if decided.get(member):
            getattr(client, setter)(decided[member])

    # Janssen keeps scopes as DNs. A scope this server does not define is left out (fewer rights).
    scope_service = CdiUtil.bean(ScopeService)
    dns = []
    for name in (decided.get("scope") or "").split():
        scope = scope_service.getScopeById(name)
        if scope is None:
            _log("scope %s is not defined on this server; not granted" % name)
        else:
            dns.append(scope.getDn())
    client.setScopes(_strings(dns))


class ClientRegistration(ClientRegistrationType):
    def __init__(self, currentTimeMillis):
        self.currentTimeMillis = currentTimeMillis
        self.base_url = DEFAULT_URL
        self.timeout = DEFAULT_TIMEOUT
        self.transport = post_decision  # replaced by the tests

    def init(self, customScript, configurationAttributes):
        def prop(name):
            if configurationAttributes is not None and configurationAttributes.containsKey(name):
                return configurationAttributes.get(name).getValue2()
            return None
        self.base_url, self.timeout, warnings = parse_settings(prop("ssaToolkitUrl"), prop("timeoutSeconds"))
        for warning in warnings:
            _log(warning)
        _log("decisions from %s/v1/decisions (time limit %ss)" % (self.base_url, self.timeout))
        return True

    def destroy(self, configurationAttributes):
        return True

    def getApiVersion(self):
        return 11

    def createClient(self, context):
        return self.decide(context, update=False)

    def updateClient(self, context):
        return self.decide(context, update=True)

    def decide(self, context, update):
        """True only for an accepted decision that was applied; otherwise raises the refusal."""
        action = "update" if update else "create"
        try:
            existing = context.getClient().getSoftwareId() if update else None
            status, text = self.transport(self.base_url, call_from_context(context), self.timeout)
            outcome = interpret(status, text)
            if outcome[0] == ACCEPT and update:
                outcome = check_update(existing, outcome[3]) or outcome
            if outcome[0] == ACCEPT:
                apply_client(context.getClient(), outcome[3])
                _log("%s accepted: software_id %s" % (action, outcome[3].get("software_id")))
                return True
        except FAILURES as error:
            _log("%s refused: %s in the registration script" % (action, type(error).__name__))
            outcome = (UNAVAILABLE, UNAVAILABLE_ERROR, "the registration could not be decided; try again later", None)
        _log("%s refused: %s (%s)" % (action, outcome[0], outcome[1]))
        raise context.createWebApplicationException(http_status(outcome[0]), error_entity(outcome[1], outcome[2]))

    # Open Banking software statements and request JWTs are signed with public keys, verified by
    # ssa-toolkit: no HMAC secrets, and no key sets handed to Janssen (configure Janssen so that
    # it does not ask for them; see README.md). A blank/None answer makes Janssen refuse.
    def getSoftwareStatementHmacSecret(self, context):
        return ""

    def getSoftwareStatementJwks(self, context):
        return None

    def getDcrHmacSecret(self, context):
        return ""

    def getDcrJwks(self, context):
        return None

    def isCertValidForClient(self, cert, context):
        """Token endpoint (mutual TLS): Janssen asks when the certificate's CN is not the client
        id. It is valid when its CN is the client's software id; Janssen then still compares the
        subject DN for tls_client_auth."""
        try:
            client = context.getClient()
            software_id = client.getSoftwareId() if client is not None else None
            subject = cert.getSubjectX500Principal().getName() if cert is not None else None
            return cert_matches_software(subject, software_id)
        except FAILURES:
            return False

    def modifyPutResponse(self, responseAsJsonObject, executionContext):
        return True  # answer as Janssen built it

    def modifyReadResponse(self, responseAsJsonObject, executionContext):
        return True

    def modifyPostResponse(self, responseAsJsonObject, executionContext):
        return True
