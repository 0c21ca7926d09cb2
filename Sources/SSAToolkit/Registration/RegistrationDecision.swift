import Foundation

extension Check.Name {
    /// The registration request could be framed (JSON metadata or a compact JWS) and carries an SSA.
    public static let requestFormat: Check.Name = "request_format"
    /// The request JWT verifies with a key from the SSA's `software_jwks_endpoint`.
    public static let requestSignature: Check.Name = "request_signature"
    /// `iss`, `aud`, `iat`, `exp` and `jti` of the request JWT.
    public static let requestClaims: Check.Name = "request_claims"
    /// Every `redirect_uris` entry is in the SSA's `software_redirect_uris`.
    public static let redirectURIs: Check.Name = "redirect_uris"
    /// `token_endpoint_auth_method` is one the authorization server supports.
    public static let tokenEndpointAuthMethod: Check.Name = "token_endpoint_auth_method"
    /// The request asks for no keys of its own: no `jwks`, and a `jwks_uri` only when it is the
    /// SSA's `software_jwks_endpoint`.
    public static let clientKeys: Check.Name = "client_keys"
    /// The caller's TLS client certificate is given, chains to the trust store, is currently
    /// valid and (by default) belongs to the SSA's software.
    public static let clientCertificate: Check.Name = "client_certificate"
    /// The request JWT's `jti` has not been used before (per `iss`, for its lifetime).
    public static let requestReplay: Check.Name = "request_replay"
    /// `tls_client_auth_subject_dn` names the caller's certificate subject (compared as DNs).
    public static let subjectDN: Check.Name = "subject_dn"
    /// The signing algorithms asked for are on the allow-list.
    public static let signingAlgorithms: Check.Name = "signing_algorithms"
    /// `grant_types` are supported.
    public static let grantTypes: Check.Name = "grant_types"
    /// `response_types` are supported.
    public static let responseTypes: Check.Name = "response_types"
    /// `scope` is within what the SSA's roles permit.
    public static let scope: Check.Name = "scope"
    /// `application_type` is `web`.
    public static let applicationType: Check.Name = "application_type"
}

/// What a registration comes to: accept (with the client metadata to apply), reject (with the
/// RFC 7591 error), or undecided (the directory or a key set could not be reached: never an
/// accept). Every check is listed with its outcome.
public struct RegistrationDecision: DecisionOutcome {
    /// The three possible answers.
    public enum Verdict: String, Sendable, Hashable {
        /// Register the client with ``RegistrationDecision/client``.
        case accept
        /// Refuse with ``RegistrationDecision/error`` (HTTP 400).
        case reject
        /// Do not register; answer `temporarily_unavailable` (HTTP 503) and let the TPP retry.
        case undecided
    }

    /// The answer.
    public var verdict: Verdict
    /// The RFC 7591 error (or `temporarily_unavailable`); `nil` when accepted.
    public var error: RegistrationErrorCode?
    /// One sentence for a person; `nil` when accepted.
    public var errorDescription: String?
    /// The issuer of the trusted directory whose keys verified the SSA and which was asked about
    /// the software; `nil` when none was chosen (an SSA from an issuer no directory stands for,
    /// or a request that never got that far). The audit record names it.
    public var directory: String?
    /// Every rule in order, with its outcome.
    public var checks: [Check]
    /// The SSA's claims, once its signature verified.
    public var softwareStatement: SoftwareStatementClaims?
    /// The client to register, when accepted.
    public var client: ClientMetadata?

    /// The checks of a registration decision, in the order they run.
    public static let checkOrder: [Check.Name] = [.requestFormat] + SoftwareStatementVerifier.checkOrder + [
        .requestSignature, .clientCertificate, .requestClaims, .redirectURIs, .tokenEndpointAuthMethod, .clientKeys, .subjectDN,
        .signingAlgorithms, .grantTypes, .responseTypes, .scope, .applicationType, .requestReplay, .softwareActive, .organisation,
    ]

