import Foundation
import NIOCore
import PostgresNIO
import SSAToolkit

/// This node's audit chain in the database: the same lines and hash chain as the file log
/// (``AuditLog``), one row per record keyed by node and sequence number.
///
/// Each node keeps its own chain, so nodes never wait for each other: records that arrive while
/// a write is in flight share the next one (one multi-row insert, committed before any of them
/// is answered). After a failed write the chain's head is read back from the database before
/// the next, so a record never points at one that was not committed. Two processes configured
/// with the same node name collide on the key and fail closed, naming it.
public struct PostgresAuditSink: AuditSink {
    /// The database.
    public let store: PostgresStateStore

    public var location: String { "\(store.settings.displayName) (node \(store.settings.node))" }
    public var health: AuditHealth { store.health }
    /// Asks the database (``PostgresStateStore/probe()``).
    public func probe() async { await store.probe() }

    /// This node's chain: its length and last hash, as last written (`nil` until then, or after
    /// a failed write until the head is read back). The log id names the database and node.
    public var checkpointHead: AuditHead? {
        guard let (hash, next) = store.chain.withLock({ $0.head }), next > 1 else { return nil }
        return AuditHead(logID: "\(store.settings.displayName)#\(store.settings.node)", node: store.settings.node, records: Int(next - 1), hash: hash)
    }

    public func append(_ record: AuditRecord) async throws(AuditError) {
        let prepared = AuditLog.Prepared(record)
        do {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let start = store.chain.withLock { chain -> Bool in
                    chain.pending.append((prepared, continuation))
                    if chain.writing { return false }
                    chain.writing = true
                    return true
                }
                if start { Task { await drain() } }
            }
        } catch let error as AuditError {
            throw error
        } catch {
            throw AuditError("\(location): \(error)")
        }
    }

    /// Writes waiting records, a batch at a time, until none wait.
    private func drain() async {
        while true {
            let (batch, head) = store.chain.withLock { chain in
                let taken = Array(chain.pending.prefix(500))
                chain.pending.removeFirst(taken.count)
                if taken.isEmpty { chain.writing = false }
                return (taken, chain.head)
            }
            if batch.isEmpty { return }
            let node = store.settings.node
            let records = batch.map(\.record)
            let logger = store.logger
            do {
                let written = try await store.run("writing the audit chain") { client in
                    var (hash, next): (String, Int64)
                    if let head { (hash, next) = head } else { (hash, next) = try await Self.head(of: node, client: client, logger: logger) }
                    var sql = "INSERT INTO ssa_audit (node, seq, line) VALUES "
                    var binds = PostgresBindings(capacity: records.count * 3)
                    for (index, record) in records.enumerated() {
                        let (line, lineHash) = record.chained(to: hash)
                        sql += index == 0 ? "" : ","
                        sql += "($\(index * 3 + 1),$\(index * 3 + 2),$\(index * 3 + 3))"
                        try binds.append(node)
                        try binds.append(next)
                        try binds.append(ByteBuffer(bytes: line))
                        hash = lineHash
                        next += 1
                    }
                    try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
                    return (hash, next)
                }
                store.chain.withLock { $0.head = written }
                for entry in batch { entry.done.resume() }
            } catch {
                // Unknown whether it committed (the answer may have been lost): ask next time.
                var reason = error.reason
                if reason.contains("23505") {
                    reason += "; another process writes as node \(node): give each node its own stateStoreNode"
                }
                store.chain.withLock { $0.head = nil }
                for entry in batch { entry.done.resume(throwing: AuditError(reason)) }
            }
        }
    }

    /// The hash of `node`'s last line and the next sequence number (genesis and 1 when empty).
    static func head(of node: String, client: PostgresClient, logger: Logger) async throws -> (String, Int64) {
        let rows = try await client.query("SELECT seq, line FROM ssa_audit WHERE node = \(node) ORDER BY seq DESC LIMIT 1", logger: logger)
        for try await (seq, line) in rows.decode((Int64, ByteBuffer).self) {
            return (AuditLog.hash(ofLine: line.readableBytesView), seq + 1)
        }
        return (AuditLog.genesis, 1)
    }

    /// Verifies every node's chain (or `node`'s) in the database: each line's hash, each `prev`,
    /// and sequence numbers without a gap, node by node.
    public static func verify(_ store: PostgresStateStore, node: String? = nil, hashesAt wanted: Set<Int> = []) async throws(AuditError) -> [(node: String, verification: AuditChain.Verification)] {
        let logger = store.logger
        let nodes: [String] = try await store.run("listing audit chains") { client in
            var names: [String] = []
            let rows = try await client.query("SELECT DISTINCT node FROM ssa_audit ORDER BY node", logger: logger)
            for try await name in rows.decode(String.self) { names.append(name) }
            return names
        }
        var results: [(String, AuditChain.Verification)] = []
        for name in nodes where node == nil || node == name {
            var verifier = AuditChain.Verifier(hashesAt: wanted)
            var after: Int64 = 0
            // A page at a time, so a long chain is never held in memory at once.
            while true {
                let from = after
                let page: [(Int64, [UInt8])] = try await store.run("reading the audit chain of node \(name)") { client in
                    var lines: [(Int64, [UInt8])] = []
                    let rows = try await client.query("SELECT seq, line FROM ssa_audit WHERE node = \(name) AND seq > \(from) ORDER BY seq LIMIT 5000", logger: logger)
                    for try await (seq, line) in rows.decode((Int64, ByteBuffer).self) { lines.append((seq, Array(line.readableBytesView))) }
                    return lines
                }
                if page.isEmpty { break }
                // Every break is named, not only the first: the check goes on past each one.
                for (seq, line) in page {
                    if seq != after + 1 {
                        verifier.fail(source: "node \(name)", number: Int(after + 1), reason: "records \(after + 1) to \(seq - 1) are missing: deleted from the chain")
                    }
                    after = seq
                    verifier.check(line, source: "node \(name)", number: Int(seq))
                }
            }
            results.append((name, verifier.verification))
        }
        if let node, !nodes.contains(node) { throw AuditError("the state store has no audit chain for node \(node)") }
        return results
    }
}
