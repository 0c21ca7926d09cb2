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

/// `ssa-verify certs`' revocation check, library and command line, against openssl ocsp.
@Suite("certs: the revocation check (OCSP source, status, thisUpdate/nextUpdate), and --no-revocation")
struct RevocationDiagnosticsTests {
    /// The responder's CA as a PKCS#12 trust store (made by OpenSSL), password `changeit`.
    static func trustStore(_ responder: OpenSSLOCSPResponder) async throws -> KeyStoreLocation {
        let path = responder.folder.appendingPathComponent("ca.p12").path
        let made = try await AsyncProcess.run(URL(fileURLWithPath: "/usr/bin/env"),
                                              ["openssl", "pkcs12", "-export", "-nokeys", "-in", responder.folder.appendingPathComponent("ca.pem").path, "-out", path, "-passout", "pass:changeit"])
        #expect(made.status == 0, "\(made.standardError)")
        return KeyStoreLocation(path: path)
    }

    @Test("a good certificate passes naming the responder and the window; a revoked one fails with its reason; --no-revocation skips")
    func diagnostics() async throws {
        let responder = try OpenSSLOCSPResponder()
        let trust = (try await Self.trustStore(responder), Secret("changeit"))
        let diagnostics = CertificateDiagnostics(at: Date(), environment: [:])
        func revocation(_ leaf: String, _ diagnostics: CertificateDiagnostics) async throws -> Check? {
            let report = try await diagnostics.report(pem: KeyStoreLocation(path: responder.folder.appendingPathComponent(leaf).path), trustStore: trust)
            return report.stores.first?.checks.first { $0.name.rawValue == "revocation" }
        }
        let good = try #require(try await revocation("good.pem", diagnostics))
        #expect(good.outcome == .pass && good.detail.contains("good per OCSP http://127.0.0.1:\(responder.port)/") && good.detail.contains("nextUpdate"), "\(good.detail)")
        let revoked = try #require(try await revocation("revoked.pem", diagnostics))
        #expect(revoked.outcome == .fail && revoked.detail.contains("REVOKED (keyCompromise)"), "\(revoked.detail)")
        let unpublished = try #require(try await revocation("unpublished.pem", diagnostics))
        #expect(unpublished.outcome == .skip && unpublished.detail.contains("names no OCSP responder"), "\(unpublished.detail)")
        var offline = diagnostics
        offline.revocation = nil
        let skipped = try #require(try await revocation("revoked.pem", offline))
        #expect(skipped.outcome == .skip && skipped.detail.contains("--no-revocation"))

        // The command line: exit 1 with the revoked certificate, 0 without the check.
        let arguments = ["certs", "--pem", responder.folder.appendingPathComponent("revoked.pem").path, "--trust", trust.0.path, "--trust-password-env", "OCSP_TRUST_PASSWORD"]
        let checked = try await CommandRunner.run(arguments, environment: ["OCSP_TRUST_PASSWORD": "changeit"])
        #expect(checked.status == 1 && checked.standardOutput.contains("REVOKED (keyCompromise)"), "\(checked.standardOutput)\(checked.standardError)")
        let unchecked = try await CommandRunner.run(arguments + ["--no-revocation"], environment: ["OCSP_TRUST_PASSWORD": "changeit"])
        #expect(unchecked.status == 0, "\(unchecked.standardOutput)\(unchecked.standardError)")
    }
}
