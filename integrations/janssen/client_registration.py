# -*- coding: utf-8 -*-
# Janssen "Client Registration" custom script (Jython 2.7) that delegates the decision to
# ssa-toolkit's `ssa-verify serve` on 127.0.0.1 and applies it to the client.
#
# Fail closed: the client is registered only when the service answered HTTP 200 with
# verdict "accept". A reject becomes HTTP 400 with the RFC 7591 error; an undecided answer, a
# timeout, a refused connection or any unreadable answer becomes 503 temporarily_unavailable.
# Nothing secret is logged: not the request, not the SSA, not the certificate.
#
# Configuration properties of the script:
#   ssaToolkitUrl    base URL of `ssa-verify serve` (default http://127.0.0.1:8085)
#   timeoutSeconds   time limit of one decision call (default 10)
#
# The pure functions (build_call, interpret) run on Jython 2.7 and CPython 3 alike and are
# exercised by test_client_registration.py.

import json

try:  # Jython and Python 2
    import urllib2 as _urlrequest
    _HTTPError = _urlrequest.HTTPError
except ImportError:  # CPython 3
    import urllib.request as _urlrequest
    from urllib.error import HTTPError as _HTTPError

try:
    from io.jans.model.custom.script.type.client import ClientRegistrationType
except ImportError:  # outside Janssen (tests install a stand-in first)
    ClientRegistrationType = object

ACCEPT, REJECT, UNAVAILABLE = "accept", "reject", "unavailable"


def build_call(request_jwt=None, request_json=None, software_statement=None, certificate_pem=None):
    """The JSON body of POST /v1/decisions: the request as the TPP posted it (the JWT when it
    posted one, else its JSON metadata), the SSA when known separately, the caller's PEM."""
    body = {}
    if request_jwt:
        body["registration_request"] = request_jwt
    elif request_json is not None:
        body["registration_request"] = request_json
    if software_statement:
        body["software_statement"] = software_statement
    if certificate_pem:
        body["client_certificate"] = certificate_pem
    return json.dumps(body)


def interpret(status, body_text):
    """(outcome, error, description, client) from the service's answer; anything but a
    well-formed 200 accept is REJECT (when the service said reject) or UNAVAILABLE."""
    if status != 200:
        return (UNAVAILABLE, "temporarily_unavailable", "the decision service answered HTTP %s" % status, None)
    try:
        decision = json.loads(body_text)
    except Exception:
        return (UNAVAILABLE, "temporarily_unavailable", "the decision service's answer is not JSON", None)
    if not isinstance(decision, dict):
        return (UNAVAILABLE, "temporarily_unavailable", "the decision service's answer is not a JSON object", None)
    verdict = decision.get("verdict")
    description = decision.get("error_description") or ""
    if verdict == "accept" and isinstance(decision.get("client"), dict):
        return (ACCEPT, None, None, decision["client"])
    if verdict == "reject":
        error = decision.get("error") or "invalid_client_metadata"
        return (REJECT, error, description, None)
    return (UNAVAILABLE, "temporarily_unavailable", description or "the registration could not be decided", None)


def call_service(base_url, body, timeout):
    """POSTs the call; returns (status, text). Never raises: a failure is status 0."""
    url = base_url.rstrip("/") + "/v1/decisions"
    request = _urlrequest.Request(url, data=body.encode("utf-8"), headers={"Content-Type": "application/json"})
    try:
        response = _urlrequest.urlopen(request, timeout=timeout)
        try:
            return (response.getcode(), response.read().decode("utf-8"))
        finally:
            response.close()
    except _HTTPError as error:
        return (error.code, "")
    except Exception as error:
        return (0, "%s" % type(error).__name__)


def decide(base_url, timeout, **call):
    """Builds the call, sends it, interprets the answer."""
    status, text = call_service(base_url, build_call(**call), timeout)
    return interpret(status, text)


def error_entity(error, description):
    return json.dumps({"error": error, "error_description": description})


