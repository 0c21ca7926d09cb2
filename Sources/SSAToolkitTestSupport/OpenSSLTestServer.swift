import Foundation

/// `openssl s_server -WWW` on 127.0.0.1 requiring a client certificate from the fixture CA: a
/// TLS peer that is not ours, to prove the toolkit presents its transport certificate.
///
/// `@unchecked Sendable`: immutable after `init`; the process is only signalled and awaited.
public final class OpenSSLTestServer: @unchecked Sendable {
    /// The port it listens on.
    public let port: Int
    private let process: SpawnedProcess

    /// Starts `openssl s_server` serving files below `certs-fixtures/<documentRoot>`.
    public init(documentRoot: String = "jose", requireClientCertificate: Bool = true) throws {
        for _ in 0..<5 {
            let port = Int.random(in: 20_000..<60_000)
            // A port someone already answers on would pass the readiness check below for a
            // server that failed to bind: skip it.
            if Self.canConnect(port: port) { continue }
            var arguments = [
                "s_server", "-accept", "127.0.0.1:\(port)", "-WWW", "-quiet",
                "-cert", Fixtures.url("pki/directory-server.pem").path, "-key", Fixtures.url("pki/directory-server.key.pem").path,
                "-cert_chain", Fixtures.url("pki/directory-issuing-ca.pem").path,
            ]
            if requireClientCertificate {
                arguments += ["-CAfile", Fixtures.url("pki/ca-bundle.pem").path, "-Verify", "3", "-verify_return_error"]
            }
            let process = try SpawnedProcess("openssl", arguments, directory: Fixtures.url(documentRoot))
            // Ready when the port accepts connections; gone if the port was taken.
            for _ in 0..<50 {
                if !process.isRunning { break }
                if Self.canConnect(port: port) {
                    // s_server exits at once when the port was taken between the check and its
                    // bind; still running a moment later, it is the one answering.
                    usleep(100_000)
                    guard process.isRunning else { break }
                    self.port = port
                    self.process = process
                    return
                }
                usleep(50_000)
            }
            process.stop()
        }
        throw TestHTTPSServer.StartFailure(description: "openssl s_server did not start")
    }

    deinit {
        process.stop()
    }

    /// `https://localhost:<port><path>`.
    public func url(_ path: String) -> URL { URL(string: "https://localhost:\(port)\(path)")! }

    private static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
