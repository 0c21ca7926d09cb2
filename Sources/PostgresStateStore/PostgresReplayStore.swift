import Foundation
import NIOCore
import PostgresNIO
import SSAToolkit

/// The ``ReplayStore`` of several nodes: one row per issuer and `jti`, claimed by an atomic
/// insert-if-absent, so of two nodes receiving the same request JWT at the same instant at most
/// one accepts it. A row whose expiry has passed may be claimed again (the JWT could no longer
/// be accepted anyway); expired rows are purged at most once a minute.
public struct PostgresReplayStore: ReplayStore {
    /// The database.
    public let store: PostgresStateStore

    public func claim(jti: String, issuer: String, until expiry: Date, now: Date) async -> ReplayClaim {
        let issuerBytes = ByteBuffer(bytes: Array(issuer.utf8)), jtiBytes = ByteBuffer(bytes: Array(jti.utf8))
        do {
            // One statement: inserted (first use), or taken over from an expired row; no row
            // back means a live row holds the id (a replay). The row lock orders concurrent claims.
            let claimed = try await store.run("claiming a request id") { client in
                let rows = try await client.query("""
                    INSERT INTO ssa_replay (issuer, jti, expires_at) VALUES (\(issuerBytes), \(jtiBytes), \(expiry))
                    ON CONFLICT (issuer, jti) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE ssa_replay.expires_at <= \(now)
                    RETURNING 1
                    """, logger: store.logger)
                return try await rows.collect().count == 1
            }
            store.purgeIfDue(now: now)
            return claimed ? .first : .replay
        } catch {
            return .unavailable(error.reason)
        }
    }

    public func release(jti: String, issuer: String) async {
        let issuerBytes = ByteBuffer(bytes: Array(issuer.utf8)), jtiBytes = ByteBuffer(bytes: Array(jti.utf8))
        _ = try? await store.run("releasing a request id") { client in
            try await client.query("DELETE FROM ssa_replay WHERE issuer = \(issuerBytes) AND jti = \(jtiBytes)", logger: store.logger)
        }
    }

    /// The rows held, expired or not (for tests and operators).
    public func count() async throws(AuditError) -> Int {
        try await store.run("counting request ids") { client in
            var total = 0
            for try await (count) in try await client.query("SELECT count(*) FROM ssa_replay", logger: store.logger).decode(Int64.self) { total = Int(count) }
            return total
        }
    }
}
