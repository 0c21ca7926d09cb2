/// The decision service's HTTP contract: an OpenAPI 3.1 document, served at `GET /openapi.json`
/// and printed by `ssa-verify openapi`.
///
/// The single source of truth for what `ssa-verify serve` accepts and answers: every route, every
/// request body (unknown members refused where the server refuses them), every response and
/// error body. It is a Swift literal rather than a resource so the installed binary stays one
/// file. `Tests/ssa-verifyTests/OpenAPIContractTests.swift` runs schemathesis against a live
/// service with it (`integrations/openapi/run-schemathesis.sh`), so a change to the service that
/// the document does not follow fails the tests.
public enum OpenAPIDocument {
    /// The document, JSON (UTF-8).
    public static let json = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "ssa-toolkit decision service",
        "version": "0.1.0",
        "description": "`ssa-verify serve`: Open Banking registration and token decisions over HTTP on 127.0.0.1 (or a Unix-domain socket), for authorization-server hooks written in other languages. Register a client only on HTTP 200 with `verdict` `accept`; issue tokens only on HTTP 200 with `verdict` `allow`. Every call is refused before it is read when it carries more than one `Host` header (400, RFC 9112) or when its `Host` header does not name the listening address (421); every POST when its `Content-Type` is not `application/json` (415); and, when the service was started with `--auth-token`, every call but `GET /healthz` and `GET /openapi.json` without `Authorization: Bearer <token>` (401). Bodies are at most 262144 bytes (413), one JSON object without duplicate members, nested at most 32 deep (400 otherwise)."
      },
      "servers": [{ "url": "http://127.0.0.1:8085", "description": "the default `ssa-verify serve` address" }],
      "paths": {
        "/healthz": {
          "get": {
            "operationId": "health",
            "summary": "Whether decisions can be made",
            "description": "`ok`; `degraded` with 200 when the transport or signing certificate expires within `certificateExpiryWarningDays` (`certificates`) or the last reload failed (`reload`); `degraded` with 503 while the audit log cannot be written (`audit`: decisions are undecided until a write succeeds); `failing` with 503 once a certificate has expired. `reloads` counts successful reloads (SIGHUP or `POST /admin/reload`). Unauthenticated (a load balancer probes it), so it names only the component and its state: paths, subjects and error text go to the service's log.",
            "responses": {
              "200": {
                "description": "Decisions can be made (perhaps with a warning).",
                "headers": { "Cache-Control": { "$ref": "#/components/headers/NoStore" } },
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Health" } } }
              },
              "503": {
                "description": "The audit log cannot be written, or a certificate has expired.",
                "headers": { "Cache-Control": { "$ref": "#/components/headers/NoStore" } },
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Health" } } }
              },
              "400": { "$ref": "#/components/responses/DuplicateHost" },
              "421": { "$ref": "#/components/responses/MisdirectedRequest" }
            }
          }
        },
        "/metrics": {
          "get": {
            "operationId": "metrics",
            "summary": "Counters and latency histograms, Prometheus text format",
            "description": "`ssa_toolkit_decisions_total`, `ssa_toolkit_checks_failed_total`, `ssa_toolkit_directory_request_duration_seconds`, `ssa_toolkit_cache_events_total`, `ssa_toolkit_tls_handshakes_total`, `ssa_toolkit_audit_records_total` (see the README). Served by `ssa-verify serve`; behind the bearer token when one is configured.",
            "security": [{}, { "bearer": [] }],
            "responses": {
              "200": {
                "description": "The exposition.",
                "headers": { "Cache-Control": { "$ref": "#/components/headers/NoStore" } },
                "content": { "text/plain": { "schema": { "type": "string" } } }
              },
              "400": { "$ref": "#/components/responses/DuplicateHost" },
              "401": { "$ref": "#/components/responses/Unauthorized" },
              "421": { "$ref": "#/components/responses/MisdirectedRequest" }
            }
          }
        },
        "/admin/reload": {
          "post": {
            "operationId": "reload",
            "summary": "Re-read the configuration, key stores and keys (only with --auth-token)",
            "description": "The same as SIGHUP: builds new deciders from the configuration file and swaps them in at once; a configuration that does not load leaves the old serving. The route exists only when the service was started with `--auth-token` (404 otherwise).",
            "security": [{ "bearer": [] }],
            "requestBody": {
              "required": true,
              "content": { "application/json": { "schema": { "type": "object" } } }
            },
            "responses": {
              "200": {
                "description": "Whether the reload succeeded, and why not.",
                "headers": { "Cache-Control": { "$ref": "#/components/headers/NoStore" } },
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ReloadResult" } } }
              },
              "401": { "$ref": "#/components/responses/Unauthorized" },
              "404": { "description": "Started without `--auth-token`: there is no such route." },
              "415": { "$ref": "#/components/responses/UnsupportedMediaType" },
              "421": { "$ref": "#/components/responses/MisdirectedRequest" }
            }
          }
        },
        "/v1/audit/checkpoint": {
          "get": {
            "operationId": "auditCheckpoint",
            "summary": "The latest signed checkpoint of the audit chain",
            "description": "With `auditCheckpointKey` configured, the service signs a checkpoint of its audit chain every `auditCheckpointSeconds` and at shutdown (files in `auditCheckpointDirectory`); this answers the latest (signing one now if none was yet), for a collector to fetch and keep off the host. `checkpoint` is a compact JWS (`alg` ES256 or EdDSA, `typ` `ssa-toolkit-audit-checkpoint+jwt`) whose payload commits to `log_id`, `node`, `records` and `head`; `ssa-verify audit verify --checkpoint` checks a log against it. Behind the bearer token when one is configured.",
            "security": [{}, { "bearer": [] }],
            "responses": {
              "200": {
                "description": "The latest checkpoint.",
                "headers": { "Cache-Control": { "$ref": "#/components/headers/NoStore" } },
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/AuditCheckpoint" } } }
              },
              "400": { "$ref": "#/components/responses/DuplicateHost" },
              "401": { "$ref": "#/components/responses/Unauthorized" },
              "404": {
                "description": "No `auditCheckpointKey` is configured.",
                "headers": { "Cache-Control": { "$ref": "#/components/headers/NoStore" } },
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ServiceError" } } }
              },
              "421": { "$ref": "#/components/responses/MisdirectedRequest" },
              "503": {
                "description": "Nothing has been recorded yet, so there is nothing to commit to.",
                "headers": { "Cache-Control": { "$ref": "#/components/headers/NoStore" } },
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ServiceError" } } }
              }
            }
          }
        },
        "/openapi.json": {
          "get": {
            "operationId": "openapi",
            "summary": "This document",
            "responses": {
              "200": {
                "description": "The service's contract, OpenAPI 3.1.",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/OpenAPIDocument" } } }
              },
              "400": { "$ref": "#/components/responses/DuplicateHost" },
              "421": { "$ref": "#/components/responses/MisdirectedRequest" }
            }
          }
        },
        "/v1/decisions": {
          "post": {
            "operationId": "decideRegistration",
            "summary": "Decide a dynamic client registration",
            "description": "The registration request as the TPP posted it (a request JWT, or plain JSON metadata), the software statement when it is not inside the request, and the caller's TLS client certificate. Answers 200 with the decision whatever the verdict: accept (register `client`), reject (answer the TPP 400 with `error`) or undecided (answer 503 `temporarily_unavailable`).",
            "security": [{}, { "bearer": [] }],
            "requestBody": {
              "required": true,
              "content": { "application/json": { "schema": { "$ref": "#/components/schemas/RegistrationCall" } } }
            },
            "responses": {
              "200": {
                "description": "The decision.",
                "headers": { "Cache-Control": { "$ref": "#/components/headers/NoStore" } },
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/RegistrationDecision" } } }
              },
              "400": { "$ref": "#/components/responses/InvalidRequest" },
              "401": { "$ref": "#/components/responses/Unauthorized" },
              "413": { "$ref": "#/components/responses/BodyTooLarge" },
              "415": { "$ref": "#/components/responses/UnsupportedMediaType" },
              "421": { "$ref": "#/components/responses/MisdirectedRequest" }
            }
          }
        },
        "/v1/token-decisions": {
          "post": {
            "operationId": "decideToken",
            "summary": "Decide a token request",
            "description": "Routed when the service has a token policy (as `ssa-verify serve` always has). One token request as the authorization server sees it when it is about to issue tokens: the client as registration stored it, the grant, and optionally the caller's TLS certificate. Answers 200 with the decision whatever the verdict: allow (issue with what it says), deny (`access_denied`: 403; `invalid_client`: 401; `invalid_grant`, `unsupported_grant_type`, `invalid_scope`: 400) or undecided (503 `temporarily_unavailable`). A call is malformed (400) when `token_endpoint_auth_method` is not exactly one of the known methods or a scope breaks RFC 6749's syntax.",
            "security": [{}, { "bearer": [] }],
            "requestBody": {
              "required": true,
              "content": { "application/json": { "schema": { "$ref": "#/components/schemas/TokenRequest" } } }
            },
            "responses": {
              "200": {
                "description": "The decision.",
                "headers": { "Cache-Control": { "$ref": "#/components/headers/NoStore" } },
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/TokenDecision" } } }
              },
              "400": { "$ref": "#/components/responses/InvalidRequest" },
              "401": { "$ref": "#/components/responses/Unauthorized" },
              "413": { "$ref": "#/components/responses/BodyTooLarge" },
              "415": { "$ref": "#/components/responses/UnsupportedMediaType" },
              "421": { "$ref": "#/components/responses/MisdirectedRequest" }
            }
          }
        }
      },
      "components": {
        "securitySchemes": {
          "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "Only when the service was started with `--auth-token env:NAME|file:PATH`: the shared secret, compared in constant time. `/healthz` and `/openapi.json` stay open; `/metrics` needs it."
          }
        },
        "headers": {
          "NoStore": {
            "description": "Decisions and health are never cached.",
            "required": true,
            "schema": { "type": "string", "const": "no-store" }
          }
        },
        "responses": {
          "InvalidRequest": {
            "description": "The call cannot be read: more than one `Host` header, not a JSON object, an unknown member, a member of the wrong type, a required member missing, a value out of bounds, an unknown `token_endpoint_auth_method`, or a scope that breaks RFC 6749 section 3.3 (the byte is named). `error_description` says which.",
            "headers": { "Cache-Control": { "$ref": "#/components/headers/NoStore" } },
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/InvalidRequestError" } } }
          },
          "Unauthorized": {
            "description": "A bearer token is configured and the call does not carry it.",
            "headers": {
              "Cache-Control": { "$ref": "#/components/headers/NoStore" },
              "WWW-Authenticate": { "required": true, "schema": { "type": "string", "const": "Bearer" } }
            },
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/InvalidTokenError" } } }
          },
          "BodyTooLarge": {
            "description": "The body is larger than 262144 bytes.",
            "headers": { "Cache-Control": { "$ref": "#/components/headers/NoStore" } },
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/InvalidRequestError" } } }
          },
          "UnsupportedMediaType": {
            "description": "The `Content-Type` is not `application/json` (any case; parameters such as `charset` are ignored). A web page cannot post this type cross-origin without a preflight.",
            "headers": { "Cache-Control": { "$ref": "#/components/headers/NoStore" } },
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/InvalidRequestError" } } }
          },
          "DuplicateHost": {
            "description": "More than one `Host` header (RFC 9112 section 3.2).",
            "headers": { "Cache-Control": { "$ref": "#/components/headers/NoStore" } },
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/InvalidRequestError" } } }
          },
          "MisdirectedRequest": {
            "description": "The `Host` header is not `127.0.0.1:PORT` or `localhost:PORT` of the listening port (DNS rebinding). Not checked on a Unix-domain socket.",
            "headers": { "Cache-Control": { "$ref": "#/components/headers/NoStore" } },
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/InvalidRequestError" } } }
          }
        },
        "schemas": {
          "Health": {
            "type": "object",
            "required": ["status"],
            "properties": {
              "status": { "enum": ["ok", "degraded", "failing"] },
              "audit": { "type": "string", "pattern": "^failing: the (audit log|state store) cannot be written$", "description": "Decisions cannot be recorded (503): the audit log cannot be written, or the shared state store (`stateStore`) cannot be reached. The reason is in the log." },
              "certificates": { "type": "string", "pattern": "^(expired|expiring): (transport certificate|signing certificate|a certificate)$", "description": "Which certificate expires or expired; its path, subject and date are in the log." },
              "reload": { "type": "string", "pattern": "^failed", "description": "The last reload failed; the previous configuration keeps serving. The reason is in the log." },
              "reloads": { "type": "integer", "minimum": 1, "description": "Successful reloads since the service started." }
            },
            "additionalProperties": false
          },
          "AuditCheckpoint": {
            "type": "object",
            "required": ["checkpoint", "log_id", "node", "records", "head", "time"],
            "properties": {
              "checkpoint": { "type": "string", "pattern": "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$", "description": "The compact JWS." },
              "log_id": { "type": "string" },
              "node": { "type": "string" },
              "records": { "type": "integer", "minimum": 1, "description": "Records from the log's genesis record, header records included." },
              "head": { "type": "string", "pattern": "^[0-9a-f]{64}$", "description": "SHA-256 (hex) of record number `records`." },
              "time": { "type": "string", "description": "When it was signed." }
            },
            "additionalProperties": false
          },
          "ServiceError": {
            "type": "object",
            "required": ["error", "error_description"],
            "properties": {
              "error": { "type": "string", "enum": ["not_found", "temporarily_unavailable"] },
              "error_description": { "type": "string", "minLength": 1 }
            },
            "additionalProperties": false
          },
          "ReloadResult": {
            "type": "object",
            "required": ["reloaded"],
            "properties": {
              "reloaded": { "type": "boolean" },
              "error_description": { "type": "string" }
            },
            "additionalProperties": false
          },
          "OpenAPIDocument": {
            "type": "object",
            "required": ["openapi", "info", "paths"],
            "properties": {
              "openapi": { "type": "string", "pattern": "^3\\.1\\.[0-9]+$" },
              "info": { "type": "object", "required": ["title", "version"] },
              "paths": { "type": "object" }
            }
          },
          "InvalidRequestError": {
            "type": "object",
            "required": ["error", "error_description"],
            "properties": {
              "error": { "const": "invalid_request" },
              "error_description": { "type": "string", "minLength": 1 }
            },
            "additionalProperties": false
          },
          "InvalidTokenError": {
            "type": "object",
            "required": ["error", "error_description"],
            "properties": {
              "error": { "const": "invalid_token" },
              "error_description": { "type": "string", "minLength": 1 }
            },
            "additionalProperties": false
          },
          "Check": {
            "type": "object",
            "description": "One rule and its outcome. Checks are listed in the order the rules run; names are stable.",
            "required": ["check", "outcome", "detail"],
            "properties": {
              "check": { "type": "string", "pattern": "^[a-z][a-z0-9_]*$", "examples": ["signature", "client_certificate", "software_active"] },
              "outcome": { "$ref": "#/components/schemas/Outcome" },
              "detail": { "type": "string", "description": "One sentence for a person." }
            },
            "additionalProperties": false
          },
          "Outcome": {
            "type": "string",
            "enum": ["pass", "fail", "skip"],
            "description": "`pass`: the rule holds; `fail`: it does not (or could not be evaluated); `skip`: not evaluated (an earlier failure, or not configured)."
          },
          "RegistrationCall": {
            "type": "object",
            "description": "Give `registration_request`, `software_statement` or both. `null` is the same as an absent member. Unknown members are refused, so a misspelt `client_certificate` cannot silently skip a check.",
            "properties": {
              "registration_request": {
                "type": ["string", "object", "null"],
                "description": "The registration request as posted: a compact JWS (request JWT) as a string, or plain JSON metadata as an object."
              },
              "software_statement": {
                "type": ["string", "null"],
                "description": "The SSA (compact JWS), when it is not inside the request; when both are given they must be the same bytes."
              },
              "client_certificate": {
                "type": ["string", "null"],
                "description": "The caller's TLS client certificate, PEM."
              }
            },
            "anyOf": [
              { "required": ["registration_request"], "properties": { "registration_request": { "type": ["string", "object"] } } },
              { "required": ["software_statement"], "properties": { "software_statement": { "type": "string" } } }
            ],
            "additionalProperties": false
          },
          "RegistrationDecision": {
            "type": "object",
            "description": "accept: register `client`. reject: answer the TPP HTTP 400 with `error` and `error_description` (RFC 7591). undecided: answer 503 `temporarily_unavailable`; never an accept.",
            "required": ["verdict", "checks"],
            "properties": {
              "verdict": { "type": "string", "enum": ["accept", "reject", "undecided"] },
              "error": {
                "type": "string",
                "enum": ["invalid_software_statement", "unapproved_software_statement", "invalid_redirect_uri", "invalid_client_metadata", "temporarily_unavailable"]
              },
              "error_description": { "type": "string" },
              "checks": { "type": "array", "minItems": 1, "items": { "$ref": "#/components/schemas/Check" } },
              "software_statement": { "$ref": "#/components/schemas/SoftwareStatementSummary" },
              "client": { "$ref": "#/components/schemas/RegisteredClient" }
            },
            "additionalProperties": false,
            "if": { "properties": { "verdict": { "const": "accept" } } },
            "then": { "required": ["client", "software_statement"], "not": { "anyOf": [{ "required": ["error"] }, { "required": ["error_description"] }] } },
            "else": { "required": ["error", "error_description"], "not": { "required": ["client"] } }
          },
          "SoftwareStatementSummary": {
            "type": "object",
            "description": "The SSA's claims as signed (present once its signature verified; values are the SSA's own, unchecked when a later rule failed). `other_claims` names claims the Open Banking SSA format does not define.",
            "properties": {
              "software_id": true, "software_client_id": true, "software_client_name": true, "software_version": true,
              "software_mode": true, "software_roles": true, "software_redirect_uris": true, "software_jwks_endpoint": true,
              "org_id": true, "org_name": true, "org_status": true, "org_jwks_endpoint": true,
              "iss": true, "iat": true, "exp": true, "jti": true,
              "other_claims": { "type": "array", "items": { "type": "string" } }
            },
            "additionalProperties": false
          },
          "RegisteredClient": {
            "type": "object",
            "description": "The client an accepted registration creates, with RFC 7591 member names.",
            "required": ["client_id", "redirect_uris", "scope", "token_endpoint_auth_method", "grant_types", "response_types", "software_id", "org_id", "software_roles", "application_type"],
            "properties": {
              "client_id": { "type": "string" },
              "client_name": { "type": "string" },
              "redirect_uris": { "type": "array", "items": { "type": "string" } },
              "scope": { "type": "string" },
              "jwks_uri": { "type": "string" },
              "token_endpoint_auth_method": { "type": "string", "enum": ["tls_client_auth", "self_signed_tls_client_auth", "private_key_jwt"] },
              "tls_client_auth_subject_dn": { "type": "string" },
              "grant_types": { "type": "array", "items": { "type": "string" } },
              "response_types": { "type": "array", "items": { "type": "string" } },
              "software_id": { "type": "string" },
              "org_id": { "type": "string" },
              "software_roles": { "type": "array", "items": { "type": "string" } },
              "application_type": { "const": "web" },
              "token_endpoint_auth_signing_alg": { "type": "string" },
              "id_token_signed_response_alg": { "type": "string" },
              "request_object_signing_alg": { "type": "string" },
              "userinfo_signed_response_alg": { "type": "string" }
            },
            "additionalProperties": false
          },
          "Identifier": {
            "type": "string",
            "pattern": "^[A-Za-z0-9_-]{1,128}$",
            "description": "A directory identifier: 1 to 128 ASCII letters, digits, `-` and `_`."
          },
          "TokenRequest": {
            "type": "object",
            "description": "Limits are in UTF-8 bytes (the same number of characters when ASCII). `null` is the same as an absent optional member. Unknown members are refused, so a misspelt member cannot silently skip a check.",
            "required": ["client_id", "software_id", "org_id", "grant_type", "scope"],
            "properties": {
              "client_id": { "type": "string", "minLength": 1, "maxLength": 256, "description": "The OAuth client id." },
              "software_id": { "$ref": "#/components/schemas/Identifier", "description": "The software statement id stored at registration." },
              "org_id": { "$ref": "#/components/schemas/Identifier", "description": "The organisation id stored at registration." },
              "token_endpoint_auth_method": { "enum": ["tls_client_auth", "private_key_jwt", "self_signed_tls_client_auth", null], "description": "Exactly one of these spellings (anything else is a malformed call). A `tls_client_auth` or `self_signed_tls_client_auth` client must present its certificate." },
              "tls_client_auth_subject_dn": { "type": ["string", "null"], "maxLength": 4096, "description": "The registered subject DN of a `tls_client_auth` client." },
              "grant_type": { "type": "string", "maxLength": 256, "examples": ["authorization_code", "refresh_token", "client_credentials", "urn:openid:params:grant-type:ciba"] },
              "scope": {
                "description": "The scopes about to be granted: a string of scope tokens separated by single spaces (leading and trailing spaces ignored), or a list of scope tokens; at most 64 scopes of 1 to 128 bytes, each of the characters RFC 6749 section 3.3 allows. No scope at all is a deny (`invalid_scope`).",
                "oneOf": [
                  { "type": "string", "pattern": "^ *([!#-\\[\\]-~]+( [!#-\\[\\]-~]+)*)? *$" },
                  { "type": "array", "maxItems": 64, "items": { "type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[!#-\\[\\]-~]+$" } }
                ]
              },
              "user_id": { "type": ["string", "null"], "maxLength": 256, "description": "The authenticated user (absent for `client_credentials`)." },
              "acr": { "type": ["string", "null"], "maxLength": 256 },
              "claims": { "type": ["object", "null"], "description": "The authorization request's `claims` parameter; `id_token.openbanking_intent_id.value` (else `userinfo`) is the consent's intent id." },
              "client_certificate": { "type": ["string", "null"], "maxLength": 65536, "description": "The caller's TLS client certificate, PEM. Required unless `requireClientCertificate=false` (then only for `tls_client_auth` clients): without it the call is denied `invalid_client`. It must meet registration's certificate rule." },
              "ssa_issuer": { "type": ["string", "null"], "maxLength": 1024, "description": "The `iss` of the client's SSA, stored at registration: the trusted directory asked about the client. Absent with one trusted directory: that one; with several: the one `defaultTokenDirectory` names, else the call is denied. An issuer that is not trusted is denied." }
            },
            "additionalProperties": false
          },
          "TokenDecision": {
            "type": "object",
            "description": "allow: issue the tokens with `scope`, the claims, `x5t#S256` as `cnf` and the lifetimes. deny: refuse (`access_denied` 403, `invalid_client` 401, `invalid_grant`, `unsupported_grant_type` or `invalid_scope` 400). undecided: refuse 503 `temporarily_unavailable`; never an allow.",
            "required": ["verdict", "checks"],
            "properties": {
              "verdict": { "type": "string", "enum": ["allow", "deny", "undecided"] },
              "error": { "type": "string", "enum": ["access_denied", "invalid_client", "invalid_grant", "unsupported_grant_type", "invalid_scope", "temporarily_unavailable"] },
              "error_description": { "type": "string" },
              "checks": { "type": "array", "minItems": 1, "items": { "$ref": "#/components/schemas/Check" } },
              "scope": { "type": "string", "description": "The scopes to grant, space-separated." },
              "scopes_removed": { "type": "array", "items": { "type": "string" }, "description": "Requested scopes the TPP's current roles no longer permit." },
              "openbanking_intent_id": { "type": "string" },
              "id_token_claims": { "type": "object" },
              "access_token_claims": { "type": "object" },
              "x5t#S256": { "type": "string", "pattern": "^[A-Za-z0-9_-]{43}$", "description": "SHA-256 thumbprint of the caller's certificate (RFC 8705), for the access token's `cnf`." },
              "lifetimes": {
                "type": "object",
                "description": "Seconds; `refresh_token` null: issue no refresh token.",
                "required": ["access_token", "id_token", "refresh_token"],
                "properties": {
                  "access_token": { "type": "integer", "minimum": 0 },
                  "id_token": { "type": "integer", "minimum": 0 },
                  "refresh_token": { "type": ["integer", "null"], "minimum": 0 }
                },
                "additionalProperties": false
              }
            },
            "additionalProperties": false,
            "if": { "properties": { "verdict": { "const": "allow" } } },
            "then": {
              "required": ["scope", "scopes_removed", "id_token_claims", "access_token_claims"],
              "not": { "anyOf": [{ "required": ["error"] }, { "required": ["error_description"] }] }
            },
            "else": {
              "required": ["error", "error_description"],
              "not": {
                "anyOf": [
                  { "required": ["scope"] }, { "required": ["scopes_removed"] }, { "required": ["openbanking_intent_id"] },
                  { "required": ["id_token_claims"] }, { "required": ["access_token_claims"] }, { "required": ["x5t#S256"] },
                  { "required": ["lifetimes"] }
                ]
              }
            }
          }
        }
      }
    }
    """#
}
