import Foundation

/// The rules of one Open Banking ecosystem, as a value each trusted directory names
/// (`trustFramework`): where its software statements keep their claims, how old they may be,
/// how roles become scopes, what ties a client certificate to the software, and where a
/// participant's current status comes from. Rules every framework shares (JOSE hardening, the
/// redirect URIs within the SSA's, request JWTs signed with the software's keys, replay, audit)
/// are not part of it: they live once, in the pipeline.
public struct TrustFramework: Sendable, Hashable {
    /// A framework's configuration name.
    public enum Name: String, Sendable, CaseIterable, Hashable {
        /// Open Banking UK (the Open Banking Directory; the default).
        case openBankingUK = "openbanking-uk"
        /// Open Finance Brasil (the Brasil directory and its participants list).
        case openFinanceBrasil = "open-finance-brasil"
        /// The Australian Consumer Data Right (the CDR Register).
        case cdrAU = "cdr-au"
    }

    /// Where a software statement keeps what the pipeline reads.
    public struct ClaimNames: Sendable, Hashable {
        /// The software's signing keys (request JWTs, `jwks_uri`).
        public var softwareJWKS: String
        /// The key set its transport certificates are published in, when the framework has one.
        public var transportJWKS: String?
        /// The key set that lists its withdrawn transport certificates, when there is one.
        public var transportJWKSRevoked: String?
        /// Its redirect URIs.
        public var redirectURIs: String
        /// Its client name.
        public var clientName: String
        /// Its roles (an array, or a single string where the framework gives one).
        public var roles: String
        /// Its scopes, where the SSA names them (the CDR); `nil` where roles govern scopes.
        public var scope: String?
        /// The legal entity that answers for the software (the CDR), when the framework names one.
        public var legalEntityID: String?
    }

    /// What ties a client certificate to the software it is presented for.
    public enum CertificateBinding: String, Sendable, Hashable {
        /// Open Banking UK's transport profile: CN = `software_id`, OU = `org_id`, an
        /// `organizationIdentifier` that agrees with `org_id`.
        case openBankingUK = "CN=software_id, OU=org_id"
        /// ICP-Brasil's profile for Open Finance Brasil: `UID` = `software_id`,
        /// `organizationIdentifier` = `OFBBR-` followed by `org_id`.
        case icpBrasil = "UID=software_id, organizationIdentifier=OFBBR-org_id"
        /// No subject rule: the certificate chains to the framework's CA, and tokens are bound to
        /// it by holder-of-key (`cnf.x5t#S256`), the CDR's model.
        case holderOfKey = "holder-of-key (cnf.x5t#S256)"
    }

    /// How the scopes a client may have are found.
    public enum ScopeRule: Sendable, Hashable {
        /// Each role permits scopes (`openid` always); token time narrows to the roles still active.
        case roles([String: [String]])
        /// The SSA's own `scope` claim: the request's scopes must lie within it; roles play no part.
        case softwareStatementScope
    }

    /// Where the participant's current status comes from.
    public enum StatusSource: String, Sendable, Hashable {
        /// The directory's SCIM TPP API (`tppUrl`), over mutual TLS with a directory token.
        case scim = "tppUrl"
        /// The directory's public participants list (`participantsUrl`).
        case participants = "participantsUrl"
        /// The CDR Register's public status endpoints (`registerUrl`, `registerIndustry`).
        case register = "registerUrl"
    }

    /// The configuration name.
    public var name: Name
    /// The `iss` of its directory's SSAs when `issuer` is not configured.
    public var defaultIssuer: String
    /// Where the SSA's claims are.
    public var claimNames: ClaimNames
    /// Claims every SSA must carry (beyond `iss` and `iat`), in the order problems are named.
    public var requiredClaims: [String]
    /// Algorithms its directory signs SSAs with (intersected with the configured allow-list);
    /// `nil`: the configured allow-list alone.
    public var ssaAlgorithms: Set<JWSAlgorithm>?
    /// The oldest an SSA's `iat` may be when `maximumSSAAge` is not configured; `nil`: no limit.
    public var defaultMaximumAge: TimeInterval?
    /// Whether `exp` is required, and how far after `iat` it may be.
    public var requiresExpiry: Bool
    /// The longest `exp` - `iat` accepted, when the framework bounds it.
    public var maximumLifetime: TimeInterval?
    /// Roles `software_roles` may hold.
    public var knownRoles: Set<String>
    /// What ties a client certificate to its software.
    public var certificateBinding: CertificateBinding
    /// How scopes are found.
    public var scopes: ScopeRule
    /// Where the participant's status comes from.
    public var statusSource: StatusSource
    /// The authorisation domain whose status and role claims count (`PSD2` in the UK, `Open Banking`
    /// in Brasil); the UK's is the configured `authorisationDomain`.
    public var authorisationDomain: String
    /// Whether its certificates publish revocation information (an OCSP responder or a CRL) as a
    /// rule: where they do, a certificate that names neither is refused by default
    /// (`revocationWhenUnpublished=reject`); where they need not, it passes (`allow`).
    public var certificatesPublishRevocation: Bool
    /// The specifications this framework's rules were read from, with their versions.
    public var specifications: [String]