    /// ``DecisionKind/registration``.
    public static var kind: DecisionKind { .registration }
    /// Registration lists no audit check: an accept that cannot be recorded becomes undecided.
    public static var listsAuditCheck: Bool { false }
    /// `accept`, `reject` or `undecided`.
    public var verdictName: String { verdict.rawValue }
    /// Whether the directory (or a key set, or the audit log) could not be used.
    public var isUndecided: Bool { verdict == .undecided }
    /// Whether the client may be registered.
    public var isPositive: Bool { verdict == .accept }
    /// The RFC 7591 error, when not accepted.
    public var errorName: String? { error?.rawValue }
    /// The SSA's `software_id`, once its signature verified.
    public var softwareIDForLog: String? { softwareStatement?.softwareID }

    /// The audit record: ids, verdict, failed checks, the directory asked, granted scopes.
    public func auditRecord(at now: Date) -> AuditRecord {
        AuditRecord(kind: Self.kind.rawValue, time: now, decision: verdict.rawValue, error: error?.rawValue, directory: directory,
                    failedChecks: checks.filter { $0.outcome == .fail }.map(\.name.rawValue), clientID: client?.clientID,
                    softwareID: softwareStatement?.softwareID, organisationID: softwareStatement?.organisationID, scopesGranted: client?.scopes ?? [])
    }

    /// Undecided (`temporarily_unavailable`) because `reason`, with no client to register.
    public mutating func makeUndecided(because reason: String) {
        verdict = .undecided
        error = .temporarilyUnavailable
        errorDescription = reason
        client = nil
    }

    /// ``json`` serialized compactly: the service's answer.
    public func jsonBytes() -> [UInt8] { json.serializedBytes() }

    /// The HTTP status a registration endpoint answers with: 201 accept, 400 reject, 503 undecided.
    public var httpStatus: Int {
        switch verdict {
        case .accept: 201
        case .reject: 400
        case .undecided: 503
        }
    }

    /// The decision as one JSON object: `verdict`, `error`, `error_description`, `checks`,
    /// `software_statement` (claims summary) and `client` (when accepted).
    public var json: JSONValue {
        var object = Check.verdictMembers(verdict.rawValue, checks: checks, error: error?.rawValue, errorDescription: errorDescription)
        if let softwareStatement { object["software_statement"] = .object(softwareStatement.summary) }
        if let client { object["client"] = client.json }
        return .object(object)
    }

    /// Key order for printing ``json``.
    public static let jsonLeadingKeys = ["verdict", "error", "error_description", "checks", "software_statement", "client"]
}

/// The client an accepted registration creates: what the hook applies to the server's client.
public struct ClientMetadata: Sendable, Hashable {
    /// The client id: `software_client_id`, else `software_id`.
    public var clientID: String
    /// `software_client_name`.
    public var clientName: String?
    /// The redirect URIs (requested, all within the SSA's).
    public var redirectURIs: [String]
    /// Granted scopes.
    public var scopes: [String]
    /// The JWKS of the client: the SSA's `software_jwks_endpoint` (else `org_jwks_endpoint`).
    public var jwksURI: String?
    /// `tls_client_auth` or `private_key_jwt`.
    public var tokenEndpointAuthMethod: String
    /// For `tls_client_auth`: the subject DN the client's certificate must carry.
    public var tlsClientAuthSubjectDN: String?
    /// Grant types.
    public var grantTypes: [String]
    /// Response types.
    public var responseTypes: [String]
    /// Signing algorithms asked for (member name to algorithm).
    public var algorithms: [String: String]
    /// `software_id`.
    public var softwareID: String
    /// `org_id`.
    public var organisationID: String
    /// `software_roles`.
    public var roles: [String]

    /// As JSON, with RFC 7591 member names.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "client_id": .string(clientID),
            "redirect_uris": .array(redirectURIs.map { .string($0) }),
            "scope": .string(scopes.joined(separator: " ")),
            "token_endpoint_auth_method": .string(tokenEndpointAuthMethod),
            "grant_types": .array(grantTypes.map { .string($0) }),
            "response_types": .array(responseTypes.map { .string($0) }),
            "software_id": .string(softwareID),
            "org_id": .string(organisationID),
            "software_roles": .array(roles.map { .string($0) }),
            "application_type": "web",
        ]
        if let clientName { object["client_name"] = .string(clientName) }
        if let jwksURI { object["jwks_uri"] = .string(jwksURI) }
        if let tlsClientAuthSubjectDN { object["tls_client_auth_subject_dn"] = .string(tlsClientAuthSubjectDN) }
        for (member, alg) in algorithms { object[member] = .string(alg) }
        return .object(object)
    }
}
