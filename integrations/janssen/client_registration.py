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
# Nothing secret is logged: not the request, not the software statement, not the certificate, not
# a token. A failure is logged with its exception class and message (JWT- and base64-looking runs
# in a message are blanked out first).
#
# Configuration properties (custom script properties):
#   ssaToolkitUrl        base URL of `ssa-verify serve`   (default http://127.0.0.1:8085)
#   timeoutSeconds       time limit of one decision call (default 10; 1 .. 120)
#   authTokenFile        optional: a file holding the bearer token `ssa-verify serve --auth-token`
#                        expects; sent as `Authorization: Bearer ...` (read for each decision)
#   updateTokenScriptDn  optional: the DN of the Update Token script (update_token.py), e.g.
#                        inum=XXXX-XXXX,ou=scripts,o=jans; every accepted client gets it in
#                        ClientAttributes.updateTokenScriptDns, so that its token requests are
#                        decided too
#
# What an accepted client keeps for the token script: its software_id in Client.softwareId
# (attribute jansSoftId) and its org_id in Client.organization (attribute "o"), both plain
# attributes of Janssen's client entry (no schema extension); update_token.py reads them back.
#
# Janssen runs this file under Jython 2.7: text handed to the HTTP library must be byte strings
# (java.lang.String values arrive as `unicode`), and Janssen classes are imported with plain
# `from io.jans.as... import X` statements inside the functions that need them (never
# `__import__("io.jans...")`: the name `io` is also the standard library's module). The imports
# stay inside the functions so that a missing class refuses the registration (HTTP 503) instead of
# failing the script's load (Janssen would then register clients without it).
#
# The proof is jython/run-jython-tests.sh (real Jython, a real decision service). The pure
# functions below (build_call, request_metadata, interpret, ...) use only the Python standard
# library; test_client_registration.py also runs them on CPython 3 with stand-ins for the Java
# classes.

from __future__ import print_function

import base64

from io.jans.model.custom.script.type.client import ClientRegistrationType
from java.lang import String as JavaString
from java.util import Base64 as JavaBase64
import jarray

# --- BEGIN generated from shared/common.py by `make janssen-scripts`: edit that file, not this block ---
# The helpers client_registration.py and update_token.py share (Janssen custom scripts, Jython 2.7;
# the CPython tests run them too). Janssen stores each custom script as ONE source text (pasted
# into the admin UI, kept in its database), so a script cannot import a module installed beside
# it: `make janssen-scripts` (generate-scripts.sh) copies this file verbatim into both scripts,
# between the BEGIN/END "generated from shared/common.py" marker lines. Edit this file, never a
# copy; `generate-scripts.sh --check` fails when a copy is out of step.
#
# Python 2.7 syntax only (no f-strings, nothing Python 3-only). The helpers read these names of
# the script around them when they run (module globals, defined after this block):
#   LOG_PREFIX                    the start of every log line (_log)
#   DEFAULT_TIMEOUT, MIN_TIMEOUT, MAX_TIMEOUT
#                                 timeoutSeconds: its default and its range (parse_service_settings)
#   MAX_ANSWER_BYTES              the largest answer read from the service (post_decision)
#   DECISION_PATH, DECISION_NAME  the service's route ("/v1/decisions") and what the log calls it
#                                 ("decision": "the decision call failed: ...") (post_decision)
#   DECISION_HEADERS              headers the script adds to its call (post_decision)

import json
import re
import time

from java.lang import Throwable as JavaThrowable

try:  # Jython 2.7 (and Python 2)
    import urllib2 as _http
    from urllib2 import HTTPError as _HTTPError
    from urllib import unquote as _unquote
    _text_types = (str, unicode)  # noqa: F821 (Python 2 only)
    _int_types = (int, long)  # noqa: F821 (Python 2 only)
except ImportError:  # CPython 3
    import urllib.request as _http
    from urllib.error import HTTPError as _HTTPError
    from urllib.parse import unquote as _unquote
    _text_types = (str,)
    _int_types = (int,)

