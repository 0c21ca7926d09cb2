import ArgumentParser
import DecisionService
import DirectorySandbox
import Foundation
import Logging
import Metrics
import PostgresStateStore
import Prometheus
import SSAToolkit

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start the sandbox directory in-process; decide sample registrations, then token requests as the directory changes, with an audit trail.",
        discussion: "Exit status: 0 when every sample got the decision it should and the audit chain behaves, 1 otherwise, 2 when the sandbox cannot start."
    )

    @Option(name: .long, help: "The fixtures folder (certs-fixtures).")
    var fixtures: String = "certs-fixtures"

    @OptionGroup var global: GlobalOptions

    struct Sample {
        var title: String
        var expected: RegistrationDecision.Verdict
        var input: RegistrationInput
    }

    func run() async throws {
        let root = URL(fileURLWithPath: fixtures).standardizedFileURL
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent("registration/tpp-transport.pem").path) else {
            throw UsageFailure("--fixtures: \(fixtures) does not hold the fixtures (registration/tpp-transport.pem); run from the repository root")
        }
        let logger = global.makeLogger("ssa-verify")
        let sandboxFixtures = DirectorySandbox.Fixtures(root: root)
        let sandbox: DirectorySandbox
        do { sandbox = try await DirectorySandbox.start(fixtures: sandboxFixtures, logger: logger) } catch {
            throw UsageFailure("the sandbox directory could not start: \(error)")
        }
        do {
            let failures = try await runSamples(sandbox, fixtures: sandboxFixtures, logger: logger)
            await sandbox.stop()
            if failures > 0 { throw ExitCode(ExitStatus.no.rawValue) }
        } catch {
            await sandbox.stop()
            throw error
        }
    }

    private func runSamples(_ sandbox: DirectorySandbox, fixtures: DirectorySandbox.Fixtures, logger: Logger) async throws -> Int {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ssa-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let auditPath = folder.appendingPathComponent("audit.log").path
        var properties: [String: String] = [:]
        // The three directories the sandbox is: Open Banking UK, Open Finance Brasil, the CDR Register.
        for (name, value) in sandbox.allFrameworksConfigurationJSON().objectValue ?? [:] { properties[name] = value.stringValue ?? value.serialized() }
        properties["auditLog"] = auditPath
        // The demo changes the directory between token requests: read it afresh each time.
        properties["statusCacheSeconds"] = "0"
        // The toolkit's own defaults for the caller's certificate: revocation checked (the
        // sandbox's certificate names its OCSP responder and CRL) and the certificate published
        // in the software's key set. A good answer is reused for one second here, so a
        // revocation shows at the next token request.
        properties["revocationWhenUnpublished"] = nil  // each framework's default: reject for UK and Brasil
        properties["transportKeyBinding"] = "directory"
        properties["revocationCacheMaxSeconds"] = "1"
        let runtime = try loadingConfiguration {
            try ToolkitRuntime(configuration: try ToolkitConfiguration(properties: properties, baseDirectory: nil), environment: [:], logger: logger)
        }
        let decider = runtime.registrationDecider
        let tpp = try SandboxTPP(fixtures: fixtures)
        let ssa = try sandbox.issueSoftwareStatement()
        let good = try tpp.requestJWT(ssa: ssa)
        let forged = good.dropLast(8) + (good.hasSuffix("AAAAAAAA") ? "BBBBBBBB" : "AAAAAAAA")
        // The TPP's transport certificate as the sandbox's CA issued it (naming the sandbox's
        // OCSP responder and CRL), and one the CA has revoked.
        let transport = sandbox.transportCertificate.chainPEM
        let revoked = try sandbox.issueTransportCertificate()
        sandbox.revokeCertificate(serial: revoked.serial)
        let samples = [
            Sample(title: "Acme Budgeting registers with a signed request over mutual TLS", expected: .accept,
                   input: RegistrationInput(request: good, clientCertificatePEM: transport)),
            Sample(title: "the same request with its signature tampered with", expected: .reject,
                   input: RegistrationInput(request: String(forged), clientCertificatePEM: transport)),
            Sample(title: "the same request over a transport certificate its CA has revoked (OCSP says revoked)", expected: .reject,
                   input: RegistrationInput(request: good, clientCertificatePEM: revoked.chainPEM)),
            Sample(title: "a software statement the directory marks inactive", expected: .reject,
                   input: RegistrationInput(request: try tpp.requestJWT(ssa: try sandbox.issueSoftwareStatement(softwareID: SandboxRecords.inactiveSoftwareID),
                                                                        changes: ["iss": .string(SandboxRecords.inactiveSoftwareID), "token_endpoint_auth_method": "private_key_jwt",
                                                                                  "tls_client_auth_subject_dn": .null]))),
            Sample(title: "a redirect URI the software statement does not list", expected: .reject,
                   input: RegistrationInput(request: try tpp.requestJWT(ssa: ssa, changes: ["redirect_uris": ["https://evil.example/callback"]]),
                                            clientCertificatePEM: transport)),
            Sample(title: "the request presented with another TPP's certificate", expected: .reject,
                   input: RegistrationInput(request: good, clientCertificatePEM: try String(contentsOf: fixtures.root.appendingPathComponent("registration/tpp-other.pem"), encoding: .utf8))),
        ]
        var failures = 0
        var decided = 0
        let format = global.format
        /// One sample's heading, then its decision as the chosen format prints it.
        func show(_ number: Int, _ title: String, expected: String, json: @autoclosure () -> String, text: @autoclosure () -> String) {
            print("── \(number). \(title) (expected: \(expected))")
            print(format == .json ? json() : text())
            print("")
        }
        let report = TextReport(style: .forStandardOutput)
        print("sandbox directory on \(sandbox.baseURL.absoluteString); authorization server \(DirectorySandbox.authorizationServerIssuer)\n")
        var client: ClientMetadata?
        for (index, sample) in samples.enumerated() {
            let decision = await decider.decide(sample.input)
            if index == 0 { client = decision.client }
            show(index + 1, sample.title, expected: sample.expected.rawValue,
                 json: decision.json.prettySerialized(leadingKeys: RegistrationDecision.jsonLeadingKeys), text: report.render(decision))
            decided += 1
            if decision.verdict != sample.expected { failures += 1 }
        }

        // Token time for the client just registered, while the directory changes under it.
        let intent = "urn-alphabank-intent-58923"
        let tokenRequest = TokenRequest(
            clientID: client?.clientID ?? SandboxRecords.activeSoftwareID, softwareID: client?.softwareID ?? SandboxRecords.activeSoftwareID,
            organisationID: client?.organisationID ?? SandboxRecords.activeOrganisationID,
            tokenEndpointAuthMethod: client?.tokenEndpointAuthMethod ?? "tls_client_auth", registeredSubjectDN: client?.tlsClientAuthSubjectDN ?? tpp.subjectDN,
            grantType: "authorization_code", scopes: ["openid", "accounts", "payments"], userID: "user-1",
            claims: ["id_token": ["openbanking_intent_id": ["value": .string(intent), "essential": true]]], clientCertificatePEM: transport,
            ssaIssuer: sandbox.scheme.issuer, softwareJWKSEndpoint: client?.jwksURI ?? sandbox.softwareJWKSURL(SandboxRecords.activeSoftwareID).absoluteString)
        struct TokenSample {
            var title: String
            /// Changes the directory; returns the certificate the TPP presents from now on, if new.
            var change: (() async throws -> String?)?
            var expected: TokenDecision.Verdict
            var check: @Sendable (TokenDecision) -> Bool
        }
        let tokenSamples = [
            TokenSample(title: "a token for the registered client: the consent's intent id goes into the id_token", change: nil, expected: .allow) {
                $0.idTokenClaims["openbanking_intent_id"] == .string(intent) && $0.removedScopes.isEmpty
            },
            TokenSample(title: "the directory drops the TPP's PISP role: payments is removed from the next token", change: {
                sandbox.updateSoftware(SandboxRecords.activeSoftwareID, roles: ["AISP"])
                return nil
            }, expected: .allow) { $0.removedScopes == ["payments"] && $0.grantedScopes == ["openid", "accounts"] },
            TokenSample(title: "the CA revokes the TPP's transport certificate: once the cached good answer ends, the next token is denied", change: {
                sandbox.revokeCertificate(serial: sandbox.transportCertificate.serial)
                try await Task.sleep(for: .milliseconds(1100))
                return nil
            }, expected: .deny) { $0.error == .accessDenied && $0.failedCheck?.name == .certificateRevocation },
            TokenSample(title: "with a renewed certificate, after the directory revokes the software statement: the next token is denied", change: {
                let renewed = try sandbox.issueTransportCertificate()
                sandbox.updateSoftware(SandboxRecords.activeSoftwareID, active: false)
                return renewed.chainPEM
            }, expected: .deny) { $0.error == .accessDenied && $0.failedCheck?.name == .softwareActive },
        ]
        var call = tokenRequest
        for (offset, sample) in tokenSamples.enumerated() {
            if let renewed = try await sample.change?() { call.clientCertificatePEM = renewed }
            let decision = await runtime.tokenDecider.decide(call)
            show(samples.count + offset + 1, sample.title, expected: sample.expected.rawValue,
                 json: decision.json.prettySerialized(leadingKeys: TokenDecision.jsonLeadingKeys), text: report.render(decision))
            decided += 1
            if decision.verdict != sample.expected || !sample.check(decision) { failures += 1 }
        }

        // Open Finance Brasil and the CDR, decided by the same runtime.
        let frameworks = try await frameworkSamples(sandbox, runtime: runtime, fixtures: fixtures, first: samples.count + tokenSamples.count + 1) { number, title, expected, json, text in
            show(number, title, expected: expected, json: json, text: text)
        }
        decided += frameworks.decided
        failures += frameworks.failures

        // The audit trail: intact as written, broken once one line is edited.
        let intact = try AuditChain.verify([auditPath])
        print("audit log: \(intact.records) records (a genesis record and \(intact.decisions) decisions), \(intact.isIntact ? "chain intact and complete" : "chain NOT intact"); last hash \(intact.lastHash)")
        if !intact.isIntact || intact.decisions != decided { failures += 1 }
        let edited = folder.appendingPathComponent("audit-edited.log").path
        var text = try String(contentsOfFile: auditPath, encoding: .utf8)
        if let range = text.range(of: "\"decision\":\"reject\"") { text.replaceSubrange(range, with: "\"decision\":\"accept\"") }
        try Data(text.utf8).write(to: URL(fileURLWithPath: edited))
        let tampered = try AuditChain.verify([edited])
        if let broken = tampered.broken {
            print("audit log with one record edited (a reject turned into an accept): broken at line \(broken.line): \(broken.reason)")
        } else {
            print("audit log with one record edited: NOT detected")
            failures += 1
        }
        print("")
        let counts = sandbox.counts()
        print("directory requests: \(counts["/token"] ?? 0) token, \(counts["/jwks"] ?? 0) JWKS, \(counts["/software-jwks"] ?? 0) software JWKS, \(counts["/scim"] ?? 0) SCIM, \(counts["/ocsp"] ?? 0) OCSP, "
              + "\(counts["/brasil/participants"] ?? 0) participants list, \((counts["/cdr/recipients"] ?? 0) + (counts["/cdr/products"] ?? 0)) CDR Register status (caches shared by every decision)")
        print(failures == 0 ? "all \(decided) decisions as expected; the audit chain holds and detects an edit" : "\(failures) of \(decided) decisions or audit checks NOT as expected")
        return failures
    }}
