import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// `serve` re-reads its configuration, key stores and keys on SIGHUP: a renewed transport store
/// is used by the next directory call without a restart, a broken one leaves the old serving and
/// `/healthz` says so; certificates that expire are reported on `/healthz`.
@Suite("serve operations: reload without a restart, certificate expiry on /healthz, /metrics")
struct OperationsCommandTests {
    /// A renewed transport store: a new key and certificate with the same subject, issued by the
    /// fixture PKI's issuing CA (made with the openssl command, not by the toolkit).
    static func renewedTransportStore(in folder: URL) async throws -> URL {
        let pki = Fixtures.root.appendingPathComponent("pki")
        let key = folder.appendingPathComponent("renewed.key.pem"), request = folder.appendingPathComponent("renewed.csr")
        let certificate = folder.appendingPathComponent("renewed.pem"), store = folder.appendingPathComponent("renewed.p12")
        let extensions = folder.appendingPathComponent("ext.cnf")
        try Data("""
            basicConstraints=critical,CA:FALSE
            keyUsage=critical,digitalSignature,keyEncipherment
            extendedKeyUsage=clientAuth,serverAuth
            subjectAltName=DNS:as.sandbox-bank.example

            """.utf8).write(to: extensions)
        let subject = "/C=GB/O=Sandbox Bank plc/OU=0015800001HQQrZAAX/CN=2kiXQyo0tedjW2somjSgH7/organizationIdentifier=PSDGB-FCA-123456"
        for arguments in [
            ["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key.path, "-subj", subject, "-out", request.path],
            ["x509", "-req", "-in", request.path, "-CA", pki.appendingPathComponent("directory-issuing-ca.pem").path,
             "-CAkey", pki.appendingPathComponent("directory-issuing-ca.key.pem").path, "-set_serial", "0x5EAE3ED",
             "-days", "3650", "-sha256", "-extfile", extensions.path, "-out", certificate.path],
            ["pkcs12", "-export", "-inkey", key.path, "-in", certificate.path, "-passout", "pass:changeit", "-out", store.path],
        ] {
            let result = try await AsyncProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["openssl"] + arguments, seconds: 60)
            try #require(result.status == 0, "openssl \(arguments[0]): \(result.standardError)")
        }
        return store
    }

    /// The sandbox's counters, read over mutual TLS with curl.
    static func directoryCounts(_ sandbox: SandboxProcess) async throws -> [String: JSONValue] {
        let config = try StrictJSONParser(maximumDepth: 8).parseObject(Array(try Data(contentsOf: URL(fileURLWithPath: sandbox.configPath))))
        let base = try #require(config["tokenUrl"]?.stringValue?.replacingOccurrences(of: "/token", with: ""))
        let pki = Fixtures.root.appendingPathComponent("pki").path
        let answer = try await curl(["--cacert", pki + "/ca-bundle.pem", "--cert", pki + "/as-transport.pem", "--key", pki + "/as-transport.key.pem", base + "/admin/counts"])
        return try StrictJSONParser(maximumDepth: 8).parseObject(Array(answer.body.utf8))
    }

    static func health(_ service: ServeProcess) async throws -> (status: Int, body: [String: JSONValue]) {
        let answer = try await curl([service.baseURL + "/healthz"])
        return (answer.status, try StrictJSONParser(maximumDepth: 8).parseObject(Array(answer.body.utf8)))
    }

    /// The sandbox's active TPP (its software statement and organisation).
    static let software = "4ZUKbHjbA2ZqxCxTsQPkTY", organisation = "0015800001041REAAY"

    /// A token decision for an organisation (a directory call when its status is not cached).
    static func tokenDecision(_ service: ServeProcess, software: String, organisation: String) async throws -> String {
        let body = JSONValue.object([
            "client_id": .string(software), "software_id": .string(software), "org_id": .string(organisation),
            "grant_type": "client_credentials", "scope": "accounts", "client_certificate": .string(try Fixtures.string("registration/tpp-transport.pem")),
        ]).serialized()
        let answer = try await curl(["-H", "Content-Type: application/json", "--data-binary", body, service.baseURL + "/v1/token-decisions"])
        return try StrictJSONParser(maximumDepth: 16).parseObject(Array(answer.body.utf8))["verdict"]?.stringValue ?? "none: \(answer.body)"
    }

    /// Polls `/healthz` until `done` holds (a reload runs in the background after SIGHUP).
    static func waitForHealth(_ service: ServeProcess, _ done: ([String: JSONValue]) -> Bool) async throws -> (status: Int, body: [String: JSONValue]) {
        var last = try await health(service)
        for _ in 0..<100 where !done(last.body) {
            try await Task.sleep(for: .milliseconds(100))
            last = try await health(service)
        }
        return last
    }

