import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// The transport identity is presented over mutual TLS to `openssl s_server`, which requires a
/// client certificate from the directory CA.
@Suite("Mutual TLS against openssl s_server")
struct MutualTLSTests {
    func client(identity file: String?) throws -> HTTPSClient {
        let trust = try TrustStore(pkcs12: store("trust.p12"), password: changeit)
        var configuration = TransportConfiguration.trusting(pem: trust.pem)
        if let file {
            configuration = .mutualTLS(identity: try TransportIdentity(pkcs12: store(file), password: changeit), trust: trust)
        }
        return HTTPSClient(configuration: configuration)
    }

    @Test("the transport certificate is presented, from modern, legacy and keytool stores", arguments: ["transport.p12", "transport-legacy.p12", "transport-keytool.p12"])
    func presented(_ file: String) async throws {
        let server = try OpenSSLTestServer()
        let response = try await client(identity: file).get(server.url("/directory.jwks.json"))
        #expect(response.status == 200)
        #expect(response.body == Array(try Fixtures.data("jose/directory.jwks.json")))
    }

    @Test("without a client certificate the server refuses the handshake: a TLS failure, with the server's alert")
    func noCertificate() async throws {
        let server = try OpenSSLTestServer()
        let error = await #expect(throws: TransportError.self) { try await client(identity: nil).get(server.url("/directory.jwks.json")) }
        #expect(error?.code == .tlsFailure, "\(String(describing: error))")
        #expect(error?.reason.contains("localhost") == true, "\(String(describing: error))")
        #expect(error?.reason.localizedCaseInsensitiveContains("certificate") == true, "\(String(describing: error))")
    }

    @Test("a client certificate from another CA is refused: a TLS failure with the server's alert (unknown ca)")
    func foreignCertificate() async throws {
        let server = try OpenSSLTestServer()
        let error = await #expect(throws: TransportError.self) { try await client(identity: "transport-unrelated-ca.p12").get(server.url("/directory.jwks.json")) }
        #expect(error?.code == .tlsFailure, "\(String(describing: error))")
        #expect(error?.reason.contains("unknown ca") == true, "\(String(describing: error))")
    }

    @Test("the same server without client authentication answers a client without identity")
    func control() async throws {
        let server = try OpenSSLTestServer(requireClientCertificate: false)
        #expect(try await client(identity: nil).get(server.url("/directory.jwks.json")).status == 200)
    }
}
