import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing

@Suite("ssa-verify certs, end to end")
struct CertsCommandTests {
    let at = "1767229200"
    let env = ["SSA_TEST_TRANSPORT_PASSWORD": "changeit", "P12_PASSWORD": "changeit"]

    @Test("the fixture configuration is healthy: exit 0, a report a person can read")
    func healthyConfiguration() async throws {
        let result = try await CommandRunner.run(["certs", "--config", "certs-fixtures/config/toolkit.json", "--at", at], environment: env)
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
        let out = result.standardOutput
        #expect(out.hasPrefix("HEALTHY  3 items examined at 2026-01-01T01:00:00Z"))
        #expect(out.contains("transport store: "))
        #expect(out.contains("(property transportKeyStore)"))
        #expect(out.contains("software statement id (CN) 2kiXQyo0tedjW2somjSgH7; organisation id (OU) 0015800001HQQrZAAX; organizationIdentifier PSDGB-FCA-123456"))
        #expect(out.contains("pass  chain                builds to trust anchor CN=Sandbox Open Banking Root CA"))
        #expect(out.contains("skip  key_published"))
        #expect(!out.contains("changeit") && !result.standardError.contains("changeit"), "no password in output")
    }

    @Test("JSON output of one problem store: exit 1, the failing check named")
    func problemJSON() async throws {
        let result = try await CommandRunner.run(["certs", "--p12", "certs-fixtures/stores/transport-wrong-eku.p12", "--password-env", "P12_PASSWORD", "--role", "transport",
                                            "--trust", "certs-fixtures/stores/trust.p12", "--trust-password-env", "P12_PASSWORD", "--at", at, "--format", "json"], environment: env)
        #expect(result.status == 1)
        let report = try StrictJSONParser().parseObject(Array(result.standardOutput.utf8))
        #expect(report["healthy"] == false)
        let checks = report["stores"]?.arrayValue?.first?.objectValue?["checks"]?.arrayValue ?? []
        let failed = checks.filter { $0.objectValue?["outcome"] == "fail" }.compactMap { $0.objectValue?["check"]?.stringValue }
        #expect(failed == ["client_auth"])
        let leaf = report["stores"]?.arrayValue?.first?.objectValue?["certificates"]?.arrayValue?.first?.objectValue
        #expect(leaf?["open_banking"]?.objectValue?["software_statement_id"] == "2kiXQyo0tedjW2somjSgH7")
        #expect(leaf?["extended_key_usage"] == ["serverAuth"])
    }

    @Test("a PEM certificate file on its own")
    func pemFile() async throws {
        let result = try await CommandRunner.run(["certs", "--pem", "certs-fixtures/pki/as-transport-expired.pem", "--at", at])
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("FAIL  validity"))
        #expect(result.standardOutput.contains("expired on 2021-01-01"))
    }

    @Test("cannot load: exit 2, the file, the property and the problem named", arguments: [
        (["certs", "--config", "certs-fixtures/config/toolkit-broken-password.json"], "wrong password"),
        (["certs", "--config", "certs-fixtures/config/toolkit.json"], "SSA_TEST_TRANSPORT_PASSWORD"),
        (["certs", "--p12", "certs-fixtures/stores/transport.jks", "--password-env", "P12_PASSWORD"], "Java JKS"),
        (["certs", "--p12", "certs-fixtures/stores/transport.p12"], "wrong password"),
        (["certs", "--p12", "certs-fixtures/stores/key-only.p12", "--password-env", "P12_PASSWORD"], "holds no certificate"),
        (["certs", "--p12", "certs-fixtures/stores/absent.p12"], "no such file"),
        (["certs", "--pem", "certs-fixtures/stores/garbage.bin"], "no PEM certificate"),
        (["certs"], "exactly one of"),
        (["certs", "--p12", "x.p12", "--pem", "y.pem"], "exactly one of"),
    ])
    func cannotLoad(_ arguments: [String], _ mentioned: String) async throws {
        // The toolkit.json case runs without SSA_TEST_TRANSPORT_PASSWORD: its env: reference fails.
        let result = try await CommandRunner.run(arguments, environment: ["P12_PASSWORD": "changeit"])
        #expect(result.status == 2, "\(result.standardOutput)\(result.standardError)")
        #expect(result.standardError.contains(mentioned), "stderr: \(result.standardError)")
        #expect(!result.standardError.contains("changeit") && !result.standardError.contains("wrong-password"))
    }
}
