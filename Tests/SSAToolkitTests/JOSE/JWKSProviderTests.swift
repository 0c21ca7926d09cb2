import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing

@Suite("JWKS provider: caching, refresh on unknown kid, shared fetches, failures")
struct JWKSProviderTests {
    func client() throws -> HTTPSClient {
        HTTPSClient(configuration: .trusting(pem: try Fixtures.string("pki/ca-bundle.pem")))
    }

    func counts(_ server: TestHTTPSServer) async throws -> [String: JSONValue] {
        try StrictJSONParser().parseObject(try await client().get(server.url("/counts")).body)
    }

    @Test("Cache-Control max-age is honoured within bounds")
    func lifetimes() {
        let policy = JWKSProvider.CachePolicy()
        #expect(JWKSProvider.lifetime(cacheControl: nil, policy: policy) == 3600)
        #expect(JWKSProvider.lifetime(cacheControl: "public, max-age=600", policy: policy) == 600)
        #expect(JWKSProvider.lifetime(cacheControl: "max-age=5", policy: policy) == 60)
        #expect(JWKSProvider.lifetime(cacheControl: "max-age=99999999", policy: policy) == 86_400)
        #expect(JWKSProvider.lifetime(cacheControl: "no-store", policy: policy) == 60)
        #expect(JWKSProvider.lifetime(cacheControl: "max-age=abc", policy: policy) == 3600)
    }

    @Test("a fresh JWKS is served from cache; an expired one is fetched again")
    func caching() async throws {
        let server = try TestHTTPSServer(jwksPath: Fixtures.url("jose/directory.jwks.json").path)
        let clock = TestClock()
        let provider = JWKSProvider(source: .url(server.url("/jwks?max-age=600"), try client()), now: clock.reader)
        for _ in 0..<3 { _ = try await provider.keys() }
        #expect(await provider.fetchCount == 1)
        clock.advance(by: 599)
        _ = try await provider.keys()
        #expect(await provider.fetchCount == 1)
        clock.advance(by: 2)
        let jwks = try await provider.keys()
        #expect(await provider.fetchCount == 2)
        #expect(try await counts(server)["/jwks"] == 2)
        #expect(jwks.keys.count == 6)
        #expect(jwks.warnings.count == 2)  // broken-rsa and the OKP key are skipped, with reasons
    }

    @Test("concurrent callers share one fetch")
    func sharedFetch() async throws {
        let server = try TestHTTPSServer(jwksPath: Fixtures.url("jose/directory.jwks.json").path)
        let provider = JWKSProvider(source: .url(server.url("/jwks"), try client()))
        let verifier = SoftwareStatementVerifier(keys: provider)
        let token = try Fixtures.string("jose/ssa/valid-ps256.jwt")
        let verdicts = await withTaskGroup(of: SoftwareStatementVerification.Verdict.self) { group in
            for _ in 0..<50 { group.addTask { await verifier.verify(token, at: Fixtures.ssaInstant).verdict } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(verdicts.count == 50 && verdicts.allSatisfy { $0 == .valid })
        #expect(await provider.fetchCount == 1)
        #expect(try await counts(server)["/jwks"] == 1)
    }

    @Test("an unknown kid triggers one refresh, rate-limited")
    func unknownKidRefresh() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jwks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("jwks.json")
        try Fixtures.data("jose/directory.jwks.json").write(to: path)

        let clock = TestClock()
        let provider = JWKSProvider(source: .file(path.path), now: clock.reader)
        let verifier = SoftwareStatementVerifier(keys: provider)
        let rotated = try Fixtures.string("jose/ssa/valid-rotated-kid.jwt")

        var result = await verifier.verify(rotated, at: clock.now)
        #expect(result.failedCheck?.name == .key)
        #expect(await provider.fetchCount == 2)  // first load, then one refresh for the unknown kid

        // The directory publishes the new key; a refresh within the interval is refused.
        try Fixtures.data("jose/directory-rotated.jwks.json").write(to: path)
        clock.advance(by: 30)
        result = await verifier.verify(rotated, at: clock.now)
        #expect(result.failedCheck?.name == .key)
        #expect(await provider.fetchCount == 2)

        clock.advance(by: 31)
        result = await verifier.verify(rotated, at: clock.now)
        #expect(result.verdict == .valid)
        #expect(await provider.fetchCount == 3)
    }

    @Test("a JWKS that cannot be fetched or read gives undecided, never valid", arguments: ["/status/500", "/status/404", "/notjson", "/redirect", "/big"])
    func unavailable(_ path: String) async throws {
        let server = try TestHTTPSServer(jwksPath: Fixtures.url("jose/directory.jwks.json").path)
        var configuration = TransportConfiguration.trusting(pem: try Fixtures.string("pki/ca-bundle.pem"))
        configuration.maximumResponseBytes = 1 << 20
        let verifier = SoftwareStatementVerifier(keys: JWKSProvider(source: .url(server.url(path), HTTPSClient(configuration: configuration))))
        let result = await verifier.verify(try Fixtures.string("jose/ssa/valid-ps256.jwt"), at: Fixtures.ssaInstant)
        #expect(result.verdict == .undecided)
        #expect(result.error == .temporarilyUnavailable)
        #expect(result.claims == nil)
        #expect(result.failedCheck?.name == .key)
    }

    @Test("an untrusted directory server gives undecided")
    func untrustedServer() async throws {
        let server = try TestHTTPSServer(jwksPath: Fixtures.url("jose/directory.jwks.json").path)
        let verifier = SoftwareStatementVerifier(keys: JWKSProvider(source: .url(server.url("/jwks"), HTTPSClient())))
        let result = await verifier.verify(try Fixtures.string("jose/ssa/valid-ps256.jwt"), at: Fixtures.ssaInstant)
        #expect(result.verdict == .undecided)
        #expect(result.error == .temporarilyUnavailable)
        // The key step could not be taken, and it says why: the server's certificate.
        #expect(result.failedCheck?.name == .key)
        #expect(result.failedCheck?.detail.contains("TLS") == true, "\(result.failedCheck?.detail ?? "-")")
        #expect(result.claims == nil)
    }

    @Test("a missing JWKS file gives undecided")
    func missingFile() async throws {
        let verifier = SoftwareStatementVerifier(keys: JWKSProvider(source: .file("/nonexistent/jwks.json")))
        let result = await verifier.verify(try Fixtures.string("jose/ssa/valid-ps256.jwt"), at: Fixtures.ssaInstant)
        #expect(result.verdict == .undecided)
        #expect(result.error == .temporarilyUnavailable)
        #expect(result.failedCheck?.name == .key)
        #expect(result.failedCheck?.detail.contains("/nonexistent/jwks.json") == true, "\(result.failedCheck?.detail ?? "-")")
        #expect(result.claims == nil)
    }

    @Test("jku in the header is never fetched")
    func jkuNotFetched() async throws {
        let server = try TestHTTPSServer(jwksPath: Fixtures.url("jose/directory.jwks.json").path)
        let verifier = SoftwareStatementVerifier(keys: JWKSProvider(source: .url(server.url("/jwks"), try client())))
        let result = await verifier.verify(try Fixtures.string("jose/ssa/valid-jku-ignored.jwt"), at: Fixtures.ssaInstant)
        #expect(result.verdict == .valid)
        #expect(result.checks.first { $0.name == .header }?.detail.contains("ignored for key selection: jku") == true)
        #expect(try await counts(server).keys.sorted() == ["/counts", "/jwks"])
    }
}
