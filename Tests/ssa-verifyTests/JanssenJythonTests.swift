import Foundation
import SSAToolkitTestSupport
import Testing

/// The Janssen scripts the way Janssen runs them: real Jython 2.7 on a JVM, loaded with
/// `PythonInterpreter.execfile`, turned into the Java interface with `__tojava__`, called through
/// Java stand-ins of Janssen's API against a live `ssa-verify serve` on the sandbox
/// (`integrations/janssen/jython/run-jython-tests.sh`; `make test` installs Jython, a JDK and
/// BouncyCastle). This, not the CPython harness, is the proof that the scripts work.
@Suite("Janssen scripts under real Jython 2.7")
struct JanssenJythonTests {
    @Test("client_registration.py and update_token.py: accept and allow with what they apply, refuse with the real status and error, 503 when the service is down")
    func scripts() async throws {
        let driver = Fixtures.packageRoot.appendingPathComponent("integrations/janssen/jython/run-jython-tests.sh").path
        let result = try await AsyncProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["bash", driver, CommandRunner.binary.path, Fixtures.root.path], seconds: 600)
        let text = result.standardOutput + result.standardError
        #expect(result.status == 0 && !result.timedOut, "\(text)")
        // The positive paths are asserted by name, so a script that never accepts cannot pass.
        #expect(text.contains("ok    create accepted"), "\(text)")
        #expect(text.contains("ok    update by the same software accepted"), "\(text)")
        #expect(text.contains("ok    create with another TPP's certificate refused: 400 invalid_client_metadata"), "\(text)")
        #expect(text.contains("ok    decision service stopped"), "\(text)")
        #expect(text.contains("ok    register the token client: software_id and org_id stored, the Update Token script attached"), "\(text)")
        #expect(text.contains("ok    token allow: issued with scopes openid accounts payments; id_token openbanking_intent_id and sub"), "\(text)")
        #expect(text.contains("ok    token allow: one decision call for the six hooks of the request"), "\(text)")
        #expect(text.contains("ok    token ssa_issuer: the stored SSA's iss picks the directory; a trusted one issues, an untrusted one is refused 403"), "\(text)")
        #expect(text.contains("ok    token roles AISP: payments removed from the access token and the grant"), "\(text)")
        #expect(text.contains("ok    token deny (software inactive): the token request is refused 403 access_denied"), "\(text)")
        #expect(text.contains("ok    token deny: modifyIdToken refuses by raising 403"), "\(text)")
        #expect(text.contains("ok    token service stopped (undecided): the token request is refused 503"), "\(text)")
        #expect(!text.contains("FAIL "), "\(text)")
        #expect(text.range(of: #"jython: [1-9][0-9]* passed, 0 failed"#, options: .regularExpression) != nil, "\(text)")
    }

    @Test("the shared helpers in both scripts are the block generated from shared/common.py; an edited block is found")
    func sharedBlockInStep() async throws {
        let generator = Fixtures.packageRoot.appendingPathComponent("integrations/janssen/generate-scripts.sh").path
        let inStep = try await AsyncProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["bash", generator, "--check"], seconds: 60)
        #expect(inStep.status == 0, "\(inStep.standardOutput)\(inStep.standardError)")
        // The check must be able to fail: a copy of the folder with one generated line changed.
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("janssen-check-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: copy) }
        try FileManager.default.copyItem(at: Fixtures.packageRoot.appendingPathComponent("integrations/janssen"), to: copy)
        let script = copy.appendingPathComponent("update_token.py")
        let text = try String(contentsOf: script, encoding: .utf8)
        let block = try #require(text.range(of: "MAX_DESCRIPTION = "))
        try text.replacingCharacters(in: block, with: "MAX_DESCRIPTION = 1").write(to: script, atomically: true, encoding: .utf8)
        let drifted = try await AsyncProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["bash", copy.appendingPathComponent("generate-scripts.sh").path, "--check"], seconds: 60)
        #expect(drifted.status == 1, "\(drifted.standardOutput)\(drifted.standardError)")
        #expect((drifted.standardOutput + drifted.standardError).contains("update_token.py"))
    }
}
