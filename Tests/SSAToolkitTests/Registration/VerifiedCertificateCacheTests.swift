import Foundation
@testable import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// A client certificate chain that verified is remembered only inside the window in which every
/// certificate of the chain is valid: outside it the chain is verified again (and fails when it
/// has expired), and a failure is never remembered.
@Suite("Verified client certificates")
struct VerifiedCertificateCacheTests {
    static func trust() throws -> ClientCertificateTrust {
        .trustStore(try TrustStore(pkcs12: store("trust.p12"), password: changeit))
    }

    @Test("a remembered chain is reused inside its validity window, verified again outside it, and failures are not remembered")
    func window() async throws {
        let trust = try Self.trust()
        let cache = VerifiedCertificateCache()
        let pem = try Fixtures.string("registration/tpp-transport.pem")  // valid 2025-01-01 to 2045-01-01
        let inside = Date(timeIntervalSince1970: 1_767_229_200)  // 2026
        let afterExpiry = Date(timeIntervalSince1970: 2_366_928_000)  // 2045-01-02
        let beforeIssue = Date(timeIntervalSince1970: 1_704_067_200)  // 2024-01-01

        guard case .success = await trust.verify(pem: pem, at: inside, cache: cache) else {
            Issue.record("the fixture chain does not verify in 2026")
            return
        }
        let key = pem  // the PEM text is the key
        #expect(cache.lookup(key, at: inside) != nil)
        #expect(cache.lookup(key, at: afterExpiry) == nil)
        #expect(cache.lookup(key, at: beforeIssue) == nil)
        // Outside the window the chain is verified again, and fails.
        if case .success = await trust.verify(pem: pem, at: afterExpiry, cache: cache) { Issue.record("an expired chain verified from the cache") }
        if case .success = await trust.verify(pem: pem, at: beforeIssue, cache: cache) { Issue.record("a not yet valid chain verified from the cache") }

        // A self-signed certificate fails and leaves nothing behind.
        let foreign = try Fixtures.string("pki/as-transport-self-signed.pem")
        if case .success = await trust.verify(pem: foreign, at: inside, cache: cache) { Issue.record("a self-signed certificate verified") }
        #expect(cache.lookup(foreign, at: inside) == nil)
    }
}
