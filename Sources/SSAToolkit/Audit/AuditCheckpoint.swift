import Crypto
import CryptoExtras
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A signed statement of how far an audit log had gone: its id and node, how many records it
/// held (counted from its genesis record, header records included), the hash of the last of
/// them, and when. A verifier that kept an older checkpoint can prove the log it is shown still
/// holds everything that checkpoint committed to: a cut tail, a cut head or a rewritten history
/// no longer reaches the committed hash at the committed position (the idea of Certificate
/// Transparency's signed tree heads, RFC 9162, without the tree).
///
/// The format is a compact JWS (RFC 7515) that any JOSE library verifies:
///
/// - header: `{"alg": "ES256" | "EdDSA", "typ": "ssa-toolkit-audit-checkpoint+jwt", "kid": K}`,
///   `K` the base64url SHA-256 of the public key's DER (SubjectPublicKeyInfo);
/// - payload: `{"log_id": ID, "node": NODE, "records": N, "head": HASH, "iat": SECONDS}`, `HASH`
///   the lowercase hex SHA-256 of record N's line (without its newline), as every `prev` is.
public struct AuditCheckpoint: Sendable, Hashable {
    /// The log's id (its genesis record's `log_id`).
    public var logID: String
    /// The node that writes it.
    public var node: String
    /// Records from genesis.
    public var records: Int
    /// The hash of record number ``records``.
    public var head: String
    /// When it was signed.
    public var time: Date

    /// The `typ` header of a checkpoint.
    public static let type = "ssa-toolkit-audit-checkpoint+jwt"

    /// A checkpoint of `head` at `time`.
    public init(_ head: AuditHead, time: Date) {
        logID = head.logID
        node = head.node
        records = head.records
        self.head = head.hash
        self.time = Date(timeIntervalSince1970: time.timeIntervalSince1970.rounded(.down))
    }

    /// Signed with `key`, as a compact JWS.
    public func signed(with key: AuditCheckpointKey) throws(AuditError) -> String {
        let header: JSONValue = ["alg": .string(key.algorithm), "typ": .string(Self.type), "kid": .string(key.publicKey.keyID)]
        let payload: JSONValue = ["log_id": .string(logID), "node": .string(node), "records": .number(Double(records)), "head": .string(head),
                                  "iat": .number(time.timeIntervalSince1970)]
        let input = Base64URL.encode(header.serializedBytes()) + "." + Base64URL.encode(payload.serializedBytes())
        return input + "." + Base64URL.encode(try key.signature(for: Array(input.utf8)))
    }

    /// Reads and verifies a checkpoint signed by `key`'s private half.
    ///
    /// - Throws: ``AuditError`` naming what is wrong: not a checkpoint, another algorithm or
    ///   key, a signature that does not verify, a malformed member.
    public static func verify(_ text: String, with key: AuditCheckpointPublicKey) throws(AuditError) -> AuditCheckpoint {
        let parts = text.trimmingASCIIWhitespace().split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, text.utf8.count <= 8192,
              let headerBytes = Base64URL.decode(String(parts[0])), let payloadBytes = Base64URL.decode(String(parts[1])), let signature = Base64URL.decode(String(parts[2])) else {
            throw AuditError("not a checkpoint: a compact JWS has three base64url parts")
        }
        let parser = StrictJSONParser(maximumDepth: 4, maximumBytes: 8192)
        guard let header = try? parser.parseObject(Array(headerBytes)), let payload = try? parser.parseObject(Array(payloadBytes)) else {
            throw AuditError("not a checkpoint: its header or payload is not a JSON object")
        }
        guard header["typ"]?.stringValue == type else { throw AuditError("not a checkpoint: typ is not \(type)") }
        guard header["alg"]?.stringValue == key.algorithm else {
            throw AuditError("signed with \(header["alg"]?.stringValue ?? "no alg"), not \(key.algorithm) as the key given")
        }
        guard header["crit"] == nil else { throw AuditError("a checkpoint has no critical header members") }
        let input = Array((parts[0] + "." + parts[1]).utf8)
        guard key.isValidSignature(Array(signature), for: input) else {
            throw AuditError("its signature does not verify with the key given (kid \(key.keyID)): forged, altered, or signed by another key")
        }
        guard let logID = payload["log_id"]?.stringValue, let node = payload["node"]?.stringValue, let head = payload["head"]?.stringValue,
              head.utf8.count == 64, head.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }),
              case .number(let records)? = payload["records"], records >= 1, records < 1e15, records == records.rounded(),
              case .number(let iat)? = payload["iat"], let time = NumericDate.date(iat) else {
            throw AuditError("the checkpoint's payload lacks log_id, node, records, head or iat, or one is malformed")
        }
        return AuditCheckpoint(AuditHead(logID: logID, node: node, records: Int(records), hash: head), time: time)
    }

    /// Why the verified chain `verification` does not hold what this checkpoint committed to,
    /// or `nil` when it does. `verification` must have asked for the hash at ``records``.
    public func problem(with verification: AuditChain.Verification) -> String? {
        if let id = verification.logID, !id.isByteIdentical(to: logID) {
            return "it is for log \(logID), but the records given are of log \(id)"
        }
        let reached = verification.offset + verification.records
        guard reached >= records else {
            return "it committed to \(records) records, but the chain given holds \(reached): records were cut from its end (or its files are missing)"
        }
        guard let hash = verification.hashes[records] else {
            return "record \(records) cannot be checked: the chain is broken before it"
        }
        guard hash == head else {
            return "record \(records) does not hash to the committed head: the log was rewritten since the checkpoint"
        }
        return nil
    }
}

