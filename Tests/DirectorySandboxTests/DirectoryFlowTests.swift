import DirectorySandbox
import Foundation
import Logging
import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// The whole token and SCIM flow against the embedded directory, over mutual TLS.
@Suite("Directory client against the sandbox directory")
struct DirectoryFlowTests {
    let fixtures = DirectorySandbox.Fixtures(root: Fixtures.root)

    func connection(_ sandbox: DirectorySandbox, logger: Logger? = nil, transportStore: String = "stores/transport.p12", overrides: [String: String] = [:]) throws -> DirectoryConnection {
        var properties: [String: String] = [:]
        for (name, value) in sandbox.configurationJSON().objectValue! { properties[name] = value.stringValue }
        properties["transportKeyStore"] = Fixtures.url(transportStore).path
        properties.merge(overrides) { _, new in new }
        let configuration = try ToolkitConfiguration(properties: properties, baseDirectory: nil)
        if let logger { return try DirectoryConnection(configuration: configuration, environment: [:], logger: logger) }
        return try DirectoryConnection(configuration: configuration, environment: [:])
    }

    @Test("a token over mutual TLS with a signed assertion; active, inactive and revoked software")
    func lookups() async throws {
        try await DirectorySandbox.withSandbox(fixtures: fixtures) { sandbox in
            let directory = try connection(sandbox)
            let token = try await directory.accessTokens.token()
            #expect(token.tokenType == "Bearer")
            #expect(token.scope == "ASPSPReadAccess TPPReadAccess AuthoritiesReadAccess")
            let tpp = try #require(directory.tpp)
            #expect(try await tpp.isSoftwareStatementActive(SandboxRecords.activeSoftwareID))
            #expect(try await !tpp.isSoftwareStatementActive(SandboxRecords.inactiveSoftwareID))
            // The filter speaks of the software statement only: a revoked organisation's software
            // still flagged active matches; the organisation's record says Revoked.
            #expect(try await tpp.isSoftwareStatementActive(SandboxRecords.revokedOrganisationSoftwareID))
            let record = try await tpp.organisation(SandboxRecords.activeOrganisationID)
            #expect(record.isActive() == true && record.name == "Acme Budgeting Ltd")
            #expect(record.unauthorisedRoles(["AISP", "PISP"], memberState: "GB").isEmpty)
            let revoked = try await tpp.organisation(SandboxRecords.revokedOrganisationID)
            #expect(revoked.isActive() == false)
            await #expect(throws: DirectoryError(.notFound, "")) { try await tpp.organisation("NoSuchOrganisation") }
            #expect(sandbox.counts()["/token"] == 1)
        }
    }

