import DirectorySandbox
import Foundation
import Logging
import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// Registration decisions end to end against the sandbox directory: SSAs it issues, request JWTs
/// the fixture TPP signs, its SCIM answers, over mutual TLS.
@Suite("Registration decisions against the sandbox directory")
struct RegistrationDeciderTests {
    static let fixtures = DirectorySandbox.Fixtures(root: Fixtures.root)

    static func decider(_ sandbox: DirectorySandbox, _ overrides: [String: String] = [:], logger: Logger? = nil) throws -> RegistrationDecider {
        var properties: [String: String] = [:]
        for (name, value) in sandbox.configurationJSON().objectValue! { properties[name] = value.stringValue }
        properties.merge(overrides) { _, new in new }
        let configuration = try ToolkitConfiguration(properties: properties, baseDirectory: nil)
        if let logger { return try RegistrationDecider(configuration: configuration, environment: [:], logger: logger) }
        return try RegistrationDecider(configuration: configuration, environment: [:])
    }

    static func otherCertificate() throws -> String { try Fixtures.string("registration/tpp-other.pem") }

    @Test("a signed request from the right TPP is accepted, with the client to register")
    func accepted() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let tpp = try SandboxTPP(fixtures: Self.fixtures)
            let ssa = try sandbox.issueSoftwareStatement()
            let decision = try await Self.decider(sandbox).decide(RegistrationInput(request: try tpp.requestJWT(ssa: ssa), clientCertificatePEM: tpp.transportCertificatePEM))
            #expect(decision.verdict == .accept, "\(decision.failedCheck.map { "\($0.name): \($0.detail)" } ?? "")")
            #expect(decision.error == nil && decision.errorDescription == nil)
            #expect(decision.checks.map(\.name) == RegistrationDecision.checkOrder)
            #expect(!decision.checks.contains { $0.outcome == .fail })
            for name in [Check.Name.requestSignature, .requestClaims, .redirectURIs, .subjectDN, .scope, .softwareActive, .organisation, .signature] {
                #expect(decision.checks.first { $0.name == name }?.outcome == .pass, "\(name)")
            }
            let client = try #require(decision.client)
            #expect(client.clientID == SandboxRecords.activeSoftwareID)
            #expect(client.redirectURIs == ["https://acme-budget.example.com/callback"])
            #expect(client.scopes == ["openid", "accounts", "payments"])
            #expect(client.tokenEndpointAuthMethod == "tls_client_auth")
            // The certificate's own DN is registered (from its DER), not the caller's spelling of it.
            #expect(tpp.subjectDN.hasPrefix("organizationIdentifier="))
            #expect(client.tlsClientAuthSubjectDN == "2.5.4.97=PSDGB-FCA-123456,CN=4ZUKbHjbA2ZqxCxTsQPkTY,OU=0015800001041REAAY,O=Acme Budgeting Ltd,C=GB")
            #expect(client.jwksURI == sandbox.softwareJWKSURL(SandboxRecords.activeSoftwareID).absoluteString)
            #expect(client.algorithms["id_token_signed_response_alg"] == "PS256")
            #expect(decision.json.objectValue?["client"]?.objectValue?["client_id"] == .string(SandboxRecords.activeSoftwareID))
        }
    }

    /// One registration-request rule broken at a time; the first failing check and its error.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var changes: [String: JSONValue] = [:]
        var plain = false
        var certificate: String? = "tpp"
        var check: Check.Name
        var error: RegistrationErrorCode
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "iss is not the software_id", changes: ["iss": "SomeoneElse0001"], check: .requestClaims, error: .invalidClientMetadata),
        Case(name: "aud names another server", changes: ["aud": "https://other-bank.example"], check: .requestClaims, error: .invalidClientMetadata),
        Case(name: "expired request", changes: ["exp": .number(Date().timeIntervalSince1970 - 600)], check: .requestClaims, error: .invalidClientMetadata),
        Case(name: "request lifetime too long", changes: ["exp": .number(Date().timeIntervalSince1970 + 7200)], check: .requestClaims, error: .invalidClientMetadata),
        Case(name: "no jti", changes: ["jti": .null], check: .requestClaims, error: .invalidClientMetadata),
        Case(name: "redirect URI outside the SSA", changes: ["redirect_uris": ["https://evil.example/cb"]], check: .redirectURIs, error: .invalidRedirectURI),
        Case(name: "no redirect URIs", changes: ["redirect_uris": .null], check: .redirectURIs, error: .invalidRedirectURI),
        Case(name: "redirect URIs not a list", changes: ["redirect_uris": "https://acme-budget.example.com/callback"], check: .redirectURIs, error: .invalidRedirectURI),
        Case(name: "client_secret_basic", changes: ["token_endpoint_auth_method": "client_secret_basic"], check: .tokenEndpointAuthMethod, error: .invalidClientMetadata),
        Case(name: "no auth method", changes: ["token_endpoint_auth_method": .null], check: .tokenEndpointAuthMethod, error: .invalidClientMetadata),
        Case(name: "expired client certificate", certificate: "pki/as-transport-expired.pem", check: .clientCertificate, error: .invalidClientMetadata),
        Case(name: "not a certificate", certificate: "garbage", check: .clientCertificate, error: .invalidClientMetadata),
        Case(name: "another TPP's certificate", certificate: "registration/tpp-other.pem", check: .clientCertificate, error: .invalidClientMetadata),
        Case(name: "subject DN that is not the certificate's", changes: ["tls_client_auth_subject_dn": "CN=4ZUKbHjbA2ZqxCxTsQPkTY,OU=0015800001041REAAY,O=Acme Budgeting Ltd,C=GB"], check: .subjectDN, error: .invalidClientMetadata),
        Case(name: "tls_client_auth without a subject DN", changes: ["tls_client_auth_subject_dn": .null], check: .subjectDN, error: .invalidClientMetadata),
        Case(name: "no client certificate (clientCertificateBinding=software)", certificate: nil, check: .clientCertificate, error: .invalidClientMetadata),
        Case(name: "unreadable subject DN", changes: ["tls_client_auth_subject_dn": "CN"], check: .subjectDN, error: .invalidClientMetadata),
        Case(name: "RS256 ID tokens", changes: ["id_token_signed_response_alg": "RS256"], check: .signingAlgorithms, error: .invalidClientMetadata),
        Case(name: "HS256 client authentication", changes: ["token_endpoint_auth_signing_alg": "HS256"], check: .signingAlgorithms, error: .invalidClientMetadata),
        Case(name: "implicit grant", changes: ["grant_types": ["implicit"]], check: .grantTypes, error: .invalidClientMetadata),
        Case(name: "token response type", changes: ["response_types": ["token"]], check: .responseTypes, error: .invalidClientMetadata),
        Case(name: "scope beyond the roles", changes: ["scope": "openid accounts fundsconfirmations"], check: .scope, error: .invalidClientMetadata),
        Case(name: "native application", changes: ["application_type": "native"], check: .applicationType, error: .invalidClientMetadata),
        Case(name: "plain JSON with a bad redirect", changes: ["redirect_uris": ["https://evil.example/cb"]], plain: true, check: .redirectURIs, error: .invalidRedirectURI),
    ]

    @Test("each registration-request rule refuses what breaks it", arguments: cases)
    func ruleFails(_ rule: Case) async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let tpp = try SandboxTPP(fixtures: Self.fixtures)
            let ssa = try sandbox.issueSoftwareStatement()
            let request = rule.plain
                ? JSONValue.object(tpp.metadata(ssa: ssa, changes: rule.changes)).serialized()
                : try tpp.requestJWT(ssa: ssa, changes: rule.changes)
            let certificate: String? = switch rule.certificate {
            case "tpp"?: tpp.transportCertificatePEM
            case "garbage"?: "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"
            case let path?: try Fixtures.string(path)
            case nil: nil
            }
            let decision = try await Self.decider(sandbox).decide(RegistrationInput(request: request, clientCertificatePEM: certificate))
            #expect(decision.verdict == .reject)
            #expect(decision.failedCheck?.name == rule.check, "\(decision.failedCheck.map { "\($0.name): \($0.detail)" } ?? "no failure")")
            #expect(decision.error == rule.error)
            #expect(decision.client == nil)
            // A request refused on its own merits never reaches the directory's SCIM endpoint.
            #expect(sandbox.counts()["/scim"] == nil)
        }
    }

    @Test("the passing side of the optional rules: private_key_jwt, no scope, plain JSON")
    func optionalRulesPass() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let tpp = try SandboxTPP(fixtures: Self.fixtures)
            let ssa = try sandbox.issueSoftwareStatement()
            let decider = try Self.decider(sandbox)
            let privateKeyJWT = try tpp.requestJWT(ssa: ssa, changes: ["token_endpoint_auth_method": "private_key_jwt", "tls_client_auth_subject_dn": .null, "scope": .null])
            let decision = await decider.decide(RegistrationInput(request: privateKeyJWT, clientCertificatePEM: tpp.transportCertificatePEM))
            #expect(decision.verdict == .accept, "\(decision.failedCheck?.detail ?? "")")
            #expect(decision.checks.first { $0.name == .subjectDN }?.outcome == .skip)
            #expect(decision.client?.scopes == ["openid", "accounts", "payments"])
            #expect(decision.client?.tlsClientAuthSubjectDN == nil)

            let plain = JSONValue.object(tpp.metadata(ssa: ssa)).serialized()
            let accepted = await decider.decide(RegistrationInput(request: plain, clientCertificatePEM: tpp.transportCertificatePEM))
            #expect(accepted.verdict == .accept, "\(accepted.failedCheck?.detail ?? "")")
            #expect(accepted.checks.first { $0.name == .requestSignature }?.outcome == .skip)

            let strict = try Self.decider(sandbox, ["requireSignedRequest": "true"])
            let refused = await strict.decide(RegistrationInput(request: plain, clientCertificatePEM: tpp.transportCertificatePEM))
            #expect(refused.verdict == .reject && refused.failedCheck?.name == .requestFormat)
        }
    }

    @Test("request signatures: tampered, another key under the TPP's kid, unknown kid, alg none")
    func requestSignatures() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let tpp = try SandboxTPP(fixtures: Self.fixtures)
            let ssa = try sandbox.issueSoftwareStatement()
            let decider = try Self.decider(sandbox)
            let good = try tpp.requestJWT(ssa: ssa)
            let parts = good.split(separator: ".").map(String.init)
            let metadata = JSONValue.object(tpp.metadata(ssa: ssa, changes: ["redirect_uris": ["https://evil.example/cb"]])).serialized()
            let tampered = parts[0] + "." + Base64URL.encode(metadata) + "." + parts[2]
            let attacker = try JWSSigner(key: try SigningKey(pem: KeyStoreLocation(path: Fixtures.url("jose/keys/attacker-rsa.key.pem").path)).key, algorithm: .PS256, keyID: "tpp-sig-1")
            let claims = try CompactJWS(parsing: good).payload
            let forged = try attacker.sign(payload: claims)
            let unknownKid = try JWSSigner(key: try SigningKey(pem: KeyStoreLocation(path: Fixtures.url("registration/tpp-software.key.pem").path)).key, algorithm: .PS256, keyID: "tpp-sig-9").sign(payload: claims)
            let none = Base64URL.encode(#"{"alg":"none","typ":"JWT"}"#) + "." + parts[1] + "."
            for (name, token) in [("tampered", tampered), ("forged", forged), ("unknown kid", unknownKid), ("alg none", none)] {
                let decision = await decider.decide(RegistrationInput(request: token, clientCertificatePEM: tpp.transportCertificatePEM))
                #expect(decision.verdict == .reject, "\(name)")
                #expect(decision.failedCheck?.name == .requestSignature, "\(name): \(decision.failedCheck?.detail ?? "")")
                #expect(decision.client == nil)
            }
            // The software key set was fetched once (plus one rate-limited refresh for the unknown kid).
            #expect((sandbox.counts()["/software-jwks"] ?? 0) <= 2)
        }
    }

    @Test("the directory's answer: inactive software and a revoked organisation are unapproved")
    func directoryAnswers() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let tpp = try SandboxTPP(fixtures: Self.fixtures)
            // The fixture TPP's certificate stands in for these other software statements' own.
            let decider = try Self.decider(sandbox, ["clientCertificateBinding": "none"])
            for (softwareID, check) in [(SandboxRecords.inactiveSoftwareID, Check.Name.softwareActive), (SandboxRecords.revokedOrganisationSoftwareID, .organisation)] {
                let ssa = try sandbox.issueSoftwareStatement(softwareID: softwareID)
                let request = try tpp.requestJWT(ssa: ssa, changes: ["iss": .string(softwareID)])
                let decision = await decider.decide(RegistrationInput(request: request, clientCertificatePEM: tpp.transportCertificatePEM))
                #expect(decision.verdict == .reject && decision.error == .unapprovedSoftwareStatement, "\(softwareID)")
                #expect(decision.failedCheck?.name == check, "\(softwareID): \(decision.failedCheck?.detail ?? "")")
            }
            // A revoked organisation is reported as such too.
            let revoked = try sandbox.issueSoftwareStatement(softwareID: SandboxRecords.revokedOrganisationSoftwareID, changes: ["software_roles": ["PISP"]])
            let decision = await decider.decide(RegistrationInput(softwareStatement: revoked))
            #expect(decision.checks.first { $0.name == .organisation }?.detail.contains("Revoked") == true)
        }
    }

    @Test("200 concurrent decisions share one JWKS fetch, one software key set fetch and one token request")
    func concurrentDecisions() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let tpp = try SandboxTPP(fixtures: Self.fixtures)
            let ssa = try sandbox.issueSoftwareStatement()
            // 400 SCIM calls at once, each a mutual-TLS handshake on a 2-core machine running the
            // rest of the suite in parallel: allow the transfers the time such a machine needs.
            let decider = try Self.decider(sandbox, ["connectTimeoutSeconds": "60", "requestTimeoutSeconds": "120"])
            let requests = try (0..<200).map { _ in try tpp.requestJWT(ssa: ssa) }
            let verdicts = await withTaskGroup(of: RegistrationDecision.Verdict.self) { group in
                for request in requests {
                    group.addTask { await decider.decide(RegistrationInput(request: request, clientCertificatePEM: tpp.transportCertificatePEM)).verdict }
                }
                return await group.reduce(into: [RegistrationDecision.Verdict]()) { $0.append($1) }
            }
            #expect(verdicts.count == 200 && verdicts.allSatisfy { $0 == .accept })
            let counts = sandbox.counts()
            #expect(counts["/jwks"] == 1)
            #expect(counts["/software-jwks"] == 1)
            #expect(counts["/token"] == 1)
            // Two SCIM queries per decision (software active, organisation record), 400 in all
            // unless identical ones in flight were joined; over at most the connection cap.
            #expect((2...400).contains(counts["/scim"] ?? 0))
            #expect((1...TransportConfiguration().maximumConnectionsPerHost).contains(counts["tls-handshakes"] ?? 0), "handshakes: \(counts["tls-handshakes"] ?? 0)")
        }
    }

    @Test("a directory outage is undecided, never an accept")
    func outage() async throws {
        let tpp = try SandboxTPP(fixtures: Self.fixtures)
        var decider: RegistrationDecider?
        var request = ""
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            decider = try Self.decider(sandbox)
            let ssa = try sandbox.issueSoftwareStatement()
            request = try tpp.requestJWT(ssa: ssa)
            #expect(await decider!.decide(RegistrationInput(request: request, clientCertificatePEM: tpp.transportCertificatePEM)).verdict == .accept)
        }
        // The sandbox is gone: keys and token are cached, the SCIM lookups fail. (A new request
        // JWT: the accepted one's jti is remembered, and its replay would be refused first.)
        let replayed = await decider!.decide(RegistrationInput(request: request, clientCertificatePEM: tpp.transportCertificatePEM))
        #expect(replayed.verdict == .reject && replayed.failedCheck?.name == .requestReplay)
        request = try tpp.requestJWT(ssa: try CompactJWS(parsing: request).payload["software_statement"]?.stringValue ?? "")
        let decision = await decider!.decide(RegistrationInput(request: request, clientCertificatePEM: tpp.transportCertificatePEM))
        #expect(decision.verdict == .undecided)
        #expect(decision.error == .temporarilyUnavailable)
        #expect(decision.failedCheck?.name == .softwareActive)
        #expect(decision.client == nil)
        // Undecided means unused: the same request may be retried, and is not called a replay.
        let retried = await decider!.decide(RegistrationInput(request: request, clientCertificatePEM: tpp.transportCertificatePEM))
        #expect(retried.verdict == .undecided && retried.failedCheck?.name == .softwareActive)

        // A decider that never reached the directory: its JWKS is unavailable.
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let ssa = try sandbox.issueSoftwareStatement()
            let fresh = try Self.decider(sandbox, ["tokenUrl": "https://127.0.0.1:1/token", "jwks_endpoint": "https://127.0.0.1:1/jwks"])
            let cold = await fresh.decide(RegistrationInput(request: try tpp.requestJWT(ssa: ssa), clientCertificatePEM: tpp.transportCertificatePEM))
            #expect(cold.verdict == .undecided && cold.failedCheck?.name == .key)
        }
    }

    @Test("the software statement: bad ones are rejected before anything else; mismatched copies refused")
    func softwareStatements() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let tpp = try SandboxTPP(fixtures: Self.fixtures)
            let decider = try Self.decider(sandbox)
            let revokedClaim = try sandbox.issueSoftwareStatement(changes: ["org_status": "Revoked"])
            let decision = await decider.decide(RegistrationInput(request: try tpp.requestJWT(ssa: revokedClaim), clientCertificatePEM: tpp.transportCertificatePEM))
            #expect(decision.verdict == .reject && decision.error == .unapprovedSoftwareStatement && decision.failedCheck?.name == .orgStatus)

            let tampered = try Fixtures.string("jose/ssa/tampered-payload.jwt")
            let bad = await decider.decide(RegistrationInput(softwareStatement: tampered))
            #expect(bad.verdict == .reject && bad.failedCheck?.name == .signature && bad.softwareStatement == nil)

            let one = try sandbox.issueSoftwareStatement()
            let other = try sandbox.issueSoftwareStatement()
            let mismatch = await decider.decide(RegistrationInput(softwareStatement: other, request: try tpp.requestJWT(ssa: one)))
            #expect(mismatch.verdict == .reject && mismatch.failedCheck?.name == .requestFormat)
            #expect(sandbox.counts()["/scim"] == nil)

            let nothing = await decider.decide(RegistrationInput(request: "{}"))
            #expect(nothing.verdict == .reject && nothing.error == .invalidSoftwareStatement)
            let garbage = await decider.decide(RegistrationInput(request: "not a request"))
            #expect(garbage.verdict == .reject && garbage.failedCheck?.name == .requestFormat)
        }
    }

    @Test("interop: a request JWT signed by joserfc, with the SSA signed by Python's cryptography")
    func joserfcRequest() async throws {
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            var properties: [String: String] = [:]
            for (name, value) in sandbox.configurationJSON().objectValue! { properties[name] = value.stringValue }
            let connection = try DirectoryConnection(configuration: try ToolkitConfiguration(properties: properties, baseDirectory: nil), environment: [:])
            let directoryJWKS = try JWKS(parsing: Array(try Fixtures.data("jose/directory.jwks.json")))
            let softwareJWKS = try JWKS(parsing: Array(try Fixtures.data("registration/tpp-software.jwks.json")))
            let endpoint = try #require(SoftwareStatementClaims(try CompactJWS(parsing: try Fixtures.string("jose/ssa/valid-ps256.jwt")).payload).softwareJWKSEndpoint)
            let decider = RegistrationDecider(
                verifier: SoftwareStatementVerifier(keys: JWKSProvider(source: .fixed(directoryJWKS))),
                directory: try #require(connection.tpp),
                rules: RegistrationRules(audience: DirectorySandbox.authorizationServerIssuer),
                softwareKeys: SoftwareKeySets(source: .fixed([endpoint: softwareJWKS])),
                certificateTrust: .trustStore(try #require(connection.trustStore))
            )
            let decision = await decider.decide(RegistrationInput(
                request: try Fixtures.string("registration/request-joserfc.jwt"),
                clientCertificatePEM: try Fixtures.string("registration/tpp-transport.pem")
            ), at: Fixtures.ssaInstant)
            #expect(decision.verdict == .accept, "\(decision.failedCheck.map { "\($0.name): \($0.detail)" } ?? "")")
            // Its subject DN is written in reverse order with the OID spelling of organizationIdentifier.
            #expect(decision.checks.first { $0.name == .subjectDN }?.outcome == .pass)
        }
    }

    @Test("no token, assertion, request JWT or password in any log line at trace level")
    func noSecretsLogged() async throws {
        let logs = InMemoryLogs()
        var request = ""
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let tpp = try SandboxTPP(fixtures: Self.fixtures)
            request = try tpp.requestJWT(ssa: try sandbox.issueSoftwareStatement())
            let decision = try await Self.decider(sandbox, logger: logs.logger()).decide(RegistrationInput(request: request, clientCertificatePEM: tpp.transportCertificatePEM))
            #expect(decision.verdict == .accept)
        }
        #expect(!logs.all.isEmpty)
        for line in logs.all {
            #expect(!line.contains("eyJ"), "no JWT in: \(line)")
            #expect(!line.contains("changeit"))
            #expect(!line.contains("Bearer "))
        }
    }
}
