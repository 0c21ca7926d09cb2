import Foundation

/// `transportKeyBinding=directory`: the caller's certificate must be one the directory publishes
/// for the software, in the software statement's key set (`software_jwks_endpoint`: an entry
/// whose `x5c` leaf or `x5t#S256` is the certificate, `use` `tls` where given), and must not be
/// in its revoked key set (`software_jwks_revoked_endpoint`) when one is named. The same check at
/// registration and at token time, through the same key set cache (``SoftwareKeySets``); a
/// certificate the cached set lacks makes one rate-limited refresh, so a rotated certificate is
/// found without waiting for the cache to expire.
struct TransportKeyBinding: Sendable {
    /// The key sets, shared with the request signature check.
    var keySets: SoftwareKeySets

    /// The outcome for the certificate with `x5t#S256` `thumbprint`.
    func check(thumbprint: String, endpoint: String?, revokedEndpoint: String?) async -> RuleOutcome {
        guard let endpoint, !endpoint.isEmpty else {
            return .refused("no software_jwks_endpoint names the software's key set, so the certificate cannot be found published there (transportKeyBinding=directory)")
        }
        let provider: JWKSProvider
        var published: Bool
        do throws(JWKSUnavailableError) {
            provider = try keySets.provider(for: endpoint)
            published = try await provider.keys().publishesTransportCertificate(thumbprint)
            if !published, let refreshed = try await provider.refreshForUnknownKey() { published = refreshed.publishesTransportCertificate(thumbprint) }
        } catch {
            return .unavailable("the software's key set is unavailable: \(error.description)")
        }
        guard published else {
            return .refused("the client certificate (x5t#S256 \(thumbprint)) is not published for TLS in the software's key set \(endpoint.quotedForReport(limit: 300))")
        }
        guard let revokedEndpoint, !revokedEndpoint.isEmpty else {
            return .passed("published for TLS in \(endpoint.escapedForTerminal(limit: 300)); no revoked key set is named")
        }
        do throws(JWKSUnavailableError) {
            if try await keySets.provider(for: revokedEndpoint).keys().namesCertificate(thumbprint) {
                return .refused("the client certificate (x5t#S256 \(thumbprint)) is listed in the software's revoked key set \(revokedEndpoint.quotedForReport(limit: 300))")
            }
        } catch {
            return .unavailable("the software's revoked key set is unavailable: \(error.description)")
        }
        return .passed("published for TLS in \(endpoint.escapedForTerminal(limit: 300)), absent from the revoked key set \(revokedEndpoint.escapedForTerminal(limit: 300))")
    }
}