DEFAULT_URL = "http://127.0.0.1:8085"
MAX_DESCRIPTION = 300
MAX_TOKEN_FILE_BYTES = 4096
UNAVAILABLE_ERROR = "temporarily_unavailable"
# Failures the scripts turn into "unavailable" (Python errors and Java exceptions alike).
FAILURES = (Exception, JavaThrowable)


def _text(value):
    return isinstance(value, _text_types)


def _short(text):
    text = u"%s" % (text,)
    return text if len(text) <= MAX_DESCRIPTION else text[:MAX_DESCRIPTION - 3] + u"..."


def native(text):
    """ASCII text as the interpreter's own str: a byte string on Jython 2.7 (where a
    java.lang.String arrives as unicode, which its socket refuses to send), text on CPython 3.
    Raises UnicodeError for anything else than ASCII."""
    if not isinstance(text, str):
        text = text.encode("ascii")
        if not isinstance(text, str):  # CPython 3: bytes -> str
            text = text.decode("ascii")
    text.encode("ascii")
    return text


def script_property(configuration_attributes, name):
    """The value of the custom script property `name` (Janssen hands init a map of
    SimpleCustomProperty by name), or None when it is not set."""
    if configuration_attributes is not None and configuration_attributes.containsKey(name):
        return configuration_attributes.get(name).getValue2()
    return None


def parse_service_settings(url=None, timeout=None):
    """(base_url, timeout_seconds, warnings) from the ssaToolkitUrl and timeoutSeconds properties;
    bad values keep the defaults (DEFAULT_URL, DEFAULT_TIMEOUT; a timeout outside MIN_TIMEOUT ..
    MAX_TIMEOUT is bad). base_url is a native str (see native())."""
    warnings = []
    base_url = DEFAULT_URL
    if url is not None and (u"%s" % url).strip():
        candidate = (u"%s" % url).strip().rstrip(u"/")
        try:
            candidate = native(candidate)
        except UnicodeError:
            candidate = None
        if candidate and re.match(r"^https?://[^/?#\s]+(/[^?#\s]*)?$", candidate):
            base_url = candidate
        else:
            warnings.append("ssaToolkitUrl is not an http(s) URL; using %s" % DEFAULT_URL)
    seconds = DEFAULT_TIMEOUT
    if timeout is not None and (u"%s" % timeout).strip():
        try:
            seconds = float((u"%s" % timeout).strip())
            if not (MIN_TIMEOUT <= seconds <= MAX_TIMEOUT):
                raise ValueError()
        except ValueError:
            seconds = DEFAULT_TIMEOUT
            warnings.append("timeoutSeconds is not a number between %s and %s; using %s"
                            % (MIN_TIMEOUT, MAX_TIMEOUT, DEFAULT_TIMEOUT))
    return base_url, seconds, warnings


def parse_token_file(value):
    """The authTokenFile property: the path (surrounding whitespace ignored), or None when unset."""
    if value is None or not (u"%s" % value).strip():
        return None
    return (u"%s" % value).strip()


def parse_bearer_token(data):
    """The bearer token from the bytes of authTokenFile: one line of visible ASCII, surrounding
    whitespace ignored. Raises ValueError otherwise (the file's content is never echoed)."""
    if len(data) > MAX_TOKEN_FILE_BYTES:
        raise ValueError("authTokenFile is larger than %d bytes" % MAX_TOKEN_FILE_BYTES)
    try:
        text = data.decode("ascii").strip()
    except UnicodeError:
        raise ValueError("authTokenFile is not ASCII")
    if not text or not re.match(r"^[\x21-\x7e]+$", text):
        raise ValueError("authTokenFile does not hold one token of visible ASCII characters")
    return native(text)


def read_bearer_token(path):
    """The bearer token in the file `path` (parse_bearer_token). Raises ValueError (never echoing
    the file's content) or IOError/OSError."""
    handle = open(path, "rb")
    try:
        data = handle.read(MAX_TOKEN_FILE_BYTES + 1)
    finally:
        handle.close()
    return parse_bearer_token(data)


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