    @Test("SIGHUP: a renewed transport store is used by the next directory call; a broken one leaves the old serving and /healthz says degraded")
    func reload() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("reload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let renewed = try await Self.renewedTransportStore(in: folder)
        let live = folder.appendingPathComponent("transport.p12")
        try FileManager.default.copyItem(at: Fixtures.root.appendingPathComponent("stores/transport.p12"), to: live)

        let sandbox = try SandboxProcess()
        let service = try ServeProcess(config: sandbox.configPath, arguments: ["--set", "transportKeyStore=" + live.path, "--set", "statusCacheSeconds=0"])
        let first = try await Self.health(service)
        #expect(first.status == 200 && first.body["status"] == "ok", "\(first.body)")

        // Before: the token request used the original certificate.
        #expect(try await Self.tokenDecision(service, software: Self.software, organisation: Self.organisation) == "allow")
        let before = try await Self.directoryCounts(sandbox)
        let original = try #require(before.keys.first { $0.hasPrefix("/token certificate ") })
        #expect(before.keys.filter { $0.hasPrefix("/token certificate ") }.count == 1)

        // The renewed store replaces the file; SIGHUP; the next directory call presents it.
        try FileManager.default.removeItem(at: live)
        try FileManager.default.copyItem(at: renewed, to: live)
        kill(service.process.processIdentifier, SIGHUP)
        let reloaded = try await Self.waitForHealth(service) { $0["reloads"] == 1 }
        #expect(reloaded.status == 200 && reloaded.body["status"] == "ok" && reloaded.body["reloads"] == 1, "\(reloaded.body)")
        #expect(try await Self.tokenDecision(service, software: Self.software, organisation: Self.organisation) == "allow")
        let after = try await Self.directoryCounts(sandbox)
        let used = after.keys.filter { $0.hasPrefix("/token certificate ") && $0 != original }
        #expect(used.count == 1, "certificates the directory saw: \(after.keys.sorted())")
        #expect(used.first == "/token certificate 5:ea:e3:ed", "\(used)")  // the renewed certificate's serial, 0x5EAE3ED

        // A broken store: the reload fails, the renewed runtime keeps serving, /healthz says why.
        try Data("not a key store".utf8).write(to: live)
        kill(service.process.processIdentifier, SIGHUP)
        let broken = try await Self.waitForHealth(service) { $0["reload"] != nil }
        #expect(broken.status == 200 && broken.body["status"] == "degraded", "\(broken.body)")
        // Terse for unauthenticated callers: the failure, not the key store's path or the error.
        #expect(broken.body["reload"]?.stringValue?.hasPrefix("failed") == true, "\(broken.body)")
        #expect(broken.body["reload"]?.stringValue?.contains(live.lastPathComponent) == false && broken.body["reload"]?.stringValue?.contains("transportKeyStore") == false, "\(broken.body)")
        #expect(try await Self.tokenDecision(service, software: Self.software, organisation: Self.organisation) == "allow")
        // Fixed again: the next reload clears the warning.
        try FileManager.default.removeItem(at: live)
        try FileManager.default.copyItem(at: renewed, to: live)
        kill(service.process.processIdentifier, SIGHUP)
        let fixed = try await Self.waitForHealth(service) { $0["reloads"] == 2 }
        #expect(fixed.body["status"] == "ok" && fixed.body["reload"] == nil, "\(fixed.body)")
    }

    @Test("/healthz: failing (503) with an expired transport certificate, degraded (200) within certificateExpiryWarningDays, ok otherwise")
    func certificateExpiry() async throws {
        let sandbox = try SandboxProcess()
        let expired = try ServeProcess(config: sandbox.configPath, arguments: ["--set", "transportKeyStore=" + Fixtures.root.appendingPathComponent("stores/transport-expired.p12").path])
        let failing = try await Self.health(expired)
        #expect(failing.status == 503 && failing.body["status"] == "failing", "\(failing.body)")
        #expect(failing.body["certificates"] == "expired: transport certificate", "\(failing.body)")

        // The fixture transport certificate is valid until 2045: a warning window of 10 years
        // does not reach it; one of 30 years (the signing certificate too) does.
        let fine = try ServeProcess(config: sandbox.configPath, arguments: ["--set", "certificateExpiryWarningDays=3650"])
        let ok = try await Self.health(fine)
        #expect(ok.status == 200 && ok.body["status"] == "ok", "\(ok.body)")
        let soon = try ServeProcess(config: sandbox.configPath, arguments: ["--set", "certificateExpiryWarningDays=10950"])
        let degraded = try await Self.health(soon)
        #expect(degraded.status == 200 && degraded.body["status"] == "degraded", "\(degraded.body)")
        #expect(degraded.body["certificates"] == "expiring: transport certificate", "\(degraded.body)")
        // The path, subject and date are for the log, not for unauthenticated callers.
        #expect(!(degraded.body["certificates"]?.stringValue ?? "").contains("2045") && !(failing.body["certificates"]?.stringValue ?? "").contains(".p12"))
    }

