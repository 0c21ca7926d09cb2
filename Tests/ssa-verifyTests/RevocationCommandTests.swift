import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// Revocation and the directory's key sets through `serve`, with curl: the sandbox process issues
/// and revokes certificates through its admin routes, `serve` asks the sandbox's OCSP responder.
/// Each refused case beside its passing twin, at registration and at token time. Serialized:
/// each test starts several servers, and together they would load the machine for the others.
@Suite("serve: revoked and unpublished certificates at registration and at token time", .serialized)
struct RevocationCommandTests {
    /// The sandbox's configuration with the toolkit's defaults for both checks, and `overrides`.
    static func config(_ sandbox: SandboxProcess, _ overrides: [String: String] = [:]) throws -> String {
        var object = try StrictJSONParser(maximumDepth: 16).parseObject(Array(try Data(contentsOf: URL(fileURLWithPath: sandbox.configPath))))
        object["revocationWhenUnpublished"] = "reject"
        object["transportKeyBinding"] = "directory"
        for (name, value) in overrides { object[name] = .string(value) }
        let path = sandbox.configPath.replacingOccurrences(of: ".json", with: "-\(UUID().uuidString.prefix(8)).json")
        try Data(JSONValue.object(object).serialized().utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The sandbox's base URL (its token endpoint's origin).
    static func base(_ sandbox: SandboxProcess) throws -> String {
        let object = try StrictJSONParser(maximumDepth: 16).parseObject(Array(try Data(contentsOf: URL(fileURLWithPath: sandbox.configPath))))
        return String(try #require(object["tokenUrl"]?.stringValue).dropLast("/token".count))
    }

    /// A sandbox admin call over its mutual TLS (the fixture AS's transport certificate).
    static func admin(_ sandbox: SandboxProcess, _ path: String, _ body: JSONValue = [:]) async throws -> [String: JSONValue] {
        let pki = Fixtures.url("pki").path
        let answer = try await curl(["--cacert", pki + "/ca-bundle.pem", "--cert", pki + "/as-transport.pem", "--key", pki + "/as-transport.key.pem",
                                     "-H", "Content-Type: application/json", "--data-binary", body.serialized(), try base(sandbox) + path])
        #expect(answer.status == 200, "\(path): \(answer.body)")
        return try StrictJSONParser(maximumDepth: 16).parseObject(Array(answer.body.utf8))
    }

    static func counts(_ sandbox: SandboxProcess) async throws -> [String: JSONValue] {
        let pki = Fixtures.url("pki").path
        let answer = try await curl(["--cacert", pki + "/ca-bundle.pem", "--cert", pki + "/as-transport.pem", "--key", pki + "/as-transport.key.pem", try base(sandbox) + "/admin/counts"])
        return try StrictJSONParser(maximumDepth: 16).parseObject(Array(answer.body.utf8))
    }

    /// A registration call (`POST /v1/decisions`): a fresh sandbox SSA, plain metadata, `certificate`.
    static func register(_ service: ServeProcess, _ sandbox: SandboxProcess, _ certificate: String) async throws -> (status: Int, body: String) {
        let ssa = try #require(try await admin(sandbox, "/admin/software-statements")["software_statement"]?.stringValue)
        let request: JSONValue = ["software_statement": .string(ssa), "token_endpoint_auth_method": "private_key_jwt", "redirect_uris": ["https://acme-budget.example.com/callback"],
                                  "grant_types": ["authorization_code"], "response_types": ["code"]]
        let call: JSONValue = ["registration_request": request, "client_certificate": .string(certificate)]
        return try await curl(["-H", "Content-Type: application/json", "--data-binary", call.serialized(), service.baseURL + "/v1/decisions"])
    }

    /// A token call with `certificate`, naming the software key set.
    static func token(_ sandbox: SandboxProcess, _ certificate: String) throws -> String {
        TokenTrustCommandTests.call(["client_certificate": .string(certificate), "token_endpoint_auth_method": "private_key_jwt", "tls_client_auth_subject_dn": nil,
                                     "software_jwks_endpoint": .string(try base(sandbox) + "/software/4ZUKbHjbA2ZqxCxTsQPkTY/jwks")])
    }

    static func issue(_ sandbox: SandboxProcess, _ options: JSONValue = [:]) async throws -> (serial: String, pem: String) {
        let issued = try await admin(sandbox, "/admin/certificates", options)
        return (try #require(issued["serial"]?.stringValue), try #require(issued["certificate"]?.stringValue))
    }

    @Test("good, revoked, unpublished and unpublished-in-the-key-set certificates: accepted and allowed, or refused at both moments; a responder that is down is undecided (closed) or passes (open)")
    func cases() async throws {
        let sandbox = try SandboxProcess()
        let config = try Self.config(sandbox)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let service = try ServeProcess(config: config)

        let good = try await Self.issue(sandbox)
        let accepted = try await Self.register(service, sandbox, good.pem)
        #expect(accepted.status == 200 && accepted.body.contains("\"verdict\":\"accept\"") && accepted.body.contains("good (OCSP http://127.0.0.1:"), "\(accepted.body)")
        let allowed = try await TokenTrustCommandTests.decide(service, try Self.token(sandbox, good.pem))
        #expect(allowed.verdict == "allow" && allowed.body.contains("from cache"), "\(allowed.body)")

        let revoked = try await Self.issue(sandbox)
        #expect(try await Self.admin(sandbox, "/admin/certificates/revoke", ["serial": .string(revoked.serial)])["revoked"] == .bool(true))
        let rejected = try await Self.register(service, sandbox, revoked.pem)
        #expect(rejected.body.contains("\"verdict\":\"reject\"") && rejected.body.contains("invalid_client_metadata") && rejected.body.contains("keyCompromise"), "\(rejected.body)")
        let denied = try await TokenTrustCommandTests.decide(service, try Self.token(sandbox, revoked.pem))
        #expect(denied.verdict == "deny" && denied.error == "access_denied" && denied.check == "certificate_revocation", "\(denied.body)")

        let bare = try await Self.issue(sandbox, ["ocsp": false, "crl": false])
        #expect(try await Self.register(service, sandbox, bare.pem).body.contains("\"verdict\":\"reject\""))
        #expect(try await TokenTrustCommandTests.decide(service, try Self.token(sandbox, bare.pem)).check == "certificate_revocation")

        // The lookups and the cache are counted on /metrics.
        let metrics = try await curl([service.baseURL + "/metrics"]).body.split(separator: "\n")
        for (name, labels) in [("ssa_toolkit_revocation_lookups_total{", ["source=\"ocsp\"", "outcome=\"good\""]),
                               ("ssa_toolkit_revocation_lookups_total{", ["source=\"ocsp\"", "outcome=\"revoked\""]),
                               ("ssa_toolkit_cache_events_total{", ["cache=\"revocation\"", "event=\"hit\""])] {
            #expect(metrics.contains { $0.hasPrefix(name) && labels.allSatisfy($0.contains) && !$0.hasSuffix(" 0") }, "\(name) \(labels)")
        }

        let hidden = try await Self.issue(sandbox, ["publish": false])
        let unpublished = try await Self.register(service, sandbox, hidden.pem)
        #expect(unpublished.body.contains("\"verdict\":\"reject\"") && unpublished.body.contains("is not published for TLS"), "\(unpublished.body)")
        #expect(try await TokenTrustCommandTests.decide(service, try Self.token(sandbox, hidden.pem)).check == "transport_key")

        // The certificate revocation of a sandbox that has stopped cannot be asked: closed is
        // undecided at both moments, open passes (a second sandbox keeps the directory answering).
        let other = try SandboxProcess()
        let orphan = try await Self.issue(other)
        other.process.stop(SIGTERM)
        // (It is published in the stopped sandbox's key set only: the key binding is off here.)
        let closedConfig = try Self.config(sandbox, ["transportKeyBinding": "off"])
        let openConfig = try Self.config(sandbox, ["revocationFailure": "open", "transportKeyBinding": "off"])
        defer { for path in [closedConfig, openConfig] { try? FileManager.default.removeItem(atPath: path) } }
        let closed = try ServeProcess(config: closedConfig)
        let undecided = try await Self.register(closed, sandbox, orphan.pem)
        #expect(undecided.body.contains("\"verdict\":\"undecided\"") && undecided.body.contains("revocationFailure=closed"), "\(undecided.body)")
        #expect(try await TokenTrustCommandTests.decide(closed, try Self.token(sandbox, orphan.pem)).verdict == "undecided")
        let open = try ServeProcess(config: openConfig)
        let passed = try await TokenTrustCommandTests.decide(open, try Self.token(sandbox, orphan.pem))
        #expect(passed.verdict == "allow" && passed.body.contains("revocationFailure=open"), "\(passed.body)")
        #expect(try await Self.register(open, sandbox, orphan.pem).body.contains("\"verdict\":\"accept\""))
    }

    @Test("an OCSP answer past its nextUpdate is undecided at both moments; a current one for the next certificate is believed")
    func staleAnswer() async throws {
        let sandbox = try SandboxProcess()
        let config = try Self.config(sandbox)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let service = try ServeProcess(config: config)
        let first = try await Self.issue(sandbox)
        let second = try await Self.issue(sandbox)
        #expect(try await Self.admin(sandbox, "/admin/ocsp", ["stale": true])["stale"] == .bool(true))
        let registration = try await Self.register(service, sandbox, first.pem)
        #expect(registration.body.contains("\"verdict\":\"undecided\"") && registration.body.contains("stale"), "\(registration.body.suffix(600))")
        let token = try await TokenTrustCommandTests.decide(service, try Self.token(sandbox, first.pem))
        #expect(token.verdict == "undecided" && token.check == "certificate_revocation", "\(token.body.suffix(600))")
        _ = try await Self.admin(sandbox, "/admin/ocsp", ["stale": false])
        #expect(try await TokenTrustCommandTests.decide(service, try Self.token(sandbox, second.pem)).verdict == "allow")
    }

    @Test("1,000 concurrent cold token decisions on one certificate through serve make one responder call")
    func oneLookup() async throws {
        let sandbox = try SandboxProcess()
        let config = try Self.config(sandbox)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let service = try ServeProcess(config: config)
        // Warm the directory status and the key set with another certificate.
        let warm = try await Self.issue(sandbox)
        #expect(try await TokenTrustCommandTests.decide(service, try Self.token(sandbox, warm.pem)).verdict == "allow")
        let before = try await Self.counts(sandbox)["/ocsp"]?.numberValue ?? 0
        let cold = try await Self.issue(sandbox)
        let body = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString).json")
        try Data(try Self.token(sandbox, cold.pem).utf8).write(to: body)
        defer { try? FileManager.default.removeItem(at: body) }
        // 64 connections at a time: serve admits 128 (ConnectionGuard) and resets the rest, and a
        // closed connection is counted until its channel is gone.
        let urls = Array(repeating: service.baseURL + "/v1/token-decisions", count: 1000)
        let result = try await AsyncProcess.run(URL(fileURLWithPath: "/usr/bin/env"),
                                                ["curl", "-sS", "--max-time", "120", "-Z", "--parallel-immediate", "--parallel-max", "64", "-H", "Content-Type: application/json",
                                                 "--data-binary", "@" + body.path] + urls, seconds: 180)
        let others = result.standardOutput.replacingOccurrences(of: "}{", with: "}\n{").split(separator: "\n").filter { !$0.contains("\"verdict\":\"allow\"") }
        #expect(result.standardOutput.components(separatedBy: "\"verdict\":\"allow\"").count - 1 == 1000, "\(others.count) other answers, e.g. \(others.first.map { String($0.suffix(700)) } ?? "-"); curl: \(result.standardError.split(separator: "\n").filter { $0.contains("curl:") }.prefix(5))")
        let after = try await Self.counts(sandbox)["/ocsp"]?.numberValue ?? 0
        #expect(after - before == 1, "OCSP requests: \(after - before)")
    }
}

extension RevocationCommandTests {
    /// A token call presenting `leaf` of `responder`'s CA with the CA after it (the chain a
    /// TLS-terminating proxy forwards), for a service that leaves the chain to the proxy.
    static func proxiedCall(_ responder: OpenSSLOCSPResponder, _ leaf: String) throws -> String {
        let chain = String(decoding: try responder.file(leaf) + responder.file("ca.pem"), as: UTF8.self)
        return TokenTrustCommandTests.call(["client_certificate": .string(chain), "token_endpoint_auth_method": "private_key_jwt", "tls_client_auth_subject_dn": nil])
    }

    @Test("OpenSSL's own responder and CRL through serve: good allowed; revoked, unknown and unpublished denied; a rogue signer and a damaged CRL undecided (a stale answer: OCSPTests, at a chosen instant)")
    func openSSLResponder() async throws {
        let sandbox = try SandboxProcess()
        // The chain is the proxy's duty here (clientCertificateVerification=proxy), so a leaf of
        // OpenSSL's test CA reaches the revocation check; it belongs to no software.
        let config = try Self.config(sandbox, ["clientCertificateVerification": "proxy", "clientCertificateBinding": "none", "transportKeyBinding": "off"])
        defer { try? FileManager.default.removeItem(atPath: config) }
        let service = try ServeProcess(config: config)
        let delegated = try OpenSSLOCSPResponder()
        defer { delegated.stop() }
        for (leaf, verdict, detail) in [("good.pem", "allow", "good (OCSP http://127.0.0.1:\(delegated.port)"), ("revoked.pem", "deny", "keyCompromise"),
                                        ("unknown.pem", "deny", "unknown to its issuer's responder"), ("unpublished.pem", "deny", "revocationWhenUnpublished=reject"),
                                        ("crlonly.pem", "allow", "good (CRL http://127.0.0.1:\(delegated.crlPort)"), ("badcrl.pem", "undecided", "bad_signature")] {
            let answer = try await TokenTrustCommandTests.decide(service, try Self.proxiedCall(delegated, leaf))
            #expect(answer.verdict == verdict && answer.body.contains(detail), "\(leaf): \(answer.body.suffix(600))")
        }
        let rogue = try OpenSSLOCSPResponder(signer: .rogue)
        defer { rogue.stop() }
        let refused = try await TokenTrustCommandTests.decide(service, try Self.proxiedCall(rogue, "good.pem"))
        #expect(refused.verdict == "undecided" && refused.body.contains("bad_signature"), "\(refused.body.suffix(600))")
    }
}
