import Foundation
@testable import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// OCSP (RFC 6960) against OpenSSL's own responder: each answer beside its passing twin.
@Suite("OCSP against openssl ocsp: good, revoked, unknown, a wrong signer, stale, down, unpublished")
struct OCSPTests {
    func status(_ leaf: String, _ responder: OpenSSLOCSPResponder, at now: Date = Date()) async throws -> RevocationAnswer {
        try await OCSPClient().status(of: try responder.file(leaf), issuer: try responder.file("ca.pem"), at: now)
    }

    @Test("a delegated responder's answers: good, revoked (keyCompromise, an hour ago), unknown; nextUpdate as the responder set it")
    func statuses() async throws {
        let responder = try OpenSSLOCSPResponder(signer: .delegated, minutes: 60)
        let now = Date()
        let good = try await status("good.pem", responder, at: now)
        #expect(good.status == .good)
        #expect(good.source == "OCSP http://127.0.0.1:\(responder.port)/")
        let window = try #require(good.nextUpdate).timeIntervalSince(good.thisUpdate)
        #expect(abs(window - 3600) < 5, "nextUpdate - thisUpdate = \(window)")
        #expect(abs(good.thisUpdate.timeIntervalSince(now)) < 120)

        let revoked = try await status("revoked.pem", responder, at: now)
        guard case .revoked(let reason, let time) = revoked.status else { Issue.record("not revoked: \(revoked.status)"); return }
        #expect(reason == "keyCompromise")
        #expect(abs(time.timeIntervalSince(now) + 3600) < 120, "revoked at \(time)")

        #expect(try await status("unknown.pem", responder, at: now).status == .unknown)
    }

    @Test("signed by the issuer itself: believed; by a responder of another CA: refused, whatever it says")
    func signers() async throws {
        let byIssuer = try OpenSSLOCSPResponder(signer: .issuer)
        #expect(try await status("good.pem", byIssuer).status == .good)
        let rogue = try OpenSSLOCSPResponder(signer: .rogue)
        await #expect(throws: RevocationError(.badSignature, "")) { try await status("good.pem", rogue) }
        await #expect(throws: RevocationError(.badSignature, "")) { try await status("revoked.pem", rogue) }
    }

    @Test("an answer past its nextUpdate (with the skew) is stale; within it, believed")
    func stale() async throws {
        let responder = try OpenSSLOCSPResponder(minutes: 10)
        let later = Date().addingTimeInterval(10 * 60 + 121)
        await #expect(throws: RevocationError(.stale, "")) { try await status("good.pem", responder, at: later) }
        #expect(try await status("good.pem", responder, at: Date().addingTimeInterval(9 * 60)).status == .good)
    }

    @Test("a responder that is down: unreachable; a certificate without AIA: unpublished")
    func failures() async throws {
        let responder = try OpenSSLOCSPResponder()
        #expect(try await status("good.pem", responder).status == .good)
        await #expect(throws: RevocationError(.unpublished, "")) { try await status("unpublished.pem", responder) }
        responder.stop()
        await #expect(throws: RevocationError(.unreachable, "")) { try await status("good.pem", responder) }
    }
}
