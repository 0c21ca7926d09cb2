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
    /// How long before a certificate expires `/healthz` starts saying so (`certificateExpiryWarningDays`).
    public let certificateWarning: TimeInterval

    /// The worst state of the certificates the runtime depends on, at `now`.
    public func certificateState(at now: Date = Date()) -> CertificateState {
        let states = connection.certificates.map { $0.state(at: now, warning: certificateWarning) }
        if let expired = states.first(where: { if case .expired = $0 { true } else { false } }) { return expired }
        return states.first { $0 != .valid } ?? .valid
    }

    /// Loads `configuration`.
    ///
    /// - Throws: ``ConfigurationError``, ``KeyStoreError``, ``JOSEError`` as the loaders do, and
    ///   ``AuditError`` when the audit log cannot be opened.
    ///
    /// - Parameter reusing: the audit log of the runtime this one replaces (a reload): when the
    ///   configuration names the same file, it is kept, so one writer continues one chain.
    public init(configuration: ToolkitConfiguration, environment: [String: String] = ProcessInfo.processInfo.environment, reusing previousAudit: AuditLog? = nil,
                logger: Logger = Logger(label: "ssa-toolkit", factory: { _ in SwiftLogNoOpLogHandler() })) throws {
        connection = try DirectoryConnection(configuration: configuration, environment: environment, logger: logger)
        certificateWarning = configuration.token.certificateExpiryWarning
        audit = try configuration.token.auditLogPath.map { path throws(AuditError) in
            if let previousAudit, previousAudit.path == path { return previousAudit }
            return try AuditLog(path: path, durability: configuration.token.auditDurability,
                                maximumBytes: configuration.token.auditLogMaximumBytes)
        }
        registration = try RegistrationValidator(configuration: configuration, connection: connection, audit: audit, logger: logger)
        tokens = try TokenPolicy(configuration: configuration, connection: connection, audit: audit, logger: logger)
    }
}