def error_entity(error, description):
    """The JSON entity of a refusal: {"error": ..., "error_description": ...}."""
    return json.dumps({"error": error, "error_description": description or ""}, sort_keys=True)


_SECRET_LOOKING = (
    re.compile(r"[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]*"),  # a compact JWT
    re.compile(r"-----BEGIN [A-Z ]+-----.*?(-----END [A-Z ]+-----|$)", re.S),  # a PEM block
    re.compile(r"[A-Za-z0-9+/_=-]{48,}"),  # a long base64 run (a key, a certificate, a token)
)


def describe(error):
    """'Class: message' of an exception (Python or Java) for the log: one line, at most
    MAX_DESCRIPTION characters, with anything that looks like a JWT, a PEM block or a long base64
    run blanked out. Never raises."""
    try:
        name = type(error).__name__
        try:
            message = u"%s" % (error,)
        except Exception:  # an exception whose text cannot be made
            message = u""
        for pattern in _SECRET_LOOKING:
            message = pattern.sub(u"[...]", message)
        message = u" ".join(message.split())
        # A Java exception's text starts with its class name: say it once.
        message = re.sub(u"^[\\w.$]*\\b%s(: |$)" % re.escape(name), u"", message)
        return _short(u"%s: %s" % (name, message) if message else name)
    except Exception:
        return u"an error that could not be described"


def post_decision(base_url, body, timeout, bearer=None):
    """POSTs the call to base_url + DECISION_PATH; returns (status, text). Never raises: a failure
    is status 0, and is logged. At most `timeout` seconds to connect and about as long to read the
    whole answer (a deadline across reads), at most MAX_ANSWER_BYTES of it. Proxies from the
    environment are ignored (the service is local). URL, headers and body are native byte strings
    on Jython (its httplib/socket refuse unicode)."""
    deadline = time.time() + timeout
    try:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        headers.update(DECISION_HEADERS)
        if bearer:
            headers["Authorization"] = native("Bearer " + bearer)
        request = _http.Request(native(base_url + DECISION_PATH), data=body.encode("utf-8"), headers=headers)
        opener = _http.build_opener(_http.ProxyHandler({}))
        response = opener.open(request, timeout=timeout)
        try:
            chunks, size = [], 0
            while True:
                if time.time() > deadline:
                    raise IOError("the answer took longer than %ss" % timeout)
                chunk = response.read(16384)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_ANSWER_BYTES:
                    return (0, "answer too large")
            return (response.getcode(), b"".join(chunks).decode("utf-8"))
        finally:
            response.close()
    except _HTTPError as error:
        _log("the %s service answered HTTP %s" % (DECISION_NAME, error.code))
        return (error.code, "")
    except FAILURES as error:
        _log("the %s call failed: %s" % (DECISION_NAME, describe(error)))
        return (0, type(error).__name__)


def _log(message):
    """One log line (Janssen sends the script's standard output to its log). Never raises."""
    try:
        print(u"%s %s" % (LOG_PREFIX, message))
    except Exception:
        try:
            print("%s (a log line that could not be printed)" % LOG_PREFIX)
        except Exception:
            pass
# --- END generated from shared/common.py ---

LOG_PREFIX = "ssa-toolkit registration:"
DEFAULT_TIMEOUT = 10.0
MIN_TIMEOUT, MAX_TIMEOUT = 1, 120
MAX_ANSWER_BYTES = 1024 * 1024
DECISION_PATH, DECISION_NAME = "/v1/decisions", "decision"
DECISION_HEADERS = {}

ACCEPT, REJECT, UNAVAILABLE = "accept", "reject", "unavailable"
RFC7591_ERRORS = ("invalid_redirect_uri", "invalid_client_metadata",
                  "invalid_software_statement", "unapproved_software_statement")
