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

/// One decision as the audit trail keeps it: ids, outcome, what failed, scopes and intent.
/// Never a token, assertion, certificate body or personal data beyond ids.
public struct AuditRecord: Sendable {
    /// `token` or `registration`.
    public var kind: String
    /// When it was decided.
    public var time: Date
    /// `allow`, `deny`, `accept`, `reject` or `undecided`.
    public var decision: String
    /// The error code, when not allowed or accepted.
    public var error: String?
    /// The issuer of the trusted directory that was asked (`nil`: none was chosen).
    public var directory: String?
    /// Names of the checks that failed.
    public var failedChecks: [String]
    /// The OAuth client id.
    public var clientID: String?
    /// The software statement id.
    public var softwareID: String?
    /// The organisation id.
    public var organisationID: String?
    /// Scopes granted.
    public var scopesGranted: [String]
    /// Scopes removed because the roles no longer permit them.
    public var scopesRemoved: [String]
    /// The consent's `openbanking_intent_id`.
    public var intentID: String?

    /// A record.
    public init(kind: String, time: Date, decision: String, error: String? = nil, directory: String? = nil, failedChecks: [String] = [], clientID: String? = nil,
                softwareID: String? = nil, organisationID: String? = nil, scopesGranted: [String] = [], scopesRemoved: [String] = [], intentID: String? = nil) {
        self.kind = kind
        self.time = time
        self.decision = decision
        self.error = error
        self.directory = directory
        self.failedChecks = failedChecks
        self.clientID = clientID
        self.softwareID = softwareID
        self.organisationID = organisationID
        self.scopesGranted = scopesGranted
        self.scopesRemoved = scopesRemoved
        self.intentID = intentID
    }

    /// The record's members, without the chain (`prev`, `hash`).
    var members: [String: JSONValue] {
        var object: [String: JSONValue] = [
            "kind": .string(kind),
            "time": .string(NumericDate.format(time)),
            "decision": .string(decision),
            "failed_checks": .array(failedChecks.map { .string($0) }),
            "scopes_granted": .array(scopesGranted.map { .string($0) }),
            "scopes_removed": .array(scopesRemoved.map { .string($0) }),
        ]
        if let error { object["error"] = .string(error) }
        if let directory { object["directory"] = .string(directory) }
        if let clientID { object["client_id"] = .string(clientID) }
        if let softwareID { object["software_id"] = .string(softwareID) }
        if let organisationID { object["org_id"] = .string(organisationID) }
        if let intentID { object["intent_id"] = .string(intentID) }
        return object
    }

