import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What a bank's security review tried against `serve` at token time, through curl: each
/// hostile call refused beside its passing twin, and the service's own low findings (a FIFO
/// audit log, credentials in URLs, a chatty `/healthz`, routes without the Host check or the
/// bearer token, two `Host` headers, a readable token file).
@Suite("serve: token time trusts what registration trusts, and the low findings")
struct TokenTrustCommandTests {
    static let certificate = try! Fixtures.string("registration/tpp-transport.pem")

    /// The registered tls_client_auth client's call, with `changes` laid over it (`nil` removes).
    static func call(_ changes: [String: JSONValue?] = [:]) -> String {
        var object: [String: JSONValue] = [
            "client_id": "4ZUKbHjbA2ZqxCxTsQPkTY", "software_id": "4ZUKbHjbA2ZqxCxTsQPkTY", "org_id": "0015800001041REAAY",
            "grant_type": "authorization_code", "scope": "openid accounts payments", "user_id": "user-1",
            "token_endpoint_auth_method": "tls_client_auth",
            "tls_client_auth_subject_dn": "organizationIdentifier=PSDGB-FCA-123456,CN=4ZUKbHjbA2ZqxCxTsQPkTY,OU=0015800001041REAAY,O=Acme Budgeting Ltd,C=GB",
            "claims": ["id_token": ["openbanking_intent_id": ["value": "urn-alphabank-intent-58923", "essential": true]]],
            "client_certificate": .string(certificate),
        ]
        for (name, value) in changes { object[name] = value }
        return JSONValue.object(object).serialized()
    }

    /// Status, verdict, error and failed check of one token decision call.
    static func decide(_ service: ServeProcess, _ body: String) async throws -> (status: Int, verdict: String, error: String, check: String, body: String) {
        let answer = try await curl(["-H", "Content-Type: application/json", "--data-binary", body, service.baseURL + "/v1/token-decisions"])
        let object = (try? StrictJSONParser(maximumDepth: 32).parseObject(Array(answer.body.utf8))) ?? [:]
        let failed = object["checks"]?.arrayValue?.first { $0.objectValue?["outcome"] == "fail" }?.objectValue?["check"]?.stringValue ?? "-"
        return (answer.status, object["verdict"]?.stringValue ?? "-", object["error"]?.stringValue ?? "-", failed, answer.body)
    }

    @Test("1-4, 6 through serve: hostile certificates, an auth method variant, a missing certificate, unlisted grant types and malformed scopes are refused; each passing twin is allowed")
    func hostileCalls() async throws {
        let made = try await HostileCertificates.make()
        let sandbox = try SandboxProcess()
        let service = try ServeProcess(config: sandbox.configPath)

        let twin = try await Self.decide(service, Self.call())
        #expect(twin.status == 200 && twin.verdict == "allow" && twin.body.contains("x5t#S256"), "\(twin.body)")
        // 1. Certificates: each denied at the certificate check, with no cnf.
        for (name, pem) in [("self-signed", made.selfSigned), ("expired", made.expired), ("O=Evil", made.otherOrganisation), ("organizationIdentifier", made.otherOrganisationIdentifier)] {
            for method in ["tls_client_auth", "private_key_jwt"] {
                let answer = try await Self.decide(service, Self.call(["client_certificate": .string(pem), "token_endpoint_auth_method": .string(method)]))
                #expect(answer.status == 200 && answer.verdict == "deny" && answer.error == "access_denied" && answer.check == "certificate", "\(name) \(method): \(answer.body)")
                #expect(!answer.body.contains("x5t#S256"))
            }
        }
        #expect(try await Self.decide(service, Self.call(["client_certificate": .string(made.renewed)])).verdict == "allow")
        // 2. A case variant of the method is a malformed call.
        let variant = try await Self.decide(service, Self.call(["token_endpoint_auth_method": "TLS_Client_Auth", "client_certificate": .string(made.otherOrganisation)]))
        #expect(variant.status == 400 && variant.body.contains("invalid_request") && variant.body.contains("token_endpoint_auth_method"), "\(variant.body)")
        // 3. No certificate: invalid_client, for either method.
        for method in ["tls_client_auth", "private_key_jwt"] {
            let bare = try await Self.decide(service, Self.call(["client_certificate": nil, "token_endpoint_auth_method": .string(method)]))
            #expect(bare.status == 200 && bare.verdict == "deny" && bare.error == "invalid_client" && bare.check == "certificate", "\(method): \(bare.body)")
        }
        // 4. Grant types off the allow-list.
        for grant in ["implicit", "password", "urn:ietf:params:oauth:grant-type:device_code", "urn:ietf:params:oauth:grant-type:token-exchange",
                      "urn:ietf:params:oauth:grant-type:jwt-bearer", "Authorization_Code", "urn:x", ""] {
            let answer = try await Self.decide(service, Self.call(["grant_type": .string(grant)]))
            #expect(answer.status == 200 && answer.verdict == "deny" && answer.error == "unsupported_grant_type" && answer.check == "grant_type", "\(grant): \(answer.body)")
            #expect(!answer.body.contains("\"lifetimes\":{"))
        }
        #expect(try await Self.decide(service, Self.call(["grant_type": "refresh_token"])).verdict == "allow")
        // 6. Scopes: malformed is 400 naming the position; empty is invalid_scope.
        for scope: JSONValue in ["openid\tpayments", ["openid", "accounts\u{0}"], "\u{FF41}ccounts", "openid  accounts"] {
            let answer = try await Self.decide(service, Self.call(["scope": scope]))
            #expect(answer.status == 400 && answer.body.contains("invalid_request") && (answer.body.contains("byte") || answer.body.contains("entry")), "\(scope): \(answer.body)")
        }
        for scope: JSONValue in [" ", "", []] {
            let empty = try await Self.decide(service, Self.call(["scope": scope]))
            #expect(empty.status == 200 && empty.verdict == "deny" && empty.error == "invalid_scope", "\(scope): \(empty.body)")
        }
        #expect(try await Self.decide(service, Self.call(["scope": " openid accounts "])).verdict == "allow")
    }