    @Test("200 concurrent lookups cause exactly one token request")
    func tokenCaching() async throws {
        try await DirectorySandbox.withSandbox(fixtures: fixtures) { sandbox in
            // 200 mutual-TLS handshakes at once on a 2-core machine running the rest of the suite:
            // allow the transfers the time such a machine needs.
            let tpp = try #require(try connection(sandbox, overrides: ["connectTimeoutSeconds": "60", "requestTimeoutSeconds": "120"]).tpp)
            // Each SCIM answer is held for two seconds, so the first query is still in flight when
            // the others, released together by the one token, are sent. Without the hold the test
            // measured the scheduler: on a loaded CI machine some tasks resumed after the first
            // answer had come back (38 queries were seen).
            sandbox.delaySCIMAnswers(by: .seconds(2))
            let results = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<200 { group.addTask { try await tpp.isSoftwareStatementActive(SandboxRecords.activeSoftwareID) } }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.count == 200 && results.allSatisfy { $0 })
            let counts = sandbox.counts()
            #expect(counts["/token"] == 1)
            // The 200 identical queries wait for the one token together, then go out together:
            // the ones that find the same query in flight join it instead of repeating it. A
            // query sent after an answer came back is sent again (joining is not caching).
            #expect((1...10).contains(counts["/scim"] ?? 0), "SCIM requests: \(counts["/scim"] ?? 0)")
            #expect((1...TransportConfiguration().maximumConnectionsPerHost).contains(counts["tls-handshakes"] ?? 0), "handshakes: \(counts["tls-handshakes"] ?? 0)")
        }
    }

    @Test("200 different concurrent queries: every one is sent, over at most maximumConnectionsPerHost TLS connections")
    func connectionCap() async throws {
        try await DirectorySandbox.withSandbox(fixtures: fixtures) { sandbox in
            let tpp = try #require(try connection(sandbox, overrides: ["connectTimeoutSeconds": "60", "requestTimeoutSeconds": "120"]).tpp)
            // Distinct software ids the directory does not know: 200 different queries, none joinable.
            let results = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<200 { group.addTask { try await tpp.isSoftwareStatementActive("UnknownSoftware\(i)") } }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.count == 200 && results.allSatisfy { !$0 })
            let counts = sandbox.counts()
            #expect(counts["/scim"] == 200)
            let handshakes = counts["tls-handshakes"] ?? 0
            // One connection for the token, at most the cap for the SCIM burst (the token's
            // connection is reused or counted among them).
            #expect((1...TransportConfiguration().maximumConnectionsPerHost).contains(handshakes), "handshakes: \(handshakes)")
            // Kept alive: another 50 queries need no new handshake.
            for i in 0..<50 { _ = try await tpp.isSoftwareStatementActive("LaterSoftware\(i)") }
            #expect(sandbox.counts()["tls-handshakes"] == handshakes)
        }
    }

    @Test("a 401 on use invalidates the cached token once and retries with a new one")
    func invalidation() async throws {
        try await DirectorySandbox.withSandbox(fixtures: fixtures) { sandbox in
            let tpp = try #require(try connection(sandbox).tpp)
            #expect(try await tpp.isSoftwareStatementActive(SandboxRecords.activeSoftwareID))
            sandbox.revokeTokens()
            #expect(try await tpp.isSoftwareStatementActive(SandboxRecords.activeSoftwareID))
            #expect(sandbox.counts()["/token"] == 2)
            #expect(sandbox.counts()["/scim"] == 3)
        }
    }

    @Test("a hostile identifier is an error, not a query")
    func hostileIdentifier() async throws {
        try await DirectorySandbox.withSandbox(fixtures: fixtures) { sandbox in
            let tpp = try #require(try connection(sandbox).tpp)
            await #expect(throws: DirectoryError(.invalidIdentifier, "")) {
                try await tpp.isSoftwareStatementActive("4ZUK\" or Active eq false or Id eq \"x")
            }
            #expect(sandbox.counts()["/scim"] == nil)
            #expect(sandbox.counts()["/token"] == nil)
        }
    }

    @Test("the sandbox refuses a replayed assertion, a wrong audience and an unregistered key")
    func tokenEndpointRules() async throws {
        try await DirectorySandbox.withSandbox(fixtures: fixtures) { sandbox in
            let identity = try TransportIdentity(pkcs12: store("transport.p12"), password: changeit)
            let trust = try TrustStore(pkcs12: store("trust.p12"), password: changeit)
            let client = HTTPSClient(configuration: .mutualTLS(identity: identity, trust: trust))
            let key = try SigningKey(pem: pki("as-signing.key.pem"))
            func post(_ assertion: String) async throws -> HTTPResponse {
                let form = "grant_type=client_credentials&client_id=2kiXQyo0tedjW2somjSgH7&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=\(assertion)"
                return try await client.post(sandbox.tokenURL, body: Array(form.utf8), contentType: "application/x-www-form-urlencoded")
            }
            let good = ClientAssertionFactory(clientID: "2kiXQyo0tedjW2somjSgH7", audience: sandbox.tokenURL.absoluteString, scopes: ["TPPReadAccess"],
                                              signer: try JWSSigner(key: key.key, algorithm: .PS256, keyID: "as-signing-1"))
            let assertion = try good.make(at: Date())
            #expect(try await post(assertion).status == 200)
            let replay = try await post(assertion)
            #expect(replay.status == 401 && String(decoding: replay.body, as: UTF8.self).contains("jti replay"))
            var wrongAudience = good
            wrongAudience.audience = "https://elsewhere.example/token"
            #expect(try await post(try wrongAudience.make(at: Date())).status == 401)
            var unregistered = good
            unregistered.signer = try JWSSigner(key: key.key, algorithm: .PS256, keyID: "not-registered")
            #expect(try await post(try unregistered.make(at: Date())).status == 401)
            var expired = good
            expired.lifetime = -10
            #expect(try await post(try expired.make(at: Date())).status == 401)
        }
    }

    @Test("a refused token request is a typed OAuth error; no client certificate fails the handshake")
    func refusals() async throws {
        try await DirectorySandbox.withSandbox(fixtures: fixtures) { sandbox in
            // The mismatched store cannot even load; one from another CA fails TLS.
            await #expect {
                try await connection(sandbox, transportStore: "stores/transport-unrelated-ca.p12").accessTokens.token()
            } throws: { error in
                (error as? DirectoryError)?.code == .transport
            }
            // An expired client certificate is refused in the handshake.
            await #expect {
                try await connection(sandbox, transportStore: "stores/transport-expired.p12").accessTokens.token()
            } throws: { error in
                (error as? DirectoryError)?.code == .transport
            }
            let trust = try TrustStore(pkcs12: store("trust.p12"), password: changeit)
            let anonymous = HTTPSClient(configuration: .trusting(pem: trust.pem))
            await #expect(throws: TransportError.self) { try await anonymous.get(sandbox.jwksURL) }
        }
    }

    @Test("no token, assertion or password appears in any log line at trace level")
    func noSecretsLogged() async throws {
        let logs = InMemoryLogs()
        let token = try await DirectorySandbox.withSandbox(fixtures: fixtures) { sandbox in
            let directory = try connection(sandbox, logger: logs.logger())
            let token = try await directory.accessTokens.token()
            _ = try await directory.tpp?.isSoftwareStatementActive(SandboxRecords.activeSoftwareID)
            sandbox.revokeTokens()
            _ = try await directory.tpp?.isSoftwareStatementActive(SandboxRecords.activeSoftwareID)
            return token.revealed()
        }
        #expect(!logs.all.isEmpty, "the test must see log lines to prove anything")
        for line in logs.all {
            #expect(!line.contains(token))
            #expect(!line.contains("changeit"))
            #expect(!line.contains("eyJ"), "no JWT (client assertion) in: \(line)")
            #expect(!line.contains("Bearer "), "no Authorization header in: \(line)")
        }
    }

    @Test("a directory that is down: a transport error, undecided")
    func directoryDown() async throws {
        var url: URL?
        let configuration = try await DirectorySandbox.withSandbox(fixtures: fixtures) { sandbox in
            url = sandbox.baseURL
            return sandbox.configurationJSON()
        }
        var properties: [String: String] = [:]
        for (name, value) in configuration.objectValue! { properties[name] = value.stringValue }
        let directory = try DirectoryConnection(configuration: try ToolkitConfiguration(properties: properties, baseDirectory: nil), environment: [:])
        await #expect {
            try await directory.accessTokens.token()
        } throws: { error in
            (error as? DirectoryError)?.code == .transport && (error as? DirectoryError)?.transport?.code == .connectionFailed
        }
        #expect(url != nil)
    }
}

