import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing

extension SSAManifest.Case: CustomTestStringConvertible {
    public var testDescription: String { name }
}

/// Runs the built `ssa-verify` binary and checks its output and exit status.
@Suite("ssa-verify verify, end to end")
struct VerifyCommandTests {
    let at = "1767229200"

    func json(_ result: CommandRunner.Result) throws -> [String: JSONValue] {
        try StrictJSONParser().parseObject(Array(result.standardOutput.utf8))
    }

    @Test("--log-format json: every log line is one JSON object with the text log's fields; text stays text; anything else is exit 2")
    func jsonLogs() async throws {
        let base = ["verify", "certs-fixtures/jose/ssa/valid-ps256.jwt", "--jwks", "certs-fixtures/jose/directory.jwks.json", "--at", at, "--log-level", "debug"]
        let json = try await CommandRunner.run(base + ["--log-format", "json"])
        #expect(json.status == 0)
        let lines = json.standardError.split(separator: "\n")
        #expect(lines.count >= 2)
        for line in lines {
            let object = try StrictJSONParser().parseObject(Array(line.utf8))
            for field in ["time", "level", "label", "source", "message"] { #expect(object[field]?.stringValue != nil, "\(field) in \(line)") }
        }
        #expect(lines.contains { $0.contains("\"kid\":") || $0.contains("skipped") })
        let text = try await CommandRunner.run(base)
        #expect(text.status == 0 && !text.standardError.isEmpty && !text.standardError.hasPrefix("{"))
        // swift-log's stream format, with the logger's metadata rendered when the line is written.
        #expect(text.standardError.split(separator: "\n").contains { $0.contains(" debug ssa-verify: kid=ob-rsa-1 software_id=") && $0.hasSuffix("software statement valid") })
        #expect(text.standardError.contains(" warning ssa-verify: jwks=certs-fixtures/jose/directory.jwks.json [ssa_verify] JWKS entry"))
        let bad = try await CommandRunner.run(base + ["--log-format", "xml"])
        #expect(bad.status == 2)
    }

    @Test("every fixture: JSON verdict, error, failing check and exit status", arguments: SSAManifest.allCases)
    func corpus(_ testCase: SSAManifest.Case) async throws {
        var arguments = ["verify", testCase.tokenPath, "--jwks", testCase.jwksPath, "--at", at, "--format", "json",
                         "--allow-alg", testCase.allowAlg.joined(separator: ",")]
        if let maxAge = testCase.maxAge { arguments += ["--max-age", String(Int(maxAge))] }
        let result = try await CommandRunner.run(arguments)
        let report = try json(result)
        #expect(report["verdict"] == .string(testCase.expect.verdict))
        #expect(report["error"]?.stringValue == testCase.expect.error)
        let failed = report["checks"]?.arrayValue?.first { $0.objectValue?["outcome"] == "fail" }
        #expect(failed?.objectValue?["check"]?.stringValue == testCase.expect.check)
        #expect(result.status == (testCase.expect.verdict == "valid" ? 0 : 1))
    }

    @Test("text output: the verdict first, then one aligned line per check")
    func textValid() async throws {
        let result = try await CommandRunner.run(["verify", "certs-fixtures/jose/ssa/valid-ps256.jwt", "--jwks", "certs-fixtures/jose/directory.jwks.json", "--at", at])
        #expect(result.status == 0)
        let lines = result.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0].hasPrefix("VALID  software statement 4ZUKbHjbA2ZqxCxTsQPkTY \"Acme Budgeting\" (org 0015800001041REAAY, Acme Budgeting Ltd)"))
        #expect(lines[1].contains("signed PS256 by kid ob-rsa-1"))
        #expect(lines.contains { $0.hasPrefix("  pass  signature ") })
        #expect(lines.contains { $0.hasPrefix("  skip  age ") })
        #expect(!result.standardOutput.contains("\u{1B}["), "no colour when not on a terminal")
        #expect(!result.standardOutput.contains(try Fixtures.string("jose/ssa/valid-ps256.jwt")), "the token is not echoed")
    }

    @Test("text output of a rejection names the error and the reason")
    func textRejected() async throws {
        let result = try await CommandRunner.run(["verify", "certs-fixtures/jose/ssa/tampered-payload.jwt", "--jwks", "certs-fixtures/jose/directory.jwks.json", "--at", at])
        #expect(result.status == 1)
        #expect(result.standardOutput.hasPrefix("REJECTED  invalid_software_statement\n"))
        #expect(result.standardOutput.contains("the PS256 signature does not verify with key \"ob-rsa-1\""))
        #expect(result.standardOutput.contains("  FAIL  signature "))
        #expect(result.standardOutput.contains("  skip  issuer "))
    }

    @Test("reads the SSA from standard input with -")
    func standardInput() async throws {
        let token = try Fixtures.data("jose/ssa/valid-es256.jwt") + Data("\n".utf8)
        let result = try await CommandRunner.run(["verify", "-", "--jwks", "certs-fixtures/jose/directory.jwks.json", "--at", at, "--format", "json"], input: token)
        #expect(result.status == 0)
        #expect(try json(result)["alg"] == "ES256")
    }

    @Test("time rules use --at: the same SSA before its iat is rejected")
    func atOption() async throws {
        let result = try await CommandRunner.run(["verify", "certs-fixtures/jose/ssa/valid-ps256.jwt", "--jwks", "certs-fixtures/jose/directory.jwks.json", "--at", "1767000000", "--format", "json"])
        #expect(result.status == 1)
        #expect(try json(result)["checks"]?.arrayValue?.first { $0.objectValue?["outcome"] == "fail" }?.objectValue?["check"] == "issued_at")
    }

    @Test("--issuer changes the trusted issuer")
    func issuerOption() async throws {
        let result = try await CommandRunner.run(["verify", "certs-fixtures/jose/ssa/valid-ps256.jwt", "--jwks", "certs-fixtures/jose/directory.jwks.json", "--at", at, "--issuer", "Other Directory", "--format", "json"])
        #expect(result.status == 1)
        #expect(try json(result)["error"] == "unapproved_software_statement")
    }

    @Test("usage and configuration errors exit 2 and say what is wrong", arguments: [
        (["verify", "missing.jwt", "--jwks", "certs-fixtures/jose/directory.jwks.json"], "missing.jwt"),
        (["verify", "certs-fixtures/jose/ssa/valid-ps256.jwt", "--jwks", "nope.json"], "nope.json"),
        (["verify", "certs-fixtures/jose/ssa/valid-ps256.jwt", "--jwks", "certs-fixtures/jose/ssa/manifest.json"], "no \"keys\" array"),
        (["verify", "certs-fixtures/jose/ssa/valid-ps256.jwt", "--jwks", "http://directory.example/jwks"], "plain http"),
        (["verify", "certs-fixtures/jose/ssa/valid-ps256.jwt", "--jwks", "certs-fixtures/jose/directory.jwks.json", "--allow-alg", "PS256,none"], "\"none\""),
        (["verify", "certs-fixtures/jose/ssa/valid-ps256.jwt", "--jwks", "certs-fixtures/jose/directory.jwks.json", "--allow-alg", "HS256"], "HMAC"),
        (["verify", "certs-fixtures/jose/ssa/valid-ps256.jwt", "--jwks", "certs-fixtures/jose/directory.jwks.json", "--max-age", "-5"], "--max-age"),
        (["verify", "certs-fixtures/jose/ssa/valid-ps256.jwt", "--jwks", "certs-fixtures/jose/directory.jwks.json", "--format", "xml"], "xml"),
        (["verify", "certs-fixtures/jose/ssa/valid-ps256.jwt"], "--jwks"),
        (["verify", "certs-fixtures/jose/ssa/valid-ps256.jwt", "--jwks", "https://localhost:1/jwks", "--ca-file", "absent.pem"], "absent.pem"),
        (["frobnicate"], "frobnicate"),
    ])
    func usageErrors(_ arguments: [String], _ mentioned: String) async throws {
        let result = try await CommandRunner.run(arguments)
        #expect(result.status == 2)
        #expect(result.standardError.contains(mentioned), "stderr: \(result.standardError)")
        #expect(result.standardOutput.isEmpty)
    }

    @Test("a JWKS URL that cannot be reached: undecided, exit 3")
    func undecided() async throws {
        let result = try await CommandRunner.run(["verify", "certs-fixtures/jose/ssa/valid-ps256.jwt", "--jwks", "https://localhost:1/jwks", "--at", at, "--format", "json"])
        #expect(result.status == 3)
        let report = try json(result)
        #expect(report["verdict"] == "undecided")
        #expect(report["error"] == "temporarily_unavailable")
        #expect(report["software_statement"] == nil)
    }

    @Test("a JWKS over https from a server that is not ours, trusted through --ca-file")
    func jwksURL() async throws {
        let server = try TestHTTPSServer(jwksPath: Fixtures.url("jose/directory.jwks.json").path)
        let result = try await CommandRunner.run(["verify", "certs-fixtures/jose/ssa/valid-ps256.jwt", "--jwks", server.url("/jwks").absoluteString,
                                            "--ca-file", "certs-fixtures/pki/ca-bundle.pem", "--at", at])
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        // Without --ca-file the system trust store does not know the directory's CA.
        let untrusted = try await CommandRunner.run(["verify", "certs-fixtures/jose/ssa/valid-ps256.jwt", "--jwks", server.url("/jwks").absoluteString, "--at", at])
        #expect(untrusted.status == 3)
        #expect(untrusted.standardOutput.hasPrefix("UNDECIDED"))
    }

    @Test("skipped JWKS entries are logged as warnings on standard error")
    func warnings() async throws {
        let result = try await CommandRunner.run(["verify", "certs-fixtures/jose/ssa/valid-ps256.jwt", "--jwks", "certs-fixtures/jose/directory.jwks.json", "--at", at])
        #expect(result.standardError.contains("broken-rsa"))
        #expect(result.standardError.contains("okp-1"))
        let quiet = try await CommandRunner.run(["verify", "certs-fixtures/jose/ssa/valid-ps256.jwt", "--jwks", "certs-fixtures/jose/directory.jwks.json", "--at", at, "--log-level", "error"])
        #expect(quiet.standardError.isEmpty)
    }

    @Test("--help lists the command and the exit statuses")
    func help() async throws {
        let result = try await CommandRunner.run(["verify", "--help"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("--allow-alg"))
        #expect(result.standardOutput.contains("Exit status: 0 valid, 1 rejected, 2 usage error, 3 undecided"))
    }
}
