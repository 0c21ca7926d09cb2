import DirectorySandbox
import Foundation
@testable import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// Token-time decisions against the sandbox directory: each rule failing on its own beside the
/// passing side, the status cache, and the hook. The audit log's own tests are in
/// AuditLogTests.swift.
@Suite("Token-time decisions against the sandbox directory")
struct TokenDeciderTests {
    static let fixtures = RegistrationDeciderTests.fixtures
    static let intent = "urn-alphabank-intent-58923"

    static func connection(_ sandbox: DirectorySandbox, _ overrides: [String: String] = [:]) throws -> (ToolkitConfiguration, DirectoryConnection) {
        var properties: [String: String] = [:]
        for (name, value) in sandbox.configurationJSON().objectValue! { properties[name] = value.stringValue }
        properties.merge(overrides) { _, new in new }
        let configuration = try ToolkitConfiguration(properties: properties, baseDirectory: nil)
        return (configuration, try DirectoryConnection(configuration: configuration, environment: [:]))
    }

    static func decider(_ sandbox: DirectorySandbox, _ overrides: [String: String] = [:], audit: AuditLog? = nil) throws -> TokenDecider {
        let (configuration, connection) = try connection(sandbox, overrides)
        return try TokenDecider(configuration: configuration, connections: [connection], audit: audit)
    }

    /// The sandbox TPP's transport certificate: the one its client registered with.
    static let transportCertificate = try! Fixtures.string("registration/tpp-transport.pem")

    static func request(scopes: [String] = ["openid", "accounts", "payments"], grantType: String = "authorization_code", intent: JSONValue? = .string(intent),
                        certificate: String? = transportCertificate, softwareID: String = SandboxRecords.activeSoftwareID, organisationID: String = SandboxRecords.activeOrganisationID,
                        subjectDN: String? = nil, userID: String? = "user-1") -> TokenRequest {
        TokenRequest(clientID: softwareID, softwareID: softwareID, organisationID: organisationID, tokenEndpointAuthMethod: "tls_client_auth",
                     registeredSubjectDN: subjectDN ?? "2.5.4.97=PSDGB-FCA-123456,CN=4ZUKbHjbA2ZqxCxTsQPkTY,OU=0015800001041REAAY,O=Acme Budgeting Ltd,C=GB",
                     grantType: grantType, scopes: scopes, userID: userID,
                     claims: intent.map { ["id_token": ["openbanking_intent_id": ["value": $0, "essential": true]]] }, clientCertificatePEM: certificate)
    }

    static func detail(_ decision: TokenDecision) -> String { decision.failedCheck.map { "\($0.name): \($0.detail)" } ?? "no failure" }

