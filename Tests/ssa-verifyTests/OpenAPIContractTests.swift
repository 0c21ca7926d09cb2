import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// The decision service's HTTP contract (`Sources/DecisionService/OpenAPIDocument.swift`, served at
/// `GET /openapi.json`) held against the running service: schemathesis generates calls to every
/// route and checks every answer against the document (`integrations/openapi/run-schemathesis.sh`,
/// which installs a pinned schemathesis into `.build/schemathesis-venv`; `make openapi-deps` does
/// it ahead of `make test`), a document the service does not follow must fail, and docs/http-api.md's
/// examples and every error body the service answers validate against the document's schemas.
@Suite("The decision service's OpenAPI contract, checked by schemathesis", .serialized)
struct OpenAPIContractTests {
    static let driverPath = Fixtures.packageRoot.appendingPathComponent("integrations/openapi/run-schemathesis.sh").path
    static let routes = ["GET /healthz", "GET /metrics", "GET /openapi.json", "POST /v1/decisions", "POST /v1/token-decisions"]

    /// Runs the driver script; `--setup` first (a no-op once the virtualenv is there), with room
    /// for a first install, so that the limit of the run itself holds for the run alone.
    static func driver(_ arguments: [String], environment: [String: String] = [:], seconds: Double) async throws -> AsyncProcess.Result {
        let setup = try await AsyncProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["bash", driverPath, "--setup"], seconds: 900)
        try #require(setup.status == 0 && !setup.timedOut, "schemathesis set-up failed: \(setup.standardOutput)\(setup.standardError)")
        return try await AsyncProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["bash", driverPath] + arguments, environment: environment, seconds: seconds)
    }

    /// curl: status, Content-Type and body.
    static func fetch(_ arguments: [String]) async throws -> (status: Int, contentType: String, body: String) {
        let result = try await AsyncProcess.run(URL(fileURLWithPath: "/usr/bin/env"),
                                                ["curl", "-sS", "--max-time", "30", "-o", "-", "-w", "\n%{http_code} %{content_type}"] + arguments, seconds: 60)
        let lines = result.standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
        let trailer = (lines.last ?? "").split(separator: " ", maxSplits: 1)
        return (Int(trailer.first ?? "") ?? 0, trailer.count > 1 ? String(trailer[1]) : "", lines.dropLast().joined(separator: "\n"))
    }

    static func json(_ text: String) throws -> JSONValue {
        .object(try StrictJSONParser(maximumDepth: 64).parseObject(Array(text.utf8)))
    }

    static func temporaryFile(_ name: String, _ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID().uuidString)-\(name)").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// `value` with the member at `path` replaced (or removed, for `nil`).
    static func replacing(_ path: ArraySlice<String>, in value: JSONValue, with replacement: JSONValue?) -> JSONValue {
        guard let key = path.first, case .object(var members) = value else { return replacement ?? value }
        members[key] = path.count == 1 ? replacement : replacing(path.dropFirst(), in: members[key] ?? .object([:]), with: replacement)
        return .object(members)
    }

    /// The `exercised METHOD PATH: N calls (...)` lines of a driver run: route to (calls, statuses).
    static func exercised(_ output: String) -> [String: (calls: Int, statuses: String)] {
        var found: [String: (calls: Int, statuses: String)] = [:]
        for line in output.split(separator: "\n") where line.hasPrefix("exercised ") {
            guard let colon = line.range(of: ": ") else { continue }
            let route = String(line[line.index(line.startIndex, offsetBy: 10)..<colon.lowerBound])
            let rest = line[colon.upperBound...]
            found[route] = (Int(rest.prefix { $0.isNumber }) ?? 0, String(rest.drop { $0 != "(" }))
        }
        return found
    }

    @Test("GET /openapi.json is the document: JSON, OpenAPI 3.1, every route; ssa-verify openapi prints the same")
    func served() async throws {
        let sandbox = try SandboxProcess()
        let service = try ServeProcess(config: sandbox.configPath)
        let answer = try await Self.fetch([service.baseURL + "/openapi.json"])
        #expect(answer.status == 200 && answer.contentType == "application/json", "\(answer.status) \(answer.contentType)")
        let document = try Self.json(answer.body)
        #expect(document.objectValue?["openapi"]?.stringValue?.hasPrefix("3.1.") == true)
        let paths = document.objectValue?["paths"]?.objectValue ?? [:]
        #expect(paths.keys.sorted() == ["/admin/reload", "/healthz", "/metrics", "/openapi.json", "/v1/audit/checkpoint", "/v1/decisions", "/v1/token-decisions"])
        for route in Self.routes {
            let parts = route.split(separator: " ").map(String.init)
            #expect(paths[parts[1]]?.objectValue?[parts[0].lowercased()] != nil, "\(route) is not in the document")
        }
        let printed = try await CommandRunner.run(["openapi"])
        #expect(printed.status == 0 && printed.standardOutput == answer.body + "\n")
    }

    @Test("schemathesis over the served document: no 5xx, every status, content type, body and header as documented, on every route")
    func schemathesis() async throws {
        let started = ContinuousClock.now
        let result = try await Self.driver([CommandRunner.binary.path, Fixtures.root.path], seconds: 240)
        let text = result.standardOutput + result.standardError
        #expect(result.status == 0 && !result.timedOut, "\(text)")
        #expect(text.contains("No issues found"), "\(text)")
        #expect(text.contains("schemathesis: exit 0"), "\(text)")
        // Each route really called, the decision routes with decisions (200) and refusals (400).
        let calls = Self.exercised(text)
        for route in Self.routes {
            let minimum = route.hasPrefix("POST") ? 100 : 1
            #expect((calls[route]?.calls ?? 0) >= minimum, "\(route): \(calls[route].map { "\($0.calls) calls \($0.statuses)" } ?? "not exercised")\n\(text)")
            #expect(calls[route]?.statuses.contains("200: ") == true, "\(route) never answered 200\n\(text)")
        }
        for route in Self.routes where route.hasPrefix("POST") {
            #expect(calls[route]?.statuses.contains("400: ") == true, "\(route) never answered 400\n\(text)")
        }
        #expect(ContinuousClock.now - started < .seconds(180), "the contract run took \(ContinuousClock.now - started)")
    }

    @Test("a document the service does not follow fails schemathesis: a response schema, a check's outcome, a missing status")
    func wrongDocumentFails() async throws {
        let printed = try await CommandRunner.run(["openapi"])
        var document = try Self.json(printed.standardOutput)
        // /healthz answers {"status":"ok"}; every decision lists skipped checks; malformed token calls are 400.
        document = Self.replacing(["components", "schemas", "Health", "properties", "status"], in: document, with: ["const": "fine"])
        document = Self.replacing(["components", "schemas", "Outcome", "enum"], in: document, with: ["pass", "fail"])
        document = Self.replacing(["paths", "/v1/token-decisions", "post", "responses", "400"], in: document, with: nil)
        let wrong = try Self.temporaryFile("wrong-openapi.json", document.serialized())
        defer { try? FileManager.default.removeItem(atPath: wrong) }
        let result = try await Self.driver([CommandRunner.binary.path, Fixtures.root.path, "--include-path", "/healthz", "--include-path", "/v1/decisions",
                                            "--include-path", "/v1/token-decisions", "--continue-on-failure"], environment: ["OPENAPI_DOCUMENT": wrong], seconds: 180)
        let text = result.standardOutput + result.standardError
        #expect(result.status == 1 && !result.timedOut, "\(text)")
        #expect(text.contains("schemathesis: exit 1"), "\(text)")
        #expect(text.contains("Response violates schema") && text.contains("\"fine\" was expected"), "\(text)")
        #expect(text.contains("'skip' is not one of") || text.contains("\"skip\" is not one of"), "\(text)")
        #expect(text.contains("Undocumented status code") && text.contains("Documented: 200, 401, 413, 415, 421"), "\(text)")
    }

    /// docs/http-api.md's JSON examples for the decision service: `<!-- openapi: METHOD PATH STATUS -->`
    /// (STATUS `request` for a request body) and then a fenced `json` block.
    static func readmeExamples() throws -> [JSONValue] {
        let readme = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("docs/http-api.md"), encoding: .utf8)
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var cases: [JSONValue] = []
        var index = 0
        while index < lines.count {
            let line = lines[index]
            index += 1
            guard line.hasPrefix("<!-- openapi: "), line.hasSuffix(" -->") else { continue }
            let marker = index
            let fields = line.dropFirst(14).dropLast(4).split(separator: " ").map(String.init)
            guard fields.count == 3, index < lines.count, lines[index] == "```json" else {
                Issue.record("docs/http-api.md line \(marker): \(line) is not followed by a ```json block")
                continue
            }
            var block: [String] = []
            index += 1
            while index < lines.count, lines[index] != "```" { block.append(lines[index]); index += 1 }
            let body = try json(block.joined(separator: "\n"))
            cases.append(["name": .string("docs/http-api.md line \(marker): \(fields.joined(separator: " "))"),
                          "operation": .string("\(fields[0]) \(fields[1])"), "status": .string(fields[2]), "body": body])
        }
        return cases
    }

    @Test("docs/http-api.md's examples and every answer kind of the service (accept, allow, undecided, 400, 401, 413, 415, 421, 503) validate against the document; misspelt members do not")
    func examplesAndErrorBodies() async throws {
        var cases = try Self.readmeExamples()
        #expect(cases.count >= 6, "docs/http-api.md has \(cases.count) marked examples")
        for route in Self.routes where route.hasPrefix("POST") {
            #expect(cases.contains { $0.objectValue?["operation"]?.stringValue == route && $0.objectValue?["status"] == "request" }, "no docs/http-api.md request example for \(route)")
            #expect(cases.contains { $0.objectValue?["operation"]?.stringValue == route && $0.objectValue?["status"] == "200" }, "no docs/http-api.md answer example for \(route)")
        }
        cases.append(["name": "docs: /healthz ok", "operation": "GET /healthz", "status": "200", "body": ["status": "ok"]])

        // Real answers of every kind, from three services on one sandbox.
        let sandbox = try SandboxProcess()
        let token = "openapi-contract-test-token-0123456789"
        let plain = try ServeProcess(config: sandbox.configPath)
        let guarded = try ServeProcess(config: sandbox.configPath, arguments: ["--auth-token", "env:SSA_OPENAPI_TEST_TOKEN"],
                                                                environment: ["SSA_OPENAPI_TEST_TOKEN": token])
        let full = try ServeProcess.withFullDisk(config: sandbox.configPath)
        let json = ["-H", "Content-Type: application/json"]
        let bearer = ["-H", "Authorization: Bearer \(token)"]
        let certificate = try Fixtures.string("registration/tpp-transport.pem")
        let registration = JSONValue.object([
            "registration_request": .object(try StrictJSONParser(maximumDepth: 32).parseObject(Array(try Fixtures.data("registration/request-plain.json")))),
            "client_certificate": .string(certificate),
        ]).serialized()
        let tokenCall = TokenCommandTests.request.serialized()
        let boundTokenCall = JSONValue.object(["client_id": "c", "software_id": "4ZUKbHjbA2ZqxCxTsQPkTY", "org_id": "0015800001041REAAY",
                                               "grant_type": "client_credentials", "scope": ["openid", "accounts"], "token_endpoint_auth_method": "private_key_jwt",
                                               "client_certificate": .string(certificate)]).serialized()
        let big = try Self.temporaryFile("big.json", #"{"software_statement": ""# + String(repeating: "x", count: 300 * 1024) + #""}"#)
        defer { try? FileManager.default.removeItem(atPath: big) }

        struct Call { var name: String; var operation: String; var expected: Int; var arguments: [String] }
        var calls: [Call] = [
            Call(name: "health", operation: "GET /healthz", expected: 200, arguments: [plain.baseURL + "/healthz"]),
            Call(name: "the document", operation: "GET /openapi.json", expected: 200, arguments: [plain.baseURL + "/openapi.json"]),
            Call(name: "no checkpoint key", operation: "GET /v1/audit/checkpoint", expected: 404, arguments: [plain.baseURL + "/v1/audit/checkpoint"]),
            Call(name: "accept", operation: "POST /v1/decisions", expected: 200, arguments: json + ["--data-binary", registration, plain.baseURL + "/v1/decisions"]),
            Call(name: "undecided registration", operation: "POST /v1/decisions", expected: 200, arguments: json + ["--data-binary", registration, full.baseURL + "/v1/decisions"]),
            Call(name: "allow", operation: "POST /v1/token-decisions", expected: 200, arguments: json + ["--data-binary", tokenCall, plain.baseURL + "/v1/token-decisions"]),
            Call(name: "allow with x5t#S256, no refresh token", operation: "POST /v1/token-decisions", expected: 200,
                 arguments: json + ["--data-binary", boundTokenCall, plain.baseURL + "/v1/token-decisions"]),
            Call(name: "undecided token", operation: "POST /v1/token-decisions", expected: 200, arguments: json + ["--data-binary", tokenCall, full.baseURL + "/v1/token-decisions"]),
            Call(name: "allow, Prefer: return=minimal", operation: "POST /v1/token-decisions", expected: 200,
                 arguments: json + ["-H", "Prefer: return=minimal", "--data-binary", boundTokenCall, plain.baseURL + "/v1/token-decisions"]),
            // After a failed audit write, not before.
            Call(name: "degraded health", operation: "GET /healthz", expected: 503, arguments: [full.baseURL + "/healthz"]),
        ]
        for path in ["/v1/decisions", "/v1/token-decisions"] {
            let operation = "POST \(path)"
            calls += [
                Call(name: "\(path) 400", operation: operation, expected: 400, arguments: json + ["--data-binary", #"{"registration_request": 5, "scope": 1}"#, plain.baseURL + path]),
                Call(name: "\(path) 401", operation: operation, expected: 401, arguments: json + ["--data-binary", "{}", guarded.baseURL + path]),
                Call(name: "\(path) 413", operation: operation, expected: 413, arguments: json + bearer + ["--data-binary", "@" + big, guarded.baseURL + path]),
                Call(name: "\(path) 415", operation: operation, expected: 415, arguments: ["-H", "Content-Type: text/plain", "--data-binary", "{}", plain.baseURL + path]),
                Call(name: "\(path) 421", operation: operation, expected: 421, arguments: json + ["-H", "Host: rebound.example:80", "--data-binary", "{}", plain.baseURL + path]),
            ]
        }
        for call in calls {
            let answer = try await Self.fetch(call.arguments)
            #expect(answer.status == call.expected && answer.contentType == "application/json", "\(call.name): \(answer.status) \(answer.contentType) \(answer.body)")
            cases.append(["name": .string(call.name), "operation": .string(call.operation), "status": .string(String(call.expected)), "body": try Self.json(answer.body)])
        }
        let verdicts = cases.compactMap { $0.objectValue?["body"]?.objectValue?["verdict"]?.stringValue }
        #expect(Set(["accept", "allow", "undecided"]).isSubset(of: Set(verdicts)), "\(verdicts)")

        let document = try Self.temporaryFile("openapi.json", try await CommandRunner.run(["openapi"]).standardOutput)
        defer { try? FileManager.default.removeItem(atPath: document) }
        let casesFile = try Self.temporaryFile("cases.json", JSONValue.array(cases).serialized())
        defer { try? FileManager.default.removeItem(atPath: casesFile) }
        let validated = try await Self.driver(["--validate", document, casesFile], seconds: 120)
        #expect(validated.status == 0 && validated.standardOutput.contains("validate: \(cases.count) valid, 0 invalid"), "\(validated.standardOutput)\(validated.standardError)")

        // The request schemas refuse what the server refuses: misspelt or missing members.
        let refused: [JSONValue] = [
            ["name": "clientCertificate", "operation": "POST /v1/decisions", "status": "request", "body": ["clientCertificate": "x", "software_statement": "a.b.c"]],
            ["name": "neither request nor SSA", "operation": "POST /v1/decisions", "status": "request", "body": ["client_certificate": "x"]],
            ["name": "scopes", "operation": "POST /v1/token-decisions", "status": "request", "body": ["software_id": "x", "scopes": "a"]],
            ["name": "software_id with a quote", "operation": "POST /v1/token-decisions", "status": "request",
             "body": ["client_id": "c", "software_id": "x\" or 1 eq 1", "org_id": "o", "grant_type": "g", "scope": "openid"]],
            ["name": "an allow with an error", "operation": "POST /v1/token-decisions", "status": "200",
             "body": ["verdict": "allow", "error": "access_denied", "error_description": "d", "checks": [["check": "roles", "outcome": "pass", "detail": "d"]],
                      "scope": "openid", "scopes_removed": [], "id_token_claims": [:], "access_token_claims": [:]]],
        ]
        let refusedFile = try Self.temporaryFile("refused.json", JSONValue.array(refused).serialized())
        defer { try? FileManager.default.removeItem(atPath: refusedFile) }
        let invalid = try await Self.driver(["--validate", document, refusedFile], seconds: 120)
        #expect(invalid.status == 1 && invalid.standardOutput.contains("validate: 0 valid, \(refused.count) invalid"), "\(invalid.standardOutput)\(invalid.standardError)")
    }
}
