import Foundation

/// OpenSSL's own OCSP responder (`openssl ocsp -index ... -port ...`) on 127.0.0.1 with a test CA
/// made by OpenSSL in a temporary folder: a responder that is not ours. The CA issued leaves whose
/// Authority Information Access names this responder: `good` (valid in the index), `revoked`
/// (revoked an hour ago for keyCompromise), `unknown` (not in the index), and `unpublished` (no
/// AIA at all). The CA's CRL (`openssl ca -gencrl`) is served over HTTP by Python's
/// `http.server` on ``crlPort``; `good`, `revoked` and `unknown` name it as their distribution
/// point too, `crlonly` names only it (no responder), and `badcrl` names a copy of it whose
/// signature was damaged.
///
/// `@unchecked Sendable`: immutable after `init`; the process is only signalled and awaited.
public final class OpenSSLOCSPResponder: @unchecked Sendable {
    /// Who signs the responses.
    public enum Signer: String, Sendable {
        /// A responder certificate the CA issued for `id-kp-OCSPSigning` (the usual deployment).
        case delegated
        /// The CA itself.
        case issuer
        /// A responder certificate from another CA: its answers must be refused.
        case rogue
    }

    /// The port it listens on.
    public let port: Int
    /// The port the CRL is served on.
    public let crlPort: Int
    private let crlServer: SpawnedProcess
    /// The temporary folder with the CA, the leaves and the index.
    public let folder: URL
    private let process: SpawnedProcess

    /// Makes the CA and the leaves (naming `127.0.0.1:<port>` as their responder) and starts the
    /// responder signing with `signer`; answers carry `nextUpdate` `minutes` after `thisUpdate`.
    public init(signer: Signer = .delegated, minutes: Int = 60) throws {
        for _ in 0..<5 {
            let port = Int.random(in: 20_000..<40_000)
            let crlPort = Int.random(in: 40_000..<60_000)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ocsp-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let maker = try SpawnedProcess("/bin/sh", ["-c", Self.script(port: port, crlPort: crlPort)], directory: folder, captureOutput: true, errorToOutput: true)
            let complaint = maker.output?.readDataToEndOfFile() ?? Data()
            guard maker.terminationStatus == 0 else {
                try? FileManager.default.removeItem(at: folder)
                throw TestHTTPSServer.StartFailure(description: "making the OCSP test CA failed: \(String(decoding: complaint, as: UTF8.self))")
            }
            let (key, certificate) = switch signer {
            case .delegated: ("responder.key", "responder.pem")
            case .issuer: ("ca.key", "ca.pem")
            case .rogue: ("rogue.key", "rogue.pem")
            }
            let process = try SpawnedProcess("openssl", ["ocsp", "-index", "index.txt", "-port", "\(port)", "-rsigner", certificate, "-rkey", key,
                                                          "-CA", "ca.pem", "-nmin", "\(minutes)", "-ignore_err"],
                                             directory: folder, captureOutput: true, errorToOutput: true)
            // Ready once it says it listens. Not by connecting: the responder serves one
            // connection at a time and would wait on a probe that never sends a request.
            let text = process.read(until: "waiting for OCSP client connections")
            if text.contains("waiting for OCSP client connections"), process.isRunning,
               let crlServer = try? Self.serveFolder(folder, port: crlPort) {
                process.drainOutput()
                self.port = port
                self.crlPort = crlPort
                self.crlServer = crlServer
                self.folder = folder
                self.process = process
                return
            }
            process.stop()
            try? FileManager.default.removeItem(at: folder)
        }
        throw TestHTTPSServer.StartFailure(description: "openssl ocsp did not start")
    }

    deinit {
        stop()
        stopCRLServer()
        try? FileManager.default.removeItem(at: folder)
    }

    /// Stops serving the CRL (a distribution point that is down).
    public func stopCRLServer() {
        crlServer.stop()
    }

