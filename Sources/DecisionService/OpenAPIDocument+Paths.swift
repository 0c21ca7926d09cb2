extension OpenAPIDocument {
    /// Every route, with its request body and responses.
    static let paths = #"""
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
            "summary": "Counters, latency histograms and gauges, Prometheus text format",
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
            "description": "With `auditCheckpointKey` configured, the service signs a checkpoint of its audit chain every `auditCheckpointSeconds` and at shutdown (files in `auditCheckpointDirectory`); this answers a checkpoint of the head as it is now (signed only when the head moved since the last one), for a collector to fetch and keep off the host. `checkpoint` is a compact JWS (`alg` ES256 or EdDSA, `typ` `ssa-toolkit-audit-checkpoint+jwt`) whose payload commits to `log_id`, `node`, `records` and `head`; `ssa-verify audit verify --checkpoint` checks a log against it. Behind the bearer token when one is configured.",
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
            "description": "Routed when the service has a token decider (as `ssa-verify serve` always has). One token request as the authorization server sees it when it is about to issue tokens: the client as registration stored it, the grant, and optionally the caller's TLS certificate. Answers 200 with the decision whatever the verdict: allow (issue with what it says), deny (`access_denied`: 403; `invalid_client`: 401; `invalid_grant`, `unsupported_grant_type`, `invalid_scope`: 400) or undecided (503 `temporarily_unavailable`). A call is malformed (400) when `token_endpoint_auth_method` is not exactly one of the known methods or a scope breaks RFC 6749's syntax.",
            "security": [{}, { "bearer": [] }],
            "parameters": [
              {
                "name": "Prefer", "in": "header", "required": false,
                "description": "RFC 7240. `return=minimal` (what the Janssen Update Token script sends on the token endpoint's hot path): the answer lists every check by name and outcome, but only a failed check with its `detail`. Any other preference is ignored.",
                "schema": { "type": "string", "examples": ["return=minimal"] }
              }
            ],
            "requestBody": {
              "required": true,
              "content": { "application/json": { "schema": { "$ref": "#/components/schemas/TokenRequest" } } }
            },
            "responses": {
              "200": {
                "description": "The decision.",
                "headers": {
                  "Cache-Control": { "$ref": "#/components/headers/NoStore" },
                  "Preference-Applied": { "description": "`return=minimal` when the call asked for it (RFC 7240); absent otherwise.", "schema": { "type": "string", "enum": ["return=minimal"] } }
                },
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
    """# + "\n"
}
