import DirectorySandbox
import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// A server that trusts two directories, each with its own SSA signing key: the SSA's `iss`
/// selects the directory that verifies it and is asked about it; another issuer is refused; token
/// time asks the directory that issued the client's SSA.
@Suite("Several trusted directories")
struct TrustedDirectoriesTests {
    static let fixtures = RegistrationDeciderTests.fixtures

    /// The properties of `sandboxes` as one configuration: the first sandbox's at the top level,
    /// and a `trustedDirectories` entry per sandbox with what differs.
    static func configuration(_ sandboxes: [DirectorySandbox], _ overrides: [String: String] = [:]) throws -> ToolkitConfiguration {
        var properties: [String: String] = [:]
        for (name, value) in sandboxes[0].configurationJSON().objectValue! { properties[name] = value.stringValue }
        if sandboxes.count > 1 {
            let entries: [JSONValue] = sandboxes.map { sandbox in
                let all = sandbox.configurationJSON().objectValue!
                return .object(all.filter { ["issuer", "jwks_endpoint", "tokenUrl", "tppUrl", "aud"].contains($0.key) })
            }
            properties["trustedDirectories"] = JSONValue.array(entries).serialized()
        }
        properties.merge(overrides) { _, new in new }
        return try ToolkitConfiguration(properties: properties, baseDirectory: nil)
    }

    static func withTwoSandboxes(_ body: (DirectorySandbox, DirectorySandbox) async throws -> Void) async throws {
        try await DirectorySandbox.withSandbox(fixtures: fixtures, scheme: .openBanking) { first in
            try await DirectorySandbox.withSandbox(fixtures: fixtures, scheme: .secondDirectory) { second in
                try await body(first, second)
            }
        }
    }

    @Test("the configuration: a list of directories over shared properties, in both file forms; bad lists are refused with the property named")
    func configurationForms() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trusted-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let list: JSONValue = [
            ["issuer": "OpenBanking Ltd", "jwks_endpoint": "https://one.example/jwks", "tppUrl": "https://one.example/scim", "tokenUrl": "https://one.example/token"],
            ["issuer": "Second Scheme Directory", "jwks_endpoint": "https://two.example/jwks", "tppUrl": "https://two.example/scim", "tokenUrl": "https://two.example/token",
             "transportKeyStore": "two-transport.p12", "transportKeyStorePassword": "env:TWO_PASSWORD"],
        ]
        let plain: JSONValue = ["clientScopes": "TPPReadAccess", "keyId": "k1", "transportKeyStore": "one-transport.p12", "transportKeyStorePassword": "env:ONE", "trustedDirectories": list]
        let janssen: JSONValue = ["configurationProperties": [
            ["value1": "clientScopes", "value2": "TPPReadAccess"], ["value1": "keyId", "value2": "k1"],
            ["value1": "transportKeyStore", "value2": "one-transport.p12"], ["value1": "transportKeyStorePassword", "value2": "env:ONE"],
            ["value1": "trustedDirectories", "value2": .string(list.serialized())],
        ]]
        for (name, document) in [("plain.json", plain), ("janssen.json", janssen)] {
            let path = folder.appendingPathComponent(name).path
            try Data(document.serializedBytes()).write(to: URL(fileURLWithPath: path))
            let configuration = try ToolkitConfiguration.load(path: path)
            let directories = configuration.directories
            #expect(directories.map(\.issuer) == ["OpenBanking Ltd", "Second Scheme Directory"], "\(name)")
            #expect(directories.map { $0.tppURL?.host } == ["one.example", "two.example"])
            // Shared properties apply to every directory; an entry's own replace them, paths resolved from the file's folder.
            #expect(directories.allSatisfy { $0.clientScopes == ["TPPReadAccess"] && $0.keyID == "k1" })
            #expect(directories.map { $0.transportKeyStore?.path } == [folder.appendingPathComponent("one-transport.p12").path, folder.appendingPathComponent("two-transport.p12").path])
            #expect(directories[1].transportKeyStorePassword == .environment("TWO_PASSWORD"))
        }
        // Without the property, the configuration is its own single directory.
        #expect(try ToolkitConfiguration(properties: ["issuer": "X"], baseDirectory: nil).directories.map(\.issuer) == ["X"])

