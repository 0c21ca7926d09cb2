import Crypto
import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An append-only, hash-chained audit log: one JSON line per decision.
///
/// Each line carries `prev`, the SHA-256 (hex) of the previous line's bytes, and ends with
/// `hash`, the SHA-256 of the line up to that member, so an edit, a deletion or a reordering
/// anywhere (the last line included) breaks the chain (`ssa-verify audit verify`).
///
/// A log has an identity and a beginning: its first line is a **genesis** record naming the
/// log's id (random, fixed at creation) and the node; a file begun by rotation starts with a
/// **continuation** record naming the file it continues, the records before it, and (as `prev`)
/// that file's last hash. One process writes a log: the file is locked (`flock`) for the log's
/// life, and a second writer is refused at open. ``head`` is what a signed checkpoint commits to.
///
/// ``append(_:)`` returns once the record is durable as ``Durability`` says; it throws when it is
/// not, so the caller can refuse to decide (fail closed).
public final class AuditLog: AuditSink {
    /// When a record counts as written.
    public enum Durability: Sendable, Hashable {
        /// Every record is written and synced (`fdatasync`) before its answer; records that
        /// arrive during a sync share the next one. Writes and syncs run on the log's own thread.
        case fsyncEachRecord
        /// Every record is written to the file (the kernel holds it: a crash of the process
        /// loses nothing) before its answer, and the file is synced at most `interval` later,
        /// so a power failure loses at most that window. A failed sync fails every later append
        /// until a sync succeeds again (fail closed).
        case groupCommit(interval: Duration)

        /// Group commit synced every 10 ms.
        public static let groupCommit = Durability.groupCommit(interval: .milliseconds(10))
    }

    /// The health of the log, for `/healthz`.
    public typealias Health = AuditHealth

    /// `prev` of the first record of a chain.
    public static let genesis = String(repeating: "0", count: 64)

    private struct State {
        var descriptor: Int32
        var size: Int
        var lastHash: String
        /// Records in the chain so far, from its genesis (every file's lines, headers included).
        var records: Int
        /// The record the current file still needs before its first decision: a genesis record
        /// (a new log) or a continuation record (after rotation); written with the next record.
        var header: [String: JSONValue]?
        var pending: [(record: Prepared, done: CheckedContinuation<Void, any Error>)] = []
        var writing = false
        var health: Health = .ok
        /// Group commit: a sync is scheduled for what was written since the last one.
        var syncScheduled = false
        /// Group commit: the last sync failed; appends fail until one succeeds.
        var syncFailure: String?
        /// Files opened so far by rotation: a sync of a descriptor that rotation has since synced
        /// and closed is not a failure of the log.
        var generation = 0
    }

    /// The file.
    public let path: String
    /// The durability.
    public let durability: Durability
    /// Rotation size: past it the file is renamed `PATH.<UTC time>` and a new one continues.
    public let maximumBytes: Int
    /// The log's id: random, fixed by its genesis record (`legacy-` and a hash for a log begun
    /// before logs had one).
    public let logID: String
    /// The node that writes it.
    public let node: String
    /// What an operator should hear when the log is opened: a log others may write, or a
    /// symbolic link on the way that others may redirect.
    public let openingWarnings: [String]
    private let state: Mutex<State>
    private let queue = DispatchQueue(label: "ssa-toolkit.audit")

    /// Opens (or creates, mode 0600, with its genesis record) the log at `path`, locks it, and
    /// continues its chain from its last line.
    ///
    /// - Throws: ``AuditError`` when the file cannot be opened, another process writes it, or its
    ///   last line is not a chained record.
    public convenience init(path: String, durability: Durability = .groupCommit(interval: .milliseconds(10)), maximumBytes: Int = 100 << 20,
                            node: String = AuditLog.defaultNode) throws(AuditError) {
        try self.init(path: path, durability: durability, maximumBytes: maximumBytes, node: node, acceptsCharacterDevice: false)
    }