# Registered JWT claims: meaningless in unsigned metadata (Janssen overwrites them with the SSA's).
JWT_CLAIMS = ("iss", "sub", "aud", "iat", "nbf", "exp", "jti")


# --------------------------------------------------------------------------- pure functions

def parse_script_dn(value):
    """(dn, warnings) for updateTokenScriptDn: None when unset; a DN-looking ASCII string
    (name=value pairs, no control characters) else None with a warning."""
    if value is None or not (u"%s" % value).strip():
        return None, []
    dn = (u"%s" % value).strip()
    if re.match(u"^[A-Za-z][A-Za-z0-9.-]*=[^,=\s][^,]*(,\s*[A-Za-z][A-Za-z0-9.-]*=[^,]+)*$", dn) and \
            not re.search(u"[\x00-\x1f\x7f]", dn):
        return dn, []
    return None, ["updateTokenScriptDn is not a DN (e.g. inum=...,ou=scripts,o=jans); no token script is attached"]


# (base_url, timeout_seconds, warnings) from the ssaToolkitUrl and timeoutSeconds properties.
parse_settings = parse_service_settings


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


# --------------------------------------------------------------------------- Janssen glue

def _strings(values):
    return jarray.array([u"%s" % v for v in values], JavaString)


def certificate_pem(context):
    """The caller's certificate as PEM: the one Janssen parsed from X-ClientCert (createClient),
    else the X-ClientCert header itself (updateClient: Janssen parses no certificate there)."""
    certificate = context.getCertificate()
    if certificate is not None:
        return pem_from_base64(JavaBase64.getEncoder().encodeToString(certificate.getEncoded()))
    http_request = context.getHttpRequest()
    if http_request is not None:
        return normalize_pem(http_request.getHeader("X-ClientCert"))
    return None


def call_from_context(context, update=False):
    """The decision call for this registration.

    createClient: Janssen hands over the decoded request with every claim of the SSA copied over
    it; request_metadata undoes that. updateClient: Janssen hands over the PUT body as it came
    (a JSON object: a JWT body fails in Janssen before the script runs), sent unchanged."""
    ssa_jwt = context.getSoftwareStatement()
    ssa = None
    if ssa_jwt is not None:
        ssa = "%s.%s" % (ssa_jwt.getSigningInput(), ssa_jwt.getEncodedSignature())
    dcr = context.getDcr()
    if dcr is not None and not update:  # the request JWT as posted, when Janssen hands it over
        request = "%s.%s" % (dcr.getSigningInput(), dcr.getEncodedSignature())
    else:
        register_request = context.getRegisterRequest()
        json_object = register_request.getJsonObject() if register_request is not None else None
        if json_object is None:
            raise ValueError("no registration request in the context")
        body = json.loads(u"%s" % json_object.toString())
        if not isinstance(body, dict):
            raise ValueError("the registration request is not a JSON object")
        request = body if update else request_metadata(body, ssa)
    return build_call(request, software_statement=ssa, client_certificate=certificate_pem(context))


def registered_software_id(context):
    """updateClient: the software id the client was registered with, read back from the store.
    Janssen copies the PUT body's own software_id onto context.getClient() before the script
    runs (RegisterService.updateClientFromRequestObject), so that one proves nothing."""
    from io.jans.as.common.model.registration import Client
    client = context.getClient()
    manager = context.getPersistenceEntryManager()
    if client is None or manager is None:
        raise ValueError("no client or no persistence manager in the update context")
    stored = manager.find(Client, client.getDn())
    if stored is None:
        raise ValueError("the client being updated is not in the store")
    return stored.getSoftwareId()


def check_subject_dn(context, subject_dn, certificate_text):
    """tls_client_auth_subject_dn must name the caller's certificate the way Janssen's token
    endpoint will compare them (MTLSService: CertUtils.equalsRdn(dn,
    cert.getSubjectDN().getName())). None when it does (or when there is no certificate to
    compare with: the decision service already compared it); else a REJECT outcome."""
    from io.jans.as.model.util import CertUtils
    certificate = context.getCertificate()
    if certificate is None and certificate_text:
        certificate = CertUtils.x509CertificateFromPem(certificate_text)
    if certificate is None:
        return None
    if CertUtils.equalsRdn(subject_dn, certificate.getSubjectDN().getName()):
        return None
    return (REJECT, "invalid_client_metadata",
            "tls_client_auth_subject_dn does not name the client certificate's subject", None)


