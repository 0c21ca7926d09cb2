import Foundation

/// Runs a program and awaits it without holding a thread of Swift's cooperative pool.
///
/// Swift Testing runs tests as tasks on that pool, which has one thread per core (two here): a
/// test that waits for a process synchronously (`waitUntilExit`, reading a pipe to its end,
/// `usleep`) takes a thread from every other test for as long as it waits, and tests that time
/// their own work then see that wait as theirs. Output goes to files, the exit is reported by
/// the termination handler, and a time limit kills a program that hangs.
public enum AsyncProcess {
    /// What a run produced.
    public struct Result: Sendable {
        public var status: Int32
        public var standardOutput: String
        public var standardError: String
        /// Whether the time limit killed it.
        public var timedOut: Bool
    }

    /// Runs `executable` with `arguments`, in `directory`, with `environment` over the current one.
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:], input: Data? = nil,
                           directory: URL = Fixtures.packageRoot, seconds: Double = 60) async throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out"), err = folder.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        if let input {
            let inputFile = folder.appendingPathComponent("in")
            try input.write(to: inputFile)
            process.standardInput = try FileHandle(forReadingFrom: inputFile)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        let killed = KilledFlag()
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
                return
            }
            let pid = process.processIdentifier
            Task {
                try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                if process.isRunning {
                    killed.set()
                    kill(pid, SIGKILL)
                }
            }
        }
        return Result(status: status, standardOutput: try String(contentsOf: out, encoding: .utf8),
                      standardError: try String(contentsOf: err, encoding: .utf8), timedOut: killed.value)
    }

    /// Runs the built `ssa-verify`.
    public static func ssaVerify(_ arguments: [String], environment: [String: String] = [:], seconds: Double = 60) async throws -> Result {
        try await run(CommandRunner.binary, arguments, environment: environment, seconds: seconds)
    }

    private final class KilledFlag: @unchecked Sendable {
        private let lock = NSLock()
        private var killed = false
        func set() { lock.withLock { killed = true } }
        var value: Bool { lock.withLock { killed } }
    }
}
