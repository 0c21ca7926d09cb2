import Foundation
import FuzzSupport
import SSAToolkit

/// A PEM certificate file (a trust bundle, `signingCert`, a file given to `ssa-verify certs`).
/// The loaders read files only, so each input is written to a scratch file first.
enum PEMTarget {
    static let file = ScratchFile(name: "certificate.pem")
    static let location = KeyStoreLocation(path: file.path)
    static let diagnostics = offline(CertificateDiagnostics(at: Fixtures.now, environment: [:]))

    static func run(_ bytes: [UInt8]) {
        file.replaceContents(with: bytes)
        // OpenSSL's PEM reader (PEMCertificateReader), then every diagnostic check.
        if let report = waitFor({ try? await diagnostics.report(pem: location) }) { _ = report.healthy }
        // swift-certificates' PEM parser.
        let store = try? TrustStore(pemFile: location)
        _ = store?.pem
        // Fixed (Fuzz/regressions/pem-begin-without-end, KeyStoreLoadingTests.beginWithoutEnd):
        // CertificateFile(pem:) trapped on a BEGIN line without a block; it now throws.
        _ = try? CertificateFile(pem: location)
    }
}

/// A PKCS#12 key store with the fixtures' password. A mutated store fails its MAC almost every
/// time; a store without a MAC (`transport-no-mac.p12` in the corpus) lets mutations reach the
/// bags and their decryption.
enum PKCS12Target {
    static let file = ScratchFile(name: "store.p12")
    static let location = KeyStoreLocation(path: file.path)
    static let password = Secret("changeit")
    static let diagnostics = offline(CertificateDiagnostics(at: Fixtures.now, environment: [:]))

    static func run(_ bytes: [UInt8]) {
        file.replaceContents(with: bytes)
        if let store = try? TrustStore(pkcs12: location, password: password) { _ = store.pem }
        if let identity = try? TransportIdentity(pkcs12: location, password: password) { _ = identity.softwareStatementID }
        if let report = waitFor({ try? await diagnostics.report(pkcs12: location, password: password, role: .transport) }) { _ = report.healthy }
    }
}

/// The diagnostics without the revocation check: a fuzz input never reaches the network.
func offline(_ diagnostics: CertificateDiagnostics) -> CertificateDiagnostics {
    var copy = diagnostics
    copy.revocation = nil
    return copy
}

/// Runs `body` to its end from libFuzzer's (synchronous) callback thread, which is not one of
/// Swift's cooperative threads, so blocking it is safe.
func waitFor<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    let done = DispatchSemaphore(value: 0)
    let result = ResultBox<T>()
    Task {
        result.value = await body()
        done.signal()
    }
    done.wait()
    return result.value!
}

/// Carries a value out of a task to the thread that waited for it.
final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

/// Targets that check the harness: a crash and a leak that libFuzzer must report.
enum SelfTest {
    static func crash(_ bytes: [UInt8]) {
        if bytes.first == UInt8(ascii: "!") { FuzzDriver.violated("selftest-crash was asked to crash", input: bytes) }
    }

    static func leak(_ bytes: [UInt8]) {
        if bytes.first == UInt8(ascii: "!") {
            if let pointer = malloc(64) { memset(pointer, 0x21, 64) }
        }
    }
}
