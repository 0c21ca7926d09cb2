import Foundation
import Logging
import Synchronization

/// The TPPs' own key sets (the SSA's `software_jwks_endpoint`), which verify request JWTs:
/// one cached ``JWKSProvider`` per endpoint, shared by every registration, bounded in number.
///
/// A class with its state under a lock rather than an actor: finding an endpoint's provider
/// never waits, and every token decision asks for one, so callers on several threads would
/// otherwise queue behind each other for a dictionary lookup.
public final class SoftwareKeySets: Sendable {
    /// Where key sets come from.
    public enum Source: Sendable {
        /// Fetched over HTTPS with this client (no redirects, bounded, cached per Cache-Control).
        case fetch(HTTPSClient)
        /// Fixed sets by endpoint URL, e.g. for an integration that already holds them; an
        /// endpoint not listed is unavailable.
        case fixed([String: JWKS])
    }

    private let source: Source
    private let cachePolicy: JWKSProvider.CachePolicy
    private let maximumEntries: Int
    private let logger: Logger
    /// The providers by endpoint, and the endpoints oldest first.
    private let known = Mutex<(providers: [String: JWKSProvider], order: [String])>(([:], []))

    /// Key sets from `source`; at most `maximumEntries` endpoints are remembered (the oldest is
    /// forgotten first).
    public init(source: Source, cachePolicy: JWKSProvider.CachePolicy = JWKSProvider.CachePolicy(), maximumEntries: Int = 1024, logger: Logger = Logger(label: "ssa-toolkit.software-jwks", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.source = source
        self.cachePolicy = cachePolicy
        self.maximumEntries = max(1, maximumEntries)
        self.logger = logger
    }

    /// The provider for `endpoint` (an https URL already validated by the SSA rules).
    public func provider(for endpoint: String) throws(JWKSUnavailableError) -> JWKSProvider {
        if let existing = known.withLock({ $0.providers[endpoint] }) { return existing }
        let provider: JWKSProvider
        switch source {
        case .fetch(let client):
            guard let url = URL(string: endpoint), url.scheme == "https" else {
                throw JWKSUnavailableError(source: endpoint, reason: "not an https URL")
            }
            provider = JWKSProvider(source: .url(url, client), cachePolicy: cachePolicy, logger: logger, metricsName: "software_jwks")
        case .fixed(let sets):
            guard let jwks = sets[endpoint] else { throw JWKSUnavailableError(source: endpoint, reason: "no key set is configured for this endpoint") }
            provider = JWKSProvider(source: .fixed(jwks), cachePolicy: cachePolicy, logger: logger, metricsName: "software_jwks")
        }
        return known.withLock { known in
            // Another caller may have made it meanwhile: theirs is kept, so all share one cache.
            if let existing = known.providers[endpoint] { return existing }
            if known.order.count >= maximumEntries {
                known.providers[known.order.removeFirst()] = nil
            }
            known.providers[endpoint] = provider
            known.order.append(endpoint)
            return provider
        }
    }
}