    /// The compact JSON of ``members`` plus `prev`, split around `prev` (members in byte order:
    /// `client_id`, `decision`, `directory`, `error`, `failed_checks`, `intent_id`, `kind`, `org_id`, then
    /// `prev`, then `scopes_granted`, `scopes_removed`, `software_id`, `time`), written directly:
    /// everything but `prev` is built before the log's lock is taken.
    var serializedAroundPrevious: (head: [UInt8], tail: [UInt8]) {
        var head: [UInt8] = []
        head.reserveCapacity(256)
        func member(_ name: String, into out: inout [UInt8], first: Bool = false) {
            out.append(first ? 0x7B : 0x2C)
            JSONValue.writeQuoted(name, to: &out)
            out.append(0x3A)
        }
        var first = true
        func string(_ name: String, _ value: String?) {
            guard let value else { return }
            member(name, into: &head, first: first)
            first = false
            JSONValue.writeQuoted(value, to: &head)
        }
        string("client_id", clientID)
        string("decision", decision)
        string("directory", directory)
        string("error", error)
        member("failed_checks", into: &head, first: first)
        first = false
        JSONValue.array(failedChecks.map { .string($0) }).write(to: &head)
        string("intent_id", intentID)
        string("kind", kind)
        string("org_id", organisationID)
        head.append(contentsOf: #","prev":"#.utf8)
        var tail: [UInt8] = []
        tail.reserveCapacity(256)
        member("scopes_granted", into: &tail)
        JSONValue.array(scopesGranted.map { .string($0) }).write(to: &tail)
        member("scopes_removed", into: &tail)
        JSONValue.array(scopesRemoved.map { .string($0) }).write(to: &tail)
        if let softwareID {
            member("software_id", into: &tail)
            JSONValue.writeQuoted(softwareID, to: &tail)
        }
        member("time", into: &tail)
        JSONValue.writeQuoted(NumericDate.format(time), to: &tail)
        return (head, tail)
    }
}

/// A record that could not be written.
public struct AuditError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, naming the file.
    public var reason: String
    /// An error with its reason.
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// An append-only, hash-chained audit log: one JSON line per decision.
///
/// Each line carries `prev`, the SHA-256 (hex) of the previous line's bytes, and ends with
/// `hash`, the SHA-256 of the line up to that member, so an edit, a deletion or a reordering
/// anywhere (the last line included) breaks the chain (`ssa-verify audit verify`). A new file
/// starts from the last line of the one it continues (rotation), or from 64 zeros.
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
        var pending: [(line: [UInt8], done: CheckedContinuation<Void, any Error>)] = []
        var writing = false
        var health: Health = .ok
        /// Group commit: a sync is scheduled for what was written since the last one.
        var syncScheduled = false
        /// Group commit: the last sync failed; appends fail until one succeeds.
        var syncFailure: String?
    }

    /// The file.
    public let path: String
    /// The durability.
    public let durability: Durability
    /// Rotation size: past it the file is renamed `PATH.<UTC time>` and a new one continues.
    public let maximumBytes: Int
    private let state: Mutex<State>
    private let queue = DispatchQueue(label: "ssa-toolkit.audit")

    /// Opens (or creates, mode 0600) the log at `path`, continuing its chain from its last line.
    ///
    /// - Throws: ``AuditError`` when the file cannot be opened or its last line is not a record.
    public convenience init(path: String, durability: Durability = .groupCommit(interval: .milliseconds(10)), maximumBytes: Int = 100 << 20) throws(AuditError) {
        try self.init(path: path, durability: durability, maximumBytes: maximumBytes, acceptsCharacterDevice: false)
    }

    /// As the public initialiser; `acceptsCharacterDevice` lets a test open `/dev/full` to cause a
    /// write failure it could not cause otherwise. A running service never accepts a device.
    init(path: String, durability: Durability = .groupCommit(interval: .milliseconds(10)), maximumBytes: Int = 100 << 20, acceptsCharacterDevice: Bool) throws(AuditError) {
        self.path = path
        self.durability = durability
        self.maximumBytes = max(4096, maximumBytes)
        openingWarnings = SafeFile.permissionWarnings(path, what: "audit log", secret: false)
        let (descriptor, size) = try Self.open(path, acceptsCharacterDevice: acceptsCharacterDevice)
        let last: String
        do { last = try Self.lastHash(of: path, size: size) } catch {
            close(descriptor)
            throw error
        }
        state = Mutex(State(descriptor: descriptor, size: size, lastHash: last))
    }

    /// What an operator should hear when the log is opened: a log others may write, or a
    /// symbolic link on the way that others may redirect.
    public let openingWarnings: [String]

    deinit {
        state.withLock { close($0.descriptor) }
    }

    /// The health of the last write.
    public var health: Health { state.withLock { $0.health } }

    /// The file's path.
    public var location: String { path }

    /// The hash the next record will carry as `prev`.
    public var lastHash: String { state.withLock { $0.lastHash } }

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
                    let (bytes, hash) = Self.line(for: prepared, previous: state.lastHash)
                    state.lastHash = hash
                    state.pending.append((bytes, continuation))
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

    /// Group commit: the line is built, written and accounted under the lock (so lines reach the
    /// file in chain order), and a sync is scheduled within `interval` if none is.
    private func appendWritten(_ record: AuditRecord, syncWithin interval: Duration) throws(AuditError) {
        let prepared = Prepared(record)
        let failure: String? = state.withLock { state in
            if let syncFailure = state.syncFailure { return syncFailure }
            var descriptor = state.descriptor
            if state.size >= maximumBytes, let rotated = rotate(descriptor) {
                descriptor = rotated
                state.descriptor = rotated
                state.size = 0
            }
            let (bytes, hash) = Self.line(for: prepared, previous: state.lastHash)
            if let error = Self.writeAll(descriptor, bytes) {
                _ = ftruncate(descriptor, off_t(state.size))
                let reason = "the audit log \(path) cannot be written: \(error)"
                state.health = .failing(reason)
                return reason
            }
            state.size += bytes.count
            state.lastHash = hash
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
        let descriptor = state.withLock { state -> Int32 in
            state.syncScheduled = false
            return state.descriptor
        }
        let failed = fdatasync(descriptor) == 0 ? nil : String(cString: strerror(errno))
        state.withLock { state in
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

    /// A record serialized around `prev`, with the digest of its head, before any lock: what
    /// every sink chains (the file log here, a database elsewhere), so all write the same lines.
    public struct Prepared: Sendable {
        var head: [UInt8]
        var tail: [UInt8]
        var headDigest: SHA256

        /// Serializes `record`.
        public init(_ record: AuditRecord) {
            (head, tail) = record.serializedAroundPrevious
            headDigest = SHA256()
            headDigest.update(data: head)
        }

        /// The record's line chained to `previous` (the hash of the line before, or
        /// ``AuditLog/genesis``), without a newline, and the line's own hash (the next `prev`).
        public func chained(to previous: String) -> (line: [UInt8], hash: String) {
            var (bytes, hash) = AuditLog.line(for: self, previous: previous)
            bytes.removeLast()
            return (bytes, hash)
        }
    }

    /// The line of a prepared record chained to `previous`, with its trailing newline, and the
    /// hash of the line (what the next record carries as `prev`).
    fileprivate static func line(for parts: Prepared, previous: String) -> ([UInt8], String) {
        // Both digests share the prefix (the record without its closing brace): hash it once,
        // continuing from the head's digest computed before the lock.
        var after: [UInt8] = []
        after.reserveCapacity(parts.tail.count + 70)
        JSONValue.writeQuoted(previous, to: &after)
        after.append(contentsOf: parts.tail)
        var bytes = parts.head + after
        var prefix = parts.headDigest
        prefix.update(data: after)
        var body = prefix
        body.update(data: [0x7D])
        let hash = hex(body.finalize())
        // `hash` is appended last, so the line up to it is exactly what was hashed.
        let suffix = Array(#","hash":""#.utf8) + Array(hash.utf8) + [0x22, 0x7D]
        prefix.update(data: suffix)
        let lineHash = hex(prefix.finalize())
        bytes.append(contentsOf: suffix)
        bytes.append(0x0A)
        return (bytes, lineHash)
    }

    /// Writes pending lines until none are left (on the log's own thread).
    private func drain() {
        while true {
            let (batch, descriptor, size) = state.withLock { state -> ([(line: [UInt8], done: CheckedContinuation<Void, any Error>)], Int32, Int) in
                if state.pending.isEmpty {
                    state.writing = false
                    return ([], -1, 0)
                }
                // Every line waiting now shares this write and sync.
                let taken = state.pending
                state.pending = []
                return (taken, state.descriptor, state.size)
            }
            if batch.isEmpty { return }
            var descriptorInUse = descriptor
            var sizeNow = size
            if sizeNow >= maximumBytes, let rotated = rotate(descriptor) {
                descriptorInUse = rotated
                sizeNow = 0
            }
            let bytes = batch.flatMap(\.line)
            let failure = Self.writeAll(descriptorInUse, bytes) ?? (fdatasync(descriptorInUse) == 0 ? nil : String(cString: strerror(errno)))
            state.withLock { state in
                state.descriptor = descriptorInUse
                if let failure {
                    state.health = .failing("the audit log \(path) cannot be written: \(failure)")
                    // Drop what part of the batch reached the file, then continue the chain from the
                    // last line actually on disk, so a later record never points at an unwritten one.
                    _ = ftruncate(descriptorInUse, off_t(sizeNow))
                    state.lastHash = (try? Self.lastHash(of: path, size: Self.fileSize(descriptorInUse))) ?? state.lastHash
                    // Lines queued behind the failed ones carry `prev` values that are now wrong.
                    for waiting in state.pending { waiting.done.resume(throwing: AuditError("the audit log \(path) cannot be written: \(failure)")) }
                    state.pending = []
                } else {
                    state.size = sizeNow + bytes.count
                    state.health = .ok
                }
            }
            for entry in batch {
                if let failure { entry.done.resume(throwing: AuditError("the audit log \(path) cannot be written: \(failure)")) } else { entry.done.resume() }
            }
        }
    }

    /// Renames the full file aside and opens a new one; `nil` (keep writing) when that fails.
    private func rotate(_ descriptor: Int32) -> Int32? {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        let stamp = String(format: "%04d%02d%02dT%02d%02d%02dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec)
        var target = "\(path).\(stamp)"
        var counter = 1
        while access(target, F_OK) == 0 { target = "\(path).\(stamp)-\(counter)"; counter += 1 }
        // What was written to the old file reaches the disk before it is set aside.
        _ = fdatasync(descriptor)
        guard rename(path, target) == 0, let (fresh, _) = try? Self.open(path) else { return nil }
        close(descriptor)
        return fresh
    }

    /// Opens (or creates, mode 0600) the log for appending, the way ``SafeFile`` opens what it
    /// reads: without blocking (a FIFO with no reader would otherwise hang the process, and
    /// every later reload with it), then checked through the descriptor to be a regular file.
    private static func open(_ path: String, acceptsCharacterDevice: Bool = false) throws(AuditError) -> (Int32, Int) {
        let descriptor = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOCTTY, 0o600)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENXIO { throw AuditError("the audit log \(path) is a FIFO, not a regular file") }
            throw AuditError("the audit log \(path) cannot be opened: \(String(cString: strerror(code)))")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            close(descriptor)
            throw AuditError("the audit log \(path) cannot be examined: \(String(cString: strerror(errno)))")
        }
        let type = status.st_mode & S_IFMT
        guard type == S_IFREG || (acceptsCharacterDevice && type == S_IFCHR) else {
            close(descriptor)
            throw AuditError("the audit log \(path) is \(SafeFile.kind(of: status.st_mode)), not a regular file")
        }
        let flags = fcntl(descriptor, F_GETFL)
        if flags >= 0 { _ = fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK) }
        return (descriptor, type == S_IFREG ? Int(status.st_size) : 0)
    }

    private static func fileSize(_ descriptor: Int32) -> Int {
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return 0 }
        return Int(status.st_size)
    }

    /// The SHA-256 of the file's last line, or ``genesis`` for an empty (or non-regular) file.
    static func lastHash(of path: String, size: Int) throws(AuditError) -> String {
        guard size > 0 else { return genesis }
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return genesis }
        defer { close(descriptor) }
        let window = min(size, 1 << 20)
        var bytes = [UInt8](repeating: 0, count: window)
        let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, window, off_t(size - window)) }
        guard got == window else { throw AuditError("the audit log \(path) cannot be read to continue its chain") }
        guard bytes.last == 0x0A else { throw AuditError("the audit log \(path) ends in a partial line; repair it (audit verify names it) before appending") }
        let body = bytes.dropLast()
        let start = body.lastIndex(of: 0x0A).map { $0 + 1 } ?? body.startIndex
        // Only a chained record is continued: a log whose last line was replaced by anything
        // else would otherwise carry on from a line the chain never held.
        if let problem = AuditChain.check(Array(body[start...]), expectedPrevious: nil) {
            throw AuditError("the audit log \(path) does not end with a chained record (\(problem)); refusing to append. Run audit verify on it, and start a new log if it cannot be repaired")
        }
        return hash(ofLine: body[start...])
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> String? {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return String(cString: strerror(errno))
            }
            offset += n
        }
        return nil
    }

    /// The chain hash of a line (without its newline): what the next record carries as `prev`.
    public static func hash(ofLine line: some DataProtocol) -> String {
        hex(SHA256.hash(data: line))
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