    /// Open Banking UK: SSAs from the Open Banking Directory (`OpenBanking Ltd`), SCIM status,
    /// the transport certificate profile, roles AISP, PISP, CBPII to scopes. Today's behaviour
    /// exactly.
    public static let openBankingUK = TrustFramework(
        name: .openBankingUK, defaultIssuer: "OpenBanking Ltd",
        claimNames: ClaimNames(softwareJWKS: "software_jwks_endpoint", transportJWKS: "software_jwks_endpoint",
                               transportJWKSRevoked: "software_jwks_revoked_endpoint", redirectURIs: "software_redirect_uris",
                               clientName: "software_client_name", roles: "software_roles"),
        requiredClaims: ["software_id", "org_id", "software_roles", "software_redirect_uris", "software_jwks_endpoint"],
        ssaAlgorithms: nil, defaultMaximumAge: nil, requiresExpiry: false, maximumLifetime: nil,
        knownRoles: ["AISP", "PISP", "CBPII", "ASPSP"], certificateBinding: .openBankingUK,
        scopes: .roles(openBankingUKRoleScopes), statusSource: .scim, authorisationDomain: "PSD2",
        certificatesPublishRevocation: true,
        specifications: [
            "Open Banking UK Dynamic Client Registration 3.3 (software statement claims, registration request)",
            "Open Banking Directory SCIM API, scim-swagger.yml 2.2 (participant status, software statements, authorisations)",
            "OBIE transport certificate profile (CN = software_id, OU = org_id, organizationIdentifier per ETSI TS 119 495)",
        ])

    /// Open Finance Brasil: PS256 SSAs at most 5 minutes old from the Brasil directory, the
    /// participants list for status, ICP-Brasil certificates (`UID`, `organizationIdentifier`
    /// `OFBBR-`), roles DADOS, PAGTO, CONTA, CCORR.
    public static let openFinanceBrasil = TrustFramework(
        name: .openFinanceBrasil, defaultIssuer: "Open Finance Open Finance Brasil production SSA issuer",
        claimNames: ClaimNames(softwareJWKS: "software_jwks_uri", transportJWKS: "software_jwks_transport_uri",
                               transportJWKSRevoked: "software_jwks_transport_inactive_uri", redirectURIs: "software_redirect_uris",
                               clientName: "software_client_name", roles: "software_roles"),
        requiredClaims: ["software_id", "org_id", "software_roles", "software_redirect_uris", "software_jwks_uri", "software_statement_roles"],
        ssaAlgorithms: [.PS256], defaultMaximumAge: 300, requiresExpiry: false, maximumLifetime: nil,
        knownRoles: ["DADOS", "PAGTO", "CONTA", "CCORR"], certificateBinding: .icpBrasil,
        scopes: .roles(brasilRoleScopes), statusSource: .participants, authorisationDomain: "Open Banking",
        certificatesPublishRevocation: true,
        specifications: [
            "Open Finance Brasil DCR profile, OpenBanking-Brasil/specs-seguranca open-banking-brasil-dynamic-client-registration-1_ID3: SSA PS256 from the directory, iat within 5 minutes, claims, software_statement_roles Active, roles to scopes, UID = software_id and organizationIdentifier = OFBBR-org_id (OU = org_id for certificates of the coexistence period)",
            "Open Finance Brasil participants list, OpenBanking-Brasil/specs-directory swagger_participants.yaml: OrganisationId, Status, OrgDomainClaims, OrgDomainRoleClaims",
        ])

    /// The Australian Consumer Data Right: SSAs from the Register (`cdr-register`) valid about 10
    /// minutes, the Register's status endpoints, certificates from the CDR CA bound by
    /// holder-of-key, and scopes from the SSA's own `scope`.
    public static let cdrAU = TrustFramework(
        name: .cdrAU, defaultIssuer: "cdr-register",
        claimNames: ClaimNames(softwareJWKS: "jwks_uri", transportJWKS: nil, transportJWKSRevoked: nil, redirectURIs: "redirect_uris",
                               clientName: "client_name", roles: "software_roles", scope: "scope", legalEntityID: "legal_entity_id"),
        requiredClaims: ["legal_entity_id", "org_id", "software_id", "software_roles", "scope", "redirect_uris", "jwks_uri", "exp"],
        ssaAlgorithms: [.PS256], defaultMaximumAge: 600, requiresExpiry: true, maximumLifetime: 600,
        knownRoles: ["data-recipient-software-product"], certificateBinding: .holderOfKey,
        scopes: .softwareStatementScope, statusSource: .register, authorisationDomain: "CDR",
        certificatesPublishRevocation: false,
        specifications: [
            "Consumer Data Standards (ConsumerDataStandardsAustralia/standards): the security profile's registration and holder-of-key rules",
            "CDR Register APIs: the SSA (claims, exp about 10 minutes after iat), data-recipients/status (legalEntityId, status) and data-recipients/brands/software-products/status (softwareProductId, status), asked with x-v",
        ])

    /// Roles to scopes in Open Banking UK (the default `roleScopes`): AISP accounts, PISP
    /// payments, CBPII fundsconfirmations.
    public static let openBankingUKRoleScopes: [String: [String]] = ["AISP": ["accounts"], "PISP": ["payments"], "CBPII": ["fundsconfirmations"]]

    /// Roles to scopes in Open Finance Brasil (the DCR profile 1_ID3's table): data sharing
    /// (DADOS) and payment initiation (PAGTO); account holders (CONTA) and credit correspondents
    /// (CCORR) get `openid` only.
    public static let brasilRoleScopes: [String: [String]] = [
        "DADOS": ["accounts", "credit-cards-accounts", "consents", "customers", "financings", "invoice-financings", "loans",
                  "unarranged-accounts-overdraft", "resources"],
        "PAGTO": ["payments"],
    ]

    /// The framework named `name`.
    public static func named(_ name: Name) -> TrustFramework {
        switch name {
        case .openBankingUK: .openBankingUK
        case .openFinanceBrasil: .openFinanceBrasil
        case .cdrAU: .cdrAU
        }
    }

    /// Every framework.
    public static let all: [TrustFramework] = Name.allCases.map(named)
}