    @Test("an auditLog that is a FIFO is refused at once by serve and token-decide (never a hang); a log ending in anything but a chained record is refused; a writable or linked log is warned about")
    func auditLogFiles() async throws {
        let sandbox = try SandboxProcess()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("audit-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("audit.fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let tokenFile = try TokenCommandTests.temporaryFile("token.json", TokenCommandTests.request.serialized())
        let decide = ["token-decide", "--config", sandbox.configPath, "--request", tokenFile]
        for command in [decide, ["serve", "--config", sandbox.configPath, "--port", "0"]] {
            // Opening a FIFO for writing blocks until a reader comes, which never happens here: a
            // process that opened it would hang until killed. It must exit on its own instead
            // (the limit is generous: a loaded CI machine once took 23 s to start serve).
            let refused = try await HardeningCommandTests.run(command + ["--set", "auditLog=" + fifo], seconds: 90)
            #expect(!refused.timedOut && refused.status != 0 && refused.stderr.contains("FIFO"), "\(command[0]): \(refused.stderr)")
        }
        // The passing twin: a regular file takes records.
        let log = folder.appendingPathComponent("audit.log").path
        let written = try await HardeningCommandTests.run(decide + ["--set", "auditLog=" + log])
        let verified = try await CommandRunner.run(["audit", "verify", log])
        #expect(written.status == 0 && verified.standardOutput.hasPrefix("INTACT  2 records (1 decision) in"), "\(written.stdout)\(written.stderr)\(verified.standardOutput)")
        // A last line that is not a chained record: refused, nothing appended.
        let forged = folder.appendingPathComponent("forged.log").path
        try Data((try String(contentsOfFile: log, encoding: .utf8) + "{\"kind\":\"token\",\"decision\":\"allow\"}\n").utf8).write(to: URL(fileURLWithPath: forged))
        let size = try FileManager.default.attributesOfItem(atPath: forged)[.size] as? Int
        let appended = try await HardeningCommandTests.run(decide + ["--set", "auditLog=" + forged])
        #expect(appended.status != 0 && appended.stderr.contains("does not end with a chained record"), "\(appended.stderr)")
        #expect(try FileManager.default.attributesOfItem(atPath: forged)[.size] as? Int == size)
        // Group-writable, and reached through a symbolic link: warned about, still written.
        #expect(chmod(log, 0o660) == 0)
        let link = folder.appendingPathComponent("link.log").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: log)
        let warned = try await HardeningCommandTests.run(decide + ["--set", "auditLog=" + link])
        #expect(warned.status == 0 && warned.stderr.contains("writable by its group") && warned.stderr.contains("is a symbolic link"), "\(warned.stderr)")
    }