    @Test("allow: intent into the id_token and the access token, sub, certificate thumbprint as openssl computes it, lifetimes")
    func allow() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let pem = try Fixtures.string("registration/tpp-transport.pem")
            let decision = try await Self.decider(sandbox).decide(Self.request(certificate: pem))
            #expect(decision.verdict == .allow, "\(Self.detail(decision))")
            #expect(decision.checks.map(\.name) == TokenDecision.checkOrder)
            #expect(decision.grantedScopes == ["openid", "accounts", "payments"] && decision.removedScopes.isEmpty)
            #expect(decision.idTokenClaims["openbanking_intent_id"] == .string(Self.intent) && decision.idTokenClaims["sub"] == .string(Self.intent))
            #expect(decision.accessTokenClaims["openbanking_intent_id"] == .string(Self.intent))
            #expect(decision.lifetimes == TokenLifetimes(accessToken: 300, idToken: 300, refreshToken: 7_776_000))
            // x5t#S256 as another implementation computes it: openssl DER, SHA-256, base64url.
            let computed = try await AsyncProcess.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "openssl x509 -in '\(Fixtures.url("registration/tpp-transport.pem").path)' -outform DER | openssl dgst -sha256 -binary | openssl base64 -A | tr '+/' '-_' | tr -d '='"])
            let expected = computed.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(decision.certificateThumbprint == expected && !expected.isEmpty)
            #expect(decision.accessTokenClaims["cnf"] == ["x5t#S256": .string(expected)])
        }
    }

    @Test("software_active and organisation: revoked, inactive, unlisted and status-less are denied or undecided, never allowed")
    func directoryStatus() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let decider = try Self.decider(sandbox, ["statusCacheSeconds": "0"])
            #expect(await decider.decide(Self.request()).verdict == .allow)
            // The sandbox has certificates for its active TPP only: the other clients here are
            // private_key_jwt clients of a server that does not require a certificate.
            let unbound = try Self.decider(sandbox, ["statusCacheSeconds": "0", "requireClientCertificate": "false"])
            func request(scopes: [String] = ["openid", "accounts", "payments"], softwareID: String = SandboxRecords.activeSoftwareID, organisationID: String = SandboxRecords.activeOrganisationID) -> TokenRequest {
                var request = Self.request(scopes: scopes, certificate: nil, softwareID: softwareID, organisationID: organisationID)
                request.tokenEndpointAuthMethod = "private_key_jwt"
                return request
            }
            #expect(await unbound.decide(request()).verdict == .allow)
            let inactive = await unbound.decide(request(softwareID: SandboxRecords.inactiveSoftwareID))
            #expect(inactive.verdict == .deny && inactive.error == .accessDenied && inactive.failedCheck?.name == .softwareActive)
            let unlisted = await unbound.decide(request(softwareID: SandboxRecords.revokedOrganisationSoftwareID))
            #expect(unlisted.verdict == .deny && unlisted.failedCheck?.detail.contains("lists no software statement") == true)
            let revokedOrganisation = await unbound.decide(request(softwareID: SandboxRecords.revokedOrganisationSoftwareID, organisationID: SandboxRecords.revokedOrganisationID))
            #expect(revokedOrganisation.verdict == .deny && revokedOrganisation.failedCheck?.name == .organisation, "\(Self.detail(revokedOrganisation))")
            let statusless = await unbound.decide(request(scopes: ["openid", "accounts"], softwareID: SandboxRecords.statuslessSoftwareID, organisationID: SandboxRecords.statuslessOrganisationID))
            #expect(statusless.verdict == .undecided && statusless.error == .temporarilyUnavailable && statusless.failedCheck?.name == .organisation)
            let unknown = await unbound.decide(request(organisationID: "NoSuchOrganisation1"))
            #expect(unknown.verdict == .deny)
            // Revoked after registration: the next token is denied.
            sandbox.updateSoftware(SandboxRecords.activeSoftwareID, active: false)
            let revoked = await decider.decide(Self.request())
            #expect(revoked.verdict == .deny && revoked.failedCheck?.name == .softwareActive && revoked.idTokenClaims.isEmpty)
            sandbox.updateSoftware(SandboxRecords.activeSoftwareID, active: true)
            sandbox.updateOrganisation(SandboxRecords.activeOrganisationID, status: "Withdrawn")
            let withdrawn = await decider.decide(Self.request())
            #expect(withdrawn.verdict == .deny && withdrawn.failedCheck?.name == .organisation && withdrawn.failedCheck?.detail.contains("Withdrawn") == true)
        }
    }

    @Test("roles: a lost role removes its scopes; nothing but openid left for a resource grant is a deny; lost authorisation counts too")
    func roles() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let decider = try Self.decider(sandbox, ["statusCacheSeconds": "0", "tokenLifetimes": "PISP:access_token=120"])
            let before = await decider.decide(Self.request())
            #expect(before.lifetimes?.accessToken == 120)  // a payments token is short-lived
            sandbox.updateSoftware(SandboxRecords.activeSoftwareID, roles: ["AISP"])
            let narrowed = await decider.decide(Self.request())
            #expect(narrowed.verdict == .allow && narrowed.removedScopes == ["payments"] && narrowed.grantedScopes == ["openid", "accounts"])
            #expect(narrowed.lifetimes?.accessToken == 300)
            let onlyPayments = await decider.decide(Self.request(scopes: ["openid", "payments"]))
            #expect(onlyPayments.verdict == .deny && onlyPayments.failedCheck?.name == .roles && onlyPayments.error == .accessDenied)
            // Scopes no role governs pass through; openid alone needs no role.
            let plain = await decider.decide(Self.request(scopes: ["openid"], intent: nil))
            #expect(plain.verdict == .allow && plain.grantedScopes == ["openid"])
        }
    }

    @Test("intent: a resource grant without one is invalid_grant; malformed ones too; client_credentials needs none and gets no refresh token")
    func intent() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let decider = try Self.decider(sandbox)
            for (name, value) in [("none", JSONValue?.none), ("number", .number(5)), ("injection", .string("x\"}\u{1B}[2K")), ("too long", .string(String(repeating: "a", count: 200)))] {
                let decision = await decider.decide(Self.request(intent: value))
                #expect(decision.verdict == .deny && decision.error == .invalidGrant && decision.failedCheck?.name == .intent, "\(name): \(Self.detail(decision))")
                #expect(decision.httpStatus == 400)
            }
            let refresh = await decider.decide(Self.request(grantType: "refresh_token", intent: nil))
            #expect(refresh.verdict == .deny && refresh.failedCheck?.name == .intent)
            let clientCredentials = await decider.decide(Self.request(scopes: ["accounts"], grantType: "client_credentials", intent: nil, userID: nil))
            #expect(clientCredentials.verdict == .allow, "\(Self.detail(clientCredentials))")
            #expect(clientCredentials.lifetimes?.refreshToken == nil)
            // The intent may come from the userinfo member too.
            var userinfo = Self.request(intent: nil)
            userinfo.claims = ["userinfo": ["openbanking_intent_id": ["value": .string(Self.intent)]]]
            #expect(await decider.decide(userinfo).intentID == Self.intent)
        }
    }

    @Test("subject: intent (Open Banking UK) or user (FAPI); user mode without a user is invalid_grant")
    func subject() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let user = try Self.decider(sandbox, ["subjectClaim": "user"])
            let decision = await user.decide(Self.request())
            #expect(decision.idTokenClaims["sub"] == "user-1" && decision.idTokenClaims["openbanking_intent_id"] == .string(Self.intent))
            let noUser = await user.decide(Self.request(userID: nil))
            #expect(noUser.verdict == .deny && noUser.error == .invalidGrant && noUser.failedCheck?.name == .subject)
        }
    }

    @Test("certificate: another TPP's, one whose subject is not the registered DN, and garbage are denied")
    func certificate() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let decider = try Self.decider(sandbox)
            let other = await decider.decide(Self.request(certificate: try Fixtures.string("registration/tpp-other.pem")))
            #expect(other.verdict == .deny && other.failedCheck?.name == .certificate && other.error == .accessDenied)
            let wrongDN = await decider.decide(Self.request(certificate: try Fixtures.string("registration/tpp-transport.pem"), subjectDN: "CN=4ZUKbHjbA2ZqxCxTsQPkTY,O=Someone Else,C=GB"))
            #expect(wrongDN.verdict == .deny && wrongDN.failedCheck?.name == .certificate)
            let garbage = await decider.decide(Self.request(certificate: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
            #expect(garbage.verdict == .deny && garbage.failedCheck?.name == .certificate)
        }
    }

    @Test("1,000 concurrent token decisions for one software id with a cold cache cause exactly one SCIM lookup")
    func oneLookup() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let decider = try Self.decider(sandbox)
            let verdicts = await withTaskGroup(of: TokenDecision.Verdict.self) { group in
                for _ in 0..<1000 { group.addTask { await decider.decide(Self.request()).verdict } }
                return await group.reduce(into: [TokenDecision.Verdict]()) { $0.append($1) }
            }
            #expect(verdicts.count == 1000 && verdicts.allSatisfy { $0 == .allow })
            #expect(sandbox.counts()["/scim"] == 1)
            #expect(await decider.directories[0].status?.lookupCount == 1)
        }
    }

    @Test("directory down: undecided with no usable status; a stale record serves only within statusStaleIfErrorSeconds")
    func outage() async throws {
        let clock = TestClock(Date())
        var strict: DirectoryStatusCache?
        var lenient: DirectoryStatusCache?
        var trust: ClientCertificateTrust?
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let (_, connection) = try Self.connection(sandbox)
            let tpp = try #require(connection.tpp)
            trust = .trustStore(try #require(connection.trustStore))
            strict = DirectoryStatusCache(lifetime: 60, staleIfError: 0, clock: clock.reader) { (id: String) async throws(DirectoryError) in try await tpp.organisation(id) }
            lenient = DirectoryStatusCache(lifetime: 60, staleIfError: 600, clock: clock.reader) { (id: String) async throws(DirectoryError) in try await tpp.organisation(id) }
            for cache in [strict!, lenient!] { #expect(await TokenDecider(status: cache, certificateTrust: trust!).decide(Self.request(), at: clock.now).verdict == .allow) }
        }
        // Within the lifetime the cached record serves without the directory.
        #expect(await TokenDecider(status: strict!, certificateTrust: trust!).decide(Self.request(), at: clock.now).verdict == .allow)
        clock.advance(by: 120)
        let closed = await TokenDecider(status: strict!, certificateTrust: trust!).decide(Self.request(), at: clock.now)
        #expect(closed.verdict == .undecided && closed.error == .temporarilyUnavailable && closed.httpStatus == 503)
        let stale = await TokenDecider(status: lenient!, certificateTrust: trust!).decide(Self.request(), at: clock.now)
        #expect(stale.verdict == .allow && stale.checks.first { $0.name == .softwareActive }?.detail.contains("stale") == true)
        clock.advance(by: 600)
        #expect(await TokenDecider(status: lenient!, certificateTrust: trust!).decide(Self.request(), at: clock.now).verdict == .undecided)
    }

    @Test("the hook: six Update Token calls of one request cost one decision; a deny throws from every call")
    func hook() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hook-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let audit = try AuditLog(path: folder.appendingPathComponent("audit.log").path)
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let hook = OpenBankingTokenHook(decider: try Self.decider(sandbox, ["statusCacheSeconds": "0"], audit: audit))
            let issuance = TokenIssuance(Self.request())
            let claims = try await hook.modifyIdToken(issuance)
            let access = try await hook.modifyAccessToken(issuance)
            #expect(try await hook.modifyRefreshToken(issuance))
            #expect(try await hook.accessTokenLifetime(issuance) == 300)
            #expect(try await hook.idTokenLifetime(issuance) == 300)
            #expect(try await hook.refreshTokenLifetime(issuance) == 7_776_000)
            #expect(claims["openbanking_intent_id"] == .string(Self.intent) && access.scopes == ["openid", "accounts", "payments"])
            #expect(try AuditChain.verify([audit.path]).decisions == 1)
            sandbox.updateSoftware(SandboxRecords.activeSoftwareID, active: false)
            let denied = TokenIssuance(Self.request())
            await #expect(throws: TokenRefusal.self) { try await hook.modifyIdToken(denied) }
            await #expect(throws: TokenRefusal.self) { try await hook.accessTokenLifetime(denied) }
            do throws(TokenRefusal) { _ = try await hook.modifyAccessToken(denied) } catch { #expect(error.status == 403 && error.error == .accessDenied) }
            #expect(try AuditChain.verify([audit.path]).decisions == 2)
        }
    }

    @Test("configuration: forbidden claims and malformed lifetimes are refused naming the property")
    func configuration() throws {
        for claim in ["iss", "aud", "exp", "iat", "nbf", "jti", "cnf", "sub", "openbanking_intent_id"] {
            #expect {
                try ToolkitConfiguration(properties: ["idTokenClaims": "{\"\(claim)\": \"x\"}"], baseDirectory: nil)
            } throws: { ($0 as? ConfigurationError)?.property == "idTokenClaims" }
            #expect(throws: ConfigurationError.self) { try ToolkitConfiguration(properties: ["accessTokenClaims": "{\"\(claim)\": 1}"], baseDirectory: nil) }
        }
        let fine = try ToolkitConfiguration(properties: ["idTokenClaims": #"{"acr_source": "bank"}"#, "tokenLifetimes": "access_token=600;PISP:access_token=60,refresh_token=0"], baseDirectory: nil)
        #expect(fine.token.idTokenClaims["acr_source"] == "bank")
        #expect(fine.token.lifetimes.lifetimes(grantType: "authorization_code", roles: ["PISP"]) == TokenLifetimes(accessToken: 60, idToken: 300, refreshToken: nil))
        #expect(fine.token.lifetimes.lifetimes(grantType: "authorization_code", roles: []) == TokenLifetimes(accessToken: 600, idToken: 300, refreshToken: 7_776_000))
        for bad in ["access_token=0", "access_token=x", "bearer=5", "access_token=99999999999"] {
            #expect { try ToolkitConfiguration(properties: ["tokenLifetimes": bad], baseDirectory: nil) } throws: { ($0 as? ConfigurationError)?.property == "tokenLifetimes" }
        }
        #expect(throws: ConfigurationError.self) { try ToolkitConfiguration(properties: ["subjectClaim": "email"], baseDirectory: nil) }
    }
}

