import Foundation
import Logging

/// Everything needed to talk to the directory, built once from a configuration: the key stores
/// and signing key loaded, one HTTPS client (mutual TLS, connections reused), the client of the
/// directory's OAuth access token (cached, shared by every caller) and the SCIM client.
public struct DirectoryConnection: Sendable {
    /// The authorization server's software statement id (the transport certificate's CN).
    public var clientID: String
    /// The client of the directory's OAuth access token (mutual TLS and a signed client assertion).
    public var accessTokens: DirectoryAccessTokenClient
    /// The SCIM client, when `tppUrl` is configured.
    public var tpp: TPPDirectoryClient?
    /// The HTTPS client (mutual TLS).
    public var transport: HTTPSClient
    /// The configured trust store, when there is one (the only anchors for directory TLS).
    public var trustStore: TrustStore?
    /// The certificates whose expiry stops the service: the transport certificate (mutual TLS)
    /// and, when `signingCert` is configured, the signing certificate.
    public var certificates: [MonitoredCertificate] = []

    /// Loads the stores and key of the configuration's first (or only) directory and builds the
    /// clients, after logging the configuration's load warnings.
    ///
    /// - Throws: ``ConfigurationError`` for a missing property or secret, ``KeyStoreError`` for
    ///   a store or key that cannot be loaded.
    public init(configuration: ToolkitConfiguration, environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger = Logger(label: "ssa-toolkit.directory", factory: { _ in SwiftLogNoOpLogHandler() })) throws {
        // Unknown properties and secret files others may read or change: said once, at load.
        for warning in configuration.loadWarnings { logger.warning("\(warning)") }
        try self.init(directory: configuration.directories[0], timeouts: configuration.timeouts, environment: environment, logger: logger)
    }

    /// Loads the stores and key `directory` names and builds the clients, whose HTTPS calls keep
    /// to `timeouts`.
    ///
    /// - Throws: ``ConfigurationError`` for a missing property or secret, ``KeyStoreError`` for
    ///   a store or key that cannot be loaded.
    public init(directory configuration: TrustedDirectorySettings, timeouts: TransportConfiguration.Timeouts, environment: [String: String] = ProcessInfo.processInfo.environment,
                logger: Logger = Logger(label: "ssa-toolkit.directory", factory: { _ in SwiftLogNoOpLogHandler() })) throws {
        guard let tokenURL = configuration.tokenURL else { throw ConfigurationError(property: "tokenUrl", "is required to reach the directory") }
        guard let transportStore = configuration.transportKeyStore else { throw ConfigurationError(property: "transportKeyStore", "is required for mutual TLS") }
        guard let signingKeyLocation = configuration.signingKey else { throw ConfigurationError(property: "signingKey", "is required to sign the client assertion") }
        guard let keyID = configuration.keyID else { throw ConfigurationError(property: "keyId", "is required as the client assertion's kid") }
        guard !configuration.clientScopes.isEmpty else { throw ConfigurationError(property: "clientScopes", "is required for the token request") }
        let identity = try TransportIdentity(
            pkcs12: transportStore,
            password: try configuration.transportKeyStorePassword!.resolve(property: "transportKeyStorePassword", environment: environment)
        )
        let trust = try configuration.trustKeyStore.map { location in
            try TrustStore(pkcs12: location, password: try configuration.trustKeyStorePassword!.resolve(property: "trustKeyStorePassword", environment: environment))
        }
        let signingKey = try SigningKey(pem: signingKeyLocation, password: try configuration.signingKeyPassword?.resolve(property: "signingKeyPassword", environment: environment))
        guard let clientID = identity.softwareStatementID, Identifier.problem(with: clientID) == nil else {
            throw ConfigurationError(property: "transportKeyStore", "the transport certificate's CN is not a software statement id")
        }
        let signer = try JWSSigner(key: signingKey.key, algorithm: signingKey.defaultAlgorithm, keyID: keyID)
        var transportConfiguration = TransportConfiguration.mutualTLS(identity: identity, trust: trust)
        transportConfiguration.timeouts = timeouts
        let transport = HTTPSClient(configuration: transportConfiguration, logger: logger)
        let assertions = ClientAssertionFactory(clientID: clientID, audience: configuration.audience ?? tokenURL.absoluteString, scopes: configuration.clientScopes, signer: signer)
        let tokens = DirectoryAccessTokenClient(tokenURL: tokenURL, assertions: assertions, transport: transport, logger: logger)
        self.clientID = clientID
        self.transport = transport
        self.trustStore = trust
        self.accessTokens = tokens
        self.tpp = configuration.tppURL.map { TPPDirectoryClient(tppURL: $0, accessTokens: tokens, transport: transport) }
        certificates = [MonitoredCertificate(role: "transport certificate", location: transportStore.path, subject: identity.certificate.subject.description,
                                             notAfter: identity.certificate.notValidAfter)]
        if let signingCertificate = configuration.signingCertificate {
            let file = try CertificateFile(pem: signingCertificate)
            certificates.append(MonitoredCertificate(role: "signing certificate", location: signingCertificate.path, subject: file.certificate.subject.description,
                                                     notAfter: file.certificate.notValidAfter))
        }
    }
}

/// A certificate the service depends on, with its expiry.
public struct MonitoredCertificate: Sendable {
    /// `transport certificate` or `signing certificate`.
    public var role: String
    /// The file it was loaded from.
    public var location: String
    /// Its subject.
    public var subject: String
    /// When it expires.
    public var notAfter: Date

    /// How it stands at `now`: expired, expiring within `warning`, or fine.
    public func state(at now: Date, warning: TimeInterval) -> CertificateState {
        if now > notAfter { return .expired("the \(role) (\(location)) expired at \(NumericDate.format(notAfter))") }
        if now.addingTimeInterval(warning) > notAfter {
            return .expiringSoon("the \(role) (\(location)) expires at \(NumericDate.format(notAfter)), within \(NumericDate.wholeSeconds(warning / 86_400)) days")
        }
        return .valid
    }
}

/// How a certificate the service depends on stands.
public enum CertificateState: Sendable, Equatable {
    /// Valid beyond the warning window.
    case valid
    /// Valid, but not for much longer: renew it (`/healthz` says `degraded`).
    case expiringSoon(String)
    /// No longer valid: the directory will refuse it (`/healthz` says `failing`).
    case expired(String)
}
