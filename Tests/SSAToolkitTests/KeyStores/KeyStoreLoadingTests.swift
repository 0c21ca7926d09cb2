import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing

@Suite("Key stores: PKCS#12 through OpenSSL")
struct KeyStoreLoadingTests {
    @Test("transport stores from openssl (modern and legacy), keytool, with an empty password and without a MAC", arguments: [
        ("transport.p12", "changeit"), ("transport-legacy.p12", "changeit"), ("transport-keytool.p12", "changeit"),
        ("transport-empty-password.p12", ""), ("transport-no-mac.p12", "changeit"),
    ])
    func transportVariants(_ file: String, _ password: String) throws {
        let identity = try TransportIdentity(pkcs12: store(file), password: Secret(password))
        #expect(identity.softwareStatementID == "2kiXQyo0tedjW2somjSgH7")
        #expect(identity.keyDescription == "RSA 2048 bits")
        #expect(identity.chain.count == 1)
        #expect(identity.chain.first?.subject.commonName == "Sandbox Open Banking Issuing CA")
        #expect(identity.certificateChainPEM.components(separatedBy: "-----BEGIN CERTIFICATE-----").count == 3)
    }

    @Test("trust stores: certificate-only from openssl and from keytool", arguments: ["trust.p12", "trust-keytool.p12"])
    func trustVariants(_ file: String) throws {
        let trust = try TrustStore(pkcs12: store(file), password: changeit)
        #expect(trust.anchors.map { $0.subject.commonName } == ["Sandbox Open Banking Root CA"])
        #expect(trust.intermediates.map { $0.subject.commonName } == ["Sandbox Open Banking Issuing CA"])
        #expect(trust.pem.components(separatedBy: "-----BEGIN CERTIFICATE-----").count == 3)
    }

    @Test("a wrong password is named as such", arguments: ["transport.p12", "transport-legacy.p12", "transport-keytool.p12", "trust-keytool.p12", "transport-no-mac.p12"])
    func wrongPassword(_ file: String) {
        #expect {
            try TransportIdentity(pkcs12: store(file, property: "transportKeyStore"), password: Secret("not-the-password"))
        } throws: { error in
            guard let error = error as? KeyStoreError else { return false }
            return error.code == .wrongPassword && error.reason.contains("wrong password") && error.reason.contains(file)
                && error.reason.contains("property transportKeyStore") && !error.reason.contains("not-the-password")
        }
    }

    @Test("files that are not PKCS#12 say what they look like", arguments: [
        ("stores/transport.jks", "Java JKS"), ("pki/ca-bundle.pem", "PEM file (CERTIFICATE)"),
        ("jose/keys/ob-rsa-1.key.pem", "PEM file (PRIVATE KEY)"), ("stores/as-transport.der", "DER-encoded X.509 certificate"),
        ("stores/garbage.bin", "unrecognised binary data"), ("stores/empty.p12", "an empty file"),
    ])
    func notPKCS12(_ path: String, _ looksLike: String) {
        #expect {
            try TrustStore(pkcs12: KeyStoreLocation(path: Fixtures.url(path).path, property: "trustKeyStore"), password: changeit)
        } throws: { error in
            guard let error = error as? KeyStoreError else { return false }
            return error.code == .notPKCS12 && error.reason.contains(looksLike) && error.reason.contains("trustKeyStore")
        }
    }

    @Test("missing files and directories are unreadable, named")
    func unreadable() {
        #expect(throws: KeyStoreError(.unreadable, "")) { try TrustStore(pkcs12: store("absent.p12"), password: changeit) }
        #expect(throws: KeyStoreError(.unreadable, "")) { try TrustStore(pkcs12: KeyStoreLocation(path: Fixtures.root.path), password: changeit) }
    }

    @Test("stores without what they must hold")
    func missingParts() {
        #expect(throws: KeyStoreError(.noPrivateKey, "")) { try TransportIdentity(pkcs12: store("transport-no-key.p12"), password: changeit) }
        #expect(throws: KeyStoreError(.noCertificate, "")) { try TransportIdentity(pkcs12: store("key-only.p12"), password: changeit) }
        #expect(throws: KeyStoreError(.noCertificate, "")) { try TrustStore(pkcs12: store("key-only.p12"), password: changeit) }
        #expect(throws: KeyStoreError(.keyMismatch, "")) { try TransportIdentity(pkcs12: store("transport-mismatched-key.p12"), password: changeit) }
    }

    @Test("secrets never print")
    func secretsRedacted() {
        let secret = Secret("hunter2")
        #expect("\(secret)" == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        #expect(secret.count == 7)
        #expect("\(SecretReference.literal("hunter2"))" == "<literal, redacted>")
    }
}

