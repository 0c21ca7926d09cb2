import Foundation
import Synchronization
@testable import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// The revocation checker: OCSP, then the CRL (made by `openssl ca -gencrl`), and its cache.
@Suite("Revocation checker: OCSP then CRL, each source's failures, one lookup per certificate")
struct RevocationCheckerTests {
    func status(_ leaf: String, _ responder: OpenSSLOCSPResponder, _ checker: RevocationChecker) async throws -> RevocationAnswer {
        try await checker.status(of: try Self.der(responder.file(leaf)), issuer: try Self.der(responder.file("ca.pem")))
    }

    /// The DER of a PEM certificate (what a verified chain hands the checker).
    static func der(_ pem: [UInt8]) throws -> [UInt8] {
        let text = String(decoding: pem, as: UTF8.self)
        let body = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        return Array(try #require(Data(base64Encoded: body)))
    }

    @Test("the CRL alone: the revoked certificate is revoked (keyCompromise), the others good; a damaged CRL is refused; no CDP is unpublished")
    func crl() async throws {
        let responder = try OpenSSLOCSPResponder()
        let checker = RevocationChecker(sources: .crl)
        let revoked = try await status("revoked.pem", responder, checker)
        guard case .revoked(let reason, _) = revoked.status else { Issue.record("not revoked: \(revoked.status)"); return }
        #expect(reason == "keyCompromise")
        #expect(revoked.source == "CRL http://127.0.0.1:\(responder.crlPort)/crl.der")
        #expect(try await status("good.pem", responder, checker).status == .good)
        #expect(try await status("crlonly.pem", responder, checker).status == .good)
        await #expect(throws: RevocationError(.badSignature, "")) { try await status("badcrl.pem", responder, checker) }
        await #expect(throws: RevocationError(.unpublished, "")) { try await status("unpublished.pem", responder, checker) }
        // One fetch of the good CRL served the three certificates that name it.
        #expect(await checker.networkLookups == 2)
    }

    @Test("OCSP first; the CRL when the responder is down or absent; a refused OCSP answer is not hidden by the CRL")
    func fallback() async throws {
        let responder = try OpenSSLOCSPResponder()
        #expect(try await status("good.pem", responder, RevocationChecker()).source.hasPrefix("OCSP "))
        #expect(try await status("crlonly.pem", responder, RevocationChecker()).source.hasPrefix("CRL "))
        responder.stop()
        let fallen = try await status("revoked.pem", responder, RevocationChecker())
        #expect(fallen.source.hasPrefix("CRL "))
        guard case .revoked = fallen.status else { Issue.record("not revoked: \(fallen.status)"); return }
        // Only OCSP: the responder down is unreachable, whatever the CRL says.
        await #expect(throws: RevocationError(.unreachable, "")) { try await status("good.pem", responder, RevocationChecker(sources: .ocsp)) }
        let rogue = try OpenSSLOCSPResponder(signer: .rogue)
        await #expect(throws: RevocationError(.badSignature, "")) { try await status("good.pem", rogue, RevocationChecker()) }
    }

    @Test("1,000 concurrent cold checks of one certificate make one responder call; a warm check none; past nextUpdate, one more")
    func cache() async throws {
        let responder = try OpenSSLOCSPResponder(minutes: 10)
        let clock = Mutex(Date())
        let checker = RevocationChecker(sources: .ocsp, maximumLifetime: 3600, now: { clock.withLock { $0 } })
        let leaf = try Self.der(responder.file("good.pem"))
        let issuer = try Self.der(responder.file("ca.pem"))
        let answers = try await withThrowingTaskGroup(of: RevocationStatus.self) { group in
            for _ in 0..<1000 { group.addTask { try await checker.status(of: leaf, issuer: issuer).status } }
            return try await group.reduce(into: [RevocationStatus]()) { $0.append($1) }
        }
        #expect(answers.count == 1000 && answers.allSatisfy { $0 == .good })
        #expect(await checker.networkLookups == 1)
        #expect(try await checker.status(of: leaf, issuer: issuer).status == .good)
        #expect(await checker.networkLookups == 1)
        clock.withLock { $0 = $0.addingTimeInterval(11 * 60) }
        // The cached answer is past its nextUpdate: asked again (the responder answers afresh).
        #expect(try await checker.status(of: leaf, issuer: issuer).status == .good)
        #expect(await checker.networkLookups == 2)
    }
}