    /// `python3 -m http.server` on 127.0.0.1:`port` over `folder`, once it says it serves.
    private static func serveFolder(_ folder: URL, port: Int) throws -> SpawnedProcess {
        let server = try SpawnedProcess("python3", ["-u", "-m", "http.server", "\(port)", "--bind", "127.0.0.1", "--directory", folder.path], captureOutput: true)
        let text = server.read(until: "Serving HTTP")
        guard text.contains("Serving HTTP"), server.isRunning else {
            server.stop()
            throw TestHTTPSServer.StartFailure(description: "http.server did not start: \(text)")
        }
        server.drainOutput()
        return server
    }

    /// Stops the responder (a responder that is down).
    public func stop() {
        process.stop()
    }

    /// The bytes of a file the CA made: `ca.pem`, `good.pem`, `revoked.pem`, `unknown.pem`,
    /// `unpublished.pem`.
    public func file(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: folder.appendingPathComponent(name)))
    }

    /// The shell commands that make the CA, the responder certificates, the leaves and the index.
    private static func script(port: Int, crlPort: Int) -> String {
        """
        set -e
        key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
        key ca.key; key responder.key; key rogue-ca.key; key rogue.key
        openssl req -x509 -new -key ca.key -out ca.pem -days 400 -subj "/CN=OCSP Test CA" \
          -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
        openssl req -x509 -new -key rogue-ca.key -out rogue-ca.pem -days 400 -subj "/CN=Rogue CA" \
          -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
        printf 'basicConstraints=CA:FALSE\\nextendedKeyUsage=OCSPSigning\\n' > responder.ext
        openssl req -new -key responder.key -subj "/CN=OCSP Responder" | \
          openssl x509 -req -CA ca.pem -CAkey ca.key -set_serial 100 -days 400 -extfile responder.ext -out responder.pem 2>/dev/null
        openssl req -new -key rogue.key -subj "/CN=OCSP Responder" | \
          openssl x509 -req -CA rogue-ca.pem -CAkey rogue-ca.key -set_serial 100 -days 400 -extfile responder.ext -out rogue.pem 2>/dev/null
        printf 'basicConstraints=CA:FALSE\\nauthorityInfoAccess=OCSP;URI:http://127.0.0.1:\(port)/\\ncrlDistributionPoints=URI:http://127.0.0.1:\(crlPort)/crl.der\\n' > leaf.ext
        printf 'basicConstraints=CA:FALSE\\n' > plain.ext
        printf 'basicConstraints=CA:FALSE\\ncrlDistributionPoints=URI:http://127.0.0.1:\(crlPort)/crl.der\\n' > crlonly.ext
        printf 'basicConstraints=CA:FALSE\\ncrlDistributionPoints=URI:http://127.0.0.1:\(crlPort)/crl-bad.der\\n' > badcrl.ext
        serial=2
        for name in good revoked unknown unpublished crlonly badcrl; do
          key $name.key
          ext=leaf.ext; [ $name = unpublished ] && ext=plain.ext; [ $name = crlonly ] && ext=crlonly.ext; [ $name = badcrl ] && ext=badcrl.ext
          openssl req -new -key $name.key -subj "/CN=$name" | \
            openssl x509 -req -CA ca.pem -CAkey ca.key -set_serial $serial -days 400 -extfile $ext -out $name.pem 2>/dev/null
          serial=$((serial + 1))
        done
        expiry=$(date -u -d "+400 days" +%y%m%d%H%M%SZ)
        revoked=$(date -u -d '-1 hour' +%y%m%d%H%M%SZ)
        printf 'V\\t%s\\t\\t02\\tunknown\\t/CN=good\\n' "$expiry" > index.txt
        printf 'R\\t%s\\t%s,keyCompromise\\t03\\tunknown\\t/CN=revoked\\n' "$expiry" "$revoked" >> index.txt
        printf '[ca]\\ndefault_ca=test\\n[test]\\ndatabase=index.txt\\ncrlnumber=crlnumber\\ncertificate=ca.pem\\nprivate_key=ca.key\\ndefault_md=sha256\\ndefault_crl_days=1\\n' > ca.cnf
        echo 01 > crlnumber
        openssl ca -config ca.cnf -gencrl -out crl.pem 2>/dev/null
        openssl crl -in crl.pem -outform DER -out crl.der
        python3 -c "b=bytearray(open('crl.der','rb').read()); b[-1]^=0xFF; open('crl-bad.der','wb').write(bytes(b))"
        """
    }
}
