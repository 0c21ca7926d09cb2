import DirectorySandbox
import Foundation
@testable import SSAToolkit
import SSAToolkitTestSupport
import Synchronization
import Testing

/// Revocation and the directory's key sets at both moments: each case decided at registration
/// and at token time through the same rule, beside its passing twin. The sandbox's CA issues the
/// certificates, answers OCSP and signs its CRL through OpenSSL; the OpenSSL tool's own responder
/// is asked too.
@Suite("Revoked and unpublished certificates at registration and at token time")
struct RevocationDecisionTests {
    typealias Base = TokenDeciderTests

    /// A runtime against `sandbox` with the toolkit's own defaults for both checks (the
    /// sandbox's configuration relaxes them for its fixture certificate and samples).
    static func runtime(_ sandbox: DirectorySandbox, _ overrides: [String: String] = [:]) throws -> ToolkitRuntime {
        try ToolkitRuntime(configuration: try Base.connection(sandbox, ["revocationWhenUnpublished": "reject", "transportKeyBinding": "directory"].merging(overrides) { _, new in new }).0,
                           environment: [:])
    }

    static func register(_ runtime: ToolkitRuntime, _ sandbox: DirectorySandbox, _ pem: String) async throws -> RegistrationDecision {
        let tpp = try SandboxTPP(fixtures: Base.fixtures)
        return await runtime.registrationDecider.decide(RegistrationInput(request: try tpp.requestJWT(ssa: try sandbox.issueSoftwareStatement()), clientCertificatePEM: pem))
    }

    /// A token call with `pem`, naming the software key set as registration stored it.
    static func token(_ sandbox: DirectorySandbox, _ pem: String?, jwks: Bool = true) -> TokenRequest {
        var request = Base.request(certificate: pem)
        if jwks { request.softwareJWKSEndpoint = sandbox.softwareJWKSURL(SandboxRecords.activeSoftwareID).absoluteString }
        return request
    }

    static func check(_ checks: [Check], _ name: Check.Name) -> Check? { checks.first { $0.name == name } }

