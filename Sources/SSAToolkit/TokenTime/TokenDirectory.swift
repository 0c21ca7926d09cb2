import Foundation

/// One trusted directory as token time sees it: the SSA issuer that names it, its cached
/// organisation records, and the client certificate rule over its anchors (the same rule, and
/// the same cache of verified chains, that registration applies for it).
public struct TokenDirectory: Sendable {
    /// The SSA `iss` that names this directory (compared byte for byte with `ssa_issuer`).
    public var issuer: String
    /// Its organisation records, cached.
    public var status: DirectoryStatusCache
    /// Its client certificate rule.
    public var certificates: ClientCertificateRule
    /// The issuer as reports quote it, made once (a warm decision builds no more text than it must).
    let quotedIssuer: String

    /// A directory from its parts.
    public init(issuer: String, status: DirectoryStatusCache, certificates: ClientCertificateRule) {
        self.issuer = issuer
        self.status = status
        self.certificates = certificates
        quotedIssuer = issuer.quotedForReport()
    }
}
