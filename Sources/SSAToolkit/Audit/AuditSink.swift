/// Where decisions are recorded: the hash-chained file log (``AuditLog``, one node) or a shared
/// database (several nodes). Either keeps the same records and the same chain.
///
/// ``append(_:)`` returns only once the record is as durable as the sink promises; it throws
/// otherwise, and the caller then refuses to decide (no record, no decision).
public protocol AuditSink: Sendable {
    /// Where the records go, for reports and `/healthz`: a file path, or the database and node.
    /// Never a password.
    var location: String { get }
    /// The state of the last write.
    var health: AuditHealth { get }
    /// Appends `record` to the chain.
    ///
    /// - Throws: ``AuditError`` when the record was not written: do not act on the decision.
    func append(_ record: AuditRecord) async throws(AuditError)
    /// What a checkpoint would commit to now (the chain's length from genesis and its last
    /// hash), or `nil` when it is not known (nothing written yet, or the head must be read back).
    var checkpointHead: AuditHead? { get }
    /// Checks the sink can still be written, so ``health`` stays current while no decision is
    /// made (a database that went away, or came back). The service calls it every second.
    func probe() async
}

extension AuditSink {
    /// Not known.
    public var checkpointHead: AuditHead? { nil }
    /// Nothing to check between writes (a file's health is that of its last write).
    public func probe() async {}
}

/// The health of an ``AuditSink``, for `/healthz`.
public enum AuditHealth: Sendable, Hashable {
    /// The last write succeeded.
    case ok
    /// The last write failed, with the reason.
    case failing(String)
}
