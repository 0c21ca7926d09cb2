import Foundation
import Logging

/// Examines key stores, keys and certificates and says what is wrong with them: the engine of
/// `ssa-verify certs`. Loading failures throw (``KeyStoreError``, ``ConfigurationError``);
/// everything that loads is reported, each problem as a failed ``Check``.
public struct CertificateDiagnostics: Sendable {
    /// The instant validity is evaluated at.
    public var instant: Date
    /// A certificate expiring sooner than this after ``instant`` fails the validity check.
    public var expiryWarning: TimeInterval = 30 * 86_400
    /// Environment for `env:` secret references.
    public var environment: [String: String]
    /// Asks whether the examined certificates were revoked (OCSP, then the CRL); `nil` skips
    /// the `revocation` check (`--no-revocation`).
    public var revocation: RevocationChecker? = RevocationChecker()
    /// A trust framework's certificate profile to apply to the leaf (`certs --trust-framework`).
    public var profile: CertificateProfileCheck?
    private let logger: Logger

    /// Diagnostics evaluated at `instant`.
    public init(at instant: Date, environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger = Logger(label: "ssa-toolkit.certs", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.instant = instant
        self.environment = environment
        self.logger = logger
    }

    /// What a store is for; decides which checks apply.
    public enum Role: String, Sendable {
        /// Trust anchors for directory TLS.
        case trust = "trust store"
        /// The identity presented over mutual TLS.
        case transport = "transport store"
        /// The signing key and certificate.
        case signing = "signing key and certificate"
        /// A file examined on its own.
        case file = "file"
    }

    // MARK: - Entry points

    /// Every store and the signing pair named by a configuration's top-level directory
    /// properties, plus whether the signing key's `keyId` is published at `jwks_endpoint`.
    ///
    /// - Throws: ``ConfigurationError`` for a secret that cannot be resolved, ``KeyStoreError``
    ///   for a store, key or certificate that cannot be loaded.
    public func report(configuration: ToolkitConfiguration) async throws -> DiagnosticsReport {
        try await report(directory: configuration.directory)
    }

    /// Every store and the signing pair one directory's settings name, plus whether the signing
    /// key's `keyId` is published at its `jwks_endpoint`.
    public func report(directory configuration: TrustedDirectorySettings) async throws -> DiagnosticsReport {
        var reports: [KeyStoreReport] = []
        var anchors: [OwnedX509] = []
        var trustPEM: String?
        if let location = configuration.trustKeyStore {
            let password = try configuration.trustKeyStorePassword!.resolve(property: "trustKeyStorePassword", environment: environment)
            let inspection = try KeyStoreInspection.pkcs12(location, password: password, what: Role.trust.rawValue)
            anchors = inspection.certificates
            trustPEM = try TrustStore(pkcs12: location, password: password).pem
            reports.append(await report(inspection, role: .trust, anchors: []))
        }
        if let location = configuration.transportKeyStore {
            let password = try configuration.transportKeyStorePassword!.resolve(property: "transportKeyStorePassword", environment: environment)
            let inspection = try KeyStoreInspection.pkcs12(location, password: password, what: Role.transport.rawValue)
            reports.append(await report(inspection, role: .transport, anchors: anchors))
        }
        if configuration.signingKey != nil || configuration.signingCertificate != nil {
            reports.append(try await signingReport(configuration, anchors: anchors, trustPEM: trustPEM))
        }
        guard !reports.isEmpty else {
            throw ConfigurationError(property: nil, "the configuration names no trustKeyStore, transportKeyStore, signingKey or signingCert")
        }
        return DiagnosticsReport(stores: reports, evaluatedAt: instant)
    }

    /// One PKCS#12 file, with chains checked against `trustStore` when given.
    public func report(pkcs12 location: KeyStoreLocation, password: Secret, role: Role = .file, trustStore: (KeyStoreLocation, Secret)? = nil) async throws(KeyStoreError) -> DiagnosticsReport {
        let anchors = try trustStore.map { store, password throws(KeyStoreError) in
            try KeyStoreInspection.pkcs12(store, password: password, what: Role.trust.rawValue).certificates
        } ?? []
        let inspection = try KeyStoreInspection.pkcs12(location, password: password, what: role == .file ? "key store" : role.rawValue)
        return DiagnosticsReport(stores: [await report(inspection, role: role, anchors: anchors)], evaluatedAt: instant)
    }

    /// One PEM certificate file (a certificate, a chain or a CA bundle).
    public func report(pem location: KeyStoreLocation, trustStore: (KeyStoreLocation, Secret)? = nil) async throws(KeyStoreError) -> DiagnosticsReport {
        let anchors = try trustStore.map { store, password throws(KeyStoreError) in
            try KeyStoreInspection.pkcs12(store, password: password, what: Role.trust.rawValue).certificates
        } ?? []
        let inspection = try KeyStoreInspection.pem(location, password: nil, what: "certificate file")
        return DiagnosticsReport(stores: [await report(inspection, role: .file, anchors: anchors)], evaluatedAt: instant)
    }

    // MARK: - Checks

    func report(_ inspection: KeyStoreInspection, role: Role, anchors: [OwnedX509]) async -> KeyStoreReport {
        var inspection = inspection
        if inspection.leaf == nil, role != .trust, !inspection.others.isEmpty {
            // Certificates without a key, examined as a transport store or a file: the first is the leaf.
            inspection.leaf = inspection.others.removeFirst()
        }
        let certificates = inspection.certificates.map(CertificateInspection.init)
        var roles: [String] = []
        for index in certificates.indices {
            if index == 0, inspection.leaf != nil, role != .trust { roles.append("leaf") } else { roles.append(role == .trust ? "certificate \(index + 1)" : "chain \(index)") }
        }
        var checks: [Check] = []
        if role == .transport || (inspection.privateKey != nil && role != .trust) {
            checks.append(keyMatch(inspection, certificates, role: role))
        }
        if role != .trust, let leaf = inspection.leaf {
            checks.append(chain(leaf: leaf, others: inspection.others, anchors: anchors))
            checks.append(await revocationCheck(leaf: leaf, others: inspection.others, anchors: anchors))
        }
        checks.append(validity(certificates))
        if role == .transport, let leaf = certificates.first {
            checks.append(clientAuth(leaf))
        }
        if let profile, role != .trust, let leaf = inspection.leaf {
            checks.append(profile.check(leafDER: leaf.der))
        }
        checks.append(keySize(certificates))
        checks.append(signatureAlgorithms(certificates))
        return KeyStoreReport(
            role: role.rawValue, location: inspection.location, format: inspection.format,
            keyDescription: inspection.privateKey?.keyDescription,
            certificates: zip(certificates, roles).map { CertificateReport($0, role: $1, at: instant) },
            checks: checks
        )
    }

    private func name(_ c: CertificateInspection) -> String {
        c.commonName.map { "CN=\($0)" } ?? c.subject
    }

    private func keyMatch(_ inspection: KeyStoreInspection, _ certificates: [CertificateInspection], role: Role) -> Check {
        guard let key = inspection.privateKey else {
            return Check("key_match", .fail, "the store holds no private key; a \(role.rawValue) must hold the key it presents")
        }
        guard let leaf = certificates.first, inspection.leaf != nil else {
            return Check("key_match", .fail, "the store holds a private key (\(key.keyDescription)) but no certificate for it")
        }
        return leaf.matches(key)
            ? Check("key_match", .pass, "the private key (\(key.keyDescription)) belongs to \(name(leaf))")
            : Check("key_match", .fail, "the private key (\(key.keyDescription)) does not belong to \(name(leaf)): the store pairs a key with another key's certificate")
    }

    private func chain(leaf: OwnedX509, others: [OwnedX509], anchors: [OwnedX509]) -> Check {
        guard !anchors.isEmpty else {
            return Check("chain", .skip, "no trust store given to build the chain against")
        }
        let outcome = ChainVerification.verify(leaf: leaf, untrusted: others, anchors: anchors)
        guard let failure = outcome.failure else {
            let anchor = outcome.chain.last.map(name) ?? "?"
            let via = outcome.chain.dropFirst().dropLast().map(name)
            return Check("chain", .pass, "builds to trust anchor \(anchor)" + (via.isEmpty ? "" : " via \(via.joined(separator: ", "))"))
        }
        let last = outcome.chain.last ?? CertificateInspection(leaf)
        if ChainVerification.missingIssuerCodes.contains(failure.code) {
            return Check("chain", .fail, "missing link: no certificate for \(last.issuer), the issuer of \(name(last)), in the store or the trust store")
        }
        if failure.code == ChainVerification.selfSignedLeafCode {
            return Check("chain", .fail, "\(name(last)) is self-signed and not in the trust store")
        }
        if failure.code == ChainVerification.untrustedRootCode {
            return Check("chain", .fail, "the chain ends at self-signed \(name(last)), which the trust store does not hold")
        }
        return Check("chain", .fail, "does not build to the trust store: \(failure.reason) (at depth \(failure.depth))")
    }

    private func validity(_ certificates: [CertificateInspection]) -> Check {
        var problems: [String] = []
        var soonest: (String, Date)?
        for c in certificates {
            guard let notBefore = c.notBefore, let notAfter = c.notAfter else {
                problems.append("\(name(c)) has unreadable validity dates")
                continue
            }
            if instant < notBefore {
                problems.append("\(name(c)) is not valid until \(SoftwareStatementRules.format(notBefore))")
            } else if instant > notAfter {
                problems.append("\(name(c)) expired on \(SoftwareStatementRules.format(notAfter))")
            } else if notAfter.timeIntervalSince(instant) < expiryWarning {
                let days = Int(notAfter.timeIntervalSince(instant) / 86_400)
                problems.append("\(name(c)) expires in \(days) day\(days == 1 ? "" : "s"), on \(SoftwareStatementRules.format(notAfter))")
            }
            if soonest == nil || notAfter < soonest!.1 { soonest = (name(c), notAfter) }
        }
        if !problems.isEmpty { return Check("validity", .fail, problems.joined(separator: "; ")) }
        let days = soonest.map { Int($0.1.timeIntervalSince(instant) / 86_400) } ?? 0
        return Check("validity", .pass, "valid at \(SoftwareStatementRules.format(instant)) and for the next \(Int(expiryWarning / 86_400)) days; first to expire: \(soonest?.0 ?? "?") in \(days) days")
    }

    private func clientAuth(_ leaf: CertificateInspection) -> Check {
        guard let usages = leaf.extendedKeyUsage else {
            return Check("client_auth", .pass, "no extended key usage extension: any use allowed")
        }
        return usages.contains("clientAuth")
            ? Check("client_auth", .pass, "extended key usage includes clientAuth")
            : Check("client_auth", .fail, "extended key usage is \(usages.isEmpty ? "empty" : usages.joined(separator: ", ")); clientAuth is required to present it over mutual TLS")
    }

    private func keySize(_ certificates: [CertificateInspection]) -> Check {
        let weak = certificates.filter { c in
            let key = c.publicKey
            return (key.type == "RSA" && key.bits < 2048) || (key.type == "EC" && key.bits < 256)
        }
        if weak.isEmpty { return Check("key_size", .pass, "RSA keys at least 2048 bits, EC keys at least 256") }
        return Check("key_size", .fail, weak.map { "\(name($0)) has a \($0.publicKey.type) \($0.publicKey.bits)-bit key" }.joined(separator: "; ") + "; RSA needs at least 2048 bits")
    }

    private func signatureAlgorithms(_ certificates: [CertificateInspection]) -> Check {
        // A self-signed root's own signature is never checked in path validation.
        let weak = certificates.filter { c in
            let algorithm = c.signatureAlgorithm.lowercased()
            return !c.isSelfIssued && (algorithm.contains("sha1") || algorithm.contains("md5"))
        }
        if weak.isEmpty { return Check("signature_algorithm", .pass, "no SHA-1 or MD5 signatures") }
        return Check("signature_algorithm", .fail, weak.map { "\(name($0)) is signed with \($0.signatureAlgorithm)" }.joined(separator: "; "))
    }

    // MARK: - Signing pair

    private func signingReport(_ configuration: TrustedDirectorySettings, anchors: [OwnedX509], trustPEM: String?) async throws -> KeyStoreReport {
        var checks: [Check] = []
        var key: SigningKey?
        if let location = configuration.signingKey {
            let password = try configuration.signingKeyPassword?.resolve(property: "signingKeyPassword", environment: environment)
            key = try SigningKey(pem: location, password: password)
        }
        var certificateReports: [CertificateReport] = []
        var location = configuration.signingKey ?? configuration.signingCertificate!
        if let certificateLocation = configuration.signingCertificate {
            location = certificateLocation
            let inspection = try KeyStoreInspection.pem(certificateLocation, password: nil, what: "signing certificate")
            let certificates = inspection.certificates.map(CertificateInspection.init)
            certificateReports = certificates.enumerated().map { CertificateReport($1, role: $0 == 0 ? "leaf" : "chain \($0)", at: instant) }
            if let key, let leaf = certificates.first {
                checks.append(leaf.subjectPublicKeyInfoDER == key.subjectPublicKeyInfoDER
                    ? Check("key_match", .pass, "the signing key (\(key.keyDescription)) belongs to \(name(leaf))")
                    : Check("key_match", .fail, "the signing key \(configuration.signingKey!) does not belong to the signing certificate \(certificateLocation)"))
            } else {
                checks.append(Check("key_match", .skip, "no signingKey configured"))
            }
            if let leaf = inspection.leaf { checks.append(chain(leaf: leaf, others: inspection.others, anchors: anchors)) }
            checks.append(validity(certificates))
            checks.append(keySize(certificates))
            checks.append(signatureAlgorithms(certificates))
        } else {
            checks.append(Check("key_match", .skip, "no signingCert configured"))
        }
        checks.append(await keyPublished(configuration, key: key, trustPEM: trustPEM))
        var report = KeyStoreReport(role: Role.signing.rawValue, location: location, format: "PEM", keyDescription: key?.keyDescription, certificates: certificateReports, checks: checks)
        if let keyLocation = configuration.signingKey, configuration.signingCertificate != nil {
            report.location = KeyStoreLocation(path: "\(keyLocation.path) + \(location.path)", property: "signingKey, signingCert")
        }
        return report
    }

    private func keyPublished(_ configuration: TrustedDirectorySettings, key: SigningKey?, trustPEM: String?) async -> Check {
        guard let keyID = configuration.keyID else { return Check("key_published", .skip, "no keyId configured") }
        guard let endpoint = configuration.jwksEndpoint else { return Check("key_published", .skip, "no jwks_endpoint configured") }
        var transport = TransportConfiguration()
        transport.trustAnchorsPEM = trustPEM
        transport.timeouts = .init(connect: .seconds(5), total: .seconds(10))
        let response: HTTPResponse
        do {
            response = try await HTTPSClient(configuration: transport, logger: logger).get(endpoint)
        } catch {
            return Check("key_published", .skip, "the JWKS at \(endpoint.absoluteString) is not reachable (\(error.reason)); publication not checked")
        }
        guard response.status == 200, let jwks = try? JWKS(parsing: response.body) else {
            return Check("key_published", .skip, "the JWKS at \(endpoint.absoluteString) answered status \(response.status) without a usable JWKS; publication not checked")
        }
        let published = jwks.keys(withID: keyID)
        guard let entry = published.first else {
            let ids = jwks.keys.compactMap(\.keyID)
            return Check("key_published", .fail, "keyId \(keyID) is not in the JWKS at \(endpoint.absoluteString) (it lists \(ids.isEmpty ? "no kid" : ids.joined(separator: ", ")))")
        }
        if let key, !entry.isPublicHalf(of: key.key) {
            return Check("key_published", .fail, "keyId \(keyID) is published at \(endpoint.absoluteString) but with another public key than the configured signing key")
        }
        return Check("key_published", .pass, "keyId \(keyID) is published at \(endpoint.absoluteString)\(key == nil ? "" : " with the signing key's public key")")
    }
}

extension SigningKey {
    /// The DER SubjectPublicKeyInfo of the public half.
    var subjectPublicKeyInfoDER: [UInt8] {
        switch key {
        case .rsa(let k): Array(k.publicKey.derRepresentation)
        case .ecP256(let k): Array(k.publicKey.derRepresentation)
        }
    }
}

extension JWK {
    /// Whether this JWK is the public half of `key`.
    func isPublicHalf(of key: JWSSigner.Key) -> Bool {
        switch (material, key) {
        case (.rsa(_, let verifier?), .rsa(let k)): verifier.derRepresentation == k.publicKey.derRepresentation
        case (.ecP256(let p), .ecP256(let k)): p.rawRepresentation == k.publicKey.rawRepresentation
        default: false
        }
    }
}
