import Foundation
import SSAToolkit
import X509

/// What the targets compare fuzzed input against, read once from `certs-fixtures/` in the
/// source tree (found from this file's path). A missing fixture leaves the set empty: the
/// targets still run, with less to reach.
enum Fixtures {
    /// The repository root.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The instant the fixture tokens are valid at (`make install-check` verifies with it).
    static let now = Date(timeIntervalSince1970: 1_767_229_200)

    /// The directory's JWKS (`certs-fixtures/jose/directory.jwks.json`).
    static let directoryJWKS: JWKS = {
        let path = root.appendingPathComponent("certs-fixtures/jose/directory.jwks.json").path
        guard let bytes = try? SafeFile.read(path, limit: 1 << 20), let jwks = try? JWKS(parsing: bytes) else {
            return JWKS(keys: [])
        }
        return jwks
    }()

    /// The transport certificate's subject (`certs-fixtures/pki/as-transport.pem`).
    static let transportSubject: ComparableDistinguishedName? = {
        let path = root.appendingPathComponent("certs-fixtures/pki/as-transport.pem").path
        guard let bytes = try? SafeFile.read(path, limit: 1 << 20),
              let certificate = try? Certificate(pemEncoded: String(decoding: bytes, as: UTF8.self)) else { return nil }
        return ComparableDistinguishedName(certificate.subject)
    }()

    /// A verifier with the library's defaults (PS256, ES256), and one that allows every
    /// algorithm the library implements, so fuzzed tokens reach every signature path.
    static let verifiers = [JWSVerifier(), JWSVerifier(algorithms: AlgorithmPolicy(allowed: Set(JWSAlgorithm.allCases)))]
}

/// A regular file that the file-based loaders read, rewritten for each input: one per target
/// process, in `FUZZ_SCRATCH_DIR` (run-fuzzers.sh makes one and removes it), else `/dev/shm`,
/// else the temporary folder. Removed at a normal exit.
struct ScratchFile: Sendable {
    let path: String

    init(name: String) {
        let folder = ProcessInfo.processInfo.environment["FUZZ_SCRATCH_DIR"]
            ?? (FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())
        path = "\(folder)/ssa-toolkit-fuzz-\(getpid())-\(name)"
        scratchPaths.append(path)
        if scratchPaths.count == 1 {
            atexit { for path in scratchPaths { unlink(path) } }
        }
    }

    /// Replaces the file's contents with `bytes`.
    func replaceContents(with bytes: [UInt8]) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { fatalError("cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                fatalError("cannot write \(path): \(String(cString: strerror(errno)))")
            }
            written += n
        }
    }
}

// Set before the first input, on libFuzzer's one thread.
nonisolated(unsafe) private var scratchPaths: [String] = []
