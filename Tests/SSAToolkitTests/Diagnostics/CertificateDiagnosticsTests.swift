import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing

@Suite("Certificate diagnostics")
struct CertificateDiagnosticsTests {
    let diagnostics = CertificateDiagnostics(at: Fixtures.ssaInstant, environment: ["SSA_TEST_TRANSPORT_PASSWORD": "changeit"])
    let trust = (store("trust.p12"), changeit)

    func checks(_ report: DiagnosticsReport) -> [String: Check] {
        Dictionary(report.stores[0].checks.map { ($0.name.rawValue, $0) }, uniquingKeysWith: { first, _ in first })
    }

    @Test("a healthy transport store: every check passes, the report carries the certificate facts")
    func healthyTransport() async throws {
        let report = try await diagnostics.report(pkcs12: store("transport.p12"), password: changeit, role: .transport, trustStore: trust)
        #expect(report.healthy)
        let c = checks(report)
        #expect(c.keys.sorted() == ["chain", "client_auth", "key_match", "key_size", "revocation", "signature_algorithm", "validity"])
        // The sandbox PKI publishes no OCSP responder or CRL: nothing to ask, said per certificate.
        #expect(c["revocation"]?.outcome == .skip && c["revocation"]?.detail.contains("names no OCSP responder or CRL distribution point") == true, "\(c["revocation"]?.detail ?? "-")")
        #expect(c["chain"]?.detail == "builds to trust anchor CN=Sandbox Open Banking Root CA via CN=Sandbox Open Banking Issuing CA")
        let leaf = report.stores[0].certificates[0]
        #expect(leaf.softwareStatementID == "2kiXQyo0tedjW2somjSgH7")
        #expect(leaf.organisationID == "0015800001HQQrZAAX")
        #expect(leaf.organizationIdentifier == "PSDGB-FCA-123456")
        #expect(leaf.keyDescription == "RSA 2048 bits")
        #expect(leaf.signatureAlgorithm == "sha256WithRSAEncryption")
        #expect(leaf.subjectAlternativeNames == ["DNS:as.sandbox-bank.example"])
        #expect(leaf.extendedKeyUsage?.contains("clientAuth") == true)
        #expect(leaf.keyUsage.contains("digitalSignature"))
        #expect(leaf.sha256Fingerprint.count == 95)
        #expect(leaf.daysRemaining == Int((Date(timeIntervalSince1970: 2_366_841_600).timeIntervalSince(Fixtures.ssaInstant) / 86_400).rounded(.down)))
        #expect(report.stores[0].keyDescription == "RSA 2048 bits")
    }

    @Test("each problem store fails the check that names its problem", arguments: [
        ("transport-expired.p12", "validity", "expired on 2021-01-01"),
        ("transport-not-yet-valid.p12", "validity", "not valid until 2040-01-01"),
        ("transport-self-signed.p12", "chain", "self-signed"),
        ("transport-wrong-eku.p12", "client_auth", "clientAuth is required"),
        ("transport-sha1.p12", "signature_algorithm", "sha1WithRSAEncryption"),
        ("transport-rsa1024.p12", "key_size", "RSA 1024-bit key"),
        ("transport-mismatched-key.p12", "key_match", "does not belong"),
        ("transport-unrelated-ca.p12", "chain", "trust store does not hold"),
        ("transport-no-key.p12", "key_match", "no private key"),
    ])
    func problems(_ file: String, _ check: String, _ mentioned: String) async throws {
        let report = try await diagnostics.report(pkcs12: store(file), password: changeit, role: .transport, trustStore: trust)
        #expect(!report.healthy)
        let failed = report.stores[0].checks.filter { $0.outcome == .fail }
        #expect(failed.map(\.name.rawValue).contains(check), "failed: \(failed)")
        #expect(failed.first { $0.name.rawValue == check }?.detail.contains(mentioned) == true, "\(failed)")
    }

    @Test("a certificate expiring within 30 days fails validity, evaluated at the instant given")
    func expiringSoon() async throws {
        let early = try await diagnostics.report(pkcs12: store("transport-expiring-soon.p12"), password: changeit, role: .transport, trustStore: trust)
        #expect(checks(early)["validity"]?.outcome == .pass)
        let later = CertificateDiagnostics(at: Date(timeIntervalSince1970: 1_768_867_200), environment: [:])  // 2026-01-20
        let report = try await later.report(pkcs12: store("transport-expiring-soon.p12"), password: changeit, role: .transport, trustStore: trust)
        #expect(checks(report)["validity"]?.outcome == .fail)
        #expect(checks(report)["validity"]?.detail.contains("expires in 2") == true)
    }

    @Test("chains: skipped without a trust store, a missing link named")
    func missingLink() async throws {
        let report = try await diagnostics.report(pkcs12: store("transport-no-key.p12"), password: changeit, role: .file, trustStore: nil)
        #expect(checks(report)["chain"]?.outcome == .skip)
        // The certificate alone, its issuer (an unrelated CA) nowhere to be found.
        let alone = try await diagnostics.report(pem: pki("as-transport-unrelated-ca.pem"), trustStore: trust)
        #expect(checks(alone)["chain"]?.outcome == .fail)
        #expect(checks(alone)["chain"]?.detail.contains("missing link: no certificate for CN=Unrelated Root CA") == true)
    }

