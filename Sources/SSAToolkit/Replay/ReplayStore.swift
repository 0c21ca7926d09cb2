import Foundation

/// Remembers the `jti` of every signed request JWT for as long as that JWT could still be
/// accepted, so the same request cannot be used twice.
///
/// Several servers behind one registration endpoint must share one store; the in-memory store
/// ``InMemoryReplayStore`` serves a single process. A store that cannot answer must say so
/// (``ReplayClaim/unavailable(_:)``): the caller then decides nothing rather than accept.
public protocol ReplayStore: Sendable {
    /// Records `jti` from `issuer` until `expiry` (after which the JWT could not be accepted
    /// anyway), and says whether it was the first use.
    ///
    /// - Parameters:
    ///   - jti: the JWT id, compared byte for byte.
    ///   - issuer: the JWT's `iss`; ids are unique per issuer only.
    ///   - expiry: when the entry may be forgotten (the JWT's `exp` plus the allowed clock skew).
    ///   - now: the instant of the decision.
    func claim(jti: String, issuer: String, until expiry: Date, now: Date) async -> ReplayClaim

    /// Forgets a claim made by this decision, so a TPP may retry a request that was not decided
    /// (the directory was down): the JWT was not used.
    func release(jti: String, issuer: String) async
}

/// What a ``ReplayStore`` says of a `jti`.
public enum ReplayClaim: Sendable, Hashable {
    /// Never seen (or seen so long ago it has expired): recorded now.
    case first
    /// Already recorded and not yet expired: a replay.
    case replay
    /// The store cannot answer (full, or its backend is down): neither first nor replay.
    case unavailable(String)
}

/// A bounded, in-memory ``ReplayStore`` for one process.
///
/// Entries expire with their JWT. When the store holds `capacity` live entries it evicts the
/// expired ones; if none has expired it refuses new ones (``ReplayClaim/unavailable(_:)``)
/// rather than forget a live entry, which would let that request be replayed.
public actor InMemoryReplayStore: ReplayStore {
    private struct Key: Hashable {
        var issuer: [UInt8]
        var jti: [UInt8]
    }

    /// The most entries held at once.
    public let capacity: Int
    private var entries: [Key: Date] = [:]
    private var soonestExpiry: Date = .distantFuture

    /// A store holding at most `capacity` live entries (100,000 by default: at one registration
    /// a second and one-hour requests, a day's worth is far more than can be live at once).
    public init(capacity: Int = 100_000) {
        self.capacity = max(1, capacity)
    }

    /// The number of entries held, expired or not.
    public var count: Int { entries.count }

    public func claim(jti: String, issuer: String, until expiry: Date, now: Date) -> ReplayClaim {
        let key = Key(issuer: Array(issuer.utf8), jti: Array(jti.utf8))
        if let held = entries[key], held > now { return .replay }
        if entries[key] == nil, entries.count >= capacity {
            evictExpired(now: now)
            if entries.count >= capacity {
                return .unavailable("the replay cache holds \(capacity) unexpired request ids")
            }
        }
        entries[key] = expiry
        soonestExpiry = min(soonestExpiry, expiry)
        return .first
    }

    public func release(jti: String, issuer: String) {
        entries[Key(issuer: Array(issuer.utf8), jti: Array(jti.utf8))] = nil
    }

    /// Drops every entry that has expired at `now`.
    public func evictExpired(now: Date) {
        guard soonestExpiry <= now else { return }
        entries = entries.filter { $0.value > now }
        soonestExpiry = entries.values.min() ?? .distantFuture
    }
}
