import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing

@Suite("HTTPS client against a server that is not ours")
struct HTTPSClientTests {
    let jwksPath = Fixtures.url("jose/directory.jwks.json").path

    func client(trusting pem: String = "pki/ca-bundle.pem", configure: (inout TransportConfiguration) -> Void = { _ in }) throws -> HTTPSClient {
        var configuration = TransportConfiguration.trusting(pem: try Fixtures.string(pem))
        configure(&configuration)
        return HTTPSClient(configuration: configuration)
    }

    @Test("fetches over TLS with the configured anchors")
    func fetches() async throws {
        let server = try TestHTTPSServer(jwksPath: jwksPath)
        let response = try await client().get(server.url("/jwks?max-age=120"))
        #expect(response.status == 200)
        #expect(response.body == Array(try Fixtures.data("jose/directory.jwks.json")))
        #expect(response.header("cache-control") == "public, max-age=120")
        // The same client again: the pooled handle is reused and still works.
        let again = try await client().get(server.url("/jwks"))
        #expect(again.status == 200)
    }

    @Test("non-2xx statuses are returned to the caller with their body")
    func statuses() async throws {
        let server = try TestHTTPSServer(jwksPath: jwksPath)
        let response = try await client().get(server.url("/status/500"))
        #expect(response.status == 500)
        #expect(String(decoding: response.body, as: UTF8.self).contains("server_error"))
    }

    @Test("a server whose CA is not trusted fails the handshake")
    func untrustedCA() async throws {
        let server = try TestHTTPSServer(jwksPath: jwksPath)
        await #expect(throws: TransportError(.tlsFailure, "")) {
            try await client(trusting: "jose/keys/attacker-rsa.pem").get(server.url("/jwks"))
        }
        // The system trust store does not know the test CA either.
        await #expect(throws: TransportError(.tlsFailure, "")) {
            try await HTTPSClient().get(server.url("/jwks"))
        }
    }

    @Test("a certificate for another host name fails the handshake")
    func hostnameMismatch() async throws {
        let server = try TestHTTPSServer(certificateChain: "pki/wrong-host-server.pem", key: "pki/wrong-host-server.key.pem", jwksPath: jwksPath)
        await #expect {
            try await client().get(server.url("/jwks"))
        } throws: { error in
            guard let error = error as? TransportError else { return false }
            return error.code == .tlsFailure && error.reason.contains("localhost")
        }
    }

    @Test("redirects are refused, not followed")
    func redirect() async throws {
        let server = try TestHTTPSServer(jwksPath: jwksPath)
        await #expect {
            try await client().get(server.url("/redirect"))
        } throws: { error in
            (error as? TransportError)?.code == .redirectRefused && (error as? TransportError)?.status == 302
        }
        let counts = try await client().get(server.url("/counts"))
        let seen = try StrictJSONParser().parseObject(counts.body)
        #expect(seen["/jwks"] == nil)
    }

    @Test("a body over the limit is refused")
    func bodyLimit() async throws {
        let server = try TestHTTPSServer(jwksPath: jwksPath)
        await #expect(throws: TransportError(.responseTooLarge, "")) {
            try await client { $0.maximumResponseBytes = 1 << 20 }.get(server.url("/big"))
        }
    }

    @Test("a slow server hits the total timeout")
    func slowServer() async throws {
        let server = try TestHTTPSServer(jwksPath: jwksPath)
        // The server answers after 5 s: the timeout code proves curl gave up first.
        await #expect(throws: TransportError(.timeout, "")) {
            try await client { $0.timeouts = .init(connect: .seconds(2), total: .milliseconds(800)) }.get(server.url("/slow"))
        }
    }

    @Test("a server that is down fails to connect")
    func serverDown() async throws {
        var port = 0
        do {
            let server = try TestHTTPSServer(jwksPath: jwksPath)
            port = server.port
        }  // stopped here
        await #expect(throws: TransportError(.connectionFailed, "")) {
            try await client().get(URL(string: "https://localhost:\(port)/jwks")!)
        }
    }

    @Test("only https URLs are fetched")
    func httpsOnly() async throws {
        await #expect(throws: TransportError(.invalidURL, "")) {
            try await client().get(URL(string: "http://localhost:1/jwks")!)
        }
        await #expect(throws: TransportError(.invalidURL, "")) {
            try await client().get(URL(string: "file:///etc/passwd")!)
        }
    }
}
