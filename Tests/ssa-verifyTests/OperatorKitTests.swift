import DirectorySandbox
import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// The operator's kit against the real service: the alert rules checked and tested by promtool,
/// every panel's query parsed by promtool, and every metric a rule or a panel names found in what
/// a live `serve` exports (after decisions against the sandbox, a directory fault, an audit log
/// that cannot be written, and with a shared state store).
@Suite("The operator's kit: alert rules and dashboard against the live metrics", .serialized)
struct OperatorKitTests {
    static let rules = Fixtures.packageRoot.appendingPathComponent("integrations/prometheus/alerts.yml")
    static let dashboard = Fixtures.packageRoot.appendingPathComponent("integrations/grafana/ssa-toolkit.json")

    static func promtool(_ arguments: [String], in folder: URL) async throws -> AsyncProcess.Result {
        try await AsyncProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["promtool"] + arguments, directory: folder, seconds: 120)
    }

    /// The PromQL expressions of the rules (`expr:` values, folded blocks joined).
    static func ruleExpressions() throws -> [String] {
        let lines = try String(contentsOf: rules, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var expressions: [String] = []
        var index = 0
        while index < lines.count {
            let line = lines[index].trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("expr:") {
                let value = line.dropFirst(5).trimmingCharacters(in: .whitespaces)
                if value == "|" {
                    var block: [String] = []
                    index += 1
                    while index < lines.count, lines[index].hasPrefix("          ") { block.append(lines[index].trimmingCharacters(in: .whitespaces)); index += 1 }
                    expressions.append(block.joined(separator: " "))
                    continue
                }
                expressions.append(value)
            }
            index += 1
        }
        return expressions
    }

    /// The dashboard's panel queries, with Grafana's variables replaced as Grafana would.
    static func panelExpressions() throws -> [String] {
        let object = try StrictJSONParser(maximumDepth: 32).parseObject(Array(try Data(contentsOf: dashboard)))
        #expect(object["templating"]?.objectValue?["list"]?.arrayValue?.first?.objectValue?["type"] == "datasource", "a Prometheus data-source variable")
        let panels = try #require(object["panels"]?.arrayValue)
        return panels.flatMap { panel in
            (panel.objectValue?["targets"]?.arrayValue ?? []).compactMap { $0.objectValue?["expr"]?.stringValue?.replacingOccurrences(of: "$__rate_interval", with: "5m") }
        }
    }

    /// The metric names `expression` reads (recording rules, with a colon, and Prometheus's own `up` apart).
    static func metricNames(_ expression: String) -> Set<String> {
        Set(expression.matches(of: /ssa_toolkit_[a-z_]+/).map { String($0.output) })
    }

    /// The sample names of a Prometheus exposition.
    static func sampleNames(_ exposition: String) -> Set<String> {
        Set(exposition.split(separator: "\n").compactMap { line -> String? in
            guard !line.hasPrefix("#"), let end = line.firstIndex(where: { $0 == "{" || $0 == " " }) else { return nil }
            return String(line[..<end])
        })
    }

    /// One value of the exposition: the first sample of `name` whose labels include all of `labels`.
    static func value(_ exposition: String, _ name: String, _ labels: [String] = []) -> Double? {
        for line in exposition.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
            if labels.allSatisfy({ line.contains($0) }), let number = line.split(separator: " ").last.flatMap({ Double($0) }) { return number }
        }
        return nil
    }

    @Test("promtool check rules and promtool test rules pass: every alert fires in its test and stays quiet in its twin")
    func rulesPass() async throws {
        let folder = Self.rules.deletingLastPathComponent()
        let check = try await Self.promtool(["check", "rules", "alerts.yml"], in: folder)
        #expect(check.status == 0 && check.standardOutput.contains("SUCCESS: 13 rules found"), "\(check.standardOutput)\(check.standardError)")
        let test = try await Self.promtool(["test", "rules", "alerts.test.yml"], in: folder)
        #expect(test.status == 0 && test.standardOutput.contains("SUCCESS"), "\(test.standardOutput)\(test.standardError)")
        // Every alert has a test that expects it to fire.
        let tests = try String(contentsOf: folder.appendingPathComponent("alerts.test.yml"), encoding: .utf8)
        let alerts = try String(contentsOf: Self.rules, encoding: .utf8).matches(of: /- alert: (\w+)/).map { String($0.output.1) }
        #expect(alerts.count == 8)
        for alert in alerts { #expect(tests.contains("alertname: \(alert)\n        exp_alerts:\n          - exp_labels"), "\(alert) never fires in alerts.test.yml") }
        // A broken copy is caught: the check is not a pass that cannot fail.
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("alerts-broken-\(UUID().uuidString).yml")
        defer { try? FileManager.default.removeItem(at: broken) }
        try Data(try String(contentsOf: Self.rules, encoding: .utf8).replacingOccurrences(of: "> 0.05", with: "> > 0.05").utf8).write(to: broken)
        #expect(try await Self.promtool(["check", "rules", broken.path], in: folder).status != 0)
    }

    @Test("every panel's query parses with promtool (each as a recording rule of a scratch rule file)")
    func panelsParse() async throws {
        let expressions = try Self.panelExpressions()
        #expect(expressions.count >= 15)
        var text = "groups:\n  - name: panels\n    rules:\n"
        for (index, expression) in expressions.enumerated() {
            text += "      - record: panel:\(index)\n        expr: '\(expression.replacingOccurrences(of: "'", with: "''"))'\n"
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("panels-\(UUID().uuidString).yml")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(text.utf8).write(to: file)
        let check = try await Self.promtool(["check", "rules", file.path], in: FileManager.default.temporaryDirectory)
        #expect(check.status == 0 && check.standardOutput.contains("SUCCESS: \(expressions.count) rules found"), "\(check.standardOutput)\(check.standardError)")
        // Every recording rule a panel reads is defined in alerts.yml.
        let recorded = Set(try String(contentsOf: Self.rules, encoding: .utf8).matches(of: /- record: ([a-z_:0-9]+)/).map { String($0.output.1) })
        for expression in expressions {
            for name in expression.matches(of: /ssa_toolkit:[a-z_:0-9]+/).map({ String($0.output) }) { #expect(recorded.contains(name), "\(name) is not a recording rule") }
        }
    }

    @Test("no rule or panel names a metric the service does not export: a live serve scraped after decisions, a directory fault, an audit log that cannot be written, and with a state store")
    func metricsExist() async throws {
        var referenced = Set<String>()
        for expression in try Self.ruleExpressions() + Self.panelExpressions() { referenced.formUnion(Self.metricNames(expression)) }
        #expect(referenced.count >= 12 && referenced.contains("ssa_toolkit_certificate_expiry_seconds"), "\(referenced.sorted())")
        var exported = Set<String>()
        let folder = try SharedStateTests.temporaryFolder("operator-kit")
        defer { try? FileManager.default.removeItem(at: folder) }

        // 1. Decisions against the sandbox, then the directory gone.
        let sandbox = try await DirectorySandbox.start(fixtures: .init(root: Fixtures.root))
        let config = folder.appendingPathComponent("sandbox.json")
        try Data(sandbox.configurationJSON().serializedBytes()).write(to: config)
        let service = try ServeProcess(config: config.path, arguments: ["--set", "auditLog=" + folder.appendingPathComponent("audit.log").path])
        let request: JSONValue = ["software_statement": .string(try sandbox.issueSoftwareStatement()), "token_endpoint_auth_method": "private_key_jwt",
                                  "redirect_uris": ["https://acme-budget.example.com/callback"], "grant_types": ["authorization_code"], "response_types": ["code"]]
        let call: JSONValue = ["registration_request": request, "client_certificate": .string(sandbox.transportCertificate.chainPEM)]
        let accepted = try await curl(["-H", "Content-Type: application/json", "--data-binary", call.serialized(), service.baseURL + "/v1/decisions"])
        #expect(accepted.body.contains("\"verdict\":\"accept\""), "\(accepted.body)")
        let allowed = try await curl(["-H", "Content-Type: application/json", "--data-binary", TokenTrustCommandTests.call(), service.baseURL + "/v1/token-decisions"])
        #expect(allowed.body.contains("\"verdict\":\"allow\""), "\(allowed.body)")
        await sandbox.stop()
        // The same registration once more: everything cached but the directory's answer, which fails.
        var again = request.objectValue!
        again["software_statement"] = .string(try sandbox.issueSoftwareStatement())
        let fault: JSONValue = ["registration_request": .object(again), "client_certificate": .string(sandbox.transportCertificate.chainPEM)]
        let undecided = try await curl(["-H", "Content-Type: application/json", "--data-binary", fault.serialized(), service.baseURL + "/v1/decisions"])
        #expect(undecided.body.contains("\"verdict\":\"undecided\""), "\(undecided.body)")
        let first = try await curl([service.baseURL + "/metrics"]).body
        exported.formUnion(Self.sampleNames(first))
        #expect(Self.value(first, "ssa_toolkit_audit_up", ["sink=\"file\""]) == 1)
        #expect(Self.value(first, "ssa_toolkit_directory_request_duration_seconds_count", ["outcome=\"error\""]) ?? 0 >= 1, "the directory fault is counted")
        // The fixture certificates are valid until 2045: years, not days, and one gauge per role.
        for role in ["transport", "signing", "trust"] {
            let seconds = Self.value(first, "ssa_toolkit_certificate_expiry_seconds", ["role=\"\(role)\"", "directory=\"OpenBanking Ltd\""]) ?? 0
            #expect(seconds > 86_400 * 365 * 10 && seconds < 86_400 * 365 * 25, "\(role): \(seconds)")
        }

        // 2. An audit log that cannot be written (a full disk): the gauge and the failure counter.
        let fullDisk = try ServeProcess.withFullDisk(config: config.path)
        _ = try await curl(["-H", "Content-Type: application/json", "--data-binary", TokenTrustCommandTests.call(), fullDisk.baseURL + "/v1/token-decisions"])
        let second = try await curl([fullDisk.baseURL + "/metrics"]).body
        exported.formUnion(Self.sampleNames(second))
        #expect(Self.value(second, "ssa_toolkit_audit_up", ["sink=\"file\""]) == 0)
        #expect(Self.value(second, "ssa_toolkit_audit_write_failures_total", ["kind=\"token\""]) ?? 0 >= 1)

        // 3. A shared state store.
        let database = try await TestPostgres.start()
        try await DirectorySandbox.withSandbox(fixtures: .init(root: Fixtures.root)) { sandbox in
            let shared = try await SharedStateTests.serve(SharedStateTests.configuration(sandbox, database, node: "kit"), database: database, folder: folder, name: "kit")
            let third = try await curl([shared.baseURL + "/metrics"]).body
            exported.formUnion(Self.sampleNames(third))
            #expect(Self.value(third, "ssa_toolkit_state_store_up") == 1 && Self.value(third, "ssa_toolkit_audit_up", ["sink=\"state_store\""]) == 1, "\(third)")
        }

        let missing = referenced.subtracting(exported)
        #expect(missing.isEmpty, "named by a rule or panel, exported by no scrape: \(missing.sorted())")
    }
}
