import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The file side of ``AuditLog``: opening and locking a log file, reading where its chain
/// stands, and the header records (genesis, continuation) that give a log its identity.
enum AuditFile {
    /// Opens (or creates, mode 0600) the log for appending, the way ``SafeFile`` opens what it
    /// reads: without blocking (a FIFO with no reader would otherwise hang the process, and
    /// every later reload with it), then checked through the descriptor to be a regular file,
    /// then locked (`flock`, exclusive): one writer per log.
    static func open(_ path: String, acceptsCharacterDevice: Bool = false) throws(AuditError) -> (Int32, Int) {
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
        if type == S_IFREG, flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let holder = holderPID(inode: status.st_ino)
            close(descriptor)
            throw AuditError("the audit log \(path) is being written by another process\(holder.map { " (pid \($0))" } ?? ""): one writer per log. "
                             + "Give this process a log of its own, or stop the other writer")
        }
        let flags = fcntl(descriptor, F_GETFL)
        if flags >= 0 { _ = fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK) }
        return (descriptor, type == S_IFREG ? Int(status.st_size) : 0)
    }

    /// The pid holding an `flock` on the file with inode `inode`, from `/proc/locks`, when it can be told.
    static func holderPID(inode: ino_t) -> Int? {
        guard let bytes = try? SafeFile.read("/proc/locks", limit: 1 << 20) else { return nil }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let flockIndex = fields.firstIndex(of: "FLOCK"), fields.count > flockIndex + 4 else { continue }
            let device = fields[flockIndex + 4]
            guard device.split(separator: ":").last.flatMap({ UInt64($0) }) == UInt64(inode) else { continue }
            return Int(fields[flockIndex + 3])
        }
        return nil
    }

    /// The SHA-256 of the file's last line, or ``AuditLog/genesis`` for an empty (or
    /// non-regular) file. Only a chained record is continued.
    static func lastHash(of path: String, size: Int) throws(AuditError) -> String {
        guard size > 0 else { return AuditLog.genesis }
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return AuditLog.genesis }
        defer { close(descriptor) }
        let window = min(size, 1 << 20)
        var bytes = [UInt8](repeating: 0, count: window)
        let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, window, off_t(size - window)) }
        guard got == window else { throw AuditError("the audit log \(path) cannot be read to continue its chain") }
        guard bytes.last == 0x0A else { throw AuditError("the audit log \(path) ends in a partial line; repair it (audit verify names it) before appending") }
        let body = bytes.dropLast()
        let start = body.lastIndex(of: 0x0A).map { $0 + 1 } ?? body.startIndex
        // A log whose last line was replaced by anything else would otherwise carry on from a
        // line the chain never held.
        if let problem = AuditChain.check(Array(body[start...]), expectedPrevious: nil) {
            throw AuditError("the audit log \(path) does not end with a chained record (\(problem)); refusing to append. Run audit verify on it, and start a new log if it cannot be repaired")
        }
        return AuditLog.hash(ofLine: body[start...])
    }

    /// Where an existing file stands: its log's id and node (from its first record), the
    /// records before the file (a continuation record says), and its lines.
    static func identity(of path: String, size: Int) throws(AuditError) -> (logID: String, node: String?, recordsBefore: Int, lines: Int) {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw AuditError("the audit log \(path) cannot be read: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var lines = 0
        var first: [UInt8] = []
        var firstDone = false
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset = 0
        while offset < size {
            let got = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
            guard got > 0 else { break }
            let chunk = buffer[0..<got]
            if !firstDone {
                if let end = chunk.firstIndex(of: 0x0A) {
                    first += chunk[..<end]
                    firstDone = true
                } else if first.count < 64 * 1024 {
                    first += chunk
                }
            }
            lines += chunk.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            offset += got
        }
        let object = (try? StrictJSONParser(maximumDepth: 8, maximumBytes: 1 << 20).parseObject(first)) ?? [:]
        switch object["kind"]?.stringValue {
        case "genesis"?, "continuation"?:
            guard let id = object["log_id"]?.stringValue else { throw AuditError("the audit log \(path) starts with a header record without log_id") }
            let before: Int
            if case .number(let value)? = object["records_before"], value >= 0, value < 1e15 { before = Int(value) } else { before = 0 }
            return (id, object["node"]?.stringValue, before, lines)
        default:
            // Written before logs had an identity: named by its first line, which no one can
            // change without breaking the chain.
            return ("legacy-" + String(AuditLog.hash(ofLine: first).prefix(32)), nil, 0, lines)
        }
    }

    /// A fresh log id: 128 random bits, hex.
    static func newLogID() -> String {
        var generator = SystemRandomNumberGenerator()
        return AuditLog.hex(bytes: (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// The first record of a log.
    static func genesisMembers(logID: String, node: String, time: Date) -> [String: JSONValue] {
        ["kind": "genesis", "log_id": .string(logID), "node": .string(node), "time": .string(NumericDate.format(time))]
    }

    /// The first record of a file begun by rotation: the file it continues (whose last hash is
    /// its `prev`) and how many records came before it.
    static func continuationMembers(logID: String, node: String, continues: String, recordsBefore: Int, time: Date) -> [String: JSONValue] {
        ["kind": "continuation", "log_id": .string(logID), "node": .string(node), "continues": .string(continues),
         "records_before": .number(Double(recordsBefore)), "time": .string(NumericDate.format(time))]
    }

    /// `members` as a chained line after `previous` (with its newline), and the line's hash:
    /// the same form as every record (sorted members with `prev`, then `hash` last).
    static func chainedLine(_ members: [String: JSONValue], previous: String) -> ([UInt8], String) {
        var object = members
        object["prev"] = .string(previous)
        let body = JSONValue.object(object).serializedBytes()
        let hash = AuditLog.hex(SHA256.hash(data: body))
        var line = Array(body.dropLast())
        line += Array(#","hash":""#.utf8) + Array(hash.utf8) + [0x22, 0x7D]
        let lineHash = AuditLog.hash(ofLine: line)
        line.append(0x0A)
        return (line, lineHash)
    }

    /// Writes all of `bytes`; the error's text when it could not.
    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> String? {
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
}
