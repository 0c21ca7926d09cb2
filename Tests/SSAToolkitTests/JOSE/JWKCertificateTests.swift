import Foundation
@testable import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// Key sets that publish transport certificates (the Open Banking directory's software key sets):
/// the certificate named by `x5c` or `x5t#S256`, for `use` `tls`.
@Suite("JWKS: which transport certificates a key set publishes (x5c, x5t#S256, use tls)")
struct JWKCertificateTests {
    /// The TPP's transport certificate, DER, and its x5t#S256 as OpenSSL computes it.
    static func transport() async throws -> (der: [UInt8], thumbprint: String) {
        let pem = try Fixtures.string("registration/tpp-transport.pem")
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let der = Array(try #require(Data(base64Encoded: body)))
        let digest = try await AsyncProcess.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "openssl x509 -in '\(Fixtures.url("registration/tpp-transport.pem").path)' -outform DER | openssl dgst -sha256 -binary | base64 -w0 | tr '+/' '-_' | tr -d '='"])
        return (der, digest.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// A JWKS of one EC signing key (the fixture's) with extra members.
    static func jwks(_ extra: [String: JSONValue]) throws -> JWKS {
        let base = try StrictJSONParser().parseObject(Array(try Fixtures.data("jose/directory.jwks.json")))
        var key = try #require(base["keys"]?.arrayValue?.first?.objectValue)
        for (name, value) in extra { key[name] = value }
        if extra["use"] == nil { key["use"] = nil }
        return try JWKS(parsing: Array(JSONValue.object(["keys": .array([.object(key)])]).serialized().utf8))
    }

    @Test("x5c (standard base64 DER) names the certificate: published for tls and for no use; not for sig, not another certificate")
    func x5c() async throws {
        let (der, thumbprint) = try await Self.transport()
        #expect(thumbprint.count == 43)
        let x5c: JSONValue = .array([.string(Data(der).base64EncodedString())])
        #expect(try Self.jwks(["x5c": x5c, "use": "tls"]).publishesTransportCertificate(thumbprint))
        #expect(try Self.jwks(["x5c": x5c]).publishesTransportCertificate(thumbprint))
        #expect(try !Self.jwks(["x5c": x5c, "use": "sig"]).publishesTransportCertificate(thumbprint))
        #expect(try !Self.jwks(["x5c": x5c, "use": "tls"]).publishesTransportCertificate(String(thumbprint.reversed())))
        #expect(try Self.jwks(["x5c": x5c]).keys.first?.certificateThumbprint == thumbprint)
    }

    @Test("x5t#S256 alone names it too; an x5t#S256 that contradicts x5c makes the key unusable (skipped, said why)")
    func thumbprintMember() async throws {
        let (der, thumbprint) = try await Self.transport()
        #expect(try Self.jwks(["x5t#S256": .string(thumbprint), "use": "tls"]).publishesTransportCertificate(thumbprint))
        let contradicted = try Self.jwks(["x5c": .array([.string(Data(der).base64EncodedString())]), "x5t#S256": .string(String(repeating: "A", count: 43))])
        #expect(contradicted.keys.isEmpty)
        #expect(contradicted.warnings.first?.contains("x5t#S256") == true, "\(contradicted.warnings)")
        let garbage = try Self.jwks(["x5c": .array([.string("not base64!")])])
        #expect(garbage.keys.isEmpty && garbage.warnings.first?.contains("x5c") == true)
        // Without either member the key publishes no certificate.
        #expect(try !Self.jwks([:]).publishesTransportCertificate(thumbprint))
    }
}
