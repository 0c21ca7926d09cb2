import Foundation
import Logging
import Metrics
import Synchronization

/// Why a JWKS could not be obtained. The verifier turns it into *undecided*, never *valid*.
public struct JWKSUnavailableError: Error, CustomStringConvertible, Sendable {
    /// Where the JWKS was to come from.
    public var source: String
    /// What went wrong: the transport error, the HTTP status or the malformed document.
    public var reason: String
    public var description: String { "JWKS from \(source) unavailable: \(reason)" }
}

/// Supplies the directory's JWKS to verifiers: cached, refreshed on an unknown `kid` at most once
/// per interval, with one fetch shared by every concurrent caller.
public actor JWKSProvider {
    /// Where the JWKS comes from.
    public enum Source: Sendable {
        /// An https URL, fetched with the given client.
        case url(URL, HTTPSClient)
        /// A file, read again on refresh.
        case file(String)
        /// A fixed set (already loaded by the caller).
        case fixed(JWKS)

        var label: String {
            switch self {
            case .url(let url, _): url.absoluteString
            case .file(let path): path
            case .fixed: "the configured JWKS"
            }
        }
    }

    /// Cache lifetimes and bounds.
    public struct CachePolicy: Sendable {
        /// Lifetime when the response has no usable `Cache-Control: max-age`.
        public var defaultLifetime: TimeInterval = 3600
        /// Shortest lifetime honoured (also used for `no-cache` / `no-store`).
        public var minimumLifetime: TimeInterval = 60
        /// Longest lifetime honoured.
        public var maximumLifetime: TimeInterval = 86_400
        /// Least time between two refreshes caused by an unknown `kid`.
        public var minimumRefreshInterval: TimeInterval = 60
        /// Largest JWKS document accepted.
        public var maximumBytes: Int = 512 * 1024

        /// The defaults: one hour, honoured between one minute and one day; one unknown-kid
        /// refresh per minute; 512 KiB.
        public init() {}
    }

    private struct Snapshot: Sendable {
        var jwks: JWKS
        var expires: Date
    }

    private let source: Source
    private let cachePolicy: CachePolicy
    private let now: @Sendable () -> Date
    private let logger: Logger
    /// The set last fetched, readable without entering the actor: a warm caller (every token
    /// decision asks for a TPP's key set) reads it under a lock and never queues behind the
    /// actor. Only the actor writes it.
    private nonisolated let current = Mutex<Snapshot?>(nil)
    private var cached: Snapshot? { current.withLock { $0 } }
    private var inFlight: Task<Result<Snapshot, JWKSUnavailableError>, Never>?
    private var lastUnknownKeyRefresh: Date?
    private let metricsName: String
    /// Its cache hits' counter, looked up on the first hit and kept (a hit is every warm decision's).
    private nonisolated let hits = Mutex<Counter?>(nil)

    /// How many times the JWKS was fetched or read (for diagnostics and tests of caching).
    public private(set) var fetchCount = 0

    /// A provider. `now` is the clock used for cache lifetimes (injectable for tests).
    ///
    /// `metricsName` labels its cache events and fetch timings (`jwks` for the directory's set,
    /// `software_jwks` for a TPP's).
    public init(source: Source, cachePolicy: CachePolicy = CachePolicy(), logger: Logger = Logger(label: "ssa-toolkit.jwks", factory: { _ in SwiftLogNoOpLogHandler() }), now: @escaping @Sendable () -> Date = { Date() },
                metricsName: String = "jwks") {
        self.metricsName = metricsName
        self.source = source
        self.cachePolicy = cachePolicy
        self.logger = logger
        self.now = now
    }

    /// The current JWKS: cached while fresh, else fetched (one fetch for all concurrent callers).
    public nonisolated func keys() async throws(JWKSUnavailableError) -> JWKS {
        if let fresh = freshSnapshot() { return fresh.jwks }
        return try await keysAfterMiss()
    }

    /// The cached set while it is fresh, counted as a hit.
    private nonisolated func freshSnapshot() -> Snapshot? {
        guard let snapshot = current.withLock({ $0 }), now() < snapshot.expires else { return nil }
        hits.withLock { counter in
            if counter == nil { counter = ToolkitMetrics.cacheCounter(metricsName, "hit") }
            counter?.increment()
        }
        return snapshot
    }

    /// On the actor: a fetch another caller finished meanwhile is a hit; otherwise one fetch
    /// for every caller that missed.
    private func keysAfterMiss() async throws(JWKSUnavailableError) -> JWKS {
        if let fresh = freshSnapshot() { return fresh.jwks }
        ToolkitMetrics.cache(metricsName, "miss")
        return try await fetch()
    }

    /// Called when a token names a `kid` the current set lacks: refreshes once, unless a
    /// refresh for that reason happened within ``CachePolicy/minimumRefreshInterval``.
    /// - Returns: the refreshed set; when rate-limited, the set the last refresh brought (after
    /// waiting for it if it is still running), or `nil` when there is none.
    public func refreshForUnknownKey() async throws(JWKSUnavailableError) -> JWKS? {
        if case .fixed = source { return nil }
        let instant = now()
        if let last = lastUnknownKeyRefresh, instant.timeIntervalSince(last) < cachePolicy.minimumRefreshInterval {
            // Another caller refreshed moments ago: wait for that refresh if it is still running
            // and answer the set it brought (concurrent callers missing the same new key all
            // find it); no new fetch is made.
            logger.debug("JWKS refresh for an unknown kid rate-limited: answering the latest set")
            if inFlight != nil { return try await fetch() }
            return cached?.jwks
        }
        lastUnknownKeyRefresh = instant
        ToolkitMetrics.cache(metricsName, "refresh")
        return try await fetch()
    }

    private func fetch() async throws(JWKSUnavailableError) -> JWKS {
        let task: Task<Result<Snapshot, JWKSUnavailableError>, Never>
        if let inFlight {
            task = inFlight
        } else {
            let source = self.source
            let policy = self.cachePolicy
            let now = self.now
            let endpoint = metricsName
            task = Task {
                let start = ContinuousClock.now
                let result = await Self.load(source, policy: policy, now: now)
                if case .url = source {
                    ToolkitMetrics.directoryRequest(endpoint, succeeded: (try? result.get()) != nil, duration: ContinuousClock.now - start)
                }
                return result
            }
            inFlight = task
            fetchCount += 1
        }
        let result = await task.value
        if inFlight == task { inFlight = nil }
        switch result {
        case .success(let snapshot):
            current.withLock { $0 = snapshot }
            for warning in snapshot.jwks.warnings { logger.warning("\(warning)", metadata: ["jwks": "\(source.label)"]) }
            return snapshot.jwks
        case .failure(let error):
            logger.warning("\(error)")
            throw error
        }
    }

    private static func load(_ source: Source, policy: CachePolicy, now: @Sendable () -> Date) async -> Result<Snapshot, JWKSUnavailableError> {
        do throws(JWKSUnavailableError) {
            switch source {
            case .fixed(let jwks):
                return .success(Snapshot(jwks: jwks, expires: .distantFuture))
            case .file(let path):
                let data: Data
                do { data = Data(try SafeFile.read(path, limit: 1 << 20)) } catch {
                    throw JWKSUnavailableError(source: path, reason: "the file \(error.reason)")
                }
                let jwks = try parse(data, source: path, policy: policy)
                return .success(Snapshot(jwks: jwks, expires: now().addingTimeInterval(policy.defaultLifetime)))
            case .url(let url, let client):
                let response: HTTPResponse
                do {
                    response = try await client.get(url, headers: ["Accept": "application/json, application/jwk-set+json"])
                } catch {
                    throw JWKSUnavailableError(source: url.absoluteString, reason: error.reason)
                }
                guard response.status == 200 else {
                    throw JWKSUnavailableError(source: url.absoluteString, reason: "HTTP status \(response.status)")
                }
                let jwks = try parse(response.body, source: url.absoluteString, policy: policy)
                let lifetime = lifetime(cacheControl: response.header("Cache-Control"), policy: policy)
                return .success(Snapshot(jwks: jwks, expires: now().addingTimeInterval(lifetime)))
            }
        } catch {
            return .failure(error)
        }
    }

    private static func parse(_ bytes: some Collection<UInt8>, source: String, policy: CachePolicy) throws(JWKSUnavailableError) -> JWKS {
        do {
            return try JWKS(parsing: bytes, maximumBytes: policy.maximumBytes)
        } catch {
            throw JWKSUnavailableError(source: source, reason: error.reason)
        }
    }

    /// The lifetime a `Cache-Control` value asks for, clamped to the policy's bounds.
    public static func lifetime(cacheControl: String?, policy: CachePolicy) -> TimeInterval {
        guard let cacheControl else { return policy.defaultLifetime }
        var lifetime = policy.defaultLifetime
        for directive in cacheControl.lowercased().split(separator: ",") {
            let parts = directive.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            switch parts.first.map(String.init) {
            case "no-cache", "no-store":
                return policy.minimumLifetime
            case "max-age":
                if parts.count == 2, let seconds = TimeInterval(parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\" "))), seconds >= 0 {
                    lifetime = seconds
                }
            default:
                continue
            }
        }
        return min(max(lifetime, policy.minimumLifetime), policy.maximumLifetime)
    }
}
