import Foundation

/// The configuration properties of token time, each optional:
///
/// | property | value |
/// | --- | --- |
/// | `statusCacheSeconds` | how long a directory status is used (default 300) |
/// | `statusStaleIfErrorSeconds` | how long past that an expired status may serve while the directory fails (default 0: fail closed) |
/// | `subjectClaim` | `intent` (default: `sub` is the intent id, Open Banking UK) or `user` (FAPI baseline) |
/// | `tokenLifetimes` | `access_token=300,id_token=300,refresh_token=7776000;client_credentials:refresh_token=0;PISP:access_token=120` |
/// | `idTokenClaims`, `accessTokenClaims` | a JSON object of static claims to add; never `iss`, `aud`, `exp`, `iat`, `nbf`, `jti`, `cnf`, `sub`, `openbanking_intent_id` |
/// | `auditLog` | the audit log file (JSON lines, hash-chained) |
/// | `auditDurability` | `group` (default: each record written before its answer, the file synced within `auditGroupCommitMillis`) or `fsync` (each record synced before its answer) |
/// | `auditGroupCommitMillis` | the group-commit sync interval (default 10, 1 to 1000) |
/// | `auditLogMaxBytes` | rotate past this size (default 100 MiB); the new file continues the chain |
/// | `requireClientCertificate` | `true` (default: every token is bound to the caller's certificate; a call without one is `invalid_client`) or `false` (a `private_key_jwt` client may go without; a `tls_client_auth` client never may) |
/// | `defaultTokenDirectory` | with several trusted directories, the issuer whose directory a call without `ssa_issuer` asks (default: none, such a call is denied) |
/// | `auditCheckpointKey` | a PEM EC P-256 (ES256) or Ed25519 private key that signs checkpoints of the audit chain: `file:PATH` (or a path), or `env:NAME` holding the PEM |
/// | `auditCheckpointSeconds` | how often a checkpoint is signed (default 60; one more at shutdown) |
/// | `auditCheckpointDirectory` | where checkpoint files go (required with the key; put it on other storage than the log) |
/// | `certificateExpiryWarningDays` | `/healthz` says `degraded` this many days before the transport or signing certificate expires (default 30) |
public struct TokenSettings: Sendable {
    /// Property names read here.
    public static let propertyNames: Set<String> = [
        "statusCacheSeconds", "statusStaleIfErrorSeconds", "subjectClaim", "tokenLifetimes", "idTokenClaims", "accessTokenClaims",
        "auditLog", "auditDurability", "auditGroupCommitMillis", "auditLogMaxBytes", "certificateExpiryWarningDays",
        "requireClientCertificate", "defaultTokenDirectory", "auditCheckpointKey", "auditCheckpointSeconds", "auditCheckpointDirectory",
    ]

    /// Claims the policy never lets configuration set: the server's own, and the ones the
    /// policy computes per request.
    public static let forbiddenClaims: Set<String> = ["iss", "aud", "exp", "iat", "nbf", "jti", "cnf", "sub", "openbanking_intent_id"]

    /// Which value `sub` of the id_token takes.
    public enum SubjectClaim: String, Sendable {
        /// The consent's intent id (Open Banking UK).
        case intent
        /// The user id (FAPI baseline).
        case user
    }

    /// How long a directory status is fresh.
    public var statusCacheLifetime: TimeInterval = 300
    /// How long past freshness a status may serve while the directory fails; 0 fails closed.
    public var staleIfError: TimeInterval = 0
    /// `sub` per ``SubjectClaim``.
    public var subjectClaim: SubjectClaim = .intent
    /// Lifetimes by grant type and role.
    public var lifetimes = LifetimeRules()
    /// Static claims added to every id_token.
    public var idTokenClaims: [String: JSONValue] = [:]
    /// Static claims added to every JWT access token.
    public var accessTokenClaims: [String: JSONValue] = [:]
    /// The audit log file, when configured.
    public var auditLogPath: String?
    /// Group commit (default) or a sync per record.
    public var auditSyncsEachRecord = false
    /// The group-commit sync interval.
    public var auditGroupCommitInterval: Duration = .milliseconds(10)

    /// The audit log's durability as configured.
    public var auditDurability: AuditLog.Durability {
        auditSyncsEachRecord ? .fsyncEachRecord : .groupCommit(interval: auditGroupCommitInterval)
    }
    /// Whether every token request must present the client's certificate (Open Banking UK and
    /// FAPI 1 Advanced bind every access token to it). `tls_client_auth` clients always must.
    public var requireClientCertificate = true
    /// With several trusted directories, the issuer whose directory answers for a call that does
    /// not name `ssa_issuer`; `nil`: such a call is denied (no silent fallback).
    public var defaultTokenDirectory: String?
    /// The key that signs audit checkpoints, when configured.
    public var auditCheckpointKey: SecretReference?
    /// How often a checkpoint is signed.
    public var auditCheckpointInterval: Duration = .seconds(60)
    /// Where checkpoint files go.
    public var auditCheckpointDirectory: String?
    /// Rotation size of the audit log.
    public var auditLogMaximumBytes = 100 << 20
    /// How long before a certificate expires `/healthz` warns (`certificateExpiryWarningDays`).
    public var certificateExpiryWarning: TimeInterval = 30 * 86_400

