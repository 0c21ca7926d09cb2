extension OpenAPIDocument {
    /// The schemas, responses, headers and security schemes the paths refer to.
    static let components = #"""
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
            "required": ["check", "outcome"],
            "properties": {
              "check": { "type": "string", "pattern": "^[a-z][a-z0-9_]*$", "examples": ["signature", "client_certificate", "certificate_revocation", "transport_key", "software_active"] },
              "outcome": { "$ref": "#/components/schemas/Outcome" },
              "detail": { "type": "string", "description": "One sentence for a person. Always present, except in a token decision asked for with `Prefer: return=minimal`: there only a failed check carries it." }
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
              "ssa_issuer": { "type": ["string", "null"], "maxLength": 1024, "description": "The `iss` of the client's SSA, stored at registration: the trusted directory asked about the client. Absent with one trusted directory: that one; with several: the one `defaultTokenDirectory` names, else the call is denied. An issuer that is not trusted is denied." },
              "software_jwks_endpoint": { "type": ["string", "null"], "maxLength": 2048, "description": "The SSA's `software_jwks_endpoint`, stored at registration (the client's `jwks_uri`). With `transportKeyBinding=directory` (the default) the certificate must be published there for TLS; a call with a certificate and without this member is denied." },
              "software_jwks_revoked_endpoint": { "type": ["string", "null"], "maxLength": 2048, "description": "The SSA's `software_jwks_revoked_endpoint`, stored at registration: a certificate it names is denied." },
              "legal_entity_id": { "type": ["string", "null"], "maxLength": 128, "pattern": "^[A-Za-z0-9_-]+$", "description": "The CDR SSA's `legal_entity_id`, stored at registration: the Register keeps the data recipient's status per legal entity (required for a `cdr-au` directory)." },
              "ssa_scope": { "type": ["string", "null"], "maxLength": 4096, "description": "The CDR SSA's `scope`, stored at registration: nothing outside it is granted (required for a `cdr-au` directory)." }
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
