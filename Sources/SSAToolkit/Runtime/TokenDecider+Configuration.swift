import Foundation
import Logging

// Building the token decider from the configuration's values, sharing registration's
// directories and rules.

extension TokenDecider {
    /// A decider over already loaded directory connections, one per entry of
    /// ``ToolkitConfiguration/directories`` in the same order, with the configuration's settings
    /// (and client certificate rules of its own).
    public convenience init(configuration: ToolkitConfiguration, connections: [DirectoryConnection], audit: (any AuditSink)?, logger: Logger = Logger(label: "ssa-toolkit.token", factory: { _ in SwiftLogNoOpLogHandler() })) throws {
        let registration = try RegistrationDecider(configuration: configuration, connections: connections, audit: nil, logger: logger)
        try self.init(configuration: configuration, connections: connections, registration: registration, audit: audit, logger: logger)
    }

    /// A decider that shares `registration`'s trusted directories (their certificate anchors and
    /// caches) and rules: what registration refuses, token time refuses through the same code.
    public convenience init(configuration: ToolkitConfiguration, connections: [DirectoryConnection], registration: RegistrationDecider, audit: (any AuditSink)?,
                            logger: Logger = Logger(label: "ssa-toolkit.token", factory: { _ in SwiftLogNoOpLogHandler() })) throws {
        guard connections.count == registration.trustedDirectories.count else {
            throw ConfigurationError(property: "trustedDirectories", "lists \(registration.trustedDirectories.count) directories but \(connections.count) connections were loaded")
        }
        let rules = registration.rules
        let directories = try zip(registration.trustedDirectories, connections).map { trusted, connection throws in
            // Open Banking UK's status is its SCIM record (cached here); another framework's, the
            // published lists registration reads too (one cache for both moments).
            var status: DirectoryStatusCache?
            if trusted.participants == nil {
                guard let tpp = trusted.directory else { throw ConfigurationError(property: "tppUrl", "is required to ask the directory about the software") }
                status = DirectoryStatusCache(directory: tpp, lifetime: configuration.token.statusCacheLifetime, staleIfError: configuration.token.staleIfError)
            }
            return TokenDirectory(issuer: trusted.issuer, framework: trusted.framework, status: status, participants: trusted.participants,
                                  certificates: trusted.certificateRule(bindsToSoftware: rules.bindsCertificateToSoftware))
        }
        self.init(directories: directories, rules: rules, settings: configuration.token, audit: audit, logger: logger)
    }
}
