# -*- coding: utf-8 -*-
#
# ssa-toolkit: Janssen "Update Token" custom script (UpdateTokenType, API version 11, Jython 2.7).
#
# Every token request of a client this script is attached to is decided by ssa-toolkit's decision
# service (`ssa-verify serve`, POST /v1/token-decisions on 127.0.0.1): ONE call per token request,
# whose answer all six hooks of that request share (see DecisionMemo and request_key). This script
# decides nothing itself: it forwards what Janssen is about to issue and applies the answer.
#
#   allow       the granted scopes (context.overwriteAccessTokenScopes, and the grant's scopes in
#               the other hooks, never widening them), the id_token claims (openbanking_intent_id,
#               sub, ...) in modifyIdToken, the access token claims (cnf {"x5t#S256": ...} merged
#               into Janssen's cnf) in modifyAccessToken when the access token is a JWT, the
#               lifetimes from the three get*LifetimeInSeconds hooks; a refresh lifetime of null
#               means no refresh token:
#               modifyRefreshToken returns False, which is how Janssen's API lets a script stop a
#               refresh token (AuthorizationGrant.saveRefreshToken then issues none).
#   deny        RAISED from every hook (context.createWebApplicationException) with the status
#               of the decision's error: access_denied 403, invalid_grant 400, invalid_client 401,
#               unsupported_grant_type 400, invalid_scope 400; any other error code is
#               403 access_denied. Janssen ignores False from modifyIdToken, so a hook never
#               returns False to refuse.
#   otherwise   (undecided, timeout, refused connection, non-200, unreadable answer, any error in
#               this script) HTTP 503 {"error": "temporarily_unavailable", ...}, raised. FAIL
#               CLOSED: nothing is issued on an error.
#
# Refused HERE, without calling the service (the same refusal as a deny, remembered for every hook
# of the request; the service would refuse such a call as malformed, HTTP 400, which this script
# could only turn into 503, or deny it anyway):
#   token_endpoint_auth_method  the client's (Client.getTokenEndpointAuthMethod()) must be exactly
#               tls_client_auth, private_key_jwt or self_signed_tls_client_auth (byte for byte:
#               not TLS_Client_Auth, not client_secret_basic, not none, not missing):
#               otherwise 401 invalid_client.
#   grant_type  must be exactly authorization_code, refresh_token, client_credentials or
#               urn:openid:params:grant-type:ciba (GRANT_TYPES): otherwise (password, implicit,
#               device_code, Authorization_Code, empty, ...) 400 unsupported_grant_type. This list
#               is the service's DEFAULT allow-list; the service's configured allow-list may only
#               narrow it (a grant type it leaves out is denied by the service, 400
#               unsupported_grant_type), never widen it: a grant type outside GRANT_TYPES never
#               reaches the service.
#   scope       at least one scope, each a non-empty run of the characters RFC 6749 section 3.3
#               allows (bytes 0x21, 0x23-0x5B, 0x5D-0x7E; no space, tab, quote, backslash or
#               non-ASCII): otherwise 400 invalid_scope.
# The log says which check refused, with the offending value escaped and cut short.
#
# Nothing secret is logged: not the token, not the certificate, not the request, not the claims.
# A failure is logged with its exception class and message (JWT-, PEM- and base64-looking runs
# in a message are blanked out first).
#
# Configuration properties (custom script properties):
#   ssaToolkitUrl    base URL of `ssa-verify serve`   (default http://127.0.0.1:8085)
#   timeoutSeconds   time limit of the decision call  (default 2; 0.1 .. 30): the token
#                    endpoint's hot path waits for it
#   authTokenFile    optional: a file holding the bearer token `ssa-verify serve --auth-token`
#                    expects; sent as `Authorization: Bearer ...` (re-read when the file changes)
#
# What it reads from Janssen: the client (client id, token endpoint auth method, registered
# tls_client_auth_subject_dn, and software_id / org_id as client_registration.py stored them:
# Client.getSoftwareId() ("jansSoftId") and Client.getOrganization() ("o")), the grant (scopes,
# user id, acr, the authorization request's claims parameter: the request object's, else the
# `claims` parameter), the token request's grant_type, and the caller's certificate from the
# X-ClientCert header.
#
# Janssen runs this file under Jython 2.7: text handed to the HTTP library must be byte strings
# (java.lang.String values arrive as `unicode`); Java classes are imported with plain
# `from package import X` statements (never `__import__("io.jans...")`: `io` is also the
# standard library's module), those beyond java.lang inside the functions that need them, so that
# a missing class refuses the token request (503) instead of failing the script's load (Janssen
# skips a script that does not load, and would then issue tokens undecided); claim values are
# handed to JwtClaims.setClaim as Java types chosen here (a Python int would land on
# setClaim(String, Boolean) and become `true`).
#
# The proof is jython/run-jython-tests.sh (real Jython, a real decision service). The pure
# functions below (build_call, interpret, DecisionMemo, ...) use only the Python standard
# library; test_update_token.py also runs them on CPython 3 with stand-ins for the Java classes.

