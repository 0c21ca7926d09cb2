import Foundation

/// A real HTTPS server on 127.0.0.1 that is not ours: `Tests/Servers/https_test_server.py`
/// (Python's ssl over OpenSSL), started as a child process and stopped when released.
/// `@unchecked Sendable`: immutable after `init`; the process is only signalled and awaited.
public final class TestHTTPSServer: @unchecked Sendable {
    /// The port it listens on.
    public let port: Int
    private let process: SpawnedProcess

    /// Why the server could not start.
    public struct StartFailure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// Starts the server with a certificate chain and key (paths below `certs-fixtures/`, or
    /// absolute), serving `jwksPath` at `/jwks`. With `clientCA` (a PEM file below
    /// `certs-fixtures/`), the handshake requires a client certificate issued by it.
    public init(certificateChain: String = "pki/directory-server-chain.pem", key: String = "pki/directory-server.key.pem", jwksPath: String, clientCA: String? = nil) throws {
        func resolve(_ path: String) -> String { path.hasPrefix("/") ? path : Fixtures.url(path).path }
        let process = try SpawnedProcess("python3", [
            Fixtures.packageRoot.appendingPathComponent("Tests/Servers/https_test_server.py").path,
            "--cert", resolve(certificateChain), "--key", resolve(key), "--jwks", jwksPath,
        ] + (clientCA.map { ["--client-ca", resolve($0)] } ?? []), captureOutput: true)
        // The first line is "PORT <n>".
        let text = process.read(until: "\n").split(separator: "\n").first.map(String.init) ?? ""
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
            process.stop()
            throw StartFailure(description: "test HTTPS server did not start (said \"\(text)\")")
        }
        process.drainOutput()
        self.port = port
        self.process = process
    }

    deinit {
        process.stop()
    }

    /// `https://localhost:<port><path>` (the name the fixture server certificate carries).
    public func url(_ path: String, host: String = "localhost") -> URL {
        URL(string: "https://\(host):\(port)\(path)")!
    }
}
