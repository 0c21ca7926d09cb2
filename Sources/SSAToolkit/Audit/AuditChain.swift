import Crypto
import Foundation

/// Checks and reads audit logs written by ``AuditLog``.
public enum AuditChain {
    /// One place where the chain does not hold.
    public struct Break: Sendable, Hashable {
        /// The file (or `node NAME` for a database chain).
        public var file: String
        /// The line (or sequence number), from 1.
        public var line: Int
        /// Why.
        public var reason: String
    }

    /// The result of checking one or more files as one chain.
    public struct Verification: Sendable {
        /// Lines whose chain held: decisions and header records (genesis, continuation).
        public var records: Int
        /// Decisions among them (header records not counted).
        public var decisions = 0
        /// The hash of the last good line (what the next record must carry as `prev`).
        public var lastHash: String
        /// `prev` of the first record, when it is not the genesis value (the chain continues
        /// from records not given).
        public var continuesFrom: String?
        /// Every place the chain does not hold, in chain order; empty when intact.
        public var breaks: [Break] = []
        /// Why the records given do not reach back to the log's beginning (or leave a file out);
        /// `nil` when they do.
        public var incomplete: String?
        /// The log's id and node, from its header records (`nil` for a log begun before logs had one).
        public var logID: String?
        /// The node that wrote it.
        public var node: String?
        /// The files in chain order (oldest first), whatever order they were given in.
        public var files: [String] = []
        /// Records before the first one given (a continuation record says; 0 from genesis):
        /// with it, a record's position counts from the log's genesis.
        public var offset = 0
        /// The hash of the record at each position asked for (counted from genesis), when the
        /// chain held up to it.
        public var hashes: [Int: String] = [:]

        /// The first break: file, line and why; `nil` when intact.
        public var broken: (file: String, line: Int, reason: String)? { breaks.first.map { ($0.file, $0.line, $0.reason) } }
        /// Intact and complete.
        public var isIntact: Bool { breaks.isEmpty && incomplete == nil }

        init(records: Int, lastHash: String) {
            self.records = records
            self.lastHash = lastHash
        }
    }

    /// Checks lines one at a time, in chain order, from any source (files, database rows). After
    /// a break it goes on from the broken line, so every later break is found too.
    public struct Verifier: Sendable {
        /// What has been checked so far.
        public private(set) var verification = Verification(records: 0, lastHash: AuditLog.genesis)
        private var expected: String?
        private var seen = 0
        private let wanted: Set<Int>

        /// A verifier at the start of a chain, noting the hash at each position in `wanted`.
        public init(hashesAt wanted: Set<Int> = []) { self.wanted = wanted }

        /// Checks the next `line` (without its newline), found at `source`, record `number`;
        /// false when it breaks the chain (``verification`` then names it).
        @discardableResult
        public mutating func check(_ line: [UInt8], source: String, number: Int) -> Bool {
            let object = try? StrictJSONParser(maximumDepth: 8, maximumBytes: 1 << 20).parseObject(line)
            if seen == 0 { begin(object) }
            seen += 1
            let position = verification.offset + seen
            let hash = AuditLog.hash(ofLine: line)
            if let problem = AuditChain.check(line, parsed: object, expectedPrevious: expected) {
                verification.breaks.append(Break(file: source, line: number, reason: problem))
                // Go on from here: a line that is whole (its own hash holds) is what the next one
                // must follow; after an edited or unreadable line, the next `prev` names the
                // original, which cannot be known, so it is taken as it is.
                expected = AuditChain.check(line, parsed: object, expectedPrevious: nil) == nil ? hash : nil
                return false
            }
            expected = hash
            verification.lastHash = hash
            verification.records += 1
            if !["genesis", "continuation"].contains(object?["kind"]?.stringValue ?? "") { verification.decisions += 1 }
            if wanted.contains(position), verification.breaks.isEmpty { verification.hashes[position] = hash }
            return true
        }