from __future__ import print_function

import base64
import os
import threading
import uuid

from io.jans.model.custom.script.type.token import UpdateTokenType
from java.lang import Long as JavaLong

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

try:
    from collections import OrderedDict as _OrderedDict
except ImportError:  # pragma: no cover
    _OrderedDict = dict

LOG_PREFIX = "ssa-toolkit token:"
DEFAULT_TIMEOUT = 2.0
MIN_TIMEOUT, MAX_TIMEOUT = 0.1, 30.0
MAX_ANSWER_BYTES = 256 * 1024
DECISION_PATH, DECISION_NAME = "/v1/token-decisions", "token decision"
# On every token request: the decision without the sentences of the checks that passed (RFC 7240;
# the service answers Preference-Applied). The script reads the verdict, the error, the scope,
# the claims and the lifetimes, never a passing check's sentence, and parses less JSON.
DECISION_HEADERS = {"Prefer": "return=minimal"}
MAX_LIFETIME = 2147483647  # a Java int

# One decision per token request: remembered under the request's key (request_key) for at most
# MEMO_MAX_AGE seconds (a token request takes milliseconds), at most MEMO_MAX_ENTRIES at once.
MEMO_MAX_ENTRIES = 1024
MEMO_MAX_AGE = 30.0
# The HttpServletRequest attribute naming this token request's memo entry.
REQUEST_ATTRIBUTE = "io.ssa_toolkit.token_decision"

ALLOW, DENY, UNAVAILABLE = "allow", "deny", "unavailable"
# The deny error codes and the HTTP status each is raised with; any other code on a deny is
# access_denied (403).
DENY_ERRORS = {"access_denied": 403, "invalid_grant": 400, "invalid_client": 401,
               "unsupported_grant_type": 400, "invalid_scope": 400}
# The only token_endpoint_auth_method values sent (byte for byte); any other is refused here, 401.
TOKEN_ENDPOINT_AUTH_METHODS = ("tls_client_auth", "private_key_jwt", "self_signed_tls_client_auth")
# The decision service's DEFAULT grant_type allow-list: the only grant types sent. The service's
# configured allow-list may only narrow it; any other grant type is refused here, 400.
GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials", "urn:openid:params:grant-type:ciba")
# RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). \Z, not $: $ would let a
# trailing newline through.
SCOPE_TOKEN = re.compile(r"^[\x21\x23-\x5B\x5D-\x7E]+\Z")
MAX_SHOWN = 40  # characters of an offending value shown in the log
# Claims the decision never sets: the server's own (and, in the access token, what Janssen puts
# there). A decision naming one is treated as unreadable (503). The access token's `cnf` is
# merged into Janssen's (a DPoP jkt stays), never replaced.
SERVER_CLAIMS = ("iss", "aud", "exp", "iat", "nbf", "jti")
ID_TOKEN_RESERVED = SERVER_CLAIMS + ("nonce", "azp", "at_hash", "c_hash", "s_hash", "auth_time")
ACCESS_TOKEN_RESERVED = SERVER_CLAIMS + ("scope", "client_id", "token_type", "x5t#S256")
THUMBPRINT = re.compile(r"^[A-Za-z0-9_-]{43}\Z")  # \Z: $ would let a trailing newline through


# --------------------------------------------------------------------------- pure functions

def parse_settings(url=None, timeout=None, token_file=None):
    """(base_url, timeout_seconds, token_file, warnings) from the script properties; bad values
    keep the defaults. base_url is a native str (see native())."""
    base_url, seconds, warnings = parse_service_settings(url, timeout)
    return base_url, seconds, parse_token_file(token_file), warnings