/// The sandbox directory answers in the published SCIM shapes and reads the filter both ways.
@Suite("The sandbox's SCIM answers")
struct SandboxSCIMShapeTests {
    @Test("list responses, participant resources, errors, application/scim+json, and both filter spellings (+ and %20)")
    func shapes() async throws {
        try await DirectorySandbox.withSandbox(fixtures: DirectorySandbox.Fixtures(root: Fixtures.root)) { sandbox in
            var properties: [String: String] = [:]
            for (name, value) in sandbox.configurationJSON().objectValue! { properties[name] = value.stringValue }
            let connection = try DirectoryConnection(configuration: try ToolkitConfiguration(properties: properties, baseDirectory: nil), environment: [:])
            let token = try await connection.accessTokens.token()
            func get(_ query: String) async throws -> (HTTPResponse, [String: JSONValue]) {
                let url = URL(string: sandbox.tppURL.absoluteString + query)!
                let response = try await connection.transport.get(url, headers: ["Authorization": "Bearer \(token.revealed())"])
                return (response, try StrictJSONParser(maximumDepth: 16).parseObject(response.body))
            }
            let id = SandboxRecords.activeSoftwareID
            // Bare, as the toolkit sends it (%20), and parenthesised with + for spaces, as Janssen's reference script does.
            let bare = "?filter=urn%3Aopenbanking%3Asoftwarestatement%3A1.0%3ASoftwareStatements%5BId%20eq%20%22\(id)%22%20and%20Active%20eq%20true%5D"
            let parenthesised = "?filter=%28urn%3Aopenbanking%3Asoftwarestatement%3A1.0%3ASoftwareStatements%5BId+eq+%22\(id)%22+and+Active+eq+true%5D+%29+&attributes=totalResults"
            for query in [bare, parenthesised] {
                let (response, list) = try await get(query)
                #expect(response.status == 200)
                #expect(response.headers.first { $0.name.lowercased() == "content-type" }?.value.hasPrefix("application/scim+json") == true)
                #expect(list["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"])
                #expect(list["totalResults"] == 1 && list["startIndex"] == 1 && list["itemsPerPage"] == 1)
                #expect(list["Resources"]?.arrayValue?.first?.objectValue?["id"] == .string(SandboxRecords.activeOrganisationID))
            }
            let (full, _) = try await get(bare)
            let resource = try StrictJSONParser(maximumDepth: 16).parseObject(full.body)["Resources"]?.arrayValue?.first?.objectValue
            #expect(resource?["meta"]?.objectValue?["resourceType"] == "participants")
            #expect(resource?["urn:openbanking:organisation:1.0"]?.objectValue?["status"] == "Active")
            let (multi, record) = try await get("/" + SandboxRecords.multiDomainOrganisationID)
            #expect(multi.status == 200 && record["urn:openbanking:organisation:1.0"]?.objectValue?["status"] == nil)
            #expect(record["urn:openbanking:authorisationdomainstatus:1.0"] != nil)
            let (bad, error) = try await get("?filter=userName%20eq%20%22x%22")
            #expect(bad.status == 400)
            #expect(error["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"] && error["status"] == "400" && error["scimType"] == "invalidFilter")
            // Through the client: the multi-domain record parses as Active in PSD2.
            let parsed = try await connection.tpp!.organisation(SandboxRecords.multiDomainOrganisationID)
            #expect(parsed.isActive(domain: "PSD2") == true && parsed.isActive(domain: "Pay.UK") == false)
        }
    }
}
