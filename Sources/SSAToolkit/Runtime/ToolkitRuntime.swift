import Foundation
import Logging

/// Everything a running authorization-server side needs, loaded once from one configuration:
/// one connection per trusted directory (key stores, mutual TLS, token cache), one audit sink,
/// one replay store, and the two deciders that share them: registration
/// (``RegistrationDecider``) and token time (``TokenDecider``). This is the one place that turns
/// the configuration's values into deciders.
public struct ToolkitRuntime: Sendable {
    /// The first (or only) directory's connection.
    public var connection: DirectoryConnection { connections[0] }
    /// One connection per entry of ``ToolkitConfiguration/directories``, in order.
    public let connections: [DirectoryConnection]
    /// Where both deciders record decisions, when an audit log or a shared state store is configured.
    public let audit: (any AuditSink)?
    /// Decides registrations.
    public let registrationDecider: RegistrationDecider
    /// Decides token requests.
    public let tokenDecider: TokenDecider
    /// Signs checkpoints of the audit chain, when `auditCheckpointKey` is configured.
    public let checkpoints: AuditCheckpointWriter?
    /// How long before a certificate expires `/healthz` starts saying so (`certificateExpiryWarningDays`).
    public let certificateWarning: TimeInterval

    /// The worst state of the certificates the runtime depends on, at `now`.
    public func certificateState(at now: Date = Date()) -> CertificateState {
        let states = connections.flatMap(\.certificates).map { $0.state(at: now, warning: certificateWarning) }
        if let expired = states.first(where: { if case .expired = $0 { true } else { false } }) { return expired }
        return states.first { $0 != .valid } ?? .valid
    }

    /// Loads `configuration`.
    ///
    /// - Throws: ``ConfigurationError``, ``KeyStoreError``, ``JOSEError`` as the loaders do, and
    ///   ``AuditError`` when the audit log cannot be opened.
    ///
    /// - Parameters:
    ///   - reusing: the audit sink of the runtime this one replaces (a reload): when the
    ///     configuration names the same file, it is kept, so one writer continues one chain.
    ///   - sharedState: the replay store and audit sink several nodes share (`stateStore`), made
    ///     by the caller; it replaces the in-memory replay cache and the file audit log.
    public init(configuration: ToolkitConfiguration, environment: [String: String] = ProcessInfo.processInfo.environment, reusing previousAudit: (any AuditSink)? = nil,
                sharedState: (replays: any ReplayStore, audit: any AuditSink)? = nil,
                logger: Logger = Logger(label: "ssa-toolkit", factory: { _ in SwiftLogNoOpLogHandler() })) throws {
        // Unknown properties and secret files others may read or change: said once, at load.
        for warning in configuration.loadWarnings { logger.warning("\(warning)") }
        connections = try configuration.directories.map { try DirectoryConnection(directory: $0, timeouts: configuration.timeouts, environment: environment, logger: logger) }
        certificateWarning = configuration.certificateExpiryWarning
        if let sharedState {
            audit = sharedState.audit
        } else {
            audit = try configuration.audit.logPath.map { path throws(AuditError) -> any AuditSink in
                if let previous = previousAudit as? AuditLog, previous.path == path { return previous }
                let log = try AuditLog(path: path, durability: configuration.audit.durability,
                                       maximumBytes: configuration.audit.logMaximumBytes)
                for warning in log.openingWarnings { logger.warning("\(warning)") }
                return log
            }
        }
        if let reference = configuration.audit.checkpointKey, let directory = configuration.audit.checkpointDirectory {
            let pem = try reference.resolve(property: "auditCheckpointKey", environment: environment).withBytes { String(decoding: $0, as: UTF8.self) }
            let key: AuditCheckpointKey
            do { key = try AuditCheckpointKey(pem: pem) } catch { throw ConfigurationError(property: "auditCheckpointKey", error.reason) }
            var status = stat()
            guard stat(directory, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else {
                throw ConfigurationError(property: "auditCheckpointDirectory", "\(directory) is not a directory")
            }
            if case .file(let path) = reference { for warning in SafeFile.permissionWarnings(path, what: "auditCheckpointKey") { logger.warning("\(warning)") } }
            checkpoints = AuditCheckpointWriter(key: key, directory: directory, interval: configuration.audit.checkpointInterval)
        } else {
            checkpoints = nil
        }
        registrationDecider = try RegistrationDecider(configuration: configuration, connections: connections, audit: audit, replays: sharedState?.replays, logger: logger)
        // Token time shares registration's directories and rules: one certificate rule (and one
        // cache of verified chains) per directory, one list of methods and grant types.
        tokenDecider = try TokenDecider(configuration: configuration, connections: connections, registration: registrationDecider, audit: audit, logger: logger)
    }
}
