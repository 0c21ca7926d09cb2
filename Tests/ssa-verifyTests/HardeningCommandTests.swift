import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// The hostile-input findings at the command line and against `serve`: the binary as shipped.
@Suite("ssa-verify under hostile input and careless operation")
struct HardeningCommandTests {
    static let ssa = Fixtures.url("jose/ssa/valid-ps256.jwt").path
    static let expired = Fixtures.url("jose/ssa/expired.jwt").path
    static let jwks = Fixtures.url("jose/directory.jwks.json").path

    /// Runs the binary with a hard time limit (a hang is a failure, not a stuck suite), off
    /// the cooperative pool.
    static func run(_ arguments: [String], seconds: Double = 20, environment: [String: String] = [:]) async throws -> (status: Int32, stdout: String, stderr: String, timedOut: Bool) {
        let result = try await AsyncProcess.ssaVerify(arguments, environment: environment, seconds: seconds)
        return (result.status, result.standardOutput, result.standardError, result.timedOut)
    }

    @Test("--at refuses NaN, infinities and instants outside 1970 to 9999 (exit 2); the expired SSA is never VALID")
    func atValues() async throws {
        for value in ["nan", "inf", "-inf", "1e300", "-1", "253402300800"] {
            let verify = try await Self.run(["verify", Self.expired, "--jwks", Self.jwks, "--at=\(value)"])
            #expect(verify.status == 2, "verify --at=\(value): \(verify.stdout)")
            #expect(!verify.stdout.contains("VALID"))
            #expect(verify.stderr.contains("--at"))
        }
        for option in ["--max-age=nan", "--skew=nan", "--skew=inf"] {
            #expect(try await Self.run(["verify", Self.ssa, "--jwks", Self.jwks, option]).status == 2, "\(option)")
        }
        let decide = try await Self.run(["decide", "--config", Fixtures.url("config/toolkit.json").path, "--ssa", Self.ssa, "--at=nan"],
                                  environment: ["SSA_TEST_TRANSPORT_PASSWORD": "changeit"])
        #expect(decide.status == 2 && decide.stderr.contains("--at"))
        // The passing side: a sensible instant still decides.
        let fine = try await Self.run(["verify", Self.ssa, "--jwks", Self.jwks, "--at=1767229200"])
        #expect(fine.status == 0, "\(fine.stdout)\(fine.stderr)")
    }

    @Test("escape sequences in an unverified kid or alg never reach the terminal, and 64 KiB values are cut")
    func terminalInjection() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("inject-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let payload = Base64URL.encode(#"{"iss":"OpenBanking Ltd"}"#)
        let paint = "\u{1B}[1A\u{1B}[2K\r\u{1B}[1;32mVALID  software statement trusted\u{1B}[0m"
        let headers: [String: JSONValue] = [
            "kid": ["alg": "PS256", "kid": .string(paint)],
            "alg": ["alg": .string("XX" + paint), "kid": "ob-rsa-1"],
            "long": ["alg": "PS256", "kid": .string(String(repeating: "k", count: 65_000))],
        ]
        for (name, header) in headers {
            let token = folder.appendingPathComponent("\(name).jwt")
            try Data((Base64URL.encode(header.serialized()) + "." + payload + ".c2lnbmF0dXJl").utf8).write(to: token)
            let result = try await Self.run(["verify", token.path, "--jwks", Self.jwks])
            #expect(result.status == 1, "\(name)")
            #expect(result.stdout.hasPrefix("REJECTED"), "\(name)")
            #expect(!result.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x0D }, "\(name): raw control characters printed")
            #expect(result.stdout.count < 8_000, "\(name): \(result.stdout.count) characters")
            if name == "kid" { #expect(result.stdout.contains("\\u{1B}[2K")) }
        }
    }

    @Test("--set with an unknown property is exit 2 naming it and the closest known one; a literal password on --set is warned about")
    func setProperties() async throws {
        let config = Fixtures.url("config/toolkit.json").path
        let unknown = try await Self.run(["decide", "--config", config, "--ssa", Self.ssa, "--set", "sharedCacheUrl=postgres://x"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("sharedCacheUrl") && unknown.stderr.contains("not a property"))
        let misspelt = try await Self.run(["decide", "--config", config, "--ssa", Self.ssa, "--set", "requireSignedReqest=true"])
        #expect(misspelt.status == 2 && misspelt.stderr.contains("did you mean requireSignedRequest?"))
        let literal = try await Self.run(["decide", "--config", config, "--ssa", Self.ssa, "--set", "transportKeyStorePassword=changeit", "--set", "tokenUrl=https://127.0.0.1:1/token"])
        #expect(literal.stderr.contains("transportKeyStorePassword") && literal.stderr.contains("env:"))
        #expect(!literal.stderr.contains("changeit"))
    }

    @Test("a FIFO as configuration file, key store or password file is refused at once with exit 2 naming it")
    func fifos() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fifo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let config = Fixtures.url("config/toolkit.json").path
        let runs: [[String]] = [
            ["decide", "--config", fifo, "--ssa", Self.ssa],
            ["decide", "--config", config, "--ssa", Self.ssa, "--set", "transportKeyStore=\(fifo)"],
            ["decide", "--config", config, "--ssa", Self.ssa, "--set", "transportKeyStorePassword=file:\(fifo)"],
            ["certs", "--p12", fifo],
            ["verify", fifo, "--jwks", Self.jwks],
            ["verify", Self.ssa, "--jwks", fifo],
        ]
        for arguments in runs {
            let result = try await Self.run(arguments, seconds: 10, environment: ["SSA_TEST_TRANSPORT_PASSWORD": "changeit", "P12_PASSWORD": "x"])
            #expect(!result.timedOut, "\(arguments) hung")
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(fifo) && result.stderr.contains("FIFO"), "\(arguments): \(result.stderr)")
        }
    }