        /// Reads the first line: where the chain starts, and the log's identity.
        private mutating func begin(_ object: [String: JSONValue]?) {
            if let prev = object?["prev"]?.stringValue, prev != AuditLog.genesis { verification.continuesFrom = prev }
            switch object?["kind"]?.stringValue {
            case "genesis"?, "continuation"?:
                verification.logID = object?["log_id"]?.stringValue
                verification.node = object?["node"]?.stringValue
                if case .number(let before)? = object?["records_before"], before >= 0, before < 1e15 { verification.offset = Int(before) }
            default: break
            }
        }

        /// Marks the chain broken at `source`, record `number`, for a reason found outside the line.
        public mutating func fail(source: String, number: Int, reason: String) {
            verification.breaks.append(Break(file: source, line: number, reason: reason))
        }

        /// Marks the records given as not reaching the log's beginning.
        mutating func markIncomplete(_ reason: String) {
            if verification.incomplete == nil { verification.incomplete = reason }
        }
    }

    /// One file, read.
    private struct LoadedFile {
        var path: String
        var lines: [[UInt8]]
        var truncatedTail: Bool
        var firstPrevious: String?
        var lastHash: String?
    }

    /// Verifies `files` as one chain, in chain order whatever order they are given in: each
    /// file's first record names (as `prev`) the last hash of the file it continues. A set that
    /// does not reach back to the genesis record, or leaves a file out, is incomplete, unless
    /// `from` is the hash where a deliberately archived prefix ended.
    ///
    /// - Parameter wanted: positions (counted from genesis) whose record hashes to report, for
    ///   checkpoints.
    /// - Throws: ``SafeFileError`` when a file cannot be read.
    public static func verify(_ files: [String], from: String? = nil, hashesAt wanted: Set<Int> = [], maximumBytes: Int = 1 << 30) throws(SafeFileError) -> Verification {
        var loaded: [LoadedFile] = []
        for file in files {
            let bytes = try SafeFile.read(file, limit: maximumBytes)
            var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
            let truncatedTail = !(lines.last?.isEmpty ?? true)
            if lines.last?.isEmpty == true { lines.removeLast() }
            let completeLines = truncatedTail ? lines.dropLast() : lines[...]
            loaded.append(LoadedFile(path: file, lines: lines, truncatedTail: truncatedTail, firstPrevious: lines.first.flatMap(previous(of:)),
                                     lastHash: completeLines.last.map { AuditLog.hash(ofLine: $0) }))
        }
        // The chain's order: from the file that starts the log (or starts at `from`), each next
        // file the one whose first prev is the last hash so far.
        var remaining = loaded
        var ordered: [LoadedFile] = []
        let starts = { (file: LoadedFile) in file.firstPrevious == AuditLog.genesis || (from != nil && file.firstPrevious == from) }
        let endings = Set(loaded.compactMap(\.lastHash))
        if let index = remaining.firstIndex(where: starts) ?? remaining.firstIndex(where: { !endings.contains($0.firstPrevious ?? "") }) ?? (remaining.isEmpty ? nil : 0) {
            ordered.append(remaining.remove(at: index))
            while let next = remaining.firstIndex(where: { $0.firstPrevious != nil && $0.firstPrevious == ordered.last?.lastHash }) {
                ordered.append(remaining.remove(at: next))
            }
        }
        var verifier = Verifier(hashesAt: wanted)
        for file in ordered + remaining {
            if remaining.contains(where: { $0.path == file.path }) {
                verifier.markIncomplete("\(file.path) does not continue the chain of the files before it: a file between them is missing, or it belongs to another log")
            }
            if file.lines.isEmpty {
                verifier.markIncomplete("\(file.path) is empty: a log begins with its genesis record")
            }
            for (index, line) in file.lines.enumerated() {
                if index == file.lines.count - 1, file.truncatedTail {
                    verifier.fail(source: file.path, number: index + 1, reason: "the last line is incomplete (no newline): a write was cut short or the file was edited")
                    break
                }
                verifier.check(line, source: file.path, number: index + 1)
            }
        }
        var verification = verifier.verification
        verification.files = (ordered + remaining).map(\.path)
        if let first = ordered.first, !starts(first), !first.lines.isEmpty {
            verification.incomplete = verification.incomplete ?? "the records given do not reach back to the log's genesis record: \(first.path) continues from \(first.firstPrevious ?? "a line that is not a record"), which no file given ends with. Give the earlier files, or --from HASH where an archived prefix ended"
        }
        if files.isEmpty { verification.incomplete = "no file given" }
        return verification
    }