def stored_ssa_claims(software_statement):
    """The claims of the SSA Janssen keeps with the client (Client.getSoftwareStatement(),
    attribute jansSoftStatement, stored when the registration was accepted), decoded once per
    token request; {} when there is none or it cannot be read. Read without verifying: the SSA
    was verified at registration; its claims here only say whom to ask and where the directory
    publishes the software's keys."""
    if not _text(software_statement):
        return {}
    parts = software_statement.strip().split(u".")
    if len(parts) != 3 or not parts[1] or len(parts[1]) > 65536 or not re.match(r"^[A-Za-z0-9_-]+$", parts[1]):
        return {}
    try:
        payload = base64.urlsafe_b64decode(str(parts[1] + u"=" * (-len(parts[1]) % 4)))
        claims = json.loads(payload.decode("utf-8"))
    except (ValueError, TypeError, UnicodeError):
        return {}
    return claims if isinstance(claims, dict) else {}


def text_claim(claims, name):
    """A non-empty string claim of `claims`, else None. `iss` tells the service which trusted
    directory to ask (without it: its only directory, or the one its defaultTokenDirectory names,
    else it denies)."""
    value = claims.get(name)
    return value if _text(value) and value else None


class Refused(Exception):
    """A token request this script refuses itself, without calling the service: `error` (a key of
    DENY_ERRORS) and `description` go to the caller, `detail` (which check, the offending value
    escaped by shown()) to the log only."""

    def __init__(self, error, description, detail):
        Exception.__init__(self, detail)
        self.error, self.description, self.detail = error, description, detail


def shown(value):
    """A value for the log: quoted, anything but printable ASCII (and the quote and backslash)
    escaped, at most MAX_SHOWN characters. Never raises."""
    try:
        if value is None:
            return u"(none)"
        if not _text(value):
            return u"(a %s)" % type(value).__name__
        out = []
        for char in value[:MAX_SHOWN]:
            code = ord(char)
            if 0x20 <= code <= 0x7E and char not in u"'\\":
                out.append(char)
            elif code <= 0xFF:
                out.append(u"\\x%02x" % code)
            else:
                out.append(u"\\u%04x" % code)
        return u"'%s'%s" % (u"".join(out), u"..." if len(value) > MAX_SHOWN else u"")
    except Exception:
        return u"(a value that could not be shown)"


def _one_of(names):
    return u", ".join(names[:-1]) + u" or " + names[-1]


def check_call(token_endpoint_auth_method, grant_type, scopes):
    """Raises Refused when the call must not be made: a token_endpoint_auth_method other than the
    three exact spellings (401 invalid_client), a grant_type outside GRANT_TYPES (400
    unsupported_grant_type), no scope or a scope name RFC 6749 section 3.3 does not allow (400
    invalid_scope). Exact comparisons: nothing is stripped or case-folded."""
    if not _text(token_endpoint_auth_method) or token_endpoint_auth_method not in TOKEN_ENDPOINT_AUTH_METHODS:
        raise Refused("invalid_client",
                      "the client's token_endpoint_auth_method is not %s" % _one_of(TOKEN_ENDPOINT_AUTH_METHODS),
                      u"token_endpoint_auth_method %s is not %s"
                      % (shown(token_endpoint_auth_method), _one_of(TOKEN_ENDPOINT_AUTH_METHODS)))
    if not _text(grant_type) or grant_type not in GRANT_TYPES:
        raise Refused("unsupported_grant_type", "the grant type is not supported",
                      u"grant_type %s is not %s" % (shown(grant_type), _one_of(GRANT_TYPES)))
    if not isinstance(scopes, (list, tuple)):
        raise ValueError("the scopes about to be granted are not a list of scope names")
    if not scopes:
        raise Refused("invalid_scope", "no scope is about to be granted", u"no scope is about to be granted")
    for scope in scopes:
        if not _text(scope) or not SCOPE_TOKEN.match(scope):
            raise Refused("invalid_scope", "a scope about to be granted is not a valid scope name (RFC 6749 section 3.3)",
                          u"scope %s is not a scope name RFC 6749 section 3.3 allows" % shown(scope))


