#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One parser to fuzz: a name for the command line and a body that must never crash. A thrown
/// (and caught) error is the parser doing its job; a trap, a sanitizer report, a leak or a hang
/// is a finding.
public struct FuzzTarget: Sendable {
    /// The name given on the command line (`FuzzParsers jws ...`) or in `FUZZ_TARGET`.
    public var name: String
    /// One line for `--list`: the entry points it calls.
    public var summary: String
    /// Runs the parsers on one input.
    public var body: @Sendable ([UInt8]) -> Void

    /// A target.
    public init(_ name: String, _ summary: String, body: @escaping @Sendable ([UInt8]) -> Void) {
        self.name = name
        self.summary = summary
        self.body = body
    }
}

// libFuzzer's entry point when it does not bring its own `main` (`libclang_rt.fuzzer_no_main`).
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

// The driver is single-threaded: libFuzzer calls back on the thread that called it. These are
// set once, before the first call.
nonisolated(unsafe) private var selected: FuzzTarget?
// Kept in a global so LeakSanitizer sees the argument vector as reachable until exit.
nonisolated(unsafe) private var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?

private func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes: [UInt8] = if let data, size > 0 { Array(UnsafeBufferPointer(start: data, count: size)) } else { [] }
    selected!.body(bytes)
    return 0
}

/// The `main` of a fuzz executable: picks the target, then hands over to libFuzzer.
public enum FuzzDriver {
    /// Runs the target named by the first argument (removed before libFuzzer reads the rest) or
    /// by `FUZZ_TARGET`. The choice is put in `FUZZ_TARGET`, so the processes libFuzzer starts
    /// itself (`-minimize_crash=1`, `-fork=N`) fuzz the same target.
    public static func main(program: String, targets: [FuzzTarget], argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
        // Swift's own crash backtracer reads the crashed thread's stack from a helper thread,
        // which AddressSanitizer reports as a stack-buffer-underflow in place of the real trap.
        // It is read at process start, so turn it off and start again (once).
        if getenv("SWIFT_BACKTRACE") == nil {
            setenv("SWIFT_BACKTRACE", "enable=no", 1)
            execv("/proc/self/exe", argv)
        }
        var list = (0..<Int(argc)).map { argv[$0] }
        let first = list.count > 1 ? list[1].map { String(cString: $0) } : nil
        if first == "--list" || first == "-h" || first == "--help" {
            print("usage: \(program) TARGET [libFuzzer flags] [corpus folders or files]   (or FUZZ_TARGET=TARGET)")
            for target in targets { print("  " + target.name + String(repeating: " ", count: max(1, 19 - target.name.count)) + target.summary) }
            return 0
        }
        var name = getenv("FUZZ_TARGET").map { String(cString: $0) }
        if let first, let target = targets.first(where: { $0.name == first }) {
            name = target.name
            list.remove(at: 1)
        }
        guard let name, let target = targets.first(where: { $0.name == name }) else {
            let known = targets.map(\.name).joined(separator: ", ")
            print("\(program): name a target as the first argument or in FUZZ_TARGET (one of: \(known))")
            return 2
        }
        setenv("FUZZ_TARGET", name, 1)
        selected = target
        let vector = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: list.count + 1)
        for (i, pointer) in list.enumerated() { vector[i] = pointer }
        vector[list.count] = nil
        arguments = vector
        var count = Int32(list.count)
        var pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = vector
        return LLVMFuzzerRunDriver(&count, &pointer, testOneInput)
    }

    /// `FUZZ_UNGUARDED=1`: call the library even where a target steps around a known bug (each
    /// guard names its reproducer in `Fuzz/regressions/`). `run-fuzzers.sh --replay` sets it.
    public static let unguarded = getenv("FUZZ_UNGUARDED").map { String(cString: $0) == "1" } ?? false

    /// Stops the process as a crash with a message: for properties a target checks beyond "does
    /// not crash" (a round trip that does not return the input, say).
    public static func violated(_ property: String, input: [UInt8]) -> Never {
        let preview = String(decoding: input.prefix(200), as: UTF8.self).escapedForLog
        fatalError("property violated: \(property); input (\(input.count) bytes) begins \(preview)")
    }
}

extension String {
    /// Control characters escaped, for a crash message.
    fileprivate var escapedForLog: String {
        unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
    }
}

/// AddressSanitizer's defaults for every fuzz executable (`ASAN_OPTIONS` still overrides them).
///
/// Leaks are found per input: libFuzzer runs LeakSanitizer whenever an input leaves more
/// allocations than it freed, and stops with a `leak-` reproducer. The check at exit is off: it
/// reports only state that lives as long as the process, such as the OpenSSL providers the library
/// loads once (`openSSLProviders`) and never unloads, which no input leaks.
@_cdecl("__asan_default_options")
public func asanDefaultOptions() -> UnsafePointer<CChar> {
    UnsafeRawPointer(("leak_check_at_exit=0" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self)
}
