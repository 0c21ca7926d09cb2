import Foundation

/// The claims of a software statement assertion, typed where Open Banking defines them.
///
/// Typed properties are `nil` when a claim is absent *or* of the wrong JSON type; the rules
/// tells the two apart from ``allClaims``. Unknown claims are kept in ``allClaims``.
public struct SoftwareStatementClaims: Sendable {
    /// Every claim as it appeared in the payload.
    public var allClaims: [String: JSONValue]
    /// Where the trust framework that issued them keeps each claim (Open Banking UK's by default).
    public var names: TrustFramework.ClaimNames

    /// Wraps a payload issued under `framework`.
    public init(_ claims: [String: JSONValue], framework: TrustFramework = .openBankingUK) {
        self.allClaims = claims
        self.names = framework.claimNames
    }

    private func string(_ name: String) -> String? { allClaims[name]?.stringValue }
    private func date(_ name: String) -> Date? { allClaims[name]?.numberValue.map { Date(timeIntervalSince1970: $0) } }

    /// `iss`.
    public var issuer: String? { string("iss") }
    /// `iat`.
    public var issuedAt: Date? { date("iat") }
    /// `exp`.
    public var expiresAt: Date? { date("exp") }
    /// `jti`.
    public var jwtID: String? { string("jti") }
    /// `software_id`: the software statement id.
    public var softwareID: String? { string("software_id") }
    /// `software_client_id`.
    public var softwareClientID: String? { string("software_client_id") }
    /// The client name (`software_client_name`; the CDR's `client_name`).
    public var softwareClientName: String? { string(names.clientName) }
    /// `software_client_description`.
    public var softwareClientDescription: String? { string("software_client_description") }
    /// `software_version`, which some directories publish as a number.
    public var softwareVersion: String? {
        switch allClaims["software_version"] {
        case .string(let s)?: s
        case .number(let n)?: JSONValue.number(n).serialized()
        default: nil
        }
    }
    /// `software_mode` ("Live" or "Test").
    public var softwareMode: String? { string("software_mode") }
    /// `software_roles` (AISP, PISP, CBPII, ASPSP in the UK; DADOS, PAGTO, ... in Brasil); the
    /// CDR's single role string is read as a list of one.
    public var softwareRoles: [String]? {
        switch allClaims[names.roles] {
        case .string(let role)?: [role]
        case let value?: value.stringArrayValue
        case nil: nil
        }
    }
    /// The redirect URIs (`software_redirect_uris`; the CDR's `redirect_uris`).
    public var softwareRedirectURIs: [String]? { allClaims[names.redirectURIs]?.stringArrayValue }
    /// Where the software's own keys are published (`software_jwks_endpoint`; Brasil's
    /// `software_jwks_uri`; the CDR's `jwks_uri`).
    public var softwareJWKSEndpoint: String? { string(names.softwareJWKS) }
    /// `software_jwks_revoked_endpoint`: where the directory lists the software's revoked keys.
    public var softwareJWKSRevokedEndpoint: String? { string("software_jwks_revoked_endpoint") }
    /// The key set its transport certificates are published in (the UK's
    /// `software_jwks_endpoint`; Brasil's `software_jwks_transport_uri`); `nil` where the
    /// framework has none.
    public var transportJWKSEndpoint: String? { names.transportJWKS.flatMap(string) }
    /// The key set that lists its withdrawn transport certificates (the UK's
    /// `software_jwks_revoked_endpoint`; Brasil's `software_jwks_transport_inactive_uri`).
    public var transportJWKSRevokedEndpoint: String? { names.transportJWKSRevoked.flatMap(string) }
    /// The scopes the SSA itself grants (the CDR's space-separated `scope`); `nil` elsewhere.
    public var scopes: [String]? {
        names.scope.flatMap(string).map { $0.split(separator: " ").map(String.init) }
    }
    /// The legal entity that answers for the software (the CDR's `legal_entity_id`).
    public var legalEntityID: String? { names.legalEntityID.flatMap(string) }
    /// `org_id`.
    public var organisationID: String? { string("org_id") }
    /// `org_name`.
    public var organisationName: String? { string("org_name") }
    /// `org_status` ("Active", "Revoked", "Withdrawn").
    public var organisationStatus: String? { string("org_status") }
    /// `org_jwks_endpoint`.
    public var organisationJWKSEndpoint: String? { string("org_jwks_endpoint") }

    /// The claims a report shows, as a JSON object (the `software_statement` member of the CLI's
    /// JSON output): identifiers, names, roles, URIs and times; unknown claims are listed by name.
    public var summary: [String: JSONValue] {
        let shown = [
            "software_id", "software_client_id", "software_client_name", "software_version", "software_mode",
            "software_roles", "software_redirect_uris", "software_jwks_endpoint", "org_id", "org_name",
            "org_status", "org_jwks_endpoint", "iss", "iat", "exp", "jti",
            "software_jwks_uri", "software_jwks_transport_uri", "software_statement_roles", "legal_entity_id", "legal_entity_name",
            "client_name", "redirect_uris", "jwks_uri", "scope",
        ]
        var out: [String: JSONValue] = [:]
        for name in shown { if let v = allClaims[name] { out[name] = v } }
        let unknown = Set(allClaims.keys).subtracting(SoftwareStatementClaims.knownClaimNames).sorted()
        if !unknown.isEmpty { out["other_claims"] = .array(unknown.map { .string($0) }) }
        return out
    }

    /// Claim names the Open Banking SSA format defines.
    public static let knownClaimNames: Set<String> = [
        "iss", "iat", "exp", "jti", "nbf", "aud", "sub",
        "software_environment", "software_mode", "software_id", "software_client_id", "software_client_name",
        "software_client_description", "software_version", "software_client_uri", "software_redirect_uris",
        "software_roles", "software_logo_uri", "software_policy_uri", "software_tos_uri",
        "software_on_behalf_of_org", "software_jwks_endpoint", "software_jwks_revoked_endpoint",
        "org_status", "org_id", "org_name", "org_contacts", "org_jwks_endpoint", "org_jwks_revoked_endpoint",
        "organisation_competent_authority_claims",
        // Open Finance Brasil
        "software_jwks_uri", "software_jwks_transport_uri", "software_jwks_inactive_uri", "software_jwks_transport_inactive_uri",
        "software_statement_roles", "org_number", "software_logo_uri", "software_origin_uris",
        // The CDR
        "legal_entity_id", "legal_entity_name", "client_name", "client_description", "client_uri", "logo_uri", "tos_uri", "policy_uri",
        "redirect_uris", "sector_identifier_uri", "revocation_uri", "recipient_base_uri", "jwks_uri", "scope",
    ]
}
