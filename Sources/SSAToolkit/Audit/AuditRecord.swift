import Crypto
import Foundation

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
    /// The caller's certificate's revocation check: its status and source (e.g.
    /// `good (OCSP http://ocsp.example/; thisUpdate ...)`), when one was made.
    public var revocation: String?
    /// The trust framework of the directory asked (`openbanking-uk`, `open-finance-brasil`,
    /// `cdr-au`), when one was chosen.
    public var trustFramework: String?

    /// A record.
    public init(kind: String, time: Date, decision: String, error: String? = nil, directory: String? = nil, failedChecks: [String] = [], clientID: String? = nil,
                softwareID: String? = nil, organisationID: String? = nil, scopesGranted: [String] = [], scopesRemoved: [String] = [], intentID: String? = nil,
                revocation: String? = nil, trustFramework: String? = nil) {
        self.revocation = revocation
        self.trustFramework = trustFramework
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
        if let revocation { object["revocation"] = .string(revocation) }
        if let trustFramework { object["trust_framework"] = .string(trustFramework) }
        return object
    }

    /// The compact JSON of ``members`` plus `prev`, split around `prev` (members in byte order:
    /// `client_id`, `decision`, `directory`, `error`, `failed_checks`, `intent_id`, `kind`, `org_id`, then
    /// `prev`, then `revocation`, `scopes_granted`, `scopes_removed`, `software_id`, `time`, `trust_framework`), written directly:
    /// everything but `prev` is built before the log's lock is taken.
    var serializedAroundPrevious: (head: [UInt8], tail: [UInt8]) {
        var head: [UInt8] = []
        head.reserveCapacity(256)
        // Member names are plain identifiers: written as they are, quoted.
        func member(_ name: StaticString, into out: inout [UInt8], first: Bool = false) {
            out.append(first ? 0x7B : 0x2C)
            out.append(0x22)
            out.appendStatic(name)
            out.append(0x22)
            out.append(0x3A)
        }
        var first = true
        func string(_ name: StaticString, _ value: String?) {
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
        JSONValue.writeStringArray(failedChecks, to: &head)
        string("intent_id", intentID)
        string("kind", kind)
        string("org_id", organisationID)
        head.appendStatic(#","prev":"#)
        var tail: [UInt8] = []
        tail.reserveCapacity(256)
        if let revocation {
            member("revocation", into: &tail)
            JSONValue.writeQuoted(revocation, to: &tail)
        }
        member("scopes_granted", into: &tail)
        JSONValue.writeStringArray(scopesGranted, to: &tail)
        member("scopes_removed", into: &tail)
        JSONValue.writeStringArray(scopesRemoved, to: &tail)
        if let softwareID {
            member("software_id", into: &tail)
            JSONValue.writeQuoted(softwareID, to: &tail)
        }
        member("time", into: &tail)
        JSONValue.writeQuoted(NumericDate.format(time), to: &tail)
        if let trustFramework {
            member("trust_framework", into: &tail)
            JSONValue.writeQuoted(trustFramework, to: &tail)
        }
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

extension AuditLog {
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
    static func line(for parts: Prepared, previous: String) -> ([UInt8], String) {
        // Both digests share the prefix (the record without its closing brace): hash it once,
        // continuing from the head's digest computed before the lock. One buffer, no
        // intermediate arrays.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(parts.head.count + parts.tail.count + 160)
        bytes.append(contentsOf: parts.head)
        let afterStart = bytes.count
        JSONValue.writeQuoted(previous, to: &bytes)
        bytes.append(contentsOf: parts.tail)
        var prefix = parts.headDigest
        bytes.withUnsafeBytes { prefix.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[afterStart...])) }
        var body = prefix
        withUnsafeBytes(of: UInt8(0x7D)) { body.update(bufferPointer: $0) }
        let hash = AuditLog.hex(body.finalize())
        // `hash` is appended last, so the line up to it is exactly what was hashed.
        let suffixStart = bytes.count
        bytes.appendStatic(#","hash":""#)
        bytes.append(contentsOf: hash.utf8)
        bytes.append(0x22)
        bytes.append(0x7D)
        bytes.withUnsafeBytes { prefix.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[suffixStart...])) }
        let lineHash = AuditLog.hex(prefix.finalize())
        bytes.append(0x0A)
        return (bytes, lineHash)
    }

    /// The chain hash of a line (without its newline): what the next record carries as `prev`.
    public static func hash(ofLine line: some DataProtocol) -> String {
        hex(SHA256.hash(data: line))
    }

    /// A SHA-256 digest in lowercase hex, read through its bytes.
    static func hex(_ digest: SHA256Digest) -> String {
        digest.withUnsafeBytes { hex(bytes: $0) }
    }

    /// `bytes` in lowercase hex.
    static func hex(bytes: some RandomAccessCollection<UInt8>) -> String {
        @inline(__always) func digit(_ value: UInt8) -> UInt8 { value < 10 ? 0x30 + value : 0x57 + value }
        return String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            var position = 0
            for byte in bytes {
                out[position] = digit(byte >> 4)
                out[position + 1] = digit(byte & 0x0F)
                position += 2
            }
            return position
        }
    }
}
