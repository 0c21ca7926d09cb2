import Foundation

/// One trusted directory as token time sees it: the SSA issuer that names it, its cached
/// organisation records, and the client certificate rule over its anchors (the same rule, and
/// the same cache of verified chains, that registration applies for it).
///
/// A class: every token decision picks one, and a reference costs one retain where a copy of
/// all its parts cost several (perf).
public final class TokenDirectory: Sendable {
    /// The SSA `iss` that names this directory (compared byte for byte with `ssa_issuer`).
    public let issuer: String
    /// Its organisation records, cached (Open Banking UK's SCIM status source); `nil` for a
    /// framework whose status is ``participants``.
    public let status: DirectoryStatusCache?
    /// Its client certificate rule.
    public let certificates: ClientCertificateRule
    /// Its trust framework: where status comes from and how scopes are narrowed.
    public let framework: TrustFramework
    /// Its participants' status source, for frameworks other than Open Banking UK.
    public let participants: (any ParticipantStatusSource)?
    /// The issuer as reports quote it, made once (a warm decision builds no more text than it must).
    let quotedIssuer: String
    /// The framework's name as decisions and audit records carry it, made once.
    let frameworkName: String
    /// Every scope the framework's roles govern (its resource scopes), made once; empty where
    /// the SSA's own scope governs.
    let roleGovernedScopes: Set<String>

    /// A directory from its parts.
    public convenience init(issuer: String, status: DirectoryStatusCache, certificates: ClientCertificateRule) {
        self.init(issuer: issuer, framework: .openBankingUK, status: status, participants: nil, certificates: certificates)
    }

    /// A directory of `framework`: its status from `status` (Open Banking UK's SCIM) or from
    /// `participants` (the other frameworks' published lists).
    public init(issuer: String, framework: TrustFramework, status: DirectoryStatusCache?, participants: (any ParticipantStatusSource)?, certificates: ClientCertificateRule) {
        precondition(status != nil || participants != nil, "a token directory needs a status source")
        self.issuer = issuer
        self.framework = framework
        self.participants = participants
        self.status = status
        frameworkName = framework.name.rawValue
        roleGovernedScopes = if case .roles(let map) = framework.scopes { Set(map.values.joined()) } else { [] }
        self.certificates = certificates
        quotedIssuer = issuer.quotedForReport()
    }
}