    @Test("good: accepted and allowed, the OCSP answer named in the checks and the audit record; the token decision reuses registration's answer")
    func good() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Base.fixtures) { sandbox in
            let runtime = try Self.runtime(sandbox)
            let pem = sandbox.transportCertificate.chainPEM
            let registration = try await Self.register(runtime, sandbox, pem)
            #expect(registration.verdict == .accept, "\(registration.failedCheck?.detail ?? "")")
            let revocation = try #require(Self.check(registration.checks, .certificateRevocation))
            #expect(revocation.outcome == .pass && revocation.detail.hasPrefix("good (OCSP \(sandbox.revocationURL.absoluteString)/ocsp"), "\(revocation.detail)")
            #expect(Self.check(registration.checks, .transportKey)?.outcome == .pass)
            #expect(registration.auditRecord(at: Date()).members["revocation"]?.stringValue?.hasPrefix("good (OCSP") == true)
            #expect(sandbox.counts()["/ocsp"] == 1)

            let decision = await runtime.tokenDecider.decide(Self.token(sandbox, pem))
            #expect(decision.verdict == .allow, "\(Base.detail(decision))")
            #expect(Self.check(decision.checks, .certificateRevocation)?.detail.hasSuffix("from cache)") == true)
            #expect(decision.auditRecord(at: Date()).members["revocation"]?.stringValue?.hasPrefix("good (OCSP") == true)
            #expect(decision.checks.map(\.name) == TokenDecision.checkOrder)
            #expect(sandbox.counts()["/ocsp"] == 1, "a warm decision asks no responder")
        }
    }

    @Test("revoked: refused at registration (invalid_client_metadata) and denied at token time, with reason and source; revoked after a good answer: denied once the cached answer ends")
    func revoked() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Base.fixtures) { sandbox in
            let runtime = try Self.runtime(sandbox, ["revocationCacheMaxSeconds": "1"])
            let revoked = try sandbox.issueTransportCertificate()
            #expect(sandbox.revokeCertificate(serial: revoked.serial))
            let registration = try await Self.register(runtime, sandbox, revoked.chainPEM)
            #expect(registration.verdict == .reject && registration.error == .invalidClientMetadata && registration.failedCheck?.name == .certificateRevocation)
            #expect(registration.failedCheck?.detail.contains("revoked at") == true && registration.failedCheck?.detail.contains("keyCompromise") == true, "\(registration.failedCheck?.detail ?? "")")
            let denied = await runtime.tokenDecider.decide(Self.token(sandbox, revoked.chainPEM))
            #expect(denied.verdict == .deny && denied.error == .accessDenied && denied.failedCheck?.name == .certificateRevocation && denied.httpStatus == 403)
            #expect(denied.accessTokenClaims["cnf"] == nil && denied.certificateThumbprint == nil)
            #expect(denied.auditRecord(at: Date()).members["revocation"]?.stringValue?.hasPrefix("revoked at") == true)

            // The twin, then the same certificate revoked while its good answer is cached.
            let later = try sandbox.issueTransportCertificate()
            #expect(try await Self.register(runtime, sandbox, later.chainPEM).verdict == .accept)
            #expect(await runtime.tokenDecider.decide(Self.token(sandbox, later.chainPEM)).verdict == .allow)
            sandbox.revokeCertificate(serial: later.serial)
            try await Task.sleep(for: .milliseconds(1100))
            let after = await runtime.tokenDecider.decide(Self.token(sandbox, later.chainPEM))
            #expect(after.verdict == .deny && after.failedCheck?.name == .certificateRevocation, "\(Base.detail(after))")
        }
    }

    @Test("the CRL when the certificate names no responder: good, then revoked from a new CRL")
    func crl() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Base.fixtures) { sandbox in
            let certificate = try sandbox.issueTransportCertificate(ocsp: false)
            let first = await (try Self.runtime(sandbox)).tokenDecider.decide(Self.token(sandbox, certificate.chainPEM))
            #expect(first.verdict == .allow && Self.check(first.checks, .certificateRevocation)?.detail.hasPrefix("good (CRL \(sandbox.revocationURL.absoluteString)/crl") == true, "\(Base.detail(first))")
            sandbox.revokeCertificate(serial: certificate.serial)
            let runtime = try Self.runtime(sandbox)
            let registration = try await Self.register(runtime, sandbox, certificate.chainPEM)
            #expect(registration.verdict == .reject && registration.failedCheck?.name == .certificateRevocation && registration.failedCheck?.detail.contains("CRL") == true)
            #expect(await runtime.tokenDecider.decide(Self.token(sandbox, certificate.chainPEM)).verdict == .deny)
            #expect(sandbox.counts()["/ocsp"] == nil && sandbox.counts()["/crl"] == 2)
        }
    }

    @Test("no OCSP responder and no CRL: refused by default at both moments; revocationWhenUnpublished=allow accepts and says so")
    func unpublished() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Base.fixtures) { sandbox in
            let bare = try sandbox.issueTransportCertificate(ocsp: false, crl: false)
            let runtime = try Self.runtime(sandbox)
            let registration = try await Self.register(runtime, sandbox, bare.chainPEM)
            #expect(registration.verdict == .reject && registration.failedCheck?.name == .certificateRevocation)
            #expect(registration.failedCheck?.detail.contains("revocationWhenUnpublished=reject") == true, "\(registration.failedCheck?.detail ?? "")")
            #expect(await runtime.tokenDecider.decide(Self.token(sandbox, bare.chainPEM)).verdict == .deny)
            let allowing = try Self.runtime(sandbox, ["revocationWhenUnpublished": "allow"])
            let accepted = try await Self.register(allowing, sandbox, bare.chainPEM)
            #expect(accepted.verdict == .accept && Self.check(accepted.checks, .certificateRevocation)?.detail.contains("revocationWhenUnpublished=allow") == true)
            #expect(await allowing.tokenDecider.decide(Self.token(sandbox, bare.chainPEM)).verdict == .allow)
        }
    }

    @Test("responder down: undecided (503) at both moments with revocationFailure=closed; open passes, says so; off makes no call")
    func responderDown() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Base.fixtures) { sandbox in
            // Port 9 (discard) on loopback: nothing listens, the connection is refused.
            let orphan = try sandbox.issueTransportCertificate(revocationBase: URL(string: "http://127.0.0.1:9")!)
            let closed = try Self.runtime(sandbox)
            let registration = try await Self.register(closed, sandbox, orphan.chainPEM)
            #expect(registration.verdict == .undecided && registration.error == .temporarilyUnavailable && registration.httpStatus == 503)
            #expect(registration.failedCheck?.name == .certificateRevocation && registration.failedCheck?.detail.contains("revocationFailure=closed") == true)
            let token = await closed.tokenDecider.decide(Self.token(sandbox, orphan.chainPEM))
            #expect(token.verdict == .undecided && token.httpStatus == 503 && token.accessTokenClaims.isEmpty)
            let open = try Self.runtime(sandbox, ["revocationFailure": "open"])
            let passed = try await Self.register(open, sandbox, orphan.chainPEM)
            #expect(passed.verdict == .accept && Self.check(passed.checks, .certificateRevocation)?.detail.contains("revocationFailure=open") == true)
            #expect(await open.tokenDecider.decide(Self.token(sandbox, orphan.chainPEM)).verdict == .allow)
            let off = try Self.runtime(sandbox, ["revocationCheck": "off"])
            let unchecked = await off.tokenDecider.decide(Self.token(sandbox, orphan.chainPEM))
            #expect(unchecked.verdict == .allow && Self.check(unchecked.checks, .certificateRevocation)?.outcome == .skip)
            #expect(sandbox.counts()["/ocsp"] == nil)
        }
    }

    @Test("transportKeyBinding: a certificate missing from the software key set is refused at both moments, a call naming no key set too; the published twin passes; off skips")
    func transportKey() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Base.fixtures) { sandbox in
            let runtime = try Self.runtime(sandbox)
            let hidden = try sandbox.issueTransportCertificate(publish: false)
            let registration = try await Self.register(runtime, sandbox, hidden.chainPEM)
            #expect(registration.verdict == .reject && registration.error == .invalidClientMetadata && registration.failedCheck?.name == .transportKey)
            #expect(registration.failedCheck?.detail.contains("is not published for TLS") == true)
            let token = await runtime.tokenDecider.decide(Self.token(sandbox, hidden.chainPEM))
            #expect(token.verdict == .deny && token.failedCheck?.name == .transportKey)
            let unnamed = await runtime.tokenDecider.decide(Self.token(sandbox, sandbox.transportCertificate.chainPEM, jwks: false))
            #expect(unnamed.verdict == .deny && unnamed.failedCheck?.name == .transportKey && unnamed.failedCheck?.detail.contains("no software_jwks_endpoint") == true)
            let published = await runtime.tokenDecider.decide(Self.token(sandbox, sandbox.transportCertificate.chainPEM))
            #expect(published.verdict == .allow && Self.check(published.checks, .transportKey)?.outcome == .pass)
            let off = try Self.runtime(sandbox, ["transportKeyBinding": "off"])
            let skipped = await off.tokenDecider.decide(Self.token(sandbox, hidden.chainPEM, jwks: false))
            #expect(skipped.verdict == .allow && Self.check(skipped.checks, .transportKey)?.outcome == .skip)
        }
    }

    @Test("a certificate listed in software_jwks_revoked_endpoint is refused; absent from it, it passes")
    func revokedKeySet() async throws {
        let certificate = try Fixtures.string("registration/tpp-transport.pem")
        let presented = try await ClientCertificateTrust.verifiedByProxy.verify(pem: certificate, at: Date()).get()
        var entry = try SigningKey(pem: KeyStoreLocation(path: Fixtures.url("registration/tpp-transport.key.pem").path)).key.publicJWK(keyID: "tls-1", use: "tls")
        entry["alg"] = nil
        entry["x5c"] = .array([.string(Data(presented.der).base64EncodedString())])
        let published = try JWKS(parsing: JSONValue.object(["keys": .array([.object(entry)])]).serializedBytes())
        let empty = try JWKS(parsing: Array(#"{"keys":[]}"#.utf8))
        let sets = SoftwareKeySets(source: .fixed(["https://keys.example/set": published, "https://keys.example/revoked": published, "https://keys.example/none": empty]))
        let binding = TransportKeyBinding(keySets: sets)
        guard case .refused(let why) = await binding.check(thumbprint: presented.thumbprint, endpoint: "https://keys.example/set", revokedEndpoint: "https://keys.example/revoked") else {
            Issue.record("a certificate in the revoked set passed"); return
        }
        #expect(why.contains("revoked key set"))
        guard case .passed = await binding.check(thumbprint: presented.thumbprint, endpoint: "https://keys.example/set", revokedEndpoint: "https://keys.example/none") else {
            Issue.record("the twin was refused"); return
        }
        guard case .unavailable = await binding.check(thumbprint: presented.thumbprint, endpoint: "https://keys.example/set", revokedEndpoint: "https://keys.example/missing") else {
            Issue.record("an unavailable revoked set passed"); return
        }
    }

    @Test("1,000 concurrent cold token decisions on one certificate make one responder call")
    func oneLookup() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Base.fixtures) { sandbox in
            let runtime = try Self.runtime(sandbox)
            let certificate = try sandbox.issueTransportCertificate()
            // Warm the directory status and the key set on another certificate first, so the
            // 1,000 calls are cold for this certificate's revocation only.
            #expect(await runtime.tokenDecider.decide(Self.token(sandbox, sandbox.transportCertificate.chainPEM)).verdict == .allow)
            let before = sandbox.counts()["/ocsp"] ?? 0
            let allowed = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<1000 { group.addTask { await runtime.tokenDecider.decide(Self.token(sandbox, certificate.chainPEM)).verdict == .allow } }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(allowed == 1000)
            #expect((sandbox.counts()["/ocsp"] ?? 0) - before == 1)
        }
    }
}

