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
    @Test("client_registration.py: accepts with the client filled in, refuses with the real status and RFC 7591 error, 503 when the service is down")
    func registrationScript() async throws {
        let driver = Fixtures.packageRoot.appendingPathComponent("integrations/janssen/jython/run-jython-tests.sh").path
        let result = try await AsyncProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["bash", driver, CommandRunner.binary.path, Fixtures.root.path], seconds: 600)
        let text = result.standardOutput + result.standardError
        #expect(result.status == 0 && !result.timedOut, "\(text)")
        // The positive paths are asserted by name, so a script that never accepts cannot pass.
        #expect(text.contains("ok    create accepted"), "\(text)")
        #expect(text.contains("ok    update by the same software accepted"), "\(text)")
        #expect(text.contains("ok    create with another TPP's certificate refused: 400 invalid_client_metadata"), "\(text)")
        #expect(text.contains("ok    decision service stopped"), "\(text)")
        #expect(text.range(of: #"jython: [1-9][0-9]* passed, 0 failed"#, options: .regularExpression) != nil, "\(text)")
    }
}
