import Foundation

/// The configuration properties of the audit trail, each optional (the file log's; a shared
/// state store keeps the chain in its database instead):
///
/// | property | value |
/// | --- | --- |
/// | `auditLog` | the audit log file (JSON lines, hash-chained) |
/// | `auditDurability` | `group` (default: each record written before its answer, the file synced within `auditGroupCommitMillis`) or `fsync` (each record synced before its answer) |
/// | `auditGroupCommitMillis` | the group-commit sync interval (default 10, 1 to 1000) |
/// | `auditLogMaxBytes` | rotate past this size (default 100 MiB); the new file continues the chain |
/// | `auditCheckpointKey` | a PEM EC P-256 (ES256) or Ed25519 private key that signs checkpoints of the audit chain: `file:PATH` (or a path), or `env:NAME` holding the PEM |
/// | `auditCheckpointSeconds` | how often a checkpoint is signed (default 60; one more at shutdown) |
/// | `auditCheckpointDirectory` | where checkpoint files go (required with the key; put it on other storage than the log) |
public struct AuditSettings: Sendable {
    /// Property names read here.
    public static let propertyNames: Set<String> = [
        "auditLog", "auditDurability", "auditGroupCommitMillis", "auditLogMaxBytes", "auditCheckpointKey", "auditCheckpointSeconds", "auditCheckpointDirectory",
    ]

    /// The audit log file, when configured.
    public var logPath: String?
    /// Group commit (default) or a sync per record.
    public var syncsEachRecord = false
    /// The group-commit sync interval.
    public var groupCommitInterval: Duration = .milliseconds(10)
    /// Rotation size of the audit log.
    public var logMaximumBytes = 100 << 20
    /// The key that signs audit checkpoints, when configured.
    public var checkpointKey: SecretReference?
    /// How often a checkpoint is signed.
    public var checkpointInterval: Duration = .seconds(60)
    /// Where checkpoint files go.
    public var checkpointDirectory: String?

    /// The audit log's durability as configured.
    public var durability: AuditLog.Durability {
        syncsEachRecord ? .fsyncEachRecord : .groupCommit(interval: groupCommitInterval)
    }

    /// Defaults only.
    public init() {}

    /// Reads the properties; a malformed one is an error naming it.
    public init(properties: [String: String], baseDirectory: String?) throws(ConfigurationError) {
        if let path = properties["auditLog"], !path.isEmpty {
            logPath = ToolkitConfiguration.resolve(path, against: baseDirectory)
        }
        if let syncs = try ConfigurationError.choice(properties, "auditDurability", ["fsync": true, "group": false]) {
            syncsEachRecord = syncs
        }
        if let text = properties["auditGroupCommitMillis"] {
            guard let value = Int(text), (1...1000).contains(value) else {
                throw ConfigurationError(property: "auditGroupCommitMillis", "\"\(text)\" is not a whole number of milliseconds from 1 to 1000")
            }
            groupCommitInterval = .milliseconds(value)
        }
        if let text = properties["auditCheckpointKey"], !text.isEmpty {
            // A plain value is the key file's path (never the key itself on a command line).
            checkpointKey = text.hasPrefix("env:") || text.hasPrefix("file:")
                ? SecretReference(parsing: text, baseDirectory: baseDirectory) : .file(ToolkitConfiguration.resolve(text, against: baseDirectory))
        }
        if let value = try ToolkitConfiguration.seconds(properties, "auditCheckpointSeconds", range: 1...86_400) { checkpointInterval = .milliseconds(Int(value * 1000)) }
        if let text = properties["auditCheckpointDirectory"], !text.isEmpty {
            checkpointDirectory = ToolkitConfiguration.resolve(text, against: baseDirectory)
        }
        if checkpointKey != nil, checkpointDirectory == nil {
            throw ConfigurationError(property: "auditCheckpointDirectory", "is required with auditCheckpointKey: where the signed checkpoints go (on other storage than the log)")
        }
        if let text = properties["auditLogMaxBytes"] {
            guard let value = Int(text), value >= 4096 else { throw ConfigurationError(property: "auditLogMaxBytes", "\"\(text)\" is not a whole number of at least 4096") }
            logMaximumBytes = value
        }
    }
}
