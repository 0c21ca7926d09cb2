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
