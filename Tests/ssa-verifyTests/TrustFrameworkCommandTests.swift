import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// Open Finance Brasil and the CDR through the command line: `serve` (over HTTP, with curl),
/// `decide` and `token-decide`, `verify --trust-framework` on SSAs joserfc signed, `certs
/// --trust-framework` on certificates openssl made, and `tpp` asking each framework's source.
/// The sandbox runs as its own process (`sandbox --scheme all`); its admin routes change statuses.
@Suite("Trust frameworks through the command line: serve, decide, token-decide, verify, certs, tpp", .serialized)
struct TrustFrameworkCommandTests {
    typealias Admin = RevocationCommandTests
    static let brasilSoftware = "b7e1a8c2-3f4d-4e5a-9b6c-7d8e9f0a1b2c"
    static let brasilOrganisation = "74e929d9-33b6-4d85-8ba7-c146c867a817"
    static let brasilIssuer = "Open Finance Open Finance Brasil sandbox SSA issuer"
    static let cdrSoftware = "9f8e7d6c-3333-4333-8333-333333333333"
    static let cdrLegalEntity = "8e5f2d1c-1111-4111-8111-111111111111"
    static let cdrScope = "openid profile bank:accounts.basic:read bank:accounts.detail:read bank:transactions:read common:customer.basic:read"

