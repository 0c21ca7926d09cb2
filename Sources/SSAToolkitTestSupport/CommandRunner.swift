import Foundation

/// Runs the built `ssa-verify` binary and captures what it prints, for end-to-end tests.
public enum CommandRunner {
    /// What one run produced.
    public struct Result: Sendable {
        public var status: Int32
        public var standardOutput: String
        public var standardError: String
    }

    /// The `ssa-verify` binary beside the test bundle (both are in the build products folder).
    public static var binary: URL {
        if let override = ProcessInfo.processInfo.environment["SSA_VERIFY_BINARY"] { return URL(fileURLWithPath: override) }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return executable.deletingLastPathComponent().appendingPathComponent("ssa-verify")
    }

    /// Runs `ssa-verify` with `arguments`, feeding `input` on standard input, in the package root,
    /// without holding a thread of the cooperative pool while it runs (``AsyncProcess``).
    public static func run(_ arguments: [String], input: Data? = nil, environment: [String: String] = [:]) async throws -> Result {
        let result = try await AsyncProcess.run(binary, arguments, environment: environment, input: input, seconds: 120)
        return Result(status: result.status, standardOutput: result.standardOutput, standardError: result.standardError)
    }
}
