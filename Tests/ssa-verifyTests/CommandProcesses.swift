import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing

// The processes and clients the command-line suites share: `ssa-verify sandbox` and
// `ssa-verify serve` as separate processes, and curl as a client that is not ours.

/// A running `ssa-verify sandbox` and the configuration file it wrote.
final class SandboxProcess {
    let process = Process()
    let configPath: String
    /// The TPP transport certificate the sandbox issued (it names the sandbox's OCSP responder).
    let certificatePath: String

    /// - Parameter scheme: `--scheme` (which directories the written configuration trusts).
    init(scheme: String? = nil) throws {
        configPath = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-\(UUID().uuidString).json").path
        certificatePath = configPath.replacingOccurrences(of: ".json", with: "-tpp.pem")
        process.executableURL = CommandRunner.binary
        process.arguments = ["sandbox", "--port", "0", "--fixtures", Fixtures.root.path, "--write-config", configPath, "--write-certificate", certificatePath]
            + (scheme.map { ["--scheme", $0] } ?? [])
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = ProcessOutput.read(output, until: "config ")
        guard text.contains("sandbox directory listening on https://127.0.0.1:") else {
            kill(process.processIdentifier, SIGKILL)
            throw TestHTTPSServer.StartFailure(description: "sandbox said: \(text)")
        }
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: configPath)
        try? FileManager.default.removeItem(atPath: certificatePath)
    }
}

/// A running `ssa-verify serve`.
final class ServeProcess {
    let process = Process()
    let baseURL: String
    /// The audit log of a service started ``withFullDisk(config:)``.
    private(set) var auditLog: String?

    /// - Parameter fileSizeLimitZero: start it with a file size limit of 0 (`ulimit -f 0`,
    ///   SIGXFSZ ignored): every write to a file fails with EFBIG, as on a full disk.
    init(config: String, arguments: [String] = [], environment: [String: String] = [:], fileSizeLimitZero: Bool = false) throws {
        let serve = ["serve", "--config", config, "--port", "0"] + arguments
        if fileSizeLimitZero {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", #"trap '' XFSZ; ulimit -f 0; exec "$0" "$@""#, CommandRunner.binary.path] + serve
        } else {
            process.executableURL = CommandRunner.binary
            process.arguments = serve
        }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = ProcessOutput.read(output, until: "health")
        guard let range = text.range(of: #"(http://127\.0\.0\.1:[0-9]+|unix:[^ \n]+)"#, options: .regularExpression) else {
            kill(process.processIdentifier, SIGKILL)
            throw TestHTTPSServer.StartFailure(description: "serve said: \(text)")
        }
        baseURL = String(text[range])
    }

    /// A service whose audit log (a regular file, empty) can never be written: a full disk.
    static func withFullDisk(config: String) throws -> ServeProcess {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("full-\(UUID().uuidString).log").path
        let service = try ServeProcess(config: config, arguments: ["--set", "auditLog=" + path], fileSizeLimitZero: true)
        service.auditLog = path
        return service
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        if let auditLog { try? FileManager.default.removeItem(atPath: auditLog) }
    }
}

/// curl, a client that is not ours: status and body.
func curl(_ arguments: [String]) async throws -> (status: Int, body: String) {
    let result = try await AsyncProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["curl", "-sS", "--max-time", "30", "-o", "-", "-w", "\n%{http_code}"] + arguments, seconds: 60)
    let text = result.standardOutput
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
}