    @Test("certs warns about a key store readable by others, and not about one that is not")
    func permissionWarnings() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("perm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = folder.appendingPathComponent("transport.p12")
        try FileManager.default.copyItem(at: Fixtures.url("stores/transport.p12"), to: store)
        let arguments = ["certs", "--p12", store.path, "--password-env", "P12_PASSWORD"]
        #expect(chmod(store.path, 0o600) == 0)
        let quiet = try await Self.run(arguments, environment: ["P12_PASSWORD": "changeit"])
        #expect(!quiet.stderr.contains("readable by"), "\(quiet.stderr)")
        #expect(chmod(store.path, 0o644) == 0)
        let warned = try await Self.run(arguments, environment: ["P12_PASSWORD": "changeit"])
        #expect(warned.stderr.contains("readable by any user") && warned.stderr.contains("chmod 600"))
        #expect(warned.status == quiet.status)
    }

    /// The reference script's Janssen configuration, exactly its properties, for a sandbox.
    static func referenceConfiguration(_ sandbox: SandboxProcess) throws -> String {
        let written = try StrictJSONParser(maximumDepth: 8).parseObject(Array(try Data(contentsOf: URL(fileURLWithPath: sandbox.configPath))))
        let names = ["clientScopes", "keyId", "signingCert", "signingKey", "trustKeyStore", "trustKeyStorePassword", "transportKeyStore",
                     "transportKeyStorePassword", "tokenUrl", "tppUrl", "jwks_endpoint", "aud"]
        let properties: [JSONValue] = names.map { ["value1": .string($0), "value2": written[$0] ?? ""] }
        let document: JSONValue = ["name": "client_registration", "scriptType": "client_registration", "programmingLanguage": "python",
                                   "configurationProperties": .array(properties)]
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("janssen-\(UUID().uuidString).json").path
        try Data(document.serialized().utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("a Janssen script configuration with exactly the reference script's properties starts decide and serve")
    func referenceScriptConfiguration() async throws {
        let sandbox = try SandboxProcess()
        let config = try Self.referenceConfiguration(sandbox)
        defer { try? FileManager.default.removeItem(atPath: config) }
        // The reference properties leave revocation and the key binding at the toolkit's
        // defaults. The sandbox's own certificate is good (OCSP), but this fixture SSA's
        // software_jwks_endpoint is on a host that does not resolve, so where the certificate is
        // published cannot be learnt: undecided, never an accept. The fixture PKI's older
        // certificate names no OCSP responder or CRL: rejected.
        let decided = try await Self.run(["decide", "--config", config, "--request", RegistrationCommandTests.plainRequest, "--client-cert", sandbox.certificatePath])
        #expect(decided.status == 3 && decided.stdout.hasPrefix("UNDECIDED"), "\(decided.stdout)\(decided.stderr)")
        #expect(decided.stdout.contains("pass  certificate_revocation") && decided.stdout.contains("FAIL  transport_key") && decided.stdout.contains("keystore.directory.example"))
        let unpublished = try await Self.run(["decide", "--config", config, "--request", RegistrationCommandTests.plainRequest, "--client-cert", RegistrationCommandTests.tppCertificate])
        #expect(unpublished.status == 1 && unpublished.stdout.contains("FAIL  certificate_revocation"), "\(unpublished.stdout)\(unpublished.stderr)")
        let service = try ServeProcess(config: config)
        #expect(try await curl([service.baseURL + "/healthz"]).status == 200)
    }

    @Test("serve: a request JWT with exp 1e300 is answered (reject) and /healthz answers after it; JSON only; Host checked")
    func serveAbuse() async throws {
        let sandbox = try SandboxProcess()
        let service = try ServeProcess(config: sandbox.configPath)
        let ssa = try Fixtures.string("jose/ssa/valid-ps256.jwt").trimmingCharacters(in: .whitespacesAndNewlines)
        let signer = try JWSSigner(key: try SigningKey(pem: KeyStoreLocation(path: Fixtures.url("registration/tpp-software.key.pem").path)).key, algorithm: .PS256, keyID: "tpp-sig-1")
        for value in [1e300, -1e300, 9.3e18] {
            let request = try signer.sign(payload: ["iss": "4ZUKbHjbA2ZqxCxTsQPkTY", "aud": "x", "iat": .number(value), "exp": .number(value), "jti": "j", "software_statement": .string(ssa)])
            let call = JSONValue.object(["registration_request": .string(request), "client_certificate": .string(try Fixtures.string("registration/tpp-transport.pem"))]).serialized()
            let answer = try await curl(["-H", "Content-Type: application/json", "--data-binary", call, service.baseURL + "/v1/decisions"])
            #expect(answer.status == 200 && !answer.body.contains("\"accept\""), "\(answer)")
            #expect(try await curl([service.baseURL + "/healthz"]).status == 200)
        }
        let call = JSONValue.object(["registration_request": .object(try StrictJSONParser(maximumDepth: 16).parseObject(Array(try Fixtures.data("registration/request-plain.json")))),
                                     "client_certificate": .string(try Fixtures.string("registration/tpp-transport.pem"))]).serialized()
        let textPlain = try await curl(["-H", "Content-Type: text/plain", "--data-binary", call, service.baseURL + "/v1/decisions"])
        #expect(textPlain.status == 415)
        let formEncoded = try await curl(["--data-binary", call, service.baseURL + "/v1/decisions"])
        #expect(formEncoded.status == 415)
        let rebound = try await curl(["-H", "Host: attacker.example:8085", "-H", "Content-Type: application/json", "--data-binary", call, service.baseURL + "/v1/decisions"])
        #expect(rebound.status == 421)
        let port = service.baseURL.split(separator: ":").last.map(String.init) ?? ""
        let viaLocalhost = try await curl(["-H", "Host: localhost:\(port)", "-H", "Content-Type: application/json; charset=utf-8", "--data-binary", call, service.baseURL + "/v1/decisions"])
        #expect(viaLocalhost.status == 200 && viaLocalhost.body.contains("\"accept\""), "\(viaLocalhost)")
    }

    /// Opens `count` connections that send part of a request head and then wait; reports for
    /// each whether the server closed it, and after how long (python3, a client that is not ours).
    static func slowClients(port: String, count: Int, wait: Double) async throws -> [String] {
        let script = """
            import select, socket, time
            socks = []
            for i in range(\(count)):
                s = socket.create_connection(("127.0.0.1", \(port)), timeout=2)
                try:
                    s.sendall(b"POST /v1/decisions HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nX-Slow: ")
                except OSError:
                    pass
                socks.append(s)
            started = time.time()
            closed = {}
            while len(closed) < len(socks) and time.time() - started < \(wait):
                readable, _, _ = select.select([s for s in socks if s not in closed], [], [], 0.05)
                for s in readable:
                    try:
                        data = s.recv(1)
                    except OSError:
                        data = b""
                    if data == b"":
                        closed[s] = time.time() - started
            for s in socks:
                print("closed %.2f" % closed[s] if s in closed else "open")
            """
        let result = try await AsyncProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script], seconds: wait + 30)
        return result.standardOutput.split(separator: "\n").map(String.init)
    }