/// The serve path writes a token decision's JSON field by field: the same bytes as the tree.
@Suite("Token decision JSON")
struct TokenDecisionJSONTests {
    @Test("jsonBytes() equals json.serializedBytes() for allow, deny and undecided decisions")
    func sameBytes() {
        var allow = TokenDecision(verdict: .allow, checks: [Check(.roles, .pass, "a \"quoted\"\n detail"), Check(.intent, .skip, "é")],
                                  clientID: "c", softwareID: "s", organisationID: "o")
        allow.grantedScopes = ["openid", "accounts"]
        allow.removedScopes = ["payments"]
        allow.intentID = "urn:intent:1"
        allow.idTokenClaims = ["sub": "urn:intent:1", "openbanking_intent_id": "urn:intent:1", "extra": ["n": 1]]
        allow.accessTokenClaims = ["cnf": ["x5t#S256": "abc"]]
        allow.certificateThumbprint = "abc"
        allow.lifetimes = TokenLifetimes(accessToken: 300, idToken: 120, refreshToken: nil)
        var withRefresh = allow
        withRefresh.lifetimes = TokenLifetimes(accessToken: 1, idToken: 2, refreshToken: 3)
        withRefresh.intentID = nil
        withRefresh.certificateThumbprint = nil
        var deny = TokenDecision(verdict: .deny, checks: [Check(.softwareActive, .fail, "no")], clientID: "c", softwareID: "s", organisationID: "o")
        deny.error = .accessDenied
        deny.errorDescription = "software statement s is no longer active"
        deny.grantedScopes = ["openid"]
        let undecided = TokenDecision(verdict: .undecided, checks: [], clientID: "c", softwareID: "s", organisationID: "o")
        var minimalDeny = deny
        minimalDeny.checks.append(Check(.organisation, .skip, "not evaluated"))
        for decision in [allow, withRefresh, deny, undecided, minimalDeny] {
            #expect(decision.jsonBytes() == decision.json.serializedBytes(), "\(String(decoding: decision.jsonBytes(), as: UTF8.self))")
            // Prefer: return=minimal: the same bytes both ways, and only a failed check explained.
            var minimal = decision
            minimal.checkDetails = .failures
            #expect(minimal.jsonBytes() == minimal.json.serializedBytes(), "\(String(decoding: minimal.jsonBytes(), as: UTF8.self))")
            let listed = minimal.json.objectValue?["checks"]?.arrayValue?.compactMap(\.objectValue) ?? []
            #expect(listed.count == decision.checks.count)
            #expect(listed.allSatisfy { ($0["detail"] != nil) == ($0["outcome"] == .string("fail")) }, "\(listed)")
        }
    }