def build_call(client_id, software_id, org_id, grant_type, scopes, token_endpoint_auth_method=None,
               tls_client_auth_subject_dn=None, user_id=None, acr=None, claims=None, client_certificate=None,
               ssa_issuer=None, software_jwks_endpoint=None, software_jwks_revoked_endpoint=None,
               legal_entity_id=None, ssa_scope=None):
    """The JSON text of POST /v1/token-decisions. Absent optional members are left out (the
    service refuses unknown members, and null ones are no use to it). Raises ValueError when the
    call cannot be made (503), Refused when it must not be (check_call)."""
    body = {}
    for name, value in (("client_id", client_id), ("software_id", software_id), ("org_id", org_id)):
        if not _text(value) or not value.strip():
            raise ValueError("the token request has no %s" % name)
        body[name] = value.strip()
    check_call(token_endpoint_auth_method, grant_type, scopes)
    body["token_endpoint_auth_method"] = token_endpoint_auth_method
    body["grant_type"] = grant_type
    body["scope"] = u" ".join(scopes)
    for name, value in (("tls_client_auth_subject_dn", tls_client_auth_subject_dn),
                        ("user_id", user_id), ("acr", acr), ("client_certificate", client_certificate),
                        ("ssa_issuer", ssa_issuer), ("software_jwks_endpoint", software_jwks_endpoint),
                        ("software_jwks_revoked_endpoint", software_jwks_revoked_endpoint),
                        ("legal_entity_id", legal_entity_id), ("ssa_scope", ssa_scope)):
        if value is not None and not _text(value):
            raise ValueError("%s is not text" % name)
        if value:
            body[name] = value
    if claims is not None:
        if not isinstance(claims, dict):
            raise ValueError("the claims parameter is not a JSON object")
        body["claims"] = claims
    return json.dumps(body, sort_keys=True)


def _lifetime(value, name, optional=False):
    if value is None and optional:
        return None
    if isinstance(value, bool):
        raise ValueError(name)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, _int_types):
        raise ValueError(name)
    if optional and value == 0:
        return None
    if not (1 <= value <= MAX_LIFETIME):
        raise ValueError(name)
    return int(value)