    @Test("serve: a connection that never finishes its head is closed; connections beyond the cap are refused; the service recovers")
    func slowloris() async throws {
        let sandbox = try SandboxProcess()
        let service = try ServeProcess(config: sandbox.configPath, arguments: ["--header-timeout", "1", "--max-connections", "3"])
        let port = service.baseURL.split(separator: ":").last.map(String.init) ?? ""
        let one = try await Self.slowClients(port: port, count: 1, wait: 6)
        #expect(one.count == 1 && one[0].hasPrefix("closed"), "\(one)")
        // Five slow clients against a cap of three: two are closed at once, three by the deadline.
        let five = try await Self.slowClients(port: port, count: 5, wait: 6)
        #expect(five.count == 5 && five.allSatisfy { $0.hasPrefix("closed") }, "\(five)")
        let immediate = five.compactMap { Double($0.split(separator: " ").last ?? "") }.filter { $0 < 0.5 }
        #expect(immediate.count >= 2, "\(five)")
        #expect(try await curl([service.baseURL + "/healthz"]).status == 200)
    }

    @Test("serve --event-loops: out of range is a usage error naming the option; another count than the default still decides")
    func eventLoops() async throws {
        let sandbox = try SandboxProcess()
        for wrong in ["0", "257"] {
            let refused = try await Self.run(["serve", "--config", sandbox.configPath, "--port", "0", "--event-loops", wrong], seconds: 10)
            #expect(refused.status == 2 && refused.stderr.contains("--event-loops must be between 1 and 256"), "\(refused)")
        }
        // Three loops: more than the default on any machine of up to four cores.
        let service = try ServeProcess(config: sandbox.configPath, arguments: ["--event-loops", "3"])
        #expect(try await curl([service.baseURL + "/healthz"]).status == 200)
        let call = JSONValue.object(["registration_request": .object(try StrictJSONParser(maximumDepth: 16).parseObject(Array(try Fixtures.data("registration/request-plain.json")))),
                                     "client_certificate": .string(try Fixtures.string("registration/tpp-transport.pem"))]).serialized()
        let decided = try await curl(["-H", "Content-Type: application/json", "--data-binary", call, service.baseURL + "/v1/decisions"])
        #expect(decided.status == 200 && decided.body.contains("\"accept\""), "\(decided)")
    }