    @Test("the fixture configuration: trust store, transport store and signing pair are healthy")
    func configuration() async throws {
        let configuration = try ToolkitConfiguration.load(path: Fixtures.url("config/toolkit.json").path)
        let report = try await diagnostics.report(configuration: configuration)
        #expect(report.stores.map(\.role) == ["trust store", "transport store", "signing key and certificate"])
        #expect(report.healthy, "\(report.stores.flatMap(\.checks).filter { $0.outcome == .fail })")
        let signing = Dictionary(report.stores[2].checks.map { ($0.name.rawValue, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(signing["key_match"]?.outcome == .pass)
        #expect(signing["key_published"]?.outcome == .skip)  // 127.0.0.1:8443 is not listening
    }

    @Test("the signing key's keyId is checked against the JWKS served at jwks_endpoint")
    func keyPublished() async throws {
        let server = try TestHTTPSServer(jwksPath: Fixtures.url("jose/as-software.jwks.json").path)
        var configuration = try ToolkitConfiguration.load(path: Fixtures.url("config/toolkit.json").path)
        configuration.directory.transportKeyStore = nil
        configuration.directory.jwksEndpoint = server.url("/jwks")
        var report = try await diagnostics.report(configuration: configuration)
        #expect(report.stores.last?.checks.first { $0.name == "key_published" }?.outcome == .pass)

        configuration.directory.keyID = "not-published"
        report = try await diagnostics.report(configuration: configuration)
        let check = try #require(report.stores.last?.checks.first { $0.name == "key_published" })
        #expect(check.outcome == .fail)
        #expect(check.detail.contains("as-signing-1"))
        #expect(!report.healthy)

        configuration.directory.keyID = "as-signing-ec-1"  // published, but it is the EC key, not the configured RSA key
        report = try await diagnostics.report(configuration: configuration)
        #expect(report.stores.last?.checks.first { $0.name == "key_published" }?.detail.contains("another public key") == true)
    }

    @Test("loading failures throw, naming the property")
    func loadFailures() async throws {
        await #expect {
            _ = try await diagnostics.report(configuration: try ToolkitConfiguration.load(path: Fixtures.url("config/toolkit-broken-password.json").path))
        } throws: { error in
            (error as? KeyStoreError)?.code == .wrongPassword && (error as? KeyStoreError)?.reason.contains("transportKeyStore") == true
        }
        let noEnvironment = CertificateDiagnostics(at: Fixtures.ssaInstant, environment: [:])
        await #expect {
            _ = try await noEnvironment.report(configuration: try ToolkitConfiguration.load(path: Fixtures.url("config/toolkit.json").path))
        } throws: { error in
            (error as? ConfigurationError)?.property == "transportKeyStorePassword"
        }
    }
}

@Suite("Configuration files")
struct ConfigurationTests {
    @Test("Janssen script JSON and plain JSON give the same configuration")
    func bothForms() throws {
        let plain = try ToolkitConfiguration.load(path: Fixtures.url("config/toolkit.json").path)
        let janssen = try ToolkitConfiguration.load(path: Fixtures.url("config/janssen-script.json").path)
        for configuration in [plain, janssen] {
            #expect(configuration.directory.clientScopes == ["ASPSPReadAccess", "TPPReadAccess", "AuthoritiesReadAccess"])
            #expect(configuration.directory.keyID == "as-signing-1")
            #expect(configuration.directory.transportKeyStore?.path.hasSuffix("certs-fixtures/stores/transport.p12") == true)
            #expect(configuration.directory.transportKeyStore?.property == "transportKeyStore")
            #expect(configuration.directory.tokenURL?.absoluteString == "https://127.0.0.1:8443/token")
        }
        #expect(plain.directory.transportKeyStorePassword == .environment("SSA_TEST_TRANSPORT_PASSWORD"))
        let fromFile = try janssen.directory.transportKeyStorePassword!.resolve(property: "transportKeyStorePassword", environment: [:])
        #expect(fromFile.withBytes { Array($0) } == Array("changeit".utf8))
    }

    @Test("malformed properties are errors naming the property")
    func malformed() {
        #expect(throws: ConfigurationError(property: "tokenUrl", "")) {
            try ToolkitConfiguration(properties: ["tokenUrl": "http://directory.example/token"], baseDirectory: nil)
        }
        #expect(throws: ConfigurationError(property: "allowedAlgorithms", "")) {
            try ToolkitConfiguration(properties: ["allowedAlgorithms": "PS256,HS256"], baseDirectory: nil)
        }
        #expect(throws: ConfigurationError(property: "transportKeyStorePassword", "")) {
            try ToolkitConfiguration(properties: ["transportKeyStore": "t.p12"], baseDirectory: nil)
        }
        #expect(throws: ConfigurationError(property: "transportKeyStorePassword", "")) {
            try SecretReference.environment("ABSENT_VARIABLE").resolve(property: "transportKeyStorePassword", environment: [:])
        }
    }
}