extension RevocationDecisionTests {
    @Test("a certificate the directory lists in the software's revoked key set is refused at registration and denied at token time")
    func revokedKeySetThroughTheSandbox() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Base.fixtures) { sandbox in
            let runtime = try Self.runtime(sandbox, ["jwksCacheMaxSeconds": "1", "jwksCacheMinSeconds": "0"])
            let withdrawn = try sandbox.issueTransportCertificate()
            #expect(try await Self.register(runtime, sandbox, withdrawn.chainPEM).verdict == .accept)
            var token = Self.token(sandbox, withdrawn.chainPEM)
            token.softwareJWKSRevokedEndpoint = sandbox.softwareRevokedJWKSURL(SandboxRecords.activeSoftwareID).absoluteString
            #expect(await runtime.tokenDecider.decide(token).verdict == .allow)
            try sandbox.listRevokedTransportCertificate(withdrawn.chainPEM)
            try await Task.sleep(for: .milliseconds(1100))
            let registration = try await Self.register(runtime, sandbox, withdrawn.chainPEM)
            #expect(registration.verdict == .reject && registration.failedCheck?.name == .transportKey && registration.failedCheck?.detail.contains("revoked key set") == true)
            let denied = await runtime.tokenDecider.decide(token)
            #expect(denied.verdict == .deny && denied.failedCheck?.name == .transportKey, "\(Base.detail(denied))")
        }
    }
}

