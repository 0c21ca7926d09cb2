import Crypto
import Foundation

/// Checks and reads audit logs written by ``AuditLog``.
public enum AuditChain {
    /// The result of checking one or more files in order.
    public struct Verification: Sendable {
        /// Records whose chain held.
        public var records: Int
        /// The hash of the last good line (what the next record must carry as `prev`).
        public var lastHash: String
        /// `prev` of the first record, when it is not the genesis value (the chain continues
        /// from a file not given).
        public var continuesFrom: String?
        /// The first broken line: file, line number (1-based) and why; `nil` when intact.
        public var broken: (file: String, line: Int, reason: String)?
    }

    /// Checks lines one at a time, in chain order, from any source (files, database rows).
    public struct Verifier: Sendable {
        /// What has been checked so far.
        public private(set) var verification = Verification(records: 0, lastHash: AuditLog.genesis)
        private var expected: String?

        /// A verifier at the start of a chain.
        public init() {}

        /// Checks the next `line` (without its newline), found at `source`, record `number`;
        /// false when it breaks the chain (``verification`` then names it; stop there).
        public mutating func check(_ line: [UInt8], source: String, number: Int) -> Bool {
            if let problem = AuditChain.check(line, expectedPrevious: expected) {
                verification.broken = (source, number, problem)
                return false
            }
            if expected == nil, let prev = AuditChain.previous(of: line), prev != AuditLog.genesis { verification.continuesFrom = prev }
            let hash = AuditLog.hash(ofLine: line)
            expected = hash
            verification.lastHash = hash
            verification.records += 1
            return true
        }

        /// Marks the chain broken at `source`, record `number`, for a reason found outside the line.
        public mutating func fail(source: String, number: Int, reason: String) {
            verification.broken = (source, number, reason)
        }
    }

    /// Verifies `files` as one chain, in the order given (oldest first).
    ///
    /// - Throws: ``SafeFileError`` when a file cannot be read.
    public static func verify(_ files: [String], maximumBytes: Int = 1 << 30) throws(SafeFileError) -> Verification {
        var verifier = Verifier()
        for file in files {
            let bytes = try SafeFile.read(file, limit: maximumBytes)
            var lineNumber = 0
            var start = bytes.startIndex
            while start < bytes.endIndex {
                lineNumber += 1
                guard let end = bytes[start...].firstIndex(of: 0x0A) else {
                    verifier.fail(source: file, number: lineNumber, reason: "the last line is incomplete (no newline): a write was cut short or the file was edited")
                    return verifier.verification
                }
                let line = Array(bytes[start..<end])
                start = end + 1
                guard verifier.check(line, source: file, number: lineNumber) else { return verifier.verification }
            }
        }
        return verifier.verification
    }

    /// Why `line` breaks the chain, or `nil`.
    static func check(_ line: [UInt8], expectedPrevious: String?) -> String? {
        // The line ends with `,"hash":"` (9 bytes), 64 hex digits and `"}` (2): 75 bytes.
        guard line.count > 80 else { return "not an audit record" }
        let tail = Array(line[(line.count - 75)...])
        guard tail.starts(with: Array(#","hash":""#.utf8)), tail.suffix(2) == [0x22, 0x7D] else { return "no hash member at the end of the line" }
        let claimed = String(decoding: tail[9..<73], as: UTF8.self)
        let body = Array(line[..<(line.count - 75)]) + [0x7D]
        guard AuditLog.hex(SHA256.hash(data: body)) == claimed else { return "the line's hash does not match its content: the record was edited" }
        guard let object = try? StrictJSONParser(maximumDepth: 8, maximumBytes: 1 << 20).parseObject(line) else { return "not a JSON object" }
        guard let prev = object["prev"]?.stringValue, prev.utf8.count == 64 else { return "no prev member" }
        if let expectedPrevious, prev != expectedPrevious {
            return "prev does not match the line before: a record was deleted, inserted or moved here"
        }
        return nil
    }

    static func previous(of line: [UInt8]) -> String? {
        (try? StrictJSONParser(maximumDepth: 8, maximumBytes: 1 << 20).parseObject(line))?["prev"]?.stringValue
    }

    /// The records of `files` that match every given filter, as parsed objects in file order.
    public static func records(_ files: [String], softwareID: String? = nil, clientID: String? = nil, since: Date? = nil, until: Date? = nil) throws(SafeFileError) -> [[String: JSONValue]] {
        var out: [[String: JSONValue]] = []
        for file in files {
            let bytes = try SafeFile.read(file, limit: 1 << 30)
            for line in bytes.split(separator: 0x0A) {
                guard let object = try? StrictJSONParser(maximumDepth: 8, maximumBytes: 1 << 20).parseObject(Array(line)) else { continue }
                if let softwareID, object["software_id"]?.stringValue?.isByteIdentical(to: softwareID) != true { continue }
                if let clientID, object["client_id"]?.stringValue?.isByteIdentical(to: clientID) != true { continue }
                if since != nil || until != nil {
                    guard let text = object["time"]?.stringValue, let time = parseTime(text) else { continue }
                    if let since, time < since { continue }
                    if let until, time > until { continue }
                }
                out.append(object)
            }
        }
        return out
    }

    /// `2026-01-01T00:00:00Z` as written by the log.
    static func parseTime(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