    /// The value of one Prometheus sample line (`name{labels} value`), 0 when absent.
    static func sample(_ text: String, _ name: String, _ labels: [String] = []) -> Double {
        for line in text.split(separator: "\n") where line.hasPrefix(name) && !line.hasPrefix("#") {
            let head = line.split(separator: " ").first.map(String.init) ?? ""
            guard head == name || head.hasPrefix(name + "{"), labels.allSatisfy({ head.contains($0) }) else { continue }
            return Double(line.split(separator: " ").last ?? "") ?? 0
        }
        return 0
    }

    @Test("GET /metrics: decisions, failed checks, directory requests, cache events, TLS handshakes and audit records move as decisions are made")
    func metrics() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let sandbox = try SandboxProcess()
        let service = try ServeProcess(config: sandbox.configPath, arguments: ["--set", "auditLog=" + folder.appendingPathComponent("audit.log").path])
        let before = try await curl([service.baseURL + "/metrics"])
        #expect(before.status == 200)
        #expect(Self.sample(before.body, "ssa_toolkit_decisions_total", ["kind=\"token\""]) == 0)

        #expect(try await Self.tokenDecision(service, software: Self.software, organisation: Self.organisation) == "allow")
        #expect(try await Self.tokenDecision(service, software: Self.software, organisation: Self.organisation) == "allow")
        #expect(try await Self.tokenDecision(service, software: "InactiveSoftware0001", organisation: Self.organisation) != "allow")
        let after = try await curl([service.baseURL + "/metrics"])
        #expect(after.status == 200)
        let text = after.body
        #expect(Self.sample(text, "ssa_toolkit_decisions_total", ["kind=\"token\"", "verdict=\"allow\""]) == 2, "\(text)")
        #expect(Self.sample(text, "ssa_toolkit_decisions_total", ["kind=\"token\"", "verdict=\"allow\""]) + Self.sample(text, "ssa_toolkit_decisions_total", ["kind=\"token\"", "verdict=\"deny\""]) + Self.sample(text, "ssa_toolkit_decisions_total", ["kind=\"token\"", "verdict=\"undecided\""]) == 3)
        #expect(Self.sample(text, "ssa_toolkit_checks_failed_total", ["kind=\"token\""]) >= 1)
        #expect(Self.sample(text, "ssa_toolkit_cache_events_total", ["cache=\"status\"", "event=\"hit\""]) >= 1)
        #expect(Self.sample(text, "ssa_toolkit_cache_events_total", ["cache=\"status\"", "event=\"miss\""]) >= 1)
        #expect(Self.sample(text, "ssa_toolkit_cache_events_total", ["cache=\"directory_token\"", "event=\"miss\""]) == 1)
        #expect(Self.sample(text, "ssa_toolkit_directory_request_duration_seconds_count", ["endpoint=\"token\"", "outcome=\"ok\""]) == 1, "\(text)")
        #expect(Self.sample(text, "ssa_toolkit_directory_request_duration_seconds_count", ["endpoint=\"scim\""]) >= 1)
        #expect(Self.sample(text, "ssa_toolkit_tls_handshakes_total") >= 1)
        #expect(Self.sample(text, "ssa_toolkit_audit_records_total", ["kind=\"token\""]) == 3)
        #expect(!text.contains("Bearer") && !text.contains("eyJ"))
    }

    @Test("POST /admin/reload: only with --auth-token, only with the token; answers reloaded true, or false with the reason")
    func adminReload() async throws {
        let sandbox = try SandboxProcess()
        let token = "reload-token-\(UUID().uuidString)"
        let service = try ServeProcess(config: sandbox.configPath, arguments: ["--auth-token", "env:SSA_DECISION_TOKEN"], environment: ["SSA_DECISION_TOKEN": token])
        let json = ["-H", "Content-Type: application/json", "--data-binary", "{}"]
        let refused = try await curl(json + [service.baseURL + "/admin/reload"])
        #expect(refused.status == 401)
        let reloaded = try await curl(json + ["-H", "Authorization: Bearer \(token)", service.baseURL + "/admin/reload"])
        #expect(reloaded.status == 200 && reloaded.body.contains("\"reloaded\":true"), "\(reloaded.body)")
        let health = try await Self.health(service)
        #expect(health.body["reloads"] == 1, "\(health.body)")
        // Without --auth-token there is no such route.
        let open = try ServeProcess(config: sandbox.configPath)
        let missing = try await curl(json + [open.baseURL + "/admin/reload"])
        #expect(missing.status == 404)
    }
}