def _claims(value, reserved, member):
    """A claims object of the answer: names not reserved, top-level values that Janssen's
    JwtClaims can carry (text, booleans, whole numbers, objects, arrays; null is skipped)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError("%s is not an object" % member)
    for name, item in value.items():
        if name in reserved:
            raise ValueError("%s sets %s" % (member, name))
        if isinstance(item, float) and not item.is_integer():
            raise ValueError("%s.%s is a fractional number (no JwtClaims.setClaim takes one)" % (member, name))
    return value


def deny(error, description):
    """A DENY decision: the status of `error` (DENY_ERRORS), any other code as access_denied."""
    if error not in DENY_ERRORS:
        error = "access_denied"
    return {"outcome": DENY, "status": DENY_ERRORS[error], "error": error,
            "description": description or "the token request was refused"}


def unavailable(description):
    return {"outcome": UNAVAILABLE, "status": 503, "error": UNAVAILABLE_ERROR,
            "description": description or "the token request could not be decided; try again later"}


def interpret(status, body_text):
    """The decision (a dict with "outcome" ALLOW / DENY / UNAVAILABLE) from the service's answer.

    ALLOW only for HTTP 200 + a JSON object with verdict "allow", no error, a scope string and
    usable lifetimes and claims. DENY for HTTP 200 + verdict "deny", with the status of its error
    (DENY_ERRORS: access_denied 403, invalid_grant 400, invalid_client 401, unsupported_grant_type
    400, invalid_scope 400; any other error code is 403 access_denied). Anything else, including
    HTTP 400 invalid_request (a malformed call from this script), is UNAVAILABLE: 503."""
    if status != 200:
        return unavailable("the token decision service gave %s" % ("no answer" if not status else "HTTP %s" % status))
    try:
        decision = json.loads(body_text)
    except (ValueError, TypeError):
        decision = None
    if not isinstance(decision, dict):
        return unavailable("the token decision service's answer is not a JSON object")
    verdict = decision.get("verdict")
    description = decision.get("error_description")
    description = _short(description) if _text(description) and description else None
    if verdict == "deny":
        error = decision.get("error")
        return deny(error if _text(error) else None, description)
    if verdict != "allow":
        return unavailable(description)
    try:
        if decision.get("error"):
            raise ValueError("an allow with an error")
        scope = decision.get("scope")
        if not _text(scope):
            raise ValueError("no scope")
        scopes = [s for s in scope.split(" ") if s]
        lifetimes = decision.get("lifetimes")
        if not isinstance(lifetimes, dict) or "refresh_token" not in lifetimes:
            raise ValueError("no lifetimes")
        access = _lifetime(lifetimes.get("access_token"), "lifetimes.access_token")
        id_token = _lifetime(lifetimes.get("id_token"), "lifetimes.id_token")
        refresh = _lifetime(lifetimes.get("refresh_token"), "lifetimes.refresh_token", optional=True)
        id_claims = dict(_claims(decision.get("id_token_claims"), ID_TOKEN_RESERVED, "id_token_claims"))
        at_claims = dict(_claims(decision.get("access_token_claims"), ACCESS_TOKEN_RESERVED, "access_token_claims"))
        intent = decision.get("openbanking_intent_id")
        if intent is not None and not _text(intent):
            raise ValueError("openbanking_intent_id is not text")
        if intent and "openbanking_intent_id" not in id_claims:
            id_claims["openbanking_intent_id"] = intent
        thumbprint = decision.get("x5t#S256")
        if thumbprint is not None and (not _text(thumbprint) or not THUMBPRINT.match(thumbprint)):
            raise ValueError("x5t#S256 is not a base64url SHA-256")
        # cnf: the members the decision gives (in access_token_claims), and x5t#S256 (RFC 8705)
        cnf = at_claims.pop("cnf", None)
        if cnf is None:
            cnf = {}
        if not isinstance(cnf, dict):
            raise ValueError("access_token_claims.cnf is not an object")
        cnf = dict(cnf)
        bound = cnf.get("x5t#S256")
        if bound is not None and (not _text(bound) or not THUMBPRINT.match(bound)):
            raise ValueError("access_token_claims.cnf.x5t#S256 is not a base64url SHA-256")
        if bound and thumbprint and bound != thumbprint:
            raise ValueError("access_token_claims.cnf.x5t#S256 is not the decision's x5t#S256")
        if thumbprint:
            cnf["x5t#S256"] = thumbprint
        removed = decision.get("scopes_removed")
        removed = removed if isinstance(removed, list) else []
    except (ValueError, TypeError, AttributeError) as error:
        return unavailable("the token decision service allowed without a usable answer (%s)" % error)
    return {"outcome": ALLOW, "status": 200, "scopes": scopes, "removed": removed,
            "lifetimes": {"access_token": access, "id_token": id_token, "refresh_token": refresh},
            "id_token_claims": id_claims, "access_token_claims": at_claims, "cnf": cnf}


def narrowed(granted, current):
    """The granted scopes that are also in the grant's current scopes, in the decision's order:
    applying a decision never adds a scope Janssen was not about to grant."""
    current = set(current)
    return [scope for scope in granted if scope in current]


class DecisionMemo(object):
    """Decisions by request key, each kept at most max_age seconds, at most max_entries at once
    (the oldest go first). Thread-safe: Janssen runs token requests in parallel."""

    def __init__(self, max_entries=MEMO_MAX_ENTRIES, max_age=MEMO_MAX_AGE, clock=time.time):
        self.max_entries, self.max_age, self.clock = max_entries, max_age, clock
        self.entries = _OrderedDict()
        self.lock = threading.Lock()

    def _expire(self, now):
        for key in list(self.entries.keys()):
            if now - self.entries[key][0] <= self.max_age:
                break  # insertion order: the rest are younger
            del self.entries[key]

    def get(self, key):
        with self.lock:
            now = self.clock()
            self._expire(now)
            entry = self.entries.get(key)
            return entry[1] if entry is not None else None

    def put(self, key, decision):
        with self.lock:
            now = self.clock()
            self._expire(now)
            self.entries.pop(key, None)
            self.entries[key] = (now, decision)
            while len(self.entries) > self.max_entries:
                del self.entries[next(iter(self.entries))]

    def __len__(self):
        with self.lock:
            return len(self.entries)


# --------------------------------------------------------------------------- Janssen glue

def _string(value):
    """A Java String (or None) as Python text; anything else is refused."""
    if value is None:
        return None
    if not _text(value):
        raise ValueError("expected text, got %s" % type(value).__name__)
    return u"%s" % value


def request_key(context):
    """The key of this token request's decision.

    Janssen hands each hook its own ExternalUpdateTokenContext (ExternalUpdateTokenContext.of(...)
    per hook, or one built for the id_token processor without an execution context), but all of
    one token request share the HttpServletRequest and the grant. The first hook stores a fresh
    random marker as an attribute of that HttpServletRequest (request attributes live exactly as
    long as the request); the key is (marker, client id, grant id). Without an HTTP request the
    marker is the grant object's identity (Jython never reuses an id())."""
    grant = context.getGrant()
    client = context.getClient()
    grant_id = grant.getGrantId() if grant is not None else None
    client_id = client.getClientId() if client is not None else None
    http_request = context.getHttpRequest()
    if http_request is not None:
        marker = http_request.getAttribute(REQUEST_ATTRIBUTE)
        if marker is None:
            marker = u"%s" % uuid.uuid4().hex
            http_request.setAttribute(REQUEST_ATTRIBUTE, marker)
        marker = u"%s" % marker
    elif grant is not None:
        marker = u"grant-object-%d" % id(grant)
    else:
        raise ValueError("neither an HTTP request nor a grant in the token context")
    return (marker, u"%s" % client_id, u"%s" % grant_id)


