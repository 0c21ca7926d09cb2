import Foundation
import Logging

// Building the registration decider from the configuration's values: the one place where
// configuration becomes rules (Registration/ knows nothing of the configuration file).

extension RegistrationDecider {
    /// Loads everything `configuration` names, once: key stores, the signing key, the clients.
    ///
    /// - Throws: ``ConfigurationError`` for a missing or contradictory property,
    ///   ``KeyStoreError`` for a store or key that cannot be loaded, ``JOSEError`` for a signing
    ///   key that cannot sign.
    public convenience init(configuration: ToolkitConfiguration, environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger = Logger(label: "ssa-toolkit.registration", factory: { _ in SwiftLogNoOpLogHandler() })) throws {
        for warning in configuration.loadWarnings { logger.warning("\(warning)") }
        let connections = try configuration.directories.map { try DirectoryConnection(directory: $0, timeouts: configuration.timeouts, environment: environment, logger: logger) }
        try self.init(configuration: configuration, connections: connections, audit: nil, logger: logger)
    }

    fileprivate static func checkRequired(_ configuration: ToolkitConfiguration, _ directory: TrustedDirectorySettings) throws {
        guard directory.jwksEndpoint != nil else { throw ConfigurationError(property: "jwks_endpoint", "is required to verify software statements") }
        if directory.trustFramework.statusSource == .scim, directory.tppURL == nil {
            throw ConfigurationError(property: "tppUrl", "is required to ask the directory about the software")
        }
        if configuration.registrationAudience == nil, configuration.registration.requireSignedRequest == true {
            throw ConfigurationError(property: "registrationAudience", "is required with requireSignedRequest=true: the authorization server's issuer identifier, which request JWTs must name in aud")
        }
    }

    /// A decider over already loaded directory connections, one per entry of
    /// ``ToolkitConfiguration/directories`` in the same order (shared with token time).
    ///
    /// - Parameter replays: the replay store; by default an in-memory one of `replayCacheSize`.
    public convenience init(configuration: ToolkitConfiguration, connections: [DirectoryConnection], audit: (any AuditSink)?, replays: (any ReplayStore)? = nil,
                            logger: Logger = Logger(label: "ssa-toolkit.registration", factory: { _ in SwiftLogNoOpLogHandler() })) throws {
        let settings = configuration.directories
        guard connections.count == settings.count else {
            throw ConfigurationError(property: "trustedDirectories", "lists \(settings.count) directories but \(connections.count) connections were loaded")
        }
        var rules = RegistrationRules(audience: configuration.registrationAudience)
        configuration.registration.apply(to: &rules)
        rules.clockSkew = configuration.clockSkew
        let directories = try zip(settings, connections).map { try Self.trustedDirectory($0, configuration, connection: $1, logger: logger) }
        self.init(directories: directories, rules: rules,
                  replays: replays ?? InMemoryReplayStore(capacity: configuration.registration.replayCacheSize ?? 100_000), audit: audit, logger: logger)
    }