/// One half (private or public) of a checkpoint key: EC P-256 (ES256) or Ed25519 (EdDSA), the
/// two algorithms checkpoints are signed with.
enum CheckpointKeyMaterial<P256Key: Sendable, Ed25519Key: Sendable>: Sendable {
    case p256(P256Key)
    case ed25519(Ed25519Key)

    /// `pem` read as a P-256 key, else as an Ed25519 key; `nil` when it is neither.
    init?(pem: String, p256: (String) throws -> P256Key, ed25519: (String) throws -> Ed25519Key) {
        if let key = try? p256(pem) {
            self = .p256(key)
        } else if let key = try? ed25519(pem) {
            self = .ed25519(key)
        } else {
            return nil
        }
    }
}

/// The private key that signs checkpoints (`auditCheckpointKey`): a PEM EC P-256 key (ES256) or
/// Ed25519 key (EdDSA).
public struct AuditCheckpointKey: Sendable {
    let key: CheckpointKeyMaterial<P256.Signing.PrivateKey, Curve25519.Signing.PrivateKey>

    /// Reads a PEM private key (PKCS#8, or SEC1 `EC PRIVATE KEY`); nothing else is accepted.
    public init(pem: String) throws(AuditError) {
        guard let key = CheckpointKeyMaterial(pem: pem, p256: P256.Signing.PrivateKey.init(pemRepresentation:),
                                              ed25519: Curve25519.Signing.PrivateKey.init(pemRepresentation:)) else {
            throw AuditError("auditCheckpointKey is not a PEM EC P-256 or Ed25519 private key")
        }
        self.key = key
    }

    /// `ES256` or `EdDSA`: its public half's.
    var algorithm: String { publicKey.algorithm }

    /// Its public half.
    public var publicKey: AuditCheckpointPublicKey {
        switch key {
        case .p256(let key): AuditCheckpointPublicKey(key: .p256(key.publicKey))
        case .ed25519(let key): AuditCheckpointPublicKey(key: .ed25519(key.publicKey))
        }
    }

    func signature(for input: [UInt8]) throws(AuditError) -> [UInt8] {
        do {
            switch key {
            case .p256(let key): return Array(try key.signature(for: input).rawRepresentation)
            case .ed25519(let key): return Array(try key.signature(for: input))
            }
        } catch {
            throw AuditError("the checkpoint could not be signed: \(error)")
        }
    }
}

/// The public key that verifies checkpoints (`--checkpoint-key`): PEM SubjectPublicKeyInfo.
public struct AuditCheckpointPublicKey: Sendable {
    typealias Key = CheckpointKeyMaterial<P256.Signing.PublicKey, Curve25519.Signing.PublicKey>
    let key: Key

    /// Reads a PEM public key (`BEGIN PUBLIC KEY`), EC P-256 or Ed25519.
    public init(pem: String) throws(AuditError) {
        guard let key = Key(pem: pem, p256: P256.Signing.PublicKey.init(pemRepresentation:), ed25519: Curve25519.Signing.PublicKey.init(pemRepresentation:)) else {
            throw AuditError("the checkpoint key is not a PEM EC P-256 or Ed25519 public key")
        }
        self.key = key
    }