def claims_parameter(grant):
    """The authorization request's claims parameter as a dict, or None: the verified request
    object's `claims` member (JwtAuthorizationRequest.getJsonPayload()) when there is one, else
    the grant's `claims` (the authorization request's parameter, kept with the grant)."""
    jwt_request = grant.getJwtAuthorizationRequest()
    if jwt_request is not None:
        payload = jwt_request.getJsonPayload()
        if payload is not None and payload.has("claims"):
            value = json.loads(u"%s" % payload.get("claims").toString())
            if not isinstance(value, dict):
                raise ValueError("the request object's claims member is not a JSON object")
            return value
    text = grant.getClaims()
    if text is not None and (u"%s" % text).strip():
        value = json.loads(u"%s" % text)
        if not isinstance(value, dict):
            raise ValueError("the grant's claims parameter is not a JSON object")
        return value
    return None


def grant_type_of(context, grant):
    """The token request's grant_type parameter as sent (Janssen dispatched on it; an empty one is
    refused by check_call), else, when the request has none, the grant's own type (tokens issued
    outside a token request, e.g. CIBA push)."""
    http_request = context.getHttpRequest()
    value = http_request.getParameter("grant_type") if http_request is not None else None
    if value is not None:
        return u"%s" % value
    grant_type = grant.getGrantType()
    return u"%s" % grant_type.getValue() if grant_type is not None else None


def current_scopes(grant):
    return [u"%s" % scope for scope in grant.getScopes()]


def call_from_context(context):
    """The decision call for this token request, from what Janssen is about to issue."""
    grant = context.getGrant()
    client = context.getClient()
    if client is None and grant is not None:
        client = grant.getClient()
    if grant is None or client is None:
        raise ValueError("no grant or no client in the token context")
    http_request = context.getHttpRequest()
    certificate = normalize_pem(http_request.getHeader("X-ClientCert")) if http_request is not None else None
    stored = stored_ssa_claims(_string(client.getSoftwareStatement()) if hasattr(client, "getSoftwareStatement") else None)
    return build_call(
        client_id=_string(client.getClientId()),
        software_id=_string(client.getSoftwareId()),
        org_id=_string(client.getOrganization()),
        grant_type=grant_type_of(context, grant),
        scopes=current_scopes(grant),
        token_endpoint_auth_method=_string(client.getTokenEndpointAuthMethod()),
        tls_client_auth_subject_dn=_string(client.getAttributes().getTlsClientAuthSubjectDn()),
        user_id=_string(grant.getUserId()),
        acr=_string(grant.getAcrValues()),
        claims=claims_parameter(grant),
        client_certificate=certificate,
        ssa_issuer=text_claim(stored, "iss"),
        # Where the directory publishes the software's transport certificates
        # (transportKeyBinding): Open Finance Brasil's SSA names a transport key set of its own
        # (software_jwks_transport_uri); in Open Banking UK the client's jwks_uri is the SSA's
        # software_jwks_endpoint.
        software_jwks_endpoint=text_claim(stored, "software_jwks_transport_uri")
        or (_string(client.getJwksUri()) if hasattr(client, "getJwksUri") else None)
        or text_claim(stored, "software_jwks_endpoint"),
        software_jwks_revoked_endpoint=text_claim(stored, "software_jwks_transport_inactive_uri")
        or text_claim(stored, "software_jwks_revoked_endpoint"),
        # The CDR: the Register keeps status per legal entity, and nothing outside the SSA's
        # scope is granted.
        legal_entity_id=text_claim(stored, "legal_entity_id"),
        ssa_scope=text_claim(stored, "scope"))


