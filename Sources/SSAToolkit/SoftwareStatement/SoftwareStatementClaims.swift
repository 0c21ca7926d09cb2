import Foundation

/// The claims of a software statement assertion, typed where Open Banking defines them.
///
/// Typed properties are `nil` when a claim is absent *or* of the wrong JSON type; the rules
/// tells the two apart from ``allClaims``. Unknown claims are kept in ``allClaims``.
public struct SoftwareStatementClaims: Sendable {
    /// Every claim as it appeared in the payload.
    public var allClaims: [String: JSONValue]

    /// Wraps a payload.
    public init(_ claims: [String: JSONValue]) { self.allClaims = claims }

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
    /// `software_client_name`.
    public var softwareClientName: String? { string("software_client_name") }
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
    /// `software_roles` (AISP, PISP, CBPII, ASPSP).
    public var softwareRoles: [String]? { allClaims["software_roles"]?.stringArrayValue }
    /// `software_redirect_uris`.
    public var softwareRedirectURIs: [String]? { allClaims["software_redirect_uris"]?.stringArrayValue }
    /// `software_jwks_endpoint`: where the software's own keys are published.
    public var softwareJWKSEndpoint: String? { string("software_jwks_endpoint") }
    /// `software_jwks_revoked_endpoint`: where the directory lists the software's revoked keys.
    public var softwareJWKSRevokedEndpoint: String? { string("software_jwks_revoked_endpoint") }
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
    ]
}
