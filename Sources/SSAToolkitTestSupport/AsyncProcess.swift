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
        // posix_spawn, not Foundation's Process: Process.run() on Linux over-reads a dirent while
        // listing /proc/self/fd and crashes now and then in a suite that spawns many programs
        // (swift-corelibs-foundation #5472, fixed after the toolchain here).
        let inputPath: String
        if let input {
            let inputFile = folder.appendingPathComponent("in")
            try input.write(to: inputFile)
            inputPath = inputFile.path
        } else {
            inputPath = "/dev/null"
        }
        let pid = try Spawn.start(executable.path, arguments, environment: Spawn.environment(environment, directory: directory), directory: directory.path,
                                  input: .path(inputPath), output: .path(out.path), error: .path(err.path))
        let killed = KilledFlag()
        let exited = KilledFlag()
        let timer = Task {
            try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            if !exited.value {
                killed.set()
                kill(pid, SIGKILL)
            }
        }
        let status: Int32 = await withCheckedContinuation { continuation in
            // waitpid blocks: on a thread of its own, never one of the cooperative pool.
            Thread.detachNewThread {
                var raw: Int32 = 0
                while waitpid(pid, &raw, 0) == -1 && errno == EINTR {}
                exited.set()
                continuation.resume(returning: Spawn.exitCode(raw))
            }
        }
        timer.cancel()
        return Result(status: status, standardOutput: try String(contentsOf: out, encoding: .utf8),
                      standardError: try String(contentsOf: err, encoding: .utf8), timedOut: killed.value)
    }

    /// Runs the built `ssa-verify`.
    public static func ssaVerify(_ arguments: [String], environment: [String: String] = [:], seconds: Double = 60) async throws -> Result {
        try await run(CommandRunner.binary, arguments, environment: environment, seconds: seconds)
    }

    /// posix_spawn with standard input, output and error from files or descriptors, in a
    /// directory, with every signal at its default disposition and none blocked (a child never
    /// inherits an ignored SIGTERM).
    enum Spawn {
        struct Failure: Error, CustomStringConvertible { var description: String }

        /// The current environment with `overrides` over it, and `PWD` naming `directory`.
        static func environment(_ overrides: [String: String], directory: URL) -> [String: String] {
            var values = ProcessInfo.processInfo.environment.merging(overrides) { _, new in new }
            values["PWD"] = directory.path
            return values
        }

        /// A `waitpid` status as an exit code: the program's own, or 128 + the signal that ended it.
        static func exitCode(_ raw: Int32) -> Int32 {
            raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
        }

        /// Where a standard descriptor of the child comes from.
        enum Target {
            /// A file, opened in the child (truncated when written).
            case path(String)
            /// A descriptor of ours (a pipe's end), duplicated in the child.
            case descriptor(Int32)
        }

        static func start(_ path: String, _ arguments: [String], environment: [String: String], directory: String,
                          input: Target, output: Target, error: Target) throws -> pid_t {
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            for (target, standard) in [(input, Int32(0)), (output, 1), (error, 2)] {
                switch target {
                case .path(let file): posix_spawn_file_actions_addopen(&actions, standard, file, standard == 0 ? O_RDONLY : O_WRONLY | O_TRUNC, 0o600)
                case .descriptor(let descriptor): posix_spawn_file_actions_adddup2(&actions, descriptor, standard)
                }
            }
            // glibc's posix_spawn_file_actions_addchdir_np (2.29+), which Glibc does not import.
            typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else {
                throw Failure(description: "posix_spawn_file_actions_addchdir_np is not available")
            }
            _ = unsafeBitCast(symbol, to: AddChdir.self)(&actions, directory)
            // Nothing but the three standard descriptors reaches the child (glibc 2.34+'s
            // addclosefrom_np): an inherited listening socket would outlive the server that
            // closed it, accepting connections no one answers.
            typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
            guard let closeFrom = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
                throw Failure(description: "posix_spawn_file_actions_addclosefrom_np is not available")
            }
            _ = unsafeBitCast(closeFrom, to: AddCloseFrom.self)(&actions, 3)
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var all = sigset_t(), none = sigset_t()
            sigfillset(&all)
            sigemptyset(&none)
            posix_spawnattr_setsigdefault(&attributes, &all)
            posix_spawnattr_setsigmask(&attributes, &none)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
            let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
            let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { for pointer in argv + envp { free(pointer) } }
            var pid: pid_t = 0
            let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
            guard result == 0 else { throw Failure(description: "posix_spawn \(path): \(String(cString: strerror(result)))") }
            return pid
        }
    }

    private final class KilledFlag: @unchecked Sendable {
        private let lock = NSLock()
        private var killed = false
        func set() { lock.withLock { killed = true } }
        var value: Bool { lock.withLock { killed } }
    }
}
