import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The audit trail through the binary: `serve` signs checkpoints (every
/// `auditCheckpointSeconds`, on request at `GET /v1/audit/checkpoint`, and at shutdown); `audit
/// verify --checkpoint` finds a tail cut that a plain verify cannot; a second writer is refused
/// while `serve` runs, and the first writer's chain stays intact; `audit show` refuses a broken
/// chain unless `--unverified`.
@Suite("ssa-verify audit: checkpoints, one writer, verify and show")
struct AuditCommandTests {
    @Test("serve with auditCheckpointKey: checkpoints on disk and at GET /v1/audit/checkpoint (bearer), a last one at SIGTERM; a tail cut after it is found, the uncut log verifies; a forged checkpoint is refused")
    func checkpoints() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("audit-cli-\(UUID().uuidString)")
        let checkpoints = folder.appendingPathComponent("checkpoints")
        try FileManager.default.createDirectory(at: checkpoints, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = folder.appendingPathComponent("checkpoint.key").path, publicKey = folder.appendingPathComponent("checkpoint.pub").path
        let forger = folder.appendingPathComponent("forger.key").path
        let made = try await AsyncProcess.run(URL(fileURLWithPath: "/bin/sh"), ["-c", """
            openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out '\(key)' && chmod 600 '\(key)' && openssl pkey -in '\(key)' -pubout -out '\(publicKey)' \
            && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out '\(forger)'
            """])
        #expect(made.status == 0, "\(made.standardError)")
        let log = folder.appendingPathComponent("audit.log").path
        let sandbox = try SandboxProcess()
        let token = "audit-checkpoint-token-" + UUID().uuidString
        let service = try ServeProcess(config: sandbox.configPath, arguments: [
            "--set", "auditLog=" + log, "--set", "auditCheckpointKey=file:" + key, "--set", "auditCheckpointDirectory=" + checkpoints.path,
            "--set", "auditCheckpointSeconds=1", "--auth-token", "env:SSA_AUDIT_TOKEN",
        ], environment: ["SSA_AUDIT_TOKEN": token])
        let bearer = ["-H", "Authorization: Bearer \(token)"]
        for _ in 0..<3 {
            let answer = try await curl(bearer + ["-H", "Content-Type: application/json", "--data-binary", TokenTrustCommandTests.call(), service.baseURL + "/v1/token-decisions"])
            #expect(answer.body.contains("\"verdict\":\"allow\""), "\(answer)")
        }
        // The latest, on request (behind the bearer token).
        #expect(try await curl([service.baseURL + "/v1/audit/checkpoint"]).status == 401)
        let latest = try await curl(bearer + [service.baseURL + "/v1/audit/checkpoint"])
        let object = try StrictJSONParser(maximumDepth: 8).parseObject(Array(latest.body.utf8))
        #expect(latest.status == 200 && object["records"] == 4, "\(latest)")  // genesis and three decisions
        let fetched = folder.appendingPathComponent("fetched.jws").path
        try Data((object["checkpoint"]?.stringValue ?? "").utf8).write(to: URL(fileURLWithPath: fetched))
        // Within a few seconds the periodic writer has one on disk too.
        var onDisk: [String] = []
        for _ in 0..<50 where onDisk.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
            onDisk = try FileManager.default.contentsOfDirectory(atPath: checkpoints.path).filter { $0.hasSuffix(".jws") }
        }
        #expect(!onDisk.isEmpty)
        // One more decision, then SIGTERM: the last checkpoint commits to it.
        _ = try await curl(bearer + ["-H", "Content-Type: application/json", "--data-binary", TokenTrustCommandTests.call(), service.baseURL + "/v1/token-decisions"])
        kill(service.process.processIdentifier, SIGTERM)
        service.process.waitUntilExit()
        let files = try FileManager.default.contentsOfDirectory(atPath: checkpoints.path).filter { $0.hasSuffix(".jws") }.sorted()
        #expect(files.last?.hasSuffix("-000000000005.jws") == true, "\(files)")
        let last = checkpoints.appendingPathComponent(try #require(files.last)).path

        let arguments = ["--checkpoint", fetched, "--checkpoint", last, "--checkpoint-key", publicKey]
        let intact = try await CommandRunner.run(["audit", "verify", log] + arguments)
        #expect(intact.status == 0 && intact.standardOutput.contains("INTACT  5 records (4 decisions)") && intact.standardOutput.components(separatedBy: "CHECKPOINT OK").count == 3,
                "\(intact.standardOutput)\(intact.standardError)")
        // The tail cut: a plain verify cannot tell, the last checkpoint can.
        var lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        lines.removeLast()
        let cut = folder.appendingPathComponent("cut.log").path
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: cut))
        #expect(try await CommandRunner.run(["audit", "verify", cut]).status == 0)
        let found = try await CommandRunner.run(["audit", "verify", cut] + arguments)
        #expect(found.status == 1 && found.standardOutput.contains("CHECKPOINT FAILED  \(last)") && found.standardOutput.contains("cut from its end"), "\(found.standardOutput)")
        // A checkpoint signed by another key: refused, naming it.
        let forged = folder.appendingPathComponent("forged.jws").path
        let forgedKey = try AuditCheckpointKey(pem: try String(contentsOfFile: forger, encoding: .utf8))
        try Data(try AuditCheckpoint(AuditHead(logID: "x", node: "n", records: 1, hash: String(repeating: "a", count: 64)), time: Date()).signed(with: forgedKey).utf8)
            .write(to: URL(fileURLWithPath: forged))
        let refused = try await CommandRunner.run(["audit", "verify", log, "--checkpoint", forged, "--checkpoint-key", publicKey])
        #expect(refused.status == 1 && refused.standardOutput.contains("CHECKPOINT FAILED  \(forged): its signature does not verify"), "\(refused.standardOutput)")
        #expect(try await CommandRunner.run(["audit", "verify", log, "--checkpoint", fetched]).status == 2)  // no key: a checkpoint cannot count
    }

    @Test("one writer: token-decide on serve's log is refused naming serve's pid, and serve's chain stays intact; audit show refuses a broken log unless --unverified, which marks the record")
    func oneWriterAndShow() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("audit-writer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = folder.appendingPathComponent("audit.log").path
        let sandbox = try SandboxProcess()
        let service = try ServeProcess(config: sandbox.configPath, arguments: ["--set", "auditLog=" + log])
        let request = try TokenCommandTests.temporaryFile("token.json", TokenCommandTests.request.serialized())
        _ = try await curl(["-H", "Content-Type: application/json", "--data-binary", TokenTrustCommandTests.call(), service.baseURL + "/v1/token-decisions"])
        let second = try await CommandRunner.run(["token-decide", "--config", sandbox.configPath, "--set", "auditLog=" + log, "--request", request])
        #expect(second.status == 2 && second.standardError.contains("pid \(service.process.processIdentifier)"), "\(second.standardError)")
        _ = try await curl(["-H", "Content-Type: application/json", "--data-binary", TokenTrustCommandTests.call(), service.baseURL + "/v1/token-decisions"])
        let verified = try await CommandRunner.run(["audit", "verify", log])
        #expect(verified.status == 0 && verified.standardOutput.contains("(2 decisions)"), "\(verified.standardOutput)")

        let shown = try await CommandRunner.run(["audit", "show", log])
        #expect(shown.status == 0 && shown.standardOutput.split(separator: "\n").count == 2)
        var lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[1] = lines[1].replacingOccurrences(of: "\"decision\":\"allow\"", with: "\"decision\":\"deny\"")
        let edited = try TokenCommandTests.temporaryFile("edited.log", lines.joined(separator: "\n") + "\n")
        let refused = try await CommandRunner.run(["audit", "show", edited])
        #expect(refused.status == 1 && refused.standardOutput.isEmpty && refused.standardError.contains("does not verify"), "\(refused.standardError)")
        let unverified = try await CommandRunner.run(["audit", "show", edited, "--unverified"])
        let shownLines = unverified.standardOutput.split(separator: "\n")
        #expect(unverified.status == 0 && shownLines.count == 2 && shownLines[0].contains("audit_broken") && !shownLines[1].contains("audit_broken"), "\(unverified.standardOutput)")
    }
}