def attach_update_token_script(client, dn):
    """Adds the Update Token script's DN to the client's updateTokenScriptDns (kept: any other
    script an administrator attached). Janssen runs a client's Update Token scripts by these DNs
    (ExternalUpdateTokenService.getScripts)."""
    from java.util import ArrayList
    attributes = client.getAttributes()
    current = attributes.getUpdateTokenScriptDns()
    dns = [u"%s" % d for d in current] if current is not None else []
    if dn not in dns:
        dns.append(dn)
    attributes.setUpdateTokenScriptDns(ArrayList(dns))


def apply_client(client, decided, update_token_script_dn=None):
    """Writes the accepted client metadata onto the Janssen client. Raises on anything it cannot
    apply (the caller then refuses the registration)."""
    from io.jans.as.model.common import GrantType, ResponseType
    from io.jans.as.server.service import ScopeService
    from io.jans.service.cdi.util import CdiUtil

    # What the Update Token script sends at every token request: without them, every token
    # request of this client would be refused, so the registration is refused now.
    for member in ("software_id", "org_id"):
        if not _text(decided.get(member)) or not decided.get(member).strip():
            raise ValueError("the accepted client has no %s" % member)

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
    client.setSoftwareId(decided["software_id"])
    client.setOrganization(decided["org_id"])
    if update_token_script_dn:
        attach_update_token_script(client, update_token_script_dn)

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
        self.update_token_script_dn = None
        self.transport = post_decision  # replaced by the tests
        self.token_file = None

    def init(self, customScript, configurationAttributes):
        def prop(name):
            return script_property(configurationAttributes, name)
        self.base_url, self.timeout, warnings = parse_settings(prop("ssaToolkitUrl"), prop("timeoutSeconds"))
        self.update_token_script_dn, dn_warnings = parse_script_dn(prop("updateTokenScriptDn"))
        self.token_file = parse_token_file(prop("authTokenFile"))
        for warning in warnings + dn_warnings:
            _log(warning)
        _log("decisions from %s/v1/decisions (time limit %ss)%s" % (
            self.base_url, self.timeout,
            "; accepted clients get the Update Token script %s" % self.update_token_script_dn if self.update_token_script_dn else ""))
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
            existing = registered_software_id(context) if update else None
            call = call_from_context(context, update)
            if self.token_file:
                status, text = self.transport(self.base_url, call, self.timeout, read_bearer_token(self.token_file))
            else:
                status, text = self.transport(self.base_url, call, self.timeout)
            outcome = interpret(status, text)
            if outcome[0] == ACCEPT and update:
                outcome = check_update(existing, outcome[3]) or outcome
            if outcome[0] == ACCEPT and outcome[3].get("tls_client_auth_subject_dn"):
                outcome = check_subject_dn(context, outcome[3]["tls_client_auth_subject_dn"],
                                           json.loads(call).get("client_certificate")) or outcome
            if outcome[0] == ACCEPT:
                apply_client(context.getClient(), outcome[3], self.update_token_script_dn)
                _log("%s accepted: software_id %s" % (action, outcome[3].get("software_id")))
                return True
        except FAILURES as error:
            _log("%s refused: error in the registration script: %s" % (action, describe(error)))
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
        except FAILURES as error:
            _log("isCertValidForClient: error in the registration script: %s" % describe(error))
            return False

    def modifyPutResponse(self, responseAsJsonObject, executionContext):
        return True  # answer as Janssen built it

    def modifyReadResponse(self, responseAsJsonObject, executionContext):
        return True

    def modifyPostResponse(self, responseAsJsonObject, executionContext):
        return True