    /// Why `line` breaks the chain, or `nil`.
    static func check(_ line: [UInt8], expectedPrevious: String?) -> String? {
        check(line, parsed: try? StrictJSONParser(maximumDepth: 8, maximumBytes: 1 << 20).parseObject(line), expectedPrevious: expectedPrevious)
    }

    /// As ``check(_:expectedPrevious:)``, with the line already parsed (`nil`: not a JSON object).
    static func check(_ line: [UInt8], parsed: [String: JSONValue]?, expectedPrevious: String?) -> String? {
        // The line ends with `,"hash":"` (9 bytes), 64 hex digits and `"}` (2): 75 bytes.
        guard line.count > 80 else { return "not an audit record" }
        let tail = Array(line[(line.count - 75)...])
        guard tail.starts(with: Array(#","hash":""#.utf8)), tail.suffix(2) == [0x22, 0x7D] else { return "no hash member at the end of the line" }
        let claimed = String(decoding: tail[9..<73], as: UTF8.self)
        let body = Array(line[..<(line.count - 75)]) + [0x7D]
        guard AuditLog.hex(SHA256.hash(data: body)) == claimed else { return "the line's hash does not match its content: the record was edited" }
        guard let object = parsed else { return "not a JSON object" }
        guard let prev = object["prev"]?.stringValue, prev.utf8.count == 64 else { return "no prev member" }
        if let expectedPrevious, prev != expectedPrevious {
            return "prev does not match the line before: a record was deleted, inserted or moved here"
        }
        return nil
    }

    static func previous(of line: [UInt8]) -> String? {
        (try? StrictJSONParser(maximumDepth: 8, maximumBytes: 1 << 20).parseObject(line))?["prev"]?.stringValue
    }

    /// The decision records of `files` that match every given filter, as parsed objects in file
    /// order (header records left out).
    public static func records(_ files: [String], softwareID: String? = nil, clientID: String? = nil, since: Date? = nil, until: Date? = nil) throws(SafeFileError) -> [[String: JSONValue]] {
        var out: [[String: JSONValue]] = []
        for file in files {
            let bytes = try SafeFile.read(file, limit: 1 << 30)
            for line in bytes.split(separator: 0x0A) {
                guard let object = try? StrictJSONParser(maximumDepth: 8, maximumBytes: 1 << 20).parseObject(Array(line)) else { continue }
                if matches(object, softwareID: softwareID, clientID: clientID, since: since, until: until) { out.append(object) }
            }
        }
        return out
    }

    /// Whether a line is a decision record (not a genesis or continuation record) matching
    /// every given filter.
    public static func matches(_ object: [String: JSONValue], softwareID: String?, clientID: String?, since: Date?, until: Date?) -> Bool {
        if let kind = object["kind"]?.stringValue, kind == "genesis" || kind == "continuation" { return false }
        if let softwareID, object["software_id"]?.stringValue?.isByteIdentical(to: softwareID) != true { return false }
        if let clientID, object["client_id"]?.stringValue?.isByteIdentical(to: clientID) != true { return false }
        if since != nil || until != nil {
            guard let text = object["time"]?.stringValue, let time = parseTime(text) else { return false }
            if let since, time < since { return false }
            if let until, time > until { return false }
        }
        return true
    }

    /// `2026-01-01T00:00:00Z` as written by the log.
    static func parseTime(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
