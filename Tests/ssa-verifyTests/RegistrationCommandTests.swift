import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// `decide` and `serve` against `ssa-verify sandbox` (separate processes), and `demo`.
@Suite("ssa-verify decide, serve and demo, end to end")
struct RegistrationCommandTests {
    static let plainRequest = Fixtures.url("registration/request-plain.json").path
    static let tppCertificate = Fixtures.url("registration/tpp-transport.pem").path
    static let otherCertificate = Fixtures.url("registration/tpp-other.pem").path

    @Test("decide: accept, reject and undecided, with their exit statuses and JSON")
    func decide() async throws {
        let sandbox = try SandboxProcess()
        let accepted = try await CommandRunner.run(["decide", "--config", sandbox.configPath, "--request", Self.plainRequest, "--client-cert", Self.tppCertificate, "--format", "json"])
        #expect(accepted.status == 0, "\(accepted.standardOutput)\(accepted.standardError)")
        let object = try StrictJSONParser(maximumDepth: 32).parseObject(Array(accepted.standardOutput.utf8))
        #expect(object["verdict"] == "accept")
        #expect(object["client"]?.objectValue?["client_id"] == "4ZUKbHjbA2ZqxCxTsQPkTY")
        #expect(object["error"] == nil)

        let text = try await CommandRunner.run(["decide", "--config", sandbox.configPath, "--request", Self.plainRequest, "--client-cert", Self.otherCertificate])
        #expect(text.status == 1)
        #expect(text.standardOutput.hasPrefix("REJECT  invalid_client_metadata"))
        #expect(text.standardOutput.contains("FAIL  client_certificate"))
        #expect(text.standardOutput.contains("is not the software statement's software_id"))

        let ssaOnly = try await CommandRunner.run(["decide", "--config", sandbox.configPath, "--ssa", Fixtures.url("jose/ssa/org-revoked.jwt").path, "--format", "json"])
        #expect(ssaOnly.status == 1)
        #expect(ssaOnly.standardOutput.contains("\"unapproved_software_statement\""))

        // The same registration with the SCIM endpoint down: undecided, exit 3.
        let down = try await CommandRunner.run(["decide", "--config", sandbox.configPath, "--set", "tppUrl=https://127.0.0.1:1/scim", "--request", Self.plainRequest, "--client-cert", Self.tppCertificate])
        #expect(down.status == 3, "\(down.standardOutput)\(down.standardError)")
        #expect(down.standardOutput.hasPrefix("UNDECIDED  temporarily_unavailable"))

        let badProperty = try await CommandRunner.run(["decide", "--config", sandbox.configPath, "--set", "roleScopes=AISP", "--request", Self.plainRequest])
        #expect(badProperty.status == 2)
        #expect(badProperty.standardError.contains("roleScopes"))
        let missing = try await CommandRunner.run(["decide", "--config", sandbox.configPath])
        #expect(missing.status == 2)
    }