    init(key: Key) { self.key = key }

    /// `ES256` or `EdDSA`.
    var algorithm: String {
        switch key {
        case .p256: "ES256"
        case .ed25519: "EdDSA"
        }
    }

    /// The PEM text (SubjectPublicKeyInfo), to hand to a collector.
    public var pemRepresentation: String {
        switch key {
        case .p256(let key): key.pemRepresentation
        case .ed25519(let key): key.pemRepresentation
        }
    }

    /// The base64url SHA-256 of the key's DER: the checkpoints' `kid`.
    public var keyID: String {
        let der: Data = switch key {
        case .p256(let key): key.derRepresentation
        case .ed25519(let key): Data(Self.ed25519SPKIPrefix + Array(key.rawRepresentation))
        }
        return Base64URL.encode(Array(SHA256.hash(data: der)))
    }

    /// The DER SubjectPublicKeyInfo of an Ed25519 key, up to the 32 key bytes (RFC 8410).
    static let ed25519SPKIPrefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]

    func isValidSignature(_ signature: [UInt8], for input: [UInt8]) -> Bool {
        switch key {
        case .p256(let key):
            guard let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(parsed, for: input)
        case .ed25519(let key):
            return key.isValidSignature(signature, for: input)
        }
    }
}

/// Signs the audit chain's head every `interval` (and on demand: at shutdown) into
/// `directory`, one file per new head, and keeps the latest for `GET /v1/audit/checkpoint`.
/// The directory should be on other storage than the log, and its files shipped off the host.
public final class AuditCheckpointWriter: Sendable {
    /// The signing key.
    public let key: AuditCheckpointKey
    /// Where checkpoint files go.
    public let directory: String
    /// How often the service signs one.
    public let interval: Duration
    private let latest = Mutex<(checkpoint: AuditCheckpoint, jws: String)?>(nil)

    /// A writer into `directory` (which must exist).
    public init(key: AuditCheckpointKey, directory: String, interval: Duration) {
        self.key = key
        self.directory = directory
        self.interval = interval
    }

    /// The latest checkpoint written, with its JWS.
    public var current: (checkpoint: AuditCheckpoint, jws: String)? { latest.withLock { $0 } }

    /// Signs `head` at `now` and writes it as `checkpoint-NODE-RECORDS.jws` (written to a
    /// temporary name, synced, renamed), unless the latest one already committed to it. An
    /// empty log (no record yet) has nothing to commit to.
    @discardableResult
    public func write(_ head: AuditHead, at now: Date = Date()) throws(AuditError) -> AuditCheckpoint? {
        guard head.records > 0 else { return nil }
        if let previous = current?.checkpoint, previous.records == head.records, previous.head == head.hash, previous.logID == head.logID {
            return previous
        }
        let checkpoint = AuditCheckpoint(head, time: now)
        let jws = try checkpoint.signed(with: key)
        let node = String(head.node.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") ? $0 : "_" }.prefix(64))
        let name = "\(directory)/checkpoint-\(node)-\(String(format: "%012d", head.records)).jws"
        let temporary = name + ".tmp"
        let descriptor = Glibc.open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else { throw AuditError("the checkpoint cannot be written in \(directory): \(String(cString: strerror(errno)))") }
        let failure = AuditFile.writeAll(descriptor, Array((jws + "\n").utf8)) ?? (fsync(descriptor) == 0 ? nil : String(cString: strerror(errno)))
        close(descriptor)
        guard failure == nil, rename(temporary, name) == 0 else {
            unlink(temporary)
            throw AuditError("the checkpoint cannot be written in \(directory): \(failure ?? String(cString: strerror(errno)))")
        }
        let folder = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 { _ = fsync(folder); close(folder) }
        latest.withLock { $0 = (checkpoint, jws) }
        return checkpoint
    }
}

/// What a checkpoint commits to: a log (its id and node), how many records it held, and the
/// hash of the last of them.
public struct AuditHead: Sendable, Hashable {
    /// The log's id.
    public var logID: String
    /// The node that writes it.
    public var node: String
    /// Records from genesis (every line, header records included).
    public var records: Int
    /// The hash of record number ``records`` (the `prev` the next record carries).
    public var hash: String

    /// A head from its parts.
    public init(logID: String, node: String, records: Int, hash: String) {
        self.logID = logID
        self.node = node
        self.records = records
        self.hash = hash
    }
}
