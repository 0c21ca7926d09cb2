import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing

// The processes and clients the command-line suites share: `ssa-verify sandbox` and
// `ssa-verify serve` as separate processes, and curl as a client that is not ours.

/// A running `ssa-verify sandbox` and the configuration file it wrote.
final class SandboxProcess {
    let process: SpawnedProcess
    let configPath: String
    /// The TPP transport certificate the sandbox issued (it names the sandbox's OCSP responder).
    let certificatePath: String

    /// - Parameter scheme: `--scheme` (which directories the written configuration trusts).
    init(scheme: String? = nil) throws {
        configPath = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-\(UUID().uuidString).json").path
        certificatePath = configPath.replacingOccurrences(of: ".json", with: "-tpp.pem")
        process = try SpawnedProcess(CommandRunner.binary.path, ["sandbox", "--port", "0", "--fixtures", Fixtures.root.path, "--write-config", configPath,
                                                                 "--write-certificate", certificatePath] + (scheme.map { ["--scheme", $0] } ?? []),
                                     captureOutput: true)
        let text = process.read(until: "config ")
        guard text.contains("sandbox directory listening on https://127.0.0.1:") else {
            process.stop()
            throw TestHTTPSServer.StartFailure(description: "sandbox said: \(text)")
        }
        process.drainOutput()
    }

    deinit {
        process.stop()
        try? FileManager.default.removeItem(atPath: configPath)
        try? FileManager.default.removeItem(atPath: certificatePath)
    }
}

/// A running `ssa-verify serve`.
final class ServeProcess {
    let process: SpawnedProcess
    let baseURL: String
    /// The audit log of a service started ``withFullDisk(config:)``.
    private(set) var auditLog: String?

    /// - Parameter fileSizeLimitZero: start it with a file size limit of 0 (`ulimit -f 0`,
    ///   SIGXFSZ ignored): every write to a file fails with EFBIG, as on a full disk.
    init(config: String, arguments: [String] = [], environment: [String: String] = [:], fileSizeLimitZero: Bool = false) throws {
        let serve = ["serve", "--config", config, "--port", "0"] + arguments
        process = fileSizeLimitZero
            ? try SpawnedProcess("/bin/sh", ["-c", #"trap '' XFSZ; ulimit -f 0; exec "$0" "$@""#, CommandRunner.binary.path] + serve,
                                 environment: environment, captureOutput: true)
            : try SpawnedProcess(CommandRunner.binary.path, serve, environment: environment, captureOutput: true)
        let text = process.read(until: "health")
        guard let range = text.range(of: #"(http://127\.0\.0\.1:[0-9]+|unix:[^ \n]+)"#, options: .regularExpression) else {
            process.stop()
            throw TestHTTPSServer.StartFailure(description: "serve said: \(text)")
        }
        baseURL = String(text[range])
        process.drainOutput()
    }

    /// A service whose audit log (a regular file, empty) can never be written: a full disk.
    static func withFullDisk(config: String) throws -> ServeProcess {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("full-\(UUID().uuidString).log").path
        let service = try ServeProcess(config: config, arguments: ["--set", "auditLog=" + path], fileSizeLimitZero: true)
        service.auditLog = path
        return service
    }

    deinit {
        process.stop()
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
