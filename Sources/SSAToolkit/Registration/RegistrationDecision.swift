import Foundation

/// What a registration comes to: accept (with the client metadata to apply), reject (with the
/// RFC 7591 error), or undecided (the directory or a key set could not be reached: never an
/// accept). Every check is listed with its outcome.
public struct RegistrationDecision: DecisionOutcome {
    /// The three possible answers.
    public enum Verdict: String, DecisionVerdict {
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
    /// The trust framework of that directory (`openbanking-uk`, `open-finance-brasil`, `cdr-au`).
    public var trustFramework: String?
    /// Every rule in order, with its outcome.
    public var checks: [Check]
    /// The SSA's claims, once its signature verified.
    public var softwareStatement: SoftwareStatementClaims?
    /// The client to register, when accepted.
    public var client: ClientMetadata?
    /// The caller's certificate's revocation status and source, when it was checked.
    public var revocation: String?

    /// The checks of a registration decision, in the order they run.
    public static let checkOrder: [Check.Name] = [.requestFormat] + SoftwareStatementVerifier.checkOrder + [
        .requestSignature, .clientCertificate, .requestClaims, .redirectURIs, .tokenEndpointAuthMethod, .clientKeys, .subjectDN,
        .signingAlgorithms, .grantTypes, .responseTypes, .scope, .applicationType, .certificateRevocation, .transportKey, .requestReplay, .softwareActive, .organisation,
    ]

    /// ``DecisionKind/registration`` (no audit check listed: an accept that cannot be recorded
    /// becomes undecided).
    public static var kind: DecisionKind { .registration }
    /// ``Verdict/accept``.
    public static var positiveVerdict: Verdict { .accept }
    /// The SSA's `software_id`, once its signature verified.
    public var softwareIDForLog: String? { softwareStatement?.softwareID }

    /// The audit record: ids, verdict, failed checks, the directory asked, granted scopes.
    public func auditRecord(at now: Date) -> AuditRecord {
        AuditRecord(kind: Self.kind.rawValue, time: now, decision: verdict.rawValue, error: error?.rawValue, directory: directory,
                    failedChecks: checks.filter { $0.outcome == .fail }.map(\.name.rawValue), clientID: client?.clientID,
                    softwareID: softwareStatement?.softwareID, organisationID: softwareStatement?.organisationID, scopesGranted: client?.scopes ?? [],
                    revocation: revocation, trustFramework: trustFramework)
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