        let refused: [(String, String)] = [
            (#"[{"issuer":"A"},{"issuer":"A"}]"#, "listed twice"),
            (#"[{"jwks_endpoint":"https://a.example/jwks"}]"#, "no issuer"),
            (#"[{"issuer":"A","registrationAudience":"x"}]"#, "not a per-directory property"),
            (#"[{"issuer":"A","tokenUrl":"http://a.example/token"}]"#, "not an https URL"),
            (#"[]"#, "between 1 and 16"),
            (#"{"issuer":"A"}"#, "list of objects"),
            (#"[{"issuer":"A""#, "not JSON"),
        ]
        for (text, expected) in refused {
            #expect {
                _ = try ToolkitConfiguration(properties: ["trustedDirectories": text], baseDirectory: nil)
            } throws: { error in
                guard let error = error as? ConfigurationError else { return false }
                return (error.property ?? "").hasPrefix("trustedDirectories") && error.reason.contains(expected)
            }
        }
    }

    @Test("registration: each directory's SSAs are accepted, verified with its own keys and checked with its own SCIM; another issuer is unapproved")
    func registration() async throws {
        try await Self.withTwoSandboxes { first, second in
            let tpp = try SandboxTPP(fixtures: Self.fixtures)
            let runtime = try ToolkitRuntime(configuration: Self.configuration([first, second]), environment: [:])
            #expect(runtime.connections.count == 2)
            let decider = runtime.registrationDecider

            for (sandbox, other) in [(first, second), (second, first)] {
                let scimBefore = (sandbox.counts()["/scim"] ?? 0, other.counts()["/scim"] ?? 0)
                let ssa = try sandbox.issueSoftwareStatement()
                let decision = await decider.decide(RegistrationInput(request: try tpp.requestJWT(ssa: ssa), clientCertificatePEM: tpp.transportCertificatePEM))
                #expect(decision.verdict == .accept, "\(sandbox.scheme.issuer): \(decision.failedCheck.map { "\($0.name): \($0.detail)" } ?? "")")
                #expect(decision.softwareStatement?.issuer == sandbox.scheme.issuer)
                #expect(decision.checks.first { $0.name == .key }?.detail.contains(sandbox.scheme.keyID) == true)
                // The issuing directory was asked; the other was not.
                #expect((sandbox.counts()["/scim"] ?? 0) > scimBefore.0 && (other.counts()["/scim"] ?? 0) == scimBefore.1)
            }

            // An issuer on neither list: unapproved, before any key is fetched for it.
            let rogue = try second.issueSoftwareStatement(changes: ["iss": "Rogue Directory"])
            let refused = await decider.decide(RegistrationInput(request: try tpp.requestJWT(ssa: rogue), clientCertificatePEM: tpp.transportCertificatePEM))
            #expect(refused.verdict == .reject && refused.error == .unapprovedSoftwareStatement && refused.failedCheck?.name == .issuer)
            #expect(refused.failedCheck?.detail.contains("Rogue Directory") == true)

            // The second directory's key claiming the first's issuer: the first's keys do not verify it.
            let forged = try second.issueSoftwareStatement(changes: ["iss": .string(first.scheme.issuer)])
            let forgery = await decider.decide(RegistrationInput(request: try tpp.requestJWT(ssa: forged), clientCertificatePEM: tpp.transportCertificatePEM))
            #expect(forgery.verdict == .reject && [Check.Name.key, .signature].contains(forgery.failedCheck?.name), "\(forgery.failedCheck.map { "\($0.name): \($0.detail)" } ?? "")")
        }
    }

    @Test("a server trusting one directory refuses the other's SSAs as unapproved, whichever it trusts")
    func singleDirectoryRefusesTheOther() async throws {
        try await Self.withTwoSandboxes { first, second in
            let tpp = try SandboxTPP(fixtures: Self.fixtures)
            for (trusted, other) in [(first, second), (second, first)] {
                let decider = try RegistrationDecider(configuration: Self.configuration([trusted]), environment: [:])
                let own = await decider.decide(RegistrationInput(request: try tpp.requestJWT(ssa: try trusted.issueSoftwareStatement()), clientCertificatePEM: tpp.transportCertificatePEM))
                #expect(own.verdict == .accept, "\(trusted.scheme.issuer)")
                let foreign = await decider.decide(RegistrationInput(request: try tpp.requestJWT(ssa: try other.issueSoftwareStatement()), clientCertificatePEM: tpp.transportCertificatePEM))
                #expect(foreign.verdict == .reject && foreign.error != nil)
                #expect([RegistrationErrorCode.unapprovedSoftwareStatement, .invalidSoftwareStatement].contains(foreign.error!))
                #expect([Check.Name.key, .signature, .issuer].contains(foreign.failedCheck?.name))
            }
        }
    }

    @Test("token time: the status comes from the directory named by ssa_issuer; without it, denied unless defaultTokenDirectory names one; an untrusted issuer is denied; the audit record names the directory")
    func tokenTime() async throws {
        try await Self.withTwoSandboxes { first, second in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trusted-audit-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let auditPath = folder.appendingPathComponent("audit.log").path
            let runtime = try ToolkitRuntime(configuration: Self.configuration([first, second], ["statusCacheSeconds": "0", "auditLog": auditPath]), environment: [:])
            func request(_ issuer: String?) -> TokenRequest {
                var request = TokenDeciderTests.request()
                request.ssaIssuer = issuer
                return request
            }
            // The software is revoked in the second directory only.
            second.updateSoftware(SandboxRecords.activeSoftwareID, active: false)
            let fromFirst = await runtime.tokenDecider.decide(request(first.scheme.issuer))
            #expect(fromFirst.verdict == .allow, "\(TokenDeciderTests.detail(fromFirst))")
            // No silent fallback: with two directories a call that names none is denied, even
            // though the first directory has the software active...
            let unnamed = await runtime.tokenDecider.decide(request(nil))
            #expect(unnamed.verdict == .deny && unnamed.failedCheck?.name == .directory && unnamed.failedCheck?.detail.contains("defaultTokenDirectory") == true,
                    "\(TokenDeciderTests.detail(unnamed))")
            // ...unless the configuration names the default explicitly; it then asks that one.
            let toFirst = try ToolkitRuntime(configuration: Self.configuration([first, second], ["statusCacheSeconds": "0", "defaultTokenDirectory": first.scheme.issuer]), environment: [:])
            #expect(await toFirst.tokenDecider.decide(request(nil)).verdict == .allow)
            let toSecond = try ToolkitRuntime(configuration: Self.configuration([first, second], ["statusCacheSeconds": "0", "defaultTokenDirectory": second.scheme.issuer]), environment: [:])
            let defaultedToSecond = await toSecond.tokenDecider.decide(request(nil))
            #expect(defaultedToSecond.verdict == .deny && defaultedToSecond.failedCheck?.name == .softwareActive && defaultedToSecond.directory == second.scheme.issuer)
            #expect { try Self.configuration([first, second], ["defaultTokenDirectory": "Rogue Directory"]) } throws: { ($0 as? ConfigurationError)?.property == "defaultTokenDirectory" }
            // With one directory, a call without ssa_issuer asks that one, as before.
            let single = try ToolkitRuntime(configuration: Self.configuration([first]), environment: [:])
            #expect(await single.tokenDecider.decide(request(nil)).verdict == .allow)
            let secondBefore = second.counts()["/scim"] ?? 0
            let fromSecond = await runtime.tokenDecider.decide(request(second.scheme.issuer))
            #expect(fromSecond.verdict == .deny && fromSecond.failedCheck?.name == .softwareActive)
            #expect((second.counts()["/scim"] ?? 0) > secondBefore)
            second.updateSoftware(SandboxRecords.activeSoftwareID, active: true)
            #expect(await runtime.tokenDecider.decide(request(second.scheme.issuer)).verdict == .allow)
            let untrusted = await runtime.tokenDecider.decide(request("Rogue Directory"))
            #expect(untrusted.verdict == .deny && untrusted.error == .accessDenied && untrusted.failedCheck?.detail.contains("not a trusted directory") == true)

            // Every record names the directory that was asked (none for the unnamed call).
            let records = try AuditChain.records([auditPath])
            #expect(records.map { $0["directory"]?.stringValue } == [first.scheme.issuer, nil, second.scheme.issuer, second.scheme.issuer, nil], "\(records)")
            // A registration's record names the directory that verified the SSA.
            let tpp = try SandboxTPP(fixtures: Self.fixtures)
            _ = await runtime.registrationDecider.decide(RegistrationInput(request: try tpp.requestJWT(ssa: try second.issueSoftwareStatement()), clientCertificatePEM: tpp.transportCertificatePEM))
            #expect(try AuditChain.records([auditPath]).last?["directory"]?.stringValue == second.scheme.issuer)

            // Over the call body too.
            let body = try StrictJSONParser().parseObject(Array(#"{"client_id":"c","software_id":"s1","org_id":"o1","grant_type":"client_credentials","scope":"accounts","ssa_issuer":"Second Scheme Directory"}"#.utf8))
            #expect(try TokenRequest(json: body).ssaIssuer == "Second Scheme Directory")
        }
    }
}