def java_claim(value):
    """A JSON value as the Java object JwtClaims.setClaim takes, or None for null.

    Under Jython a Python int matches setClaim(String, Boolean) (the claim becomes `true`), so
    integers go as java.lang.Long; objects and arrays as org.json JSONObject/JSONArray (what
    Janssen itself puts in claims); text as String; booleans as Boolean. A fractional number has
    no setClaim overload in Janssen and is refused."""
    from org.json import JSONArray, JSONObject
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("a fractional number cannot be a claim here")
        value = int(value)
    if isinstance(value, _int_types):
        return JavaLong(value)
    if _text(value):
        return value
    if isinstance(value, dict):
        return JSONObject(json.dumps(value, sort_keys=True))
    if isinstance(value, list):
        return JSONArray(json.dumps(value))
    raise ValueError("a claim of type %s" % type(value).__name__)


def set_claims(claims, values):
    """Sets every claim of `values` (a dict) on a Janssen JwtClaims."""
    for name in sorted(values):
        value = java_claim(values[name])
        if value is not None:
            claims.setClaim(name, value)


def set_confirmation(claims, members):
    """The decision's cnf members (x5t#S256: the access token bound to the caller's certificate,
    RFC 8705) merged into the access token's cnf claim: members Janssen put there (a DPoP jkt,
    say) are kept unless the decision names them."""
    from org.json import JSONObject
    cnf = {}
    existing = claims.getClaim("cnf")
    if existing is not None:
        try:
            cnf = json.loads(u"%s" % (existing,))
        except ValueError:
            cnf = {}
        if not isinstance(cnf, dict):
            cnf = {}
    cnf.update(members)
    claims.setClaim("cnf", JSONObject(json.dumps(cnf, sort_keys=True)))


def java_scope_set(scopes):
    from java.util import LinkedHashSet
    result = LinkedHashSet()
    for scope in scopes:
        result.add(scope)
    return result


def narrow_grant_scopes(context, decision):
    """The grant's scopes cut down to the granted ones (a refresh token stores them)."""
    grant = context.getGrant()
    if grant is None:
        raise ValueError("no grant in the token context")
    current = current_scopes(grant)
    scopes = narrowed(decision["scopes"], current)
    if scopes != current:
        grant.setScopes(java_scope_set(scopes))
    return scopes


def access_token_claims(context):
    """The access token JWT's claims (ExternalUpdateTokenContext.getClaims()), or None when the
    access token is not a JWT. Raises when the client's access tokens are JWTs but this Janssen
    does not hand their claims to the script: the decision could not be applied."""
    getter = getattr(context, "getClaims", None)
    claims = getter() if getter is not None else None
    if claims is None:
        client = context.getClient()
        if client is not None and client.isAccessTokenAsJwt():
            raise ValueError("the access token is a JWT but the context gives no access to its claims")
    return claims


def refusal(context, status, entity):
    """The exception that refuses the token request with this status and JSON entity:
    context.createWebApplicationException (which also records it in the context, for Janssen's
    throwWebApplicationExceptionIfSet), else a plain jakarta WebApplicationException."""
    try:
        return context.createWebApplicationException(status, entity)
    except FAILURES as error:
        _log("createWebApplicationException failed: %s" % describe(error))
        from jakarta.ws.rs import WebApplicationException
        from jakarta.ws.rs.core import Response
        return WebApplicationException(Response.status(status).entity(entity).build())