@Suite("Signing keys: PEM through OpenSSL")
struct SigningKeyTests {
    @Test("RSA PKCS#8, traditional and encrypted forms load the same key", arguments: [
        ("as-signing.key.pem", nil), ("as-signing.rsa-traditional.key.pem", nil),
        ("as-signing.pkcs8-encrypted.key.pem", "signing-pass"), ("as-signing.traditional-encrypted.key.pem", "signing-pass"),
    ] as [(String, String?)])
    func rsaForms(_ file: String, _ password: String?) throws {
        let key = try SigningKey(pem: pki(file), password: password.map { Secret($0) })
        #expect(key.keyDescription == "RSA 2048 bits")
        #expect(key.defaultAlgorithm == .PS256)
        // Signs a token that verifies with the key published in the software's JWKS (made by Python).
        let token = try JWSSigner(key: key.key, algorithm: .PS256, keyID: "as-signing-1").sign(payload: ["iss": "x"])
        let jwks = try JWKS(parsing: Array(try Fixtures.data("jose/as-software.jwks.json")))
        #expect(try JWSVerifier().verify(try CompactJWS(parsing: token), using: jwks).keyID == "as-signing-1")
        #expect(key.matches(try CertificateFile(pem: pki("as-signing.pem")).certificate))
        #expect(!key.matches(try CertificateFile(pem: pki("as-transport.pem")).certificate))
    }

    @Test("a BEGIN CERTIFICATE line without its block is a KeyStoreError, not a trap (found by the pem fuzz target)")
    func beginWithoutEnd() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, text) in [("begin-only.pem", "-----BEGIN CERTIFICATE-----"), ("begin-no-end.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n")] {
            let path = folder.appendingPathComponent(name).path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            #expect(throws: KeyStoreError.self) { try CertificateFile(pem: KeyStoreLocation(path: path)) }
            #expect(throws: KeyStoreError.self) { try TrustStore(pemFile: KeyStoreLocation(path: path)) }
        }
        // The passing side: a real certificate file still loads.
        #expect(try CertificateFile(pem: pki("as-signing.pem")).chain.isEmpty)
    }

    @Test("EC P-256 in PKCS#8 and SEC1 form", arguments: ["as-signing-ec.key.pem", "as-signing-ec.sec1.key.pem"])
    func ecForms(_ file: String) throws {
        let key = try SigningKey(pem: pki(file))
        #expect(key.keyDescription == "EC P-256")
        #expect(key.defaultAlgorithm == .ES256)
        let token = try JWSSigner(key: key.key, algorithm: .ES256, keyID: "as-signing-ec-1").sign(payload: ["iss": "x"])
        let jwks = try JWKS(parsing: Array(try Fixtures.data("jose/as-software.jwks.json")))
        #expect(try JWSVerifier().verify(try CompactJWS(parsing: token), using: jwks).keyID == "as-signing-ec-1")
    }

    @Test("encrypted keys: no password and a wrong password are told apart")
    func encrypted() {
        #expect(throws: KeyStoreError(.passwordRequired, "")) { try SigningKey(pem: pki("as-signing.pkcs8-encrypted.key.pem")) }
        #expect(throws: KeyStoreError(.wrongPassword, "")) { try SigningKey(pem: pki("as-signing.pkcs8-encrypted.key.pem"), password: Secret("nope")) }
        #expect(throws: KeyStoreError(.wrongPassword, "")) { try SigningKey(pem: pki("as-signing.traditional-encrypted.key.pem"), password: Secret("nope")) }
    }

    @Test("not a PEM private key, and keys too weak to sign with")
    func refused() {
        #expect(throws: KeyStoreError(.notPEM, "")) { try SigningKey(pem: store("transport.p12")) }
        #expect(throws: KeyStoreError(.notPEM, "")) { try SigningKey(pem: pki("as-signing.pem")) }
        #expect(throws: KeyStoreError(.unsupportedKey, "")) { try SigningKey(pem: pki("as-transport-rsa1024.key.pem")) }
        #expect(throws: KeyStoreError(.unsupportedKey, "")) { try SigningKey(pem: KeyStoreLocation(path: Fixtures.url("jose/keys/ob-ec-p384.key.pem").path)) }
    }
}
