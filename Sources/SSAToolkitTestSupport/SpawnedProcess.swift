import Foundation

/// A program the tests start and stop (a server, a tool), by `posix_spawn`, never Foundation's
/// `Process`: on the toolchain here `Process.run()` over-reads a dirent while it lists
/// `/proc/self/fd` and crashes the test process now and then in a suite that starts many
/// programs (swift-corelibs-foundation #5472), and a crashed test process stops the whole run.
///
/// Standard input is `/dev/null`; standard output goes to ``output`` (a pipe) when asked for, and
/// to `/dev/null` otherwise; standard error to the same pipe when `errorToOutput`, else
/// `/dev/null`. No other descriptor reaches the child. The child's exit is collected once, by
/// ``isRunning`` or ``waitUntilExit()``.
///
/// `@unchecked Sendable`: the exit status is guarded by a lock; everything else is immutable.
public final class SpawnedProcess: @unchecked Sendable {
    /// The child's process id.
    public let processIdentifier: pid_t
    /// The read end of the child's standard output, when it was asked for.
    public let output: FileHandle?
    private let lock = NSLock()
    private var status: Int32?

    /// Starts `executable` (a path, or a name looked up in `PATH` through `/usr/bin/env`) with
    /// `arguments`, in `directory`, with `environment` over the current one.
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: URL = Fixtures.packageRoot,
                captureOutput: Bool = false, errorToOutput: Bool = false) throws {
        let (path, argv) = executable.hasPrefix("/") ? (executable, arguments) : ("/usr/bin/env", [executable] + arguments)
        var ends: [Int32] = [-1, -1]
        if captureOutput {
            // Close-on-exec at once: no other child started meanwhile keeps the write end (and
            // every child here gets only its three standard descriptors anyway).
            guard pipe(&ends) == 0 else { throw AsyncProcess.Spawn.Failure(description: "pipe: \(String(cString: strerror(errno)))") }
            for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        }
        let pipeEnd: AsyncProcess.Spawn.Target = captureOutput ? .descriptor(ends[1]) : .path("/dev/null")
        do {
            processIdentifier = try AsyncProcess.Spawn.start(path, argv, environment: AsyncProcess.Spawn.environment(environment, directory: directory), directory: directory.path, input: .path("/dev/null"),
                                                             output: pipeEnd, error: errorToOutput ? pipeEnd : .path("/dev/null"))
        } catch {
            if captureOutput { close(ends[0]); close(ends[1]) }
            throw error
        }
        if captureOutput { close(ends[1]) }
        output = captureOutput ? FileHandle(fileDescriptor: ends[0], closeOnDealloc: true) : nil
    }

    /// Whether it has not exited yet (collects its exit when it has).
    public var isRunning: Bool {
        lock.withLock {
            if status != nil { return false }
            var raw: Int32 = 0
            let result = waitpid(processIdentifier, &raw, WNOHANG)
            if result == processIdentifier { status = AsyncProcess.Spawn.exitCode(raw) }
            return result == 0
        }
    }

    /// Waits for it to exit (on the calling thread).
    public func waitUntilExit() {
        if lock.withLock({ status != nil }) { return }
        var raw: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(processIdentifier, &raw, 0) } while result == -1 && errno == EINTR
        lock.withLock {
            // -1 (ECHILD): another caller collected it meanwhile and recorded its status.
            if result == processIdentifier, status == nil { status = AsyncProcess.Spawn.exitCode(raw) }
        }
    }

    /// The exit status (128 + the signal when a signal ended it); waits for the exit first.
    public var terminationStatus: Int32 {
        waitUntilExit()
        return lock.withLock { status ?? -1 }
    }

    /// Sends `signal` (SIGKILL by default: a stop that cannot be refused) and, unless told not
    /// to, waits for the exit.
    public func stop(_ signal: Int32 = SIGKILL, wait: Bool = true) {
        if lock.withLock({ status == nil }) { kill(processIdentifier, signal) }
        if wait { waitUntilExit() }
    }

    /// What it has written to ``output``, up to the first chunk that contains `marker` (or the
    /// end of its output).
    public func read(until marker: String) -> String {
        guard let output else { return "" }
        return ProcessOutput.read(output, until: marker)
    }

    /// Keeps reading and dropping what it writes to ``output``, so a full pipe never blocks it.
    public func drainOutput() {
        if let output { ProcessOutput.drain(output) }
    }
}