    @Test("credentials in tokenUrl, tppUrl or jwks_endpoint are refused at load and never echoed; an ordinary URL still loads")
    func credentialsInURLs() async throws {
        let sandbox = try SandboxProcess()
        let config = try StrictJSONParser(maximumDepth: 8).parseObject(Array(try Data(contentsOf: URL(fileURLWithPath: sandbox.configPath))))
        for property in ["tokenUrl", "tppUrl", "jwks_endpoint"] {
            let original = try #require(config[property]?.stringValue)
            let secret = "hunter2-\(property)"
            for value in [original.replacingOccurrences(of: "https://", with: "https://bank:\(secret)@"), original.replacingOccurrences(of: "https://", with: "https://\(secret)@")] {
                let refused = try await HardeningCommandTests.run(["token-decide", "--config", sandbox.configPath, "--set", "\(property)=\(value)",
                                                                   "--software-id", "4ZUKbHjbA2ZqxCxTsQPkTY", "--org-id", "0015800001041REAAY", "--scope", "openid"])
                #expect(refused.status == 2 && refused.stderr.contains(property) && refused.stderr.contains("credentials"), "\(refused.stderr)")
                #expect(!refused.stderr.contains(secret) && !refused.stdout.contains(secret))
            }
            let fine = try ToolkitConfiguration(properties: [property: original], baseDirectory: nil)
            #expect(fine.directory.tokenURL != nil || fine.directory.tppURL != nil || fine.directory.jwksEndpoint != nil)
        }
    }

    /// Sends `request` as it is (curl folds repeated headers into one) and returns the answer.
    static func raw(port: String, _ request: String) async throws -> String {
        let script = """
            import socket, sys
            s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
            s.sendall(sys.stdin.buffer.read())
            out = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
            sys.stdout.write(out.decode("utf-8", "replace"))
            """
        return try await AsyncProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, port], input: Data(request.utf8), seconds: 30).standardOutput
    }

    @Test("/healthz, /metrics and /openapi.json check Host; /metrics needs the bearer token, /healthz does not; two Host headers are 400; a readable --auth-token file is warned about")
    func routes() async throws {
        let sandbox = try SandboxProcess()
        let token = "routes-token-" + UUID().uuidString
        let tokenFile = try TokenCommandTests.temporaryFile("auth-token", token)
        defer { try? FileManager.default.removeItem(atPath: tokenFile) }
        #expect(chmod(tokenFile, 0o644) == 0)
        let service = try ServeProcess(config: sandbox.configPath, arguments: ["--auth-token", "file:" + tokenFile])
        let port = service.baseURL.split(separator: ":").last.map(String.init) ?? ""
        let bearer = ["-H", "Authorization: Bearer \(token)"]
        for path in ["/healthz", "/metrics", "/openapi.json"] {
            let rebound = try await curl(bearer + ["-H", "Host: attacker.example:\(port)", service.baseURL + path])
            #expect(rebound.status == 421, "\(path): \(rebound)")
            let twice = try await Self.raw(port: port, "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nHost: attacker.example\r\nAuthorization: Bearer \(token)\r\nConnection: close\r\n\r\n")
            #expect(twice.hasPrefix("HTTP/1.1 400") && twice.contains("more than one Host header"), "\(path): \(twice)")
            #expect(try await curl(bearer + ["-H", "Host: localhost:\(port)", service.baseURL + path]).status == 200, "\(path)")
        }
        let body = Self.call()
        let twiceOnDecisions = try await Self.raw(port: port, "POST /v1/token-decisions HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nHost: 127.0.0.1:\(port)\r\nAuthorization: Bearer \(token)\r\n"
                                                   + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body)
        #expect(twiceOnDecisions.hasPrefix("HTTP/1.1 400"), "\(twiceOnDecisions)")
        // The twin: one Host header, the same call, decided.
        let once = try await Self.raw(port: port, "POST /v1/token-decisions HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAuthorization: Bearer \(token)\r\n"
                                      + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body)
        #expect(once.hasPrefix("HTTP/1.1 200") && once.contains("\"verdict\":\"allow\""), "\(once)")
        let metrics = try await curl([service.baseURL + "/metrics"])
        #expect(metrics.status == 401 && !metrics.body.contains("ssa_toolkit_"), "\(metrics)")
        let authorised = try await curl(bearer + [service.baseURL + "/metrics"])
        #expect(authorised.status == 200 && authorised.body.contains("ssa_toolkit_"))
        #expect(try await curl([service.baseURL + "/healthz"]).status == 200)

        // The token file others may read: said at start (serve runs on; its log is read here).
        let started = try await HardeningCommandTests.run(["serve", "--config", sandbox.configPath, "--port", "0", "--auth-token", "file:" + tokenFile], seconds: 4)
        #expect(started.stderr.contains("--auth-token file") && started.stderr.contains("readable by any user"), "\(started.stderr)")
        #expect(!started.stderr.contains(token))
        #expect(chmod(tokenFile, 0o600) == 0)
        let quiet = try await HardeningCommandTests.run(["serve", "--config", sandbox.configPath, "--port", "0", "--auth-token", "file:" + tokenFile], seconds: 4)
        #expect(!quiet.stderr.contains("--auth-token file"), "\(quiet.stderr)")
    }
}
