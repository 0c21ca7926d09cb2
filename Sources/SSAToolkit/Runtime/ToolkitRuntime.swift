import Foundation
import Logging

/// Everything a running authorization-server side needs, loaded once from one configuration:
/// one directory connection (key stores, mutual TLS, token cache), one audit log, and the two
/// deciders that share them: registration (``RegistrationValidator``) and token time
/// (``TokenPolicy``).
public struct ToolkitRuntime: Sendable {
    /// The directory connection both deciders use.
    public let connection: DirectoryConnection
    /// The audit log both deciders write, when `auditLog` is configured.
    public let audit: AuditLog?
    /// Registration decisions.
    public let registration: RegistrationValidator
    /// Token-time decisions.
    public let tokens: TokenPolicy

    /// Loads `configuration`.
    ///
    /// - Throws: ``ConfigurationError``, ``KeyStoreError``, ``JOSEError`` as the loaders do, and
    ///   ``AuditError`` when the audit log cannot be opened.
    public init(configuration: ToolkitConfiguration, environment: [String: String] = ProcessInfo.processInfo.environment,
                logger: Logger = Logger(label: "ssa-toolkit", factory: { _ in SwiftLogNoOpLogHandler() })) throws {
        connection = try DirectoryConnection(configuration: configuration, environment: environment, logger: logger)
        audit = try configuration.token.auditLogPath.map { path throws(AuditError) in
            try AuditLog(path: path, durability: configuration.token.auditDurability,
                         maximumBytes: configuration.token.auditLogMaximumBytes)
        }
        registration = try RegistrationValidator(configuration: configuration, connection: connection, audit: audit, logger: logger)
        tokens = try TokenPolicy(configuration: configuration, connection: connection, audit: audit, logger: logger)
    }
}