    /// Defaults only.
    public init() {}

    /// Reads the properties; a malformed or forbidden one is an error naming it.
    public init(properties: [String: String], baseDirectory: String?) throws(ConfigurationError) {
        func seconds(_ name: String, range: ClosedRange<Double>) throws(ConfigurationError) -> Double? {
            try ToolkitConfiguration.seconds(properties, name, range: range)
        }
        if let value = try seconds("statusCacheSeconds", range: 0...86_400) { statusCacheLifetime = value }
        if let days = try seconds("certificateExpiryWarningDays", range: 0...36_500) { certificateExpiryWarning = days * 86_400 }
        if let value = try seconds("statusStaleIfErrorSeconds", range: 0...86_400) { staleIfError = value }
        if let text = properties["subjectClaim"] {
            guard let claim = SubjectClaim(rawValue: text), claim.rawValue.isByteIdentical(to: text) else {
                throw ConfigurationError(property: "subjectClaim", "\"\(text)\" is not intent or user")
            }
            subjectClaim = claim
        }
        if let text = properties["tokenLifetimes"] {
            do { lifetimes = try LifetimeRules(parsing: text) } catch {
                throw ConfigurationError(property: "tokenLifetimes", error.reason)
            }
        }
        for (name, keyPath) in [("idTokenClaims", \TokenSettings.idTokenClaims), ("accessTokenClaims", \TokenSettings.accessTokenClaims)] {
            guard let text = properties[name], !text.isEmpty else { continue }
            let claims: [String: JSONValue]
            do { claims = try StrictJSONParser(maximumDepth: 8, maximumBytes: 16 * 1024).parseObject(Array(text.utf8)) } catch {
                throw ConfigurationError(property: name, "is not a JSON object: \(error.reason)")
            }
            if let forbidden = claims.keys.sorted().first(where: { name in Self.forbiddenClaims.contains { $0.isByteIdentical(to: name) } }) {
                throw ConfigurationError(property: name, "sets \(forbidden), which policy never sets (the server's own claims, or ones decided per request: \(Self.forbiddenClaims.sorted().joined(separator: ", ")))")
            }
            self[keyPath: keyPath] = claims
        }
        if let path = properties["auditLog"], !path.isEmpty {
            auditLogPath = ToolkitConfiguration.resolve(path, against: baseDirectory)
        }
        if let syncs = try ConfigurationError.choice(properties, "auditDurability", ["fsync": true, "group": false]) {
            auditSyncsEachRecord = syncs
        }
        if let text = properties["auditGroupCommitMillis"] {
            guard let value = Int(text), (1...1000).contains(value) else {
                throw ConfigurationError(property: "auditGroupCommitMillis", "\"\(text)\" is not a whole number of milliseconds from 1 to 1000")
            }
            auditGroupCommitInterval = .milliseconds(value)
        }
        if let required = try ConfigurationError.choice(properties, "requireClientCertificate", ["true": true, "false": false]) {
            requireClientCertificate = required
        }
        if let text = properties["defaultTokenDirectory"], !text.isEmpty { defaultTokenDirectory = text }
        if let text = properties["auditCheckpointKey"], !text.isEmpty {
            // A plain value is the key file's path (never the key itself on a command line).
            auditCheckpointKey = text.hasPrefix("env:") || text.hasPrefix("file:")
                ? SecretReference(parsing: text, baseDirectory: baseDirectory) : .file(ToolkitConfiguration.resolve(text, against: baseDirectory))
        }
        if let value = try seconds("auditCheckpointSeconds", range: 1...86_400) { auditCheckpointInterval = .milliseconds(Int(value * 1000)) }
        if let text = properties["auditCheckpointDirectory"], !text.isEmpty {
            auditCheckpointDirectory = ToolkitConfiguration.resolve(text, against: baseDirectory)
        }
        if auditCheckpointKey != nil, auditCheckpointDirectory == nil {
            throw ConfigurationError(property: "auditCheckpointDirectory", "is required with auditCheckpointKey: where the signed checkpoints go (on other storage than the log)")
        }
        if let text = properties["auditLogMaxBytes"] {
            guard let value = Int(text), value >= 4096 else { throw ConfigurationError(property: "auditLogMaxBytes", "\"\(text)\" is not a whole number of at least 4096") }
            auditLogMaximumBytes = value
        }
    }
}
