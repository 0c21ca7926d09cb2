import DirectorySandbox
import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// The hostile-input findings against registration, each as the attacker or careless operator
/// sent it, decided end to end against the sandbox directory; every refusal beside its passing side.
@Suite("Hostile registrations: extreme times, skipped bindings, replays, look-alikes, foreign keys")
struct HostileInputTests {
    static let fixtures = RegistrationDeciderTests.fixtures

    static func decider(_ sandbox: DirectorySandbox, _ overrides: [String: String] = [:]) throws -> RegistrationDecider {
        try RegistrationDeciderTests.decider(sandbox, overrides)
    }

    static func detail(_ decision: RegistrationDecision) -> String {
        decision.failedCheck.map { "\($0.name): \($0.detail)" } ?? "no failure"
    }

    /// A self-signed certificate made by the openssl CLI with exactly the fixture TPP's subject.
    static func selfSignedTPPCertificate() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("selfsigned-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let process = try SpawnedProcess("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                             "-keyout", folder.appendingPathComponent("k.pem").path, "-out", folder.appendingPathComponent("c.pem").path, "-days", "30",
                             "-subj", "/C=GB/O=Acme Budgeting Ltd/OU=0015800001041REAAY/CN=4ZUKbHjbA2ZqxCxTsQPkTY/organizationIdentifier=PSDGB-FCA-123456"])
        #expect(process.terminationStatus == 0)
        return try String(contentsOf: folder.appendingPathComponent("c.pem"), encoding: .utf8)
    }

    @Test("iat and exp of 1e300, -1e300, 1e19, 9.3e18, 1e308 in a signed request are invalid_client_metadata, and the next request is decided")
    func extremeRequestTimes() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let tpp = try SandboxTPP(fixtures: Self.fixtures)
            let ssa = try sandbox.issueSoftwareStatement()
            let decider = try Self.decider(sandbox)
            for claim in ["iat", "exp"] {
                for value in [1e300, -1e300, 1e19, 9.3e18, 1e308] {
                    let decision = await decider.decide(RegistrationInput(request: try tpp.requestJWT(ssa: ssa, changes: [claim: .number(value)]), clientCertificatePEM: tpp.transportCertificatePEM))
                    #expect(decision.verdict == .reject && decision.error == .invalidClientMetadata, "\(claim) \(value): \(Self.detail(decision))")
                    #expect(decision.failedCheck?.name == .requestClaims)
                }
            }
            let fine = await decider.decide(RegistrationInput(request: try tpp.requestJWT(ssa: ssa), clientCertificatePEM: tpp.transportCertificatePEM))
            #expect(fine.verdict == .accept, "\(Self.detail(fine))")
            // The same inside the SSA: invalid_software_statement.
            let badSSA = try sandbox.issueSoftwareStatement(changes: ["iat": .number(1e300)])
            let refused = await decider.decide(RegistrationInput(request: try tpp.requestJWT(ssa: badSSA), clientCertificatePEM: tpp.transportCertificatePEM))
            #expect(refused.verdict == .reject && refused.error == .invalidSoftwareStatement && refused.failedCheck?.name == .issuedAt)
        }
    }

    @Test("clientCertificateBinding=software: no certificate is a reject in every mode (signed, plain, SSA alone); garbage too")
    func missingCertificate() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let tpp = try SandboxTPP(fixtures: Self.fixtures)
            let ssa = try sandbox.issueSoftwareStatement()
            let decider = try Self.decider(sandbox)
            let plain = JSONValue.object(tpp.metadata(ssa: ssa)).serialized()
            let inputs: [(String, RegistrationInput)] = [
                ("signed", RegistrationInput(request: try tpp.requestJWT(ssa: ssa))),
                ("plain", RegistrationInput(request: plain)),
                ("SSA alone", RegistrationInput(softwareStatement: ssa)),
                ("SSA alone, another TPP", RegistrationInput(softwareStatement: ssa, clientCertificatePEM: try RegistrationDeciderTests.otherCertificate())),
                ("SSA alone, garbage PEM", RegistrationInput(softwareStatement: ssa, clientCertificatePEM: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")),
            ]
            for (name, input) in inputs {
                let decision = await decider.decide(input)
                #expect(decision.verdict == .reject && decision.error == .invalidClientMetadata, "\(name): \(Self.detail(decision))")
                #expect(decision.failedCheck?.name == .clientCertificate, "\(name)")
                #expect(decision.client == nil)
            }
            // The passing side of each mode, with the right certificate.
            for input in [RegistrationInput(request: try tpp.requestJWT(ssa: ssa), clientCertificatePEM: tpp.transportCertificatePEM),
                          RegistrationInput(request: plain, clientCertificatePEM: tpp.transportCertificatePEM),
                          RegistrationInput(softwareStatement: ssa, clientCertificatePEM: tpp.transportCertificatePEM)] {
                let decision = await decider.decide(input)
                #expect(decision.verdict == .accept, "\(Self.detail(decision))")
            }
            // Binding turned off: a missing certificate is a skip, and said so.
            let unbound = try Self.decider(sandbox, ["clientCertificateBinding": "none"])
            let skipped = await unbound.decide(RegistrationInput(softwareStatement: ssa))
            #expect(skipped.verdict == .accept && skipped.checks.first { $0.name == .clientCertificate }?.outcome == .skip)
        }
    }

    @Test("a self-signed certificate with the TPP's exact subject is refused (chain to the trust store); proxy mode leaves the chain to the proxy")
    func selfSignedCertificate() async throws {
        let forged = try Self.selfSignedTPPCertificate()
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let tpp = try SandboxTPP(fixtures: Self.fixtures)
            let ssa = try sandbox.issueSoftwareStatement()
            let decision = try await Self.decider(sandbox).decide(RegistrationInput(request: try tpp.requestJWT(ssa: ssa), clientCertificatePEM: forged))
            #expect(decision.verdict == .reject && decision.failedCheck?.name == .clientCertificate, "\(Self.detail(decision))")
            #expect(decision.failedCheck?.detail.contains("does not chain to the trust store") == true)
            let genuine = try await Self.decider(sandbox).decide(RegistrationInput(request: try tpp.requestJWT(ssa: ssa), clientCertificatePEM: tpp.transportCertificatePEM))
            #expect(genuine.checks.first { $0.name == .clientCertificate }?.detail.contains("chains to") == true)
            let proxied = try await Self.decider(sandbox, ["clientCertificateVerification": "proxy"]).decide(RegistrationInput(request: try tpp.requestJWT(ssa: ssa), clientCertificatePEM: forged))
            #expect(proxied.verdict == .accept, "\(Self.detail(proxied))")
            #expect(proxied.checks.first { $0.name == .clientCertificate }?.detail.contains("proxy") == true)
        }
    }

    @Test("the same signed request twice: the second is a replay (invalid_client_metadata); a fresh jti is accepted")
    func replay() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let tpp = try SandboxTPP(fixtures: Self.fixtures)
            let ssa = try sandbox.issueSoftwareStatement()
            let decider = try Self.decider(sandbox)
            let request = try tpp.requestJWT(ssa: ssa)
            let first = await decider.decide(RegistrationInput(request: request, clientCertificatePEM: tpp.transportCertificatePEM))
            #expect(first.verdict == .accept, "\(Self.detail(first))")
            #expect(first.checks.first { $0.name == .requestReplay }?.outcome == .pass)
            for _ in 0..<3 {
                let again = await decider.decide(RegistrationInput(request: request, clientCertificatePEM: tpp.transportCertificatePEM))
                #expect(again.verdict == .reject && again.error == .invalidClientMetadata && again.failedCheck?.name == .requestReplay)
            }
            let fresh = await decider.decide(RegistrationInput(request: try tpp.requestJWT(ssa: ssa), clientCertificatePEM: tpp.transportCertificatePEM))
            #expect(fresh.verdict == .accept)
        }
    }

    @Test("look-alike redirect URIs (U+037E for ';', U+212A for 'K') and a lower-cased CN are refused; the registered DN is the certificate's")
    func lookAlikes() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let tpp = try SandboxTPP(fixtures: Self.fixtures)
            let uris: [JSONValue] = ["https://acme-budget.example.com/cb;v=1", "https://acme-budget.example.com/Kb"]
            let ssa = try sandbox.issueSoftwareStatement(changes: ["software_redirect_uris": .array(uris)])
            let decider = try Self.decider(sandbox)
            for sent in ["https://acme-budget.example.com/cb\u{037E}v=1", "https://acme-budget.example.com/\u{212A}b"] {
                #expect(sent == uris.first!.stringValue! || sent == uris.last!.stringValue!)  // equal to Swift's ==
                let decision = await decider.decide(RegistrationInput(request: try tpp.requestJWT(ssa: ssa, changes: ["redirect_uris": [.string(sent)]]), clientCertificatePEM: tpp.transportCertificatePEM))
                #expect(decision.verdict == .reject && decision.error == .invalidRedirectURI, "\(Self.detail(decision))")
            }
            let exact = await decider.decide(RegistrationInput(request: try tpp.requestJWT(ssa: ssa, changes: ["redirect_uris": .array(uris)]), clientCertificatePEM: tpp.transportCertificatePEM))
            #expect(exact.verdict == .accept, "\(Self.detail(exact))")
            #expect(exact.client?.redirectURIs == uris.compactMap(\.stringValue))

            let lowered = "organizationIdentifier=PSDGB-FCA-123456,CN=4zukbhjba2zqxcxtspkty,OU=0015800001041REAAY,O=Acme Budgeting Ltd,C=GB"
            let dn = await decider.decide(RegistrationInput(request: try tpp.requestJWT(ssa: ssa, changes: ["tls_client_auth_subject_dn": .string(lowered), "redirect_uris": .array(uris)]), clientCertificatePEM: tpp.transportCertificatePEM))
            #expect(dn.verdict == .reject && dn.failedCheck?.name == .subjectDN, "\(Self.detail(dn))")
            // Another spelling of the same name (case of O and C, reversed order) is accepted,
            // and what is registered is the certificate's own DN, not the caller's spelling.
            let spelled = "C=gb,O=ACME BUDGETING LTD,OU=0015800001041REAAY,CN=4ZUKbHjbA2ZqxCxTsQPkTY,2.5.4.97=PSDGB-FCA-123456"
            let other = await decider.decide(RegistrationInput(request: try tpp.requestJWT(ssa: ssa, changes: ["tls_client_auth_subject_dn": .string(spelled), "redirect_uris": .array(uris)]), clientCertificatePEM: tpp.transportCertificatePEM))
            #expect(other.verdict == .accept, "\(Self.detail(other))")
            #expect(other.client?.tlsClientAuthSubjectDN == "2.5.4.97=PSDGB-FCA-123456,CN=4ZUKbHjbA2ZqxCxTsQPkTY,OU=0015800001041REAAY,O=Acme Budgeting Ltd,C=GB")
        }
    }

    @Test("keys only from the SSA: jwks in the request is refused, jwks_uri must be software_jwks_endpoint; every redirect URI is checked")
    func foreignKeysAndSecondRedirect() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let tpp = try SandboxTPP(fixtures: Self.fixtures)
            let ssa = try sandbox.issueSoftwareStatement()
            let decider = try Self.decider(sandbox)
            func decide(_ changes: [String: JSONValue]) async throws -> RegistrationDecision {
                await decider.decide(RegistrationInput(request: try tpp.requestJWT(ssa: ssa, changes: changes), clientCertificatePEM: tpp.transportCertificatePEM))
            }
            let jwks = try await decide(["jwks": ["keys": [["kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"]]]])
            #expect(jwks.verdict == .reject && jwks.failedCheck?.name == .clientKeys && jwks.error == .invalidClientMetadata, "\(Self.detail(jwks))")
            let elsewhere = try await decide(["jwks_uri": "https://attacker.example/keys.jwks"])
            #expect(elsewhere.verdict == .reject && elsewhere.failedCheck?.name == .clientKeys)
            let same = try await decide(["jwks_uri": .string(sandbox.softwareJWKSURL(SandboxRecords.activeSoftwareID).absoluteString)])
            #expect(same.verdict == .accept, "\(Self.detail(same))")
            let second = try await decide(["redirect_uris": ["https://acme-budget.example.com/callback", "https://evil.example/cb"]])
            #expect(second.verdict == .reject && second.error == .invalidRedirectURI && second.failedCheck?.detail.contains("evil.example") == true)
        }
    }

    @Test("without registrationAudience: plain metadata is decided, a signed request JWT is undecided naming the property")
    func audienceUnset() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let tpp = try SandboxTPP(fixtures: Self.fixtures)
            let ssa = try sandbox.issueSoftwareStatement()
            let decider = try Self.decider(sandbox, ["registrationAudience": ""])
            #expect(decider.rules.audience == nil)
            let signed = await decider.decide(RegistrationInput(request: try tpp.requestJWT(ssa: ssa), clientCertificatePEM: tpp.transportCertificatePEM))
            #expect(signed.verdict == .undecided && signed.error == .temporarilyUnavailable)
            #expect(signed.errorDescription?.contains("registrationAudience") == true)
            let plain = await decider.decide(RegistrationInput(request: JSONValue.object(tpp.metadata(ssa: ssa)).serialized(), clientCertificatePEM: tpp.transportCertificatePEM))
            #expect(plain.verdict == .accept, "\(Self.detail(plain))")
        }
    }

    @Test("the directory's organisation status: none at all is undecided; a multi-domain organisation Active in PSD2 is accepted")
    func organisationStatus() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let tpp = try SandboxTPP(fixtures: Self.fixtures)
            let decider = try Self.decider(sandbox, ["clientCertificateBinding": "none"])
            let statusless = try sandbox.issueSoftwareStatement(softwareID: SandboxRecords.statuslessSoftwareID, changes: ["software_roles": ["AISP"]])
            let unknown = await decider.decide(RegistrationInput(softwareStatement: statusless))
            #expect(unknown.verdict == .undecided && unknown.failedCheck?.name == .organisation, "\(Self.detail(unknown))")
            #expect(unknown.failedCheck?.detail.contains("status") == true)
            let multi = try sandbox.issueSoftwareStatement(softwareID: SandboxRecords.multiDomainSoftwareID, changes: ["software_roles": ["AISP"]])
            let accepted = await decider.decide(RegistrationInput(softwareStatement: multi))
            #expect(accepted.verdict == .accept, "\(Self.detail(accepted))")
            #expect(accepted.checks.first { $0.name == .organisation }?.detail.contains("Active in PSD2") == true)
            // The same organisation judged in Pay.UK, where it is Withdrawn.
            let payUK = try Self.decider(sandbox, ["clientCertificateBinding": "none", "authorisationDomain": "Pay.UK"])
            let withdrawn = await payUK.decide(RegistrationInput(softwareStatement: multi))
            #expect(withdrawn.verdict == .reject && withdrawn.error == .unapprovedSoftwareStatement && withdrawn.failedCheck?.detail.contains("Withdrawn") == true)
            _ = tpp
        }
    }
}