    /// The sandbox's all-frameworks configuration with status read afresh for every decision.
    static func config(_ sandbox: SandboxProcess) throws -> String {
        var object = try StrictJSONParser(maximumDepth: 16).parseObject(Array(try Data(contentsOf: URL(fileURLWithPath: sandbox.configPath))))
        object["statusCacheSeconds"] = "0"
        let path = sandbox.configPath.replacingOccurrences(of: ".json", with: "-frameworks.json")
        try Data(JSONValue.object(object).serialized().utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func ssa(_ sandbox: SandboxProcess, _ framework: String, age: Double = 0) async throws -> String {
        try #require(try await Admin.admin(sandbox, "/admin/software-statements", ["framework": .string(framework), "age_seconds": .number(age)])["software_statement"]?.stringValue)
    }

    static func certificate(_ sandbox: SandboxProcess, _ profile: String) async throws -> String {
        try #require(try await Admin.admin(sandbox, "/admin/certificates", ["profile": .string(profile)])["certificate"]?.stringValue)
    }

    /// Plain registration metadata for `ssa`: private_key_jwt, the framework's redirect URI, `scope`.
    static func metadata(_ ssa: String, redirect: String, scope: String) -> JSONValue {
        ["software_statement": .string(ssa), "token_endpoint_auth_method": "private_key_jwt", "redirect_uris": [.string(redirect)],
         "grant_types": ["authorization_code"], "response_types": ["code"], "scope": .string(scope)]
    }

    static func register(_ service: ServeProcess, _ request: JSONValue, _ certificate: String) async throws -> [String: JSONValue] {
        let call: JSONValue = ["registration_request": request, "client_certificate": .string(certificate)]
        let answer = try await curl(["-H", "Content-Type: application/json", "--data-binary", call.serialized(), service.baseURL + "/v1/decisions"])
        #expect(answer.status == 200, "\(answer.body)")
        return try StrictJSONParser(maximumDepth: 32).parseObject(Array(answer.body.utf8))
    }

    static func token(_ service: ServeProcess, _ call: JSONValue) async throws -> [String: JSONValue] {
        let answer = try await curl(["-H", "Content-Type: application/json", "--data-binary", call.serialized(), service.baseURL + "/v1/token-decisions"])
        #expect(answer.status == 200, "\(answer.body)")
        return try StrictJSONParser(maximumDepth: 32).parseObject(Array(answer.body.utf8))
    }

    static func brasilCall(_ certificate: String, scope: String = "openid accounts payments") -> JSONValue {
        ["client_id": .string(brasilSoftware), "software_id": .string(brasilSoftware), "org_id": .string(brasilOrganisation), "grant_type": "authorization_code",
         "scope": .string(scope), "token_endpoint_auth_method": "private_key_jwt", "client_certificate": .string(certificate), "ssa_issuer": .string(brasilIssuer)]
    }

    static func cdrCall(_ certificate: String, scope: String = "openid bank:accounts.basic:read bank:payees:read") -> JSONValue {
        ["client_id": .string(cdrSoftware), "software_id": .string(cdrSoftware), "org_id": "2a3b4c5d-2222-4222-8222-222222222222", "grant_type": "authorization_code",
         "scope": .string(scope), "token_endpoint_auth_method": "private_key_jwt", "client_certificate": .string(certificate), "ssa_issuer": "cdr-register",
         "legal_entity_id": .string(cdrLegalEntity), "ssa_scope": .string(cdrScope)]
    }

    static func failed(_ answer: [String: JSONValue]) -> String? {
        answer["checks"]?.arrayValue?.first { $0.objectValue?["outcome"]?.stringValue == "fail" }?.objectValue?["check"]?.stringValue
    }

    @Test("serve: each framework's registration accepted and refused, its token allowed, narrowed and denied, undecided when its list is down; /metrics counts decisions by framework")
    func serve() async throws {
        let sandbox = try SandboxProcess(scheme: "all")
        let service = try ServeProcess(config: try Self.config(sandbox))
        let brasil = try await Self.certificate(sandbox, "brasil-transport")
        let cdr = try await Self.certificate(sandbox, "cdr-transport")

        let brasilAccepted = try await Self.register(service, Self.metadata(try await Self.ssa(sandbox, "open-finance-brasil"), redirect: "https://www.fintech-exemplo.com.br/callback",
                                                                            scope: "openid accounts payments"), brasil)
        #expect(brasilAccepted["verdict"] == "accept", "\(brasilAccepted)")
        let brasilOther = try await Self.register(service, Self.metadata(try await Self.ssa(sandbox, "open-finance-brasil"), redirect: "https://www.fintech-exemplo.com.br/callback",
                                                                         scope: "openid accounts"), try await Self.certificate(sandbox, "brasil-other"))
        #expect(brasilOther["verdict"] == "reject" && Self.failed(brasilOther) == "client_certificate", "\(brasilOther)")
        let brasilStale = try await Self.register(service, Self.metadata(try await Self.ssa(sandbox, "open-finance-brasil", age: 600), redirect: "https://www.fintech-exemplo.com.br/callback",
                                                                         scope: "openid accounts"), brasil)
        #expect(brasilStale["verdict"] == "reject" && Self.failed(brasilStale) == "age")

        let cdrAccepted = try await Self.register(service, Self.metadata(try await Self.ssa(sandbox, "cdr-au"), redirect: "https://budgeting.example.com.au/callback",
                                                                         scope: "openid bank:accounts.basic:read"), cdr)
        #expect(cdrAccepted["verdict"] == "accept", "\(cdrAccepted)")
        let cdrExpired = try await Self.register(service, Self.metadata(try await Self.ssa(sandbox, "cdr-au", age: 1200), redirect: "https://budgeting.example.com.au/callback",
                                                                        scope: "openid bank:accounts.basic:read"), cdr)
        #expect(cdrExpired["verdict"] == "reject" && Self.failed(cdrExpired) == "expiry", "\(cdrExpired)")
        let cdrScope = try await Self.register(service, Self.metadata(try await Self.ssa(sandbox, "cdr-au"), redirect: "https://budgeting.example.com.au/callback",
                                                                      scope: "openid bank:payees:read"), cdr)
        #expect(cdrScope["verdict"] == "reject" && Self.failed(cdrScope) == "scope")

        let brasilAllowed = try await Self.token(service, Self.brasilCall(brasil))
        #expect(brasilAllowed["verdict"] == "allow" && brasilAllowed["scope"] == "openid accounts payments", "\(brasilAllowed)")
        _ = try await Admin.admin(sandbox, "/admin/frameworks/brasil/organisations/\(Self.brasilOrganisation)", ["roles": ["PAGTO": "Inactive"]])
        let brasilNarrowed = try await Self.token(service, Self.brasilCall(brasil))
        #expect(brasilNarrowed["verdict"] == "allow" && brasilNarrowed["scope"] == "openid accounts" && brasilNarrowed["scopes_removed"] == ["payments"], "\(brasilNarrowed)")
        _ = try await Admin.admin(sandbox, "/admin/frameworks/brasil/organisations/\(Self.brasilOrganisation)", ["status": "Suspended"])
        let brasilDenied = try await Self.token(service, Self.brasilCall(brasil))
        #expect(brasilDenied["verdict"] == "deny" && Self.failed(brasilDenied) == "organisation", "\(brasilDenied)")

        let cdrNarrowed = try await Self.token(service, Self.cdrCall(cdr))
        #expect(cdrNarrowed["verdict"] == "allow" && cdrNarrowed["scopes_removed"] == ["bank:payees:read"], "\(cdrNarrowed)")
        _ = try await Admin.admin(sandbox, "/admin/frameworks/cdr/products/\(Self.cdrSoftware)", ["status": "INACTIVE"])
        let cdrDenied = try await Self.token(service, Self.cdrCall(cdr))
        #expect(cdrDenied["verdict"] == "deny" && Self.failed(cdrDenied) == "software_active", "\(cdrDenied)")
        _ = try await Admin.admin(sandbox, "/admin/frameworks/cdr/products/\(Self.cdrSoftware)", ["status": "ACTIVE"])
        _ = try await Admin.admin(sandbox, "/admin/frameworks/lists", ["mode": "down"])
        let cdrDown = try await Self.token(service, Self.cdrCall(cdr))
        #expect(cdrDown["verdict"] == "undecided", "\(cdrDown)")
        let brasilDown = try await Self.register(service, Self.metadata(try await Self.ssa(sandbox, "open-finance-brasil"), redirect: "https://www.fintech-exemplo.com.br/callback",
                                                                        scope: "openid accounts"), brasil)
        #expect(brasilDown["verdict"] == "undecided", "\(brasilDown)")
        _ = try await Admin.admin(sandbox, "/admin/frameworks/lists", ["mode": "ok"])
        #expect(try await Self.token(service, Self.cdrCall(cdr))["verdict"] == "allow")

        let metrics = try await curl([service.baseURL + "/metrics"])
        for framework in ["open-finance-brasil", "cdr-au"] {
            #expect(OperationsCommandTests.sample(metrics.body, "ssa_toolkit_decisions_total", ["framework=\"\(framework)\"", "kind=\"token\"", "verdict=\"allow\""]) >= 1, "\(framework)")
            #expect(OperationsCommandTests.sample(metrics.body, "ssa_toolkit_decisions_total", ["framework=\"\(framework)\"", "kind=\"registration\"", "verdict=\"reject\""]) >= 1, "\(framework)")
        }
    }

    @Test("decide and token-decide: a Brasil registration accepted (exit 0) and a CDR one refused (exit 1); a CDR token allowed (exit 0), then denied (exit 1)")
    func decide() async throws {
        let sandbox = try SandboxProcess(scheme: "all")
        let config = try Self.config(sandbox)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("frameworks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func write(_ name: String, _ text: String) throws -> String {
            let path = folder.appendingPathComponent(name).path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        let brasil = try write("brasil.pem", try await Self.certificate(sandbox, "brasil-transport"))
        let cdr = try write("cdr.pem", try await Self.certificate(sandbox, "cdr-transport"))
        let brasilRequest = try write("brasil.json", Self.metadata(try await Self.ssa(sandbox, "open-finance-brasil"), redirect: "https://www.fintech-exemplo.com.br/callback",
                                                                   scope: "openid accounts").serialized())
        let accepted = try await CommandRunner.run(["decide", "--config", config, "--request", brasilRequest, "--client-cert", brasil, "--format", "json"])
        #expect(accepted.status == 0, "\(accepted.standardOutput) \(accepted.standardError)")
        let cdrRequest = try write("cdr.json", Self.metadata(try await Self.ssa(sandbox, "cdr-au", age: 1200), redirect: "https://budgeting.example.com.au/callback",
                                                             scope: "openid bank:accounts.basic:read").serialized())
        let refused = try await CommandRunner.run(["decide", "--config", config, "--request", cdrRequest, "--client-cert", cdr, "--format", "json"])
        #expect(refused.status == 1 && refused.standardOutput.contains("\"expiry\""), "\(refused.standardOutput) \(refused.standardError)")

        guard case .object(var call) = Self.cdrCall(try String(contentsOfFile: cdr, encoding: .utf8)) else { return }
        call["client_certificate"] = nil
        let callPath = try write("call.json", JSONValue.object(call).serialized())
        let allowed = try await CommandRunner.run(["token-decide", "--config", config, "--request", callPath, "--client-cert", cdr, "--format", "json"])
        #expect(allowed.status == 0 && allowed.standardOutput.contains("bank:payees:read"), "\(allowed.standardOutput) \(allowed.standardError)")
        _ = try await Admin.admin(sandbox, "/admin/frameworks/cdr/recipients/\(Self.cdrLegalEntity)", ["status": "REVOKED"])
        let denied = try await CommandRunner.run(["token-decide", "--config", config, "--request", callPath, "--client-cert", cdr, "--format", "json"])
        #expect(denied.status == 1 && denied.standardOutput.contains("\"organisation\""), "\(denied.standardOutput) \(denied.standardError)")
    }

    @Test("verify --trust-framework: every SSA joserfc signed for Open Finance Brasil and the CDR gets its manifest's verdict and failing check")
    func verify() async throws {
        let manifest = try StrictJSONParser(maximumDepth: 8).parseObject(Array(try Fixtures.string("frameworks/manifest.json").utf8))
        let instant = try #require(manifest["instant"]?.numberValue)
        let cases = try #require(manifest["cases"]?.arrayValue)
        #expect(cases.count >= 14)
        for entry in cases {
            let object = try #require(entry.objectValue)
            let file = try #require(object["file"]?.stringValue)
            let framework = try #require(object["framework"]?.stringValue)
            let issuer = framework == "cdr-au" ? "cdr-register" : "Open Finance Open Finance Brasil sandbox SSA issuer"
            let result = try await CommandRunner.run(["verify", Fixtures.url("frameworks/" + file).path, "--jwks", Fixtures.url("frameworks/" + (object["jwks"]?.stringValue ?? "")).path,
                                                      "--trust-framework", framework, "--issuer", issuer, "--at", String(Int(instant)), "--format", "json"])
            if object["verdict"] == "valid" {
                #expect(result.status == 0, "\(file): \(result.standardOutput) \(result.standardError)")
            } else {
                let check = try #require(object["failed_check"]?.stringValue)
                #expect(result.status == 1, "\(file): \(result.standardOutput) \(result.standardError)")
                let report = try StrictJSONParser(maximumDepth: 32).parseObject(Array(result.standardOutput.utf8))
                #expect(Self.failed(report) == check, "\(file): \(result.standardOutput)")
            }
        }
        // The same valid Brasil SSA checked as Open Banking UK's: its claims are not where the UK keeps them.
        let asUK = try await CommandRunner.run(["verify", Fixtures.url("frameworks/brasil-valid.jwt").path, "--jwks", Fixtures.url("frameworks/brasil-directory.jwks.json").path,
                                                "--issuer", "Open Finance Open Finance Brasil sandbox SSA issuer", "--at", String(Int(instant)), "--format", "json"])
        #expect(asUK.status == 1 && asUK.standardOutput.contains("software_jwks_endpoint is missing"), "\(asUK.standardOutput)")
    }

    @Test("certs --trust-framework: the ICP-Brasil certificate belongs to its software; another participant's does not; the CDR's binds by holder-of-key")
    func certs() async throws {
        func run(_ pem: String, _ arguments: [String]) async throws -> (status: Int32, check: [String: JSONValue]?) {
            let result = try await CommandRunner.run(["certs", "--pem", Fixtures.url("frameworks/\(pem)").path, "--no-revocation", "--format", "json"] + arguments)
            let report = try StrictJSONParser(maximumDepth: 32).parseObject(Array(result.standardOutput.utf8))
            let checks = report["stores"]?.arrayValue?.first?.objectValue?["checks"]?.arrayValue ?? []
            return (result.status, checks.first { $0.objectValue?["check"] == "certificate_profile" }?.objectValue)
        }
        let own = try await run("brasil-transport.pem", ["--trust-framework", "open-finance-brasil", "--software-id", Self.brasilSoftware, "--org-id", Self.brasilOrganisation])
        #expect(own.check?["outcome"] == "pass", "\(String(describing: own.check))")
        let other = try await run("brasil-other.pem", ["--trust-framework", "open-finance-brasil", "--software-id", Self.brasilSoftware, "--org-id", Self.brasilOrganisation])
        #expect(other.check?["outcome"] == "fail" && other.check?["detail"]?.stringValue?.contains("UID") == true && other.status == 1, "\(String(describing: other.check))")
        let asUK = try await run("brasil-transport.pem", ["--trust-framework", "openbanking-uk", "--software-id", Self.brasilSoftware, "--org-id", Self.brasilOrganisation])
        #expect(asUK.check?["outcome"] == "fail", "an ICP-Brasil certificate is not in the UK profile: \(String(describing: asUK.check))")
        let cdr = try await run("cdr-transport.pem", ["--trust-framework", "cdr-au"])
        #expect(cdr.check?["outcome"] == "pass" && cdr.check?["detail"]?.stringValue?.contains("holder-of-key") == true)
        let none = try await run("cdr-transport.pem", [])
        #expect(none.check == nil, "no profile without --trust-framework")
    }

    @Test("tpp asks each framework's source: the Brasil participants list, the CDR Register (with the legal entity)")
    func tpp() async throws {
        let sandbox = try SandboxProcess(scheme: "all")
        let config = try Self.config(sandbox)
        let brasil = try await CommandRunner.run(["tpp", Self.brasilSoftware, "--org", Self.brasilOrganisation, "--config", config, "--issuer", Self.brasilIssuer])
        #expect(brasil.status == 0 && brasil.standardOutput.contains("ACTIVE") && brasil.standardOutput.contains("participants list"), "\(brasil.standardOutput) \(brasil.standardError)")
        let cdr = try await CommandRunner.run(["tpp", Self.cdrSoftware, "--legal-entity", Self.cdrLegalEntity, "--config", config, "--issuer", "cdr-register", "--format", "json"])
        #expect(cdr.status == 0 && (cdr.standardOutput.contains("\"active\" : true") || cdr.standardOutput.contains("\"active\": true")), "\(cdr.standardOutput) \(cdr.standardError)")
        _ = try await Admin.admin(sandbox, "/admin/frameworks/cdr/products/\(Self.cdrSoftware)", ["status": "REMOVED"])
        let removed = try await CommandRunner.run(["tpp", Self.cdrSoftware, "--legal-entity", Self.cdrLegalEntity, "--config", config, "--issuer", "cdr-register"])
        #expect(removed.status == 1 && removed.standardOutput.contains("NOT ACTIVE"), "\(removed.standardOutput)")
        let noEntity = try await CommandRunner.run(["tpp", Self.cdrSoftware, "--config", config, "--issuer", "cdr-register"])
        #expect(noEntity.status == 1, "\(noEntity.standardOutput)")
    }
}