class UpdateToken(UpdateTokenType):
    def __init__(self, currentTimeMillis):
        self.currentTimeMillis = currentTimeMillis
        self.base_url = DEFAULT_URL
        self.timeout = DEFAULT_TIMEOUT
        self.token_file = None
        self.token_cache = (None, None)  # (file state, token)
        self.memo = DecisionMemo()
        self.transport = post_decision  # replaced by the tests

    def init(self, customScript, configurationAttributes):
        def prop(name):
            return script_property(configurationAttributes, name)
        self.base_url, self.timeout, self.token_file, warnings = parse_settings(
            prop("ssaToolkitUrl"), prop("timeoutSeconds"), prop("authTokenFile"))
        for warning in warnings:
            _log(warning)
        if self.token_file:
            try:
                self.bearer()
            except FAILURES as error:
                _log("authTokenFile cannot be used (every token request will be refused until it can): %s" % describe(error))
        _log("token decisions from %s/v1/token-decisions (time limit %ss%s)"
             % (self.base_url, self.timeout, ", bearer token from authTokenFile" if self.token_file else ""))
        return True

    def destroy(self, configurationAttributes):
        return True

    def getApiVersion(self):
        return 11

    def bearer(self):
        """The bearer token from authTokenFile (None when not configured), re-read when the
        file's size or modification time changes. Raises when it cannot be read."""
        if not self.token_file:
            return None
        info = os.stat(self.token_file)
        state = (info.st_mtime, info.st_size)
        cached_state, token = self.token_cache
        if cached_state != state or token is None:
            token = read_bearer_token(self.token_file)
            self.token_cache = (state, token)
        return token

    # ----------------------------------------------------------------- the decision

    def decision_for(self, context):
        """This token request's decision: from the memo, else from one call to the service.
        Failures become an UNAVAILABLE decision (remembered like any other, so that every hook
        of the request refuses alike)."""
        key = request_key(context)
        decision = self.memo.get(key)
        if decision is not None:
            return decision
        client = context.getClient()
        who = u"client %s" % (client.getClientId() if client is not None else None)
        refused_here = None
        try:
            call = call_from_context(context)
            status, text = self.transport(self.base_url, call, self.timeout, self.bearer())
            decision = interpret(status, text)
            if decision["outcome"] == UNAVAILABLE and status == 400:
                _log("%s: the service refused the call as malformed (HTTP 400)" % who)
        except Refused as refused:
            refused_here = refused.detail
            decision = deny(refused.error, refused.description)
        except FAILURES as error:
            _log("%s: error in the token script: %s" % (who, describe(error)))
            decision = unavailable(None)
        self.memo.put(key, decision)
        if refused_here is not None:
            _log(u"%s: refused without a call, %s (HTTP %s %s): %s"
                 % (who, decision["outcome"], decision["status"], decision["error"], refused_here))
        elif decision["outcome"] == ALLOW:
            _log(u"%s: allow%s" % (who, u" (%d scope(s) removed)" % len(decision["removed"]) if decision["removed"] else u""))
        else:
            _log(u"%s: refused, %s (HTTP %s %s)" % (who, decision["outcome"], decision["status"], decision["error"]))
        return decision

    def hook(self, name, context, apply):
        """Runs `apply(decision)` for an allowed token request and returns its result; otherwise
        (deny, unavailable, or any error here or in `apply`) RAISES the refusal. Never returns
        a refusal."""
        try:
            decision = self.decision_for(context)
            if decision["outcome"] == ALLOW:
                return apply(decision)
        except FAILURES as error:
            _log("%s: error in the token script: %s" % (name, describe(error)))
            decision = unavailable(None)
        raise refusal(context, decision["status"], error_entity(decision["error"], decision["description"]))

    # ----------------------------------------------------------------- the hooks

    def modifyIdToken(self, jsonWebResponse, context):
        def apply(decision):
            narrow_grant_scopes(context, decision)
            set_claims(jsonWebResponse.getClaims(), decision["id_token_claims"])
            return True
        return self.hook("modifyIdToken", context, apply)

    def modifyAccessToken(self, accessToken, context):
        def apply(decision):
            scopes = narrowed(decision["scopes"], current_scopes(context.getGrant()))
            context.overwriteAccessTokenScopes(accessToken, java_scope_set(scopes))
            claims = access_token_claims(context)
            if claims is not None:
                set_claims(claims, decision["access_token_claims"])
                if decision["cnf"]:
                    set_confirmation(claims, decision["cnf"])
            return True
        return self.hook("modifyAccessToken", context, apply)

    def modifyRefreshToken(self, refreshToken, context):
        def apply(decision):
            narrow_grant_scopes(context, decision)
            # No refresh lifetime: no refresh token. False is Janssen's way for a script to stop
            # one (AuthorizationGrant.saveRefreshToken returns null; the response carries none).
            return decision["lifetimes"]["refresh_token"] is not None
        return self.hook("modifyRefreshToken", context, apply)

    def getRefreshTokenLifetimeInSeconds(self, context):
        def apply(decision):
            narrow_grant_scopes(context, decision)
            # 0 when none: Janssen then creates one with its own lifetime, which
            # modifyRefreshToken then stops.
            return decision["lifetimes"]["refresh_token"] or 0
        return self.hook("getRefreshTokenLifetimeInSeconds", context, apply)

    def getIdTokenLifetimeInSeconds(self, context):
        def apply(decision):
            narrow_grant_scopes(context, decision)
            return decision["lifetimes"]["id_token"]
        return self.hook("getIdTokenLifetimeInSeconds", context, apply)

    def getAccessTokenLifetimeInSeconds(self, context):
        def apply(decision):
            narrow_grant_scopes(context, decision)
            return decision["lifetimes"]["access_token"]
        return self.hook("getAccessTokenLifetimeInSeconds", context, apply)
