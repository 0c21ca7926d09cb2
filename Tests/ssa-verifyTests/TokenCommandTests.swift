import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// `token-decide`, `serve`'s `/v1/token-decisions` and `audit verify|show`, through the binary.
@Suite("ssa-verify token-decide, token decisions over HTTP, audit verify and show")
struct TokenCommandTests {
    static let request: JSONValue = [
        "client_id": "4ZUKbHjbA2ZqxCxTsQPkTY", "software_id": "4ZUKbHjbA2ZqxCxTsQPkTY", "org_id": "0015800001041REAAY",
        "grant_type": "authorization_code", "scope": "openid accounts payments", "user_id": "user-1",
        "claims": ["id_token": ["openbanking_intent_id": ["value": "urn-alphabank-intent-58923", "essential": true]]],
        "client_certificate": .string(try! Fixtures.string("registration/tpp-transport.pem")),
    ]

    static func temporaryFile(_ name: String, _ text: String? = nil) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID().uuidString)-\(name)").path
        if let text { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) }
        return path
    }

    @Test("token-decide: allow (0), deny (1), undecided (3), malformed (2), text and JSON, and an audit trail that verify and show read")
    func tokenDecide() async throws {
        let sandbox = try SandboxProcess()
        let audit = try Self.temporaryFile("audit.log")
        defer { try? FileManager.default.removeItem(atPath: audit) }
        let requestFile = try Self.temporaryFile("token.json", Self.request.serialized())
        let base = ["token-decide", "--config", sandbox.configPath, "--set", "auditLog=\(audit)"]
        let allowed = try await CommandRunner.run(base + ["--request", requestFile, "--format", "json"])
        #expect(allowed.status == 0, "\(allowed.standardOutput)\(allowed.standardError)")
        let object = try StrictJSONParser(maximumDepth: 16).parseObject(Array(allowed.standardOutput.utf8))
        #expect(object["verdict"] == "allow" && object["scope"] == "openid accounts payments")
        #expect(object["id_token_claims"]?.objectValue?["openbanking_intent_id"] == "urn-alphabank-intent-58923")
        let text = try await CommandRunner.run(base + ["--software-id", "4ZUKbHjbA2ZqxCxTsQPkTY", "--org-id", "0015800001041REAAY", "--scope", "openid accounts",
                                                 "--user-id", "u", "--intent", "urn-intent-1", "--client-cert", RegistrationCommandTests.tppCertificate])
        #expect(text.status == 0 && text.standardOutput.hasPrefix("ALLOW"), "\(text.standardOutput)\(text.standardError)")
        let noIntent = try await CommandRunner.run(base + ["--software-id", "4ZUKbHjbA2ZqxCxTsQPkTY", "--org-id", "0015800001041REAAY", "--scope", "openid accounts",
                                                     "--client-cert", RegistrationCommandTests.tppCertificate])
        #expect(noIntent.status == 1 && noIntent.standardOutput.hasPrefix("DENY  invalid_grant"))
        let down = try await CommandRunner.run(base + ["--request", requestFile, "--set", "tppUrl=https://127.0.0.1:1/scim"])
        #expect(down.status == 3 && down.standardOutput.hasPrefix("UNDECIDED  temporarily_unavailable"))
        let malformed = try await CommandRunner.run(base + ["--request", try Self.temporaryFile("bad.json", #"{"software_id": "x", "scopes": "openid"}"#)])
        #expect(malformed.status == 2 && malformed.standardError.contains("scopes"))

        let verified = try await CommandRunner.run(["audit", "verify", audit])
        #expect(verified.status == 0 && verified.standardOutput.hasPrefix("INTACT  5 records (4 decisions)"), "\(verified.standardOutput)")
        let shown = try await CommandRunner.run(["audit", "show", audit, "--software-id", "4ZUKbHjbA2ZqxCxTsQPkTY"])
        #expect(shown.status == 0 && shown.standardOutput.split(separator: "\n").count == 4)
        #expect(!shown.standardOutput.contains("BEGIN CERTIFICATE") && !shown.standardOutput.contains("eyJ"))
        var lines = try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n").map(String.init)
        lines.remove(at: 1)
        let cut = try Self.temporaryFile("cut.log", lines.joined(separator: "\n") + "\n")
        let broken = try await CommandRunner.run(["audit", "verify", cut])
        #expect(broken.status == 1 && broken.standardOutput.contains(":2: prev does not match"), "\(broken.standardOutput)")
    }

    @Test("serve: POST /v1/token-decisions answers the decision; malformed calls are 400; an unwritable audit log is undecided and /healthz says degraded")
    func serveTokens() async throws {
        let sandbox = try SandboxProcess()
        let service = try ServeProcess(config: sandbox.configPath)
        let url = service.baseURL + "/v1/token-decisions"
        let allowed = try await curl(["-H", "Content-Type: application/json", "--data-binary", Self.request.serialized(), url])
        #expect(allowed.status == 200 && allowed.body.contains("\"verdict\":\"allow\""), "\(allowed)")
        try await minimalAnswers(url: url, full: allowed.body)
        let unknown = try await curl(["-H", "Content-Type: application/json", "--data-binary", #"{"software_id": "x", "scopes": "a"}"#, url])
        #expect(unknown.status == 400 && unknown.body.contains("invalid_request"))
        let textPlain = try await curl(["-H", "Content-Type: text/plain", "--data-binary", Self.request.serialized(), url])
        #expect(textPlain.status == 415)

        let full = try ServeProcess.withFullDisk(config: sandbox.configPath)
        let undecided = try await curl(["-H", "Content-Type: application/json", "--data-binary", Self.request.serialized(), full.baseURL + "/v1/token-decisions"])
        #expect(undecided.status == 200 && undecided.body.contains("\"verdict\":\"undecided\"") && !undecided.body.contains("\"allow\""), "\(undecided)")
        let health = try await curl([full.baseURL + "/healthz"])
        #expect(health.status == 503 && health.body.contains("degraded") && health.body.contains("failing: the audit log cannot be written"), "\(health)")
        #expect(!health.body.contains(full.auditLog ?? "-") && !health.body.contains("File too large"), "\(health)")
    }

    /// `Prefer: return=minimal` (what the Janssen Update Token script sends): the same decision,
    /// every check listed with its outcome, a sentence only for a failed one; without the header
    /// every check has its sentence and no preference is reported applied.
    func minimalAnswers(url: String, full: String) async throws {
        func call(_ body: JSONValue, prefer: String?) async throws -> (head: String, answer: [String: JSONValue]) {
            let preference = prefer.map { ["-H", "Prefer: \($0)"] } ?? []
            let result = try await curl(["-i", "-H", "Content-Type: application/json"] + preference + ["--data-binary", body.serialized(), url])
            let parts = result.body.components(separatedBy: "\r\n\r\n")
            #expect(result.status == 200 && parts.count == 2, "\(result)")
            return (parts[0].lowercased(), try StrictJSONParser().parseObject(Array((parts.last ?? "").utf8)))
        }
        let detailed = try StrictJSONParser().parseObject(Array(full.utf8))
        let checks = { (answer: [String: JSONValue]) in answer["checks"]?.arrayValue?.compactMap(\.objectValue) ?? [] }
        #expect(checks(detailed).count >= 10 && checks(detailed).allSatisfy { $0["detail"]?.stringValue?.isEmpty == false })

        for prefer in ["return=minimal", "respond-async, RETURN=\"minimal\"; x=y"] {
            let (head, minimal) = try await call(Self.request, prefer: prefer)
            #expect(head.contains("preference-applied: return=minimal"), "\(head)")
            #expect(minimal["verdict"] == .string("allow"))
            for member in ["scope", "scopes_removed", "id_token_claims", "access_token_claims", "lifetimes", "openbanking_intent_id", "x5t#S256"] {
                #expect(minimal[member] == detailed[member], "\(member)")
            }
            #expect(checks(minimal).map { [$0["check"], $0["outcome"]] } == checks(detailed).map { [$0["check"], $0["outcome"]] })
            #expect(checks(minimal).allSatisfy { $0["detail"] == nil }, "\(minimal)")
        }
        // A failed check keeps its sentence; the passing ones before it do not.
        var password = Self.request.objectValue ?? [:]
        password["grant_type"] = "password"
        let (_, denied) = try await call(.object(password), prefer: "return=minimal")
        #expect(denied["verdict"] == .string("deny"))
        let failed = checks(denied).filter { $0["outcome"] == .string("fail") }
        #expect(failed.count == 1 && failed[0]["check"] == .string("grant_type") && failed[0]["detail"]?.stringValue?.contains("password") == true, "\(denied)")
        #expect(checks(denied).filter { $0["outcome"] != .string("fail") }.allSatisfy { $0["detail"] == nil } && checks(denied).count >= 2)
        // Another preference alone changes nothing.
        let (plainHead, plain) = try await call(Self.request, prefer: "respond-async")
        #expect(!plainHead.contains("preference-applied") && checks(plain).allSatisfy { $0["detail"] != nil })
    }
}