    /// As the public initialiser; `acceptsCharacterDevice` lets a test open `/dev/full` to cause a
    /// write failure it could not cause otherwise. A running service never accepts a device.
    init(path: String, durability: Durability = .groupCommit(interval: .milliseconds(10)), maximumBytes: Int = 100 << 20, node: String = AuditLog.defaultNode,
         acceptsCharacterDevice: Bool) throws(AuditError) {
        self.path = path
        self.durability = durability
        self.maximumBytes = max(4096, maximumBytes)
        openingWarnings = SafeFile.permissionWarnings(path, what: "audit log", secret: false)
        let (descriptor, size) = try AuditFile.open(path, acceptsCharacterDevice: acceptsCharacterDevice)
        do {
            let last = try AuditFile.lastHash(of: path, size: size)
            if size == 0 {
                // A new log: its genesis record goes first (written with the first decision, so
                // a log that cannot be written yet still opens and reports itself failing).
                let id = AuditFile.newLogID()
                logID = id
                self.node = node
                state = Mutex(State(descriptor: descriptor, size: 0, lastHash: last, records: 0,
                                    header: AuditFile.genesisMembers(logID: id, node: node, time: Date())))
            } else {
                let identity = try AuditFile.identity(of: path, size: size)
                logID = identity.logID
                self.node = identity.node ?? node
                state = Mutex(State(descriptor: descriptor, size: size, lastHash: last, records: identity.recordsBefore + identity.lines, header: nil))
            }
        } catch {
            close(descriptor)
            throw error
        }
    }

    deinit {
        state.withLock { close($0.descriptor) }
    }

    /// The node name used when none is given: the host name.
    public static var defaultNode: String { ProcessInfo.processInfo.hostName }

    /// The health of the last write.
    public var health: Health { state.withLock { $0.health } }

    /// The file's path.
    public var location: String { path }

    /// The hash the next record will carry as `prev`.
    public var lastHash: String { state.withLock { $0.lastHash } }

    /// What a checkpoint commits to: the records written so far (from genesis) and the hash of
    /// the last one.
    public var head: AuditHead {
        state.withLock { AuditHead(logID: logID, node: node, records: $0.records, hash: $0.lastHash) }
    }

    /// ``head`` once something was written.
    public var checkpointHead: AuditHead? {
        let current = head
        return current.records > 0 ? current : nil
    }