    @Test("serve answers decisions over HTTP, to curl and to the Janssen script")
    func serve() async throws {
        let sandbox = try SandboxProcess()
        let service = try ServeProcess(config: sandbox.configPath)
        let health = try await curl([service.baseURL + "/healthz"])
        #expect(health.status == 200 && health.body.contains("\"ok\""))

        let request = try StrictJSONParser(maximumDepth: 32).parseObject(Array(try Fixtures.data("registration/request-plain.json")))
        let call = JSONValue.object(["registration_request": .object(request), "client_certificate": .string(try Fixtures.string("registration/tpp-transport.pem"))]).serialized()
        let decided = try await curl(["-H", "Content-Type: application/json", "--data-binary", call, service.baseURL + "/v1/decisions"])
        #expect(decided.status == 200, "\(decided.body)")
        let decision = try StrictJSONParser(maximumDepth: 32).parseObject(Array(decided.body.utf8))
        #expect(decision["verdict"] == "accept", "\(decided.body)")

        let malformed = try await curl(["-H", "Content-Type: application/json", "--data-binary", #"{"registration_request": 5}"#, service.baseURL + "/v1/decisions"])
        #expect(malformed.status == 400 && malformed.body.contains("invalid_request"))
        let unknown = try await curl(["-H", "Content-Type: application/json", "--data-binary", #"{"clientCertificate": "x", "software_statement": "a.b.c"}"#, service.baseURL + "/v1/decisions"])
        #expect(unknown.status == 400 && unknown.body.contains("clientCertificate"))
        let bigFile = FileManager.default.temporaryDirectory.appendingPathComponent("big-\(UUID().uuidString).json")
        try Data((#"{"software_statement": ""# + String(repeating: "x", count: 300 * 1024) + #""}"#).utf8).write(to: bigFile)
        defer { try? FileManager.default.removeItem(at: bigFile) }
        let tooLarge = try await curl(["-H", "Content-Type: application/json", "--data-binary", "@" + bigFile.path, service.baseURL + "/v1/decisions"])
        #expect(tooLarge.status == 413)

        // The Janssen registration script, driven through a stand-in context by CPython.
        let harness = Fixtures.packageRoot.appendingPathComponent("integrations/janssen/test_client_registration.py").path
        func janssen(_ certificate: String, _ expectation: [String]) async throws -> Int32 {
            try await AsyncProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", harness, "--url", service.baseURL, "--ssa", Fixtures.url("jose/ssa/valid-ps256.jwt").path,
                                                                             "--client-cert", certificate, "--redirect-uri", "https://acme-budget.example.com/callback"] + expectation).status
        }
        #expect(try await janssen(Self.tppCertificate, ["--expect", "accept"]) == 0)
        #expect(try await janssen(Self.otherCertificate, ["--expect", "reject", "--expect-error", "invalid_client_metadata"]) == 0)
    }

    @Test("the Janssen scripts' own self-tests (registration and Update Token): every failure is closed, and the Update Token call asks for the minimal answer",
          arguments: ["test_client_registration.py", "test_update_token.py"])
    func janssenSelfTest(_ script: String) async throws {
        let result = try await AsyncProcess.run(URL(fileURLWithPath: "/usr/bin/env"),
                                                ["python3", Fixtures.packageRoot.appendingPathComponent("integrations/janssen/\(script)").path, "--self-test"])
        #expect(result.status == 0 && result.standardOutput.contains("all checks passed"), "\(result.standardOutput)\(result.standardError)")
    }

    @Test("demo: the sandbox in-process and every sample decided as expected")
    func demo() async throws {
        let result = try await CommandRunner.run(["demo", "--fixtures", Fixtures.root.path, "--log-level", "error"])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardOutput.contains("all 16 decisions as expected; the audit chain holds and detects an edit"))
        // Open Banking UK's two allows, then one token for each of Open Finance Brasil and the CDR.
        #expect(result.standardOutput.components(separatedBy: "\nALLOW  ").count == 5)
        #expect(result.standardOutput.contains("scope openid accounts; removed payments"))
        #expect(result.standardOutput.contains("removed bank:payees:read"))
        #expect(result.standardOutput.components(separatedBy: "\nDENY  access_denied").count == 3)
        #expect(result.standardOutput.contains("audit log: 17 records (a genesis record and 16 decisions), chain intact and complete"))
        // One accept and one reject for each new framework beside Open Banking UK's.
        #expect(result.standardOutput.components(separatedBy: "\nACCEPT  ").count == 4)
        #expect(result.standardOutput.components(separatedBy: "\nREJECT  ").count == 8)
        #expect(result.standardOutput.contains("(ICP-Brasil profile)") && result.standardOutput.contains("the software statement expired at"))
        // One registration refused for a revoked certificate, one token denied after a revocation.
        #expect(result.standardOutput.components(separatedBy: "FAIL  certificate_revocation").count == 3, "\(result.standardOutput)")
        #expect(result.standardOutput.contains("revoked at") && result.standardOutput.contains("keyCompromise"))
        #expect(result.standardOutput.contains("1 token"))
    }
}