class ClientRegistration(ClientRegistrationType):
    def __init__(self, currentTimeMillis):
        self.currentTimeMillis = currentTimeMillis
        self.base_url = "http://127.0.0.1:8085"
        self.timeout = 10

    def init(self, customScript, configurationAttributes):
        if configurationAttributes.containsKey("ssaToolkitUrl"):
            self.base_url = configurationAttributes.get("ssaToolkitUrl").getValue2()
        if configurationAttributes.containsKey("timeoutSeconds"):
            self.timeout = int(configurationAttributes.get("timeoutSeconds").getValue2())
        print("ssa-toolkit client registration: decisions from %s" % self.base_url)
        return True

    def destroy(self, configurationAttributes):
        return True

    def getApiVersion(self):
        return 11

    def createClient(self, context):
        return self.apply(context)

    def updateClient(self, context):
        return self.apply(context)

    def apply(self, context):
        dcr = context.getDcr()
        request_json = context.getRegisterRequestJson()
        ssa = context.getSoftwareStatement()
        outcome, error, description, client = decide(
            self.base_url, self.timeout,
            request_jwt=dcr.toString() if dcr is not None else None,
            request_json=json.loads(request_json.toString()) if (dcr is None and request_json is not None) else None,
            software_statement=ssa.toString() if ssa is not None else None,
            certificate_pem=certificate_pem(context),
        )
        if outcome == ACCEPT:
            apply_client(context.getClient(), client)
            print("ssa-toolkit client registration: accepted software %s" % client.get("software_id"))
            return True
        print("ssa-toolkit client registration: %s (%s)" % (outcome, error))
        status = 400 if outcome == REJECT else 503
        raise context.createWebApplicationException(status, error_entity(error, description))

    def getSoftwareStatementHmacSecret(self, context):
        return ""  # Open Banking SSAs are signed with public keys only

    def getSoftwareStatementJwks(self, context):
        return ""  # verified by ssa-toolkit

    def getDcrHmacSecret(self, context):
        return ""

    def getDcrJwks(self, context):
        return ""  # verified by ssa-toolkit with the SSA's software_jwks_endpoint

    def isCertValidForClient(self, cert, context):
        return False  # the certificate is checked by the decision

    def modifyPutResponse(self, responseAsJsonObject, executionContext):
        return False

    def modifyReadResponse(self, responseAsJsonObject, executionContext):
        return False

    def modifyPostResponse(self, responseAsJsonObject, executionContext):
        return False


def certificate_pem(context):
    """The caller's certificate as PEM: from the context, else the X-ClientCert header."""
    certificate = context.getCertificate()
    if certificate is not None:
        from java.util import Base64
        encoded = Base64.getMimeEncoder(64, "\n".encode("ascii")).encodeToString(certificate.getEncoded())
        return "-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n" % encoded
    request = context.getHttpRequest()
    header = request.getHeader("X-ClientCert") if request is not None else None
    return header or None


def apply_client(client, decided):
    """Writes the decision's client metadata onto the Janssen client."""
    client.setRedirectUris(decided.get("redirect_uris", []))
    if decided.get("jwks_uri"):
        client.setJwksUri(decided["jwks_uri"])
    client.setTokenEndpointAuthMethod(decided.get("token_endpoint_auth_method"))
    if decided.get("tls_client_auth_subject_dn"):
        client.getAttributes().setTlsClientAuthSubjectDn(decided["tls_client_auth_subject_dn"])
    if decided.get("client_name"):
        client.setClientName(decided["client_name"])
    client.setSoftwareId(decided.get("software_id"))
    set_scopes(client, decided.get("scope", "").split())


def set_scopes(client, names):
    """Janssen stores scopes as DNs: look each one up; an unknown scope is left out."""
    try:
        # `as` is a keyword in CPython; __import__ reads the Java package on both.
        ScopeService = __import__("io.jans.as.server.service", globals(), locals(), ["ScopeService"]).ScopeService
        CdiUtil = __import__("io.jans.service.cdi.util", globals(), locals(), ["CdiUtil"]).CdiUtil
        service = CdiUtil.bean(ScopeService)
        dns = [scope.getDn() for scope in [service.getScopeById(name) for name in names] if scope is not None]
    except (ImportError, AttributeError):  # outside Janssen
        dns = list(names)
    client.setScopes(dns)