    /// Appends `record` and returns once it is written and synced.
    ///
    /// - Throws: ``AuditError`` when it was not (disk full, file unwritable): the caller must not
    ///   act on the decision.
    public func append(_ record: AuditRecord) async throws(AuditError) {
        if case .groupCommit(let interval) = durability {
            try appendWritten(record, syncWithin: interval)
            return
        }
        let prepared = Prepared(record)
        do {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let startWriter = state.withLock { state -> Bool in
                    state.pending.append((prepared, continuation))
                    if state.writing { return false }
                    state.writing = true
                    return true
                }
                if startWriter { queue.async { self.drain() } }
            }
        } catch let error as AuditError {
            throw error
        } catch {
            throw AuditError("\(path): \(error)")
        }
    }

    /// The lines of `records` chained after `previous`, the file's pending header record first:
    /// the bytes, the new last hash and how many lines they are.
    private static func chain(_ records: [Prepared], after previous: String, header: [String: JSONValue]?) -> (bytes: [UInt8], lastHash: String, lines: Int) {
        var bytes: [UInt8] = []
        var last = previous
        var lines = 0
        if let header {
            let (line, hash) = AuditFile.chainedLine(header, previous: last)
            bytes += line
            last = hash
            lines += 1
        }
        for record in records {
            let (line, hash) = line(for: record, previous: last)
            bytes += line
            last = hash
            lines += 1
        }
        return (bytes, last, lines)
    }

    /// Renames the file aside when it is full, opens a new one and notes its continuation
    /// record; keeps writing the old file when that fails.
    private func rotateIfFull(_ state: inout State) {
        guard state.size >= maximumBytes, let (fresh, continued) = rotate(state.descriptor) else { return }
        state.descriptor = fresh
        state.generation += 1
        state.size = 0
        state.header = AuditFile.continuationMembers(logID: logID, node: node, continues: continued, recordsBefore: state.records, time: Date())
    }

    /// Group commit: the line is built, written and accounted under the lock (so lines reach the
    /// file in chain order), and a sync is scheduled within `interval` if none is.
    private func appendWritten(_ record: AuditRecord, syncWithin interval: Duration) throws(AuditError) {
        let prepared = Prepared(record)
        let failure: String? = state.withLock { state in
            if let syncFailure = state.syncFailure { return syncFailure }
            rotateIfFull(&state)
            // The usual case, a file that has its header: one line, no intermediate arrays.
            let (bytes, hash, lines) = state.header == nil ? { let (line, hash) = Self.line(for: prepared, previous: state.lastHash); return (line, hash, 1) }()
                : Self.chain([prepared], after: state.lastHash, header: state.header)
            if let error = AuditFile.writeAll(state.descriptor, bytes) {
                _ = ftruncate(state.descriptor, off_t(state.size))
                let reason = "the audit log \(path) cannot be written: \(error)"
                state.health = .failing(reason)
                return reason
            }
            state.size += bytes.count
            state.lastHash = hash
            state.records += lines
            state.header = nil
            state.health = .ok
            if !state.syncScheduled {
                state.syncScheduled = true
                let nanoseconds = Int(interval.components.seconds) * 1_000_000_000 + Int(interval.components.attoseconds / 1_000_000_000)
                queue.asyncAfter(deadline: .now() + .nanoseconds(max(0, nanoseconds))) { self.syncWritten() }
            }
            return nil
        }
        if let failure { throw AuditError(failure) }
    }

    /// Group commit: syncs what was written since the last sync (on the log's own thread).
    private func syncWritten() {
        let (descriptor, generation) = syncTarget()
        finishSync(generation: generation, failed: fdatasync(descriptor) == 0 ? nil : String(cString: strerror(errno)))
    }

    /// The descriptor a sync is about to sync and its file's generation (the next record
    /// schedules another sync).
    func syncTarget() -> (descriptor: Int32, generation: Int) {
        state.withLock { state in
            state.syncScheduled = false
            return (state.descriptor, state.generation)
        }
    }

    /// Records what became of a sync of the file of `generation` (`failed`: why it failed). A
    /// file rotated away meanwhile was synced by the rotation before its descriptor was closed
    /// (or reused): its sync says nothing about the current file, failed or not.
    func finishSync(generation: Int, failed: String?) {
        state.withLock { state in
            guard state.generation == generation else { return }
            if let failed {
                let reason = "the audit log \(path) cannot be synced: \(failed)"
                state.syncFailure = reason
                state.health = .failing(reason)
                // Try again, so the log recovers once the disk does.
                if !state.syncScheduled {
                    state.syncScheduled = true
                    queue.asyncAfter(deadline: .now() + .milliseconds(100)) { self.syncWritten() }
                }
            } else {
                state.syncFailure = nil
                if case .failing = state.health { state.health = .ok }
            }
        }
    }

    /// Writes pending records until none are left (on the log's own thread): each batch is
    /// chained here, in arrival order, after the last line on disk, written and synced; on a
    /// failure the file is cut back to what it held and the chain's head stays where it was.
    private func drain() {
        while true {
            let batch = state.withLock { state -> [(record: Prepared, done: CheckedContinuation<Void, any Error>)] in
                if state.pending.isEmpty {
                    state.writing = false
                    return []
                }
                // Every record waiting now shares this write and sync.
                defer { state.pending = [] }
                return state.pending
            }
            if batch.isEmpty { return }
            // Only this thread moves the head in this mode: the lock guards the snapshot and the
            // update, never the write or the sync (appenders only queue).
            let (descriptor, size, previous, header) = state.withLock { state in
                rotateIfFull(&state)
                return (state.descriptor, state.size, state.lastHash, state.header)
            }
            let (bytes, hash, lines) = Self.chain(batch.map(\.record), after: previous, header: header)
            let failure = AuditFile.writeAll(descriptor, bytes) ?? (fdatasync(descriptor) == 0 ? nil : String(cString: strerror(errno)))
            state.withLock { state in
                if let failure {
                    _ = ftruncate(descriptor, off_t(size))
                    state.health = .failing("the audit log \(path) cannot be written: \(failure)")
                } else {
                    state.size = size + bytes.count
                    state.lastHash = hash
                    state.records += lines
                    state.header = nil
                    state.health = .ok
                }
            }
            for entry in batch {
                if let failure { entry.done.resume(throwing: AuditError("the audit log \(path) cannot be written: \(failure)")) } else { entry.done.resume() }
            }
        }
    }

    /// Renames the full file aside and opens (and locks) a new one: the new descriptor and the
    /// old file's name; `nil` (keep writing) when that fails.
    private func rotate(_ descriptor: Int32) -> (Int32, String)? {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        let stamp = String(format: "%04d%02d%02dT%02d%02d%02dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec)
        var target = "\(path).\(stamp)"
        var counter = 1
        while access(target, F_OK) == 0 { target = "\(path).\(stamp)-\(counter)"; counter += 1 }
        // What was written to the old file reaches the disk before it is set aside (if it cannot,
        // the file stays, and the next sync reports the failure).
        guard fdatasync(descriptor) == 0, rename(path, target) == 0, let (fresh, _) = try? AuditFile.open(path) else { return nil }
        close(descriptor)
        return (fresh, URL(fileURLWithPath: target).lastPathComponent)
    }
}