    @Test("serve: a bearer token from env: is required when configured; never given literally; a Unix socket with mode 0660")
    func callerAuthentication() async throws {
        let sandbox = try SandboxProcess()
        let literal = try await Self.run(["serve", "--config", sandbox.configPath, "--port", "0", "--auth-token", "s3cret-s3cret-s3cret"], seconds: 10)
        #expect(literal.status == 2 && literal.stderr.contains("env:NAME or file:PATH"))
        let token = "decision-caller-" + UUID().uuidString
        let service = try ServeProcess(config: sandbox.configPath, arguments: ["--auth-token", "env:SSA_DECISION_TOKEN"], environment: ["SSA_DECISION_TOKEN": token])
        let call = JSONValue.object(["registration_request": .object(try StrictJSONParser(maximumDepth: 16).parseObject(Array(try Fixtures.data("registration/request-plain.json")))),
                                     "client_certificate": .string(try Fixtures.string("registration/tpp-transport.pem"))]).serialized()
        let json = ["-H", "Content-Type: application/json", "--data-binary", call, service.baseURL + "/v1/decisions"]
        #expect(try await curl(json).status == 401)
        #expect(try await curl(["-H", "Authorization: Bearer wrong-\(token)"] + json).status == 401)
        let accepted = try await curl(["-H", "Authorization: Bearer \(token)"] + json)
        #expect(accepted.status == 200 && accepted.body.contains("\"accept\""), "\(accepted)")

        let socket = FileManager.default.temporaryDirectory.appendingPathComponent("ssa-\(UUID().uuidString.prefix(8)).sock").path
        let unix = try ServeProcess(config: sandbox.configPath, arguments: ["--unix-socket", socket])
        #expect(unix.baseURL == "unix:\(socket)")
        let attributes = try FileManager.default.attributesOfItem(atPath: socket)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o660)
        #expect(try await curl(["--unix-socket", socket, "http://localhost/healthz"]).status == 200)
        let viaSocket = try await curl(["--unix-socket", socket, "-H", "Content-Type: application/json", "--data-binary", call, "http://localhost/v1/decisions"])
        #expect(viaSocket.status == 200 && viaSocket.body.contains("\"accept\""), "\(viaSocket)")
    }
}