extension RevocationDecisionTests {
    @Test("a responder that accepts the connection and never answers: undecided within requestTimeoutSeconds at both moments, never a pass")
    func slowResponder() async throws {
        // A listener that accepts and says nothing (Python's socket module, its own process).
        let silent = try SpawnedProcess("python3", ["-c", """
            import socket, sys, time
            s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
            print(s.getsockname()[1], flush=True)
            held = []
            while True:
                c, _ = s.accept(); held.append(c)
            """], captureOutput: true)
        defer { silent.stop() }
        let port = try #require(Int(silent.read(until: "\n").trimmingCharacters(in: .whitespacesAndNewlines)))
        try await DirectorySandbox.withSandbox(fixtures: Base.fixtures) { sandbox in
            let runtime = try Self.runtime(sandbox, ["requestTimeoutSeconds": "4", "connectTimeoutSeconds": "2"])
            let slow = try sandbox.issueTransportCertificate(crl: false, revocationBase: URL(string: "http://127.0.0.1:\(port)")!)
            let started = ContinuousClock.now
            let registration = try await Self.register(runtime, sandbox, slow.chainPEM)
            #expect(registration.verdict == .undecided && registration.failedCheck?.name == .certificateRevocation, "\(registration.failedCheck?.detail ?? "")")
            let token = await runtime.tokenDecider.decide(Self.token(sandbox, slow.chainPEM))
            #expect(token.verdict == .undecided && token.accessTokenClaims.isEmpty)
            #expect(ContinuousClock.now - started < .seconds(30))
            // The twin: the sandbox's own responder answers at once.
            #expect(await runtime.tokenDecider.decide(Self.token(sandbox, sandbox.transportCertificate.chainPEM)).verdict == .allow)
        }
    }
}