    /// One directory's verifier, SCIM client, software key sets and certificate anchors, with
    /// the settings every directory shares.
    fileprivate static func trustedDirectory(_ directory: TrustedDirectorySettings, _ configuration: ToolkitConfiguration, connection: DirectoryConnection, logger: Logger) throws -> TrustedDirectory {
        try checkRequired(configuration, directory)
        guard let jwksURL = directory.jwksEndpoint else { throw ConfigurationError(property: "jwks_endpoint", "is required to verify software statements") }
        // The directory's JWKS and the software key sets it hosts are fetched over the same
        // client as the directory itself (the trust store as the only anchors; the transport
        // certificate is presented, which directories that require mutual TLS need).
        let directoryKeys = JWKSProvider(source: .url(jwksURL, connection.transport), cachePolicy: configuration.jwksCachePolicy, logger: logger)
        let framework = directory.trustFramework
        var ssaRules = SoftwareStatementRules(framework: framework)
        ssaRules.issuer = directory.issuer
        ssaRules.clockSkew = configuration.clockSkew
        ssaRules.maximumAge = configuration.maximumSSAAge ?? framework.defaultMaximumAge
        // A framework whose directory signs with fewer algorithms narrows the allow-list.
        var algorithms = configuration.algorithms
        if let signed = framework.ssaAlgorithms {
            algorithms = AlgorithmPolicy(allowed: algorithms.allowed.intersection(signed))
            guard !algorithms.allowed.isEmpty else {
                throw ConfigurationError(property: "algorithms", "allows none of the algorithms \(framework.name.rawValue) SSAs are signed with (\(signed.sorted().map(\.rawValue).joined(separator: ", ")))")
            }
        }
        let verifier = SoftwareStatementVerifier(keys: directoryKeys, algorithms: algorithms, rules: ssaRules, logger: logger)

        var softwareClient = connection.transport
        if configuration.registration.softwareJWKSTrustsSystem {
            var system = TransportConfiguration()
            system.timeouts = configuration.timeouts
            softwareClient = HTTPSClient(configuration: system, logger: logger)
        }
        let softwareKeys = SoftwareKeySets(source: .fetch(softwareClient), cachePolicy: configuration.jwksCachePolicy, logger: logger)
        let certificateTrust: ClientCertificateTrust
        if configuration.registration.clientCertificateVerifiedByProxy {
            certificateTrust = .verifiedByProxy
        } else {
            guard let store = connection.trustStore else {
                throw ConfigurationError(property: "trustKeyStore", "is required to verify callers' client certificates (or set clientCertificateVerification=proxy when the TLS-terminating proxy verifies them)")
            }
            certificateTrust = .trustStore(store)
        }
        let tpp = framework.statusSource == .scim ? connection.tpp : nil
        if framework.statusSource == .scim, tpp == nil { throw ConfigurationError(property: "tppUrl", "is required to ask the directory about the software") }
        let settings = configuration.revocation
        let revocation = settings.sources == .off ? nil : RevocationPolicy(
            checker: RevocationChecker(sources: settings.sources, maximumLifetime: settings.cacheMaximum, timeouts: configuration.timeouts, skew: configuration.clockSkew),
            failure: settings.failure, whenUnpublished: settings.whenUnpublished(for: framework), logger: logger)
        let participants = directory.participantStatusSource(client: connection.transport, token: configuration.token)
        return TrustedDirectory(verifier: verifier, directory: tpp, softwareKeys: softwareKeys, certificateTrust: certificateTrust,
                                revocation: revocation, transportKeyBinding: settings.bindsToSoftwareKeys, participants: participants)
    }
}

extension TrustedDirectorySettings {
    /// Where this directory's participants' status comes from when its framework publishes it
    /// (Open Finance Brasil's participants list, the CDR Register's status lists), read with
    /// `client`'s TLS settings (the directory's trust store) and cached as token-time status is
    /// (`statusCacheSeconds`, `statusStaleIfErrorSeconds`); `nil` for Open Banking UK's SCIM.
    /// A whole list is one document, several megabytes for Brasil's: it is read by a client of
    /// its own that accepts up to ``publishedListMaximumBytes``.
    public func participantStatusSource(client: HTTPSClient, token: TokenSettings) -> (any ParticipantStatusSource)? {
        guard trustFramework.statusSource != .scim else { return nil }
        var configuration = client.configuration
        configuration.maximumResponseBytes = Self.publishedListMaximumBytes
        let client = HTTPSClient(configuration: configuration)
        return switch trustFramework.statusSource {
        case .scim: nil
        case .participants: participantsURL.map {
            BrasilParticipants(url: $0, client: client, domain: trustFramework.authorisationDomain, lifetime: token.statusCacheLifetime, staleIfError: token.staleIfError)
        }
        case .register: registerURL.map {
            CDRRegister(base: $0, industry: registerIndustry, client: client, lifetime: token.statusCacheLifetime, staleIfError: token.staleIfError)
        }
        }
    }

    /// The largest status list read (32 MiB); the lists' parsers are bounded the same.
    public static let publishedListMaximumBytes = 32 << 20
}

extension RegistrationSettings {
    /// Writes the configured values over `rules`'s defaults.
    public func apply(to rules: inout RegistrationRules) {
        if let tokenEndpointAuthMethods { rules.tokenEndpointAuthMethods = tokenEndpointAuthMethods }
        if let grantTypes { rules.grantTypes = grantTypes }
        if let responseTypes { rules.responseTypes = responseTypes }
        if let signingAlgorithms { rules.signingAlgorithms = signingAlgorithms }
        if let roleScopes { rules.roleScopes = roleScopes }
        if let requireSignedRequest { rules.requireSignedRequest = requireSignedRequest }
        if let maximumRequestLifetime { rules.maximumRequestLifetime = maximumRequestLifetime }
        if let memberState { rules.memberState = memberState }
        if let bindsCertificateToSoftware { rules.bindsCertificateToSoftware = bindsCertificateToSoftware }
        if let authorisationDomain { rules.authorisationDomain = authorisationDomain }
    }
}