    @Test("a decider asked for the failures' sentences only makes no sentence for a passing check, and decides the same")
    func failuresOnly() async throws {
        try await DirectorySandbox.withSandbox(fixtures: TokenDeciderTests.fixtures) { sandbox in
            let decider = try TokenDeciderTests.decider(sandbox)
            var request = TokenDeciderTests.request()
            let full = await decider.decide(request)
            request.checkDetails = .failures
            let minimal = await decider.decide(request)
            #expect(full.verdict == .allow && minimal.verdict == .allow, "\(TokenDeciderTests.detail(full)) \(TokenDeciderTests.detail(minimal))")
            #expect(minimal.grantedScopes == full.grantedScopes && minimal.idTokenClaims == full.idTokenClaims && minimal.lifetimes == full.lifetimes)
            #expect(minimal.checks.map(\.name) == full.checks.map(\.name) && minimal.checks.map(\.outcome) == full.checks.map(\.outcome))
            #expect(full.checks.allSatisfy { !$0.detail.isEmpty })
            // The sentences the decider writes itself are not made; those a shared rule hands back
            // (revocation, key set) may be, and are left out of the answer all the same.
            for name in [Check.Name.directory, .tokenEndpointAuthMethod, .grantType, .scope, .certificate, .softwareActive, .organisation, .roles, .intent, .subject, .lifetimes] {
                if let check = minimal.checks.first(where: { $0.name == name }) { #expect(check.detail.isEmpty, "\(name): \(check.detail)") }
            }
            #expect(!String(decoding: minimal.jsonBytes(), as: UTF8.self).contains("\"detail\""))
            request.grantType = "password"
            let denied = await decider.decide(request)
            #expect(denied.verdict == .deny && denied.failedCheck?.name == .grantType && denied.failedCheck?.detail.contains("password") == true)
        }
    }
}
