import DirectorySandbox
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import PostgresStateStore
import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// The replay store and audit chains several nodes share, on a real PostgreSQL server from
/// Debian's packages that each test starts on 127.0.0.1 in a temporary folder (TLS and SCRAM, as
/// a bank's database would be reached), and stops.
@Suite("Shared state on PostgreSQL: one replay store and audit chains for several nodes")
struct SharedStateTests {
    static let fixtures = DirectorySandbox.Fixtures(root: Fixtures.root)

    /// The `stateStore` properties for `database`: verify-full TLS against its CA by default.
    /// (The timeout is generous: under a full parallel test run on two cores a debug build's
    /// first TLS and SCRAM handshakes take seconds; the outage test sets its own.)
    static func properties(_ database: TestPostgres, node: String, tls: String = "verify-full", timeoutMillis: Int = 10_000) -> [String: String] {
        let query = tls == "verify-full" ? "?sslmode=verify-full&sslrootcert=\(database.caFile)" : "?sslmode=\(tls)"
        return ["stateStore": database.url.replacingOccurrences(of: "@127.0.0.1:", with: "@localhost:") + query,
                "stateStorePassword": "env:SSA_TEST_PG_PASSWORD", "stateStoreNode": node, "stateStoreTimeoutMillis": "\(timeoutMillis)"]
    }

    static func store(_ database: TestPostgres, node: String, tls: String = "verify-full", password: String? = nil) throws -> PostgresStateStore {
        let settings = try #require(try StateStoreSettings(properties: properties(database, node: node, tls: tls), baseDirectory: nil))
        return try PostgresStateStore(settings: settings, environment: ["SSA_TEST_PG_PASSWORD": password ?? database.password])
    }

    /// A store that has reached its database (health ok: connected, tables made).
    static func readyStore(_ database: TestPostgres, node: String, tls: String = "verify-full") async throws -> PostgresStateStore {
        let store = try store(database, node: node, tls: tls)
        let ready = await eventually(60) {
            await store.probe()
            return store.health == .ok
        }
        try #require(ready, "the state store did not reach the database: \(store.health)")
        return store
    }

    /// Polls `condition` every 200 ms for up to `seconds`.
    static func eventually(_ seconds: Double, _ condition: () async -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return await condition()
    }

    @Test("settings: the URL's parts, TLS modes, no password in the URL, node names; refused with the property named")
    func settings() throws {
        let parsed = try #require(try StateStoreSettings(properties: ["stateStore": "postgres://ssa@db.bank.example:6432/state?sslmode=require", "stateStorePassword": "file:pg.pass"],
                                                         baseDirectory: "/etc/ssa-toolkit", hostName: "node-a"))
        #expect(parsed.host == "db.bank.example" && parsed.port == 6432 && parsed.user == "ssa" && parsed.database == "state" && parsed.tls == .require)
        #expect(parsed.password == .file("/etc/ssa-toolkit/pg.pass") && parsed.node == "node-a" && parsed.timeout == .milliseconds(2000))
        #expect(parsed.displayName == "postgres://ssa@db.bank.example:6432/state")
        let secure = try #require(try StateStoreSettings(properties: ["stateStore": "postgres://ssa@db/state"], baseDirectory: nil, hostName: "h"))
        #expect(secure.tls == .verifyFull && secure.port == 5432)
        #expect(try StateStoreSettings(properties: [:], baseDirectory: nil) == nil)
        for (properties, property, words) in [
            (["stateStore": "postgres://ssa:hunter2@db/state"], "stateStore", "password"),
            (["stateStore": "mysql://ssa@db/state"], "stateStore", "postgres://"),
            (["stateStore": "postgres://ssa:hunter2@[db/state"], "stateStore", "postgres://"),
            (["stateStore": "postgres://db/state"], "stateStore", "no user"),
            (["stateStore": "postgres://ssa@db"], "stateStore", "no database"),
            (["stateStore": "postgres://ssa@db/state?sslmode=prefer"], "stateStore", "sslmode"),
            (["stateStore": "postgres://ssa@db/state?sslmode=disable&sslrootcert=ca.pem"], "stateStore", "verify-full"),
            (["stateStore": "postgres://ssa@db/state?application_name=x"], "stateStore", "not known"),
            (["stateStore": "postgres://ssa@db/state", "stateStoreNode": "two words"], "stateStoreNode", "without spaces"),
            (["stateStore": "postgres://ssa@db/state", "stateStoreTimeoutMillis": "10"], "stateStoreTimeoutMillis", "between 50"),
            (["stateStorePassword": "env:X"], "stateStorePassword", "stateStore is not"),
        ] as [([String: String], String, String)] {
            #expect {
                _ = try StateStoreSettings(properties: properties, baseDirectory: nil, hostName: "h")
            } throws: { error in
                guard let error = error as? ConfigurationError else { return false }
                return error.property == property && error.reason.contains(words) && !error.reason.contains("hunter2")
            }
        }
        // With a state store the audit chain is the database's: a file log as well is a contradiction.
        #expect(throws: ConfigurationError.self) {
            _ = try ToolkitConfiguration(properties: ["stateStore": "postgres://ssa@db/state", "auditLog": "/tmp/audit.log"], baseDirectory: nil)
        }
    }

    @Test("replay: 100 concurrent claims of one jti across two nodes give exactly one first use; expiry, release, exact bytes and purging")
    func replayAcrossNodes() async throws {
        let database = try await TestPostgres.start()
        // One node over verify-full TLS against the database's own CA, the other without TLS.
        let nodeA = try await Self.readyStore(database, node: "a"), nodeB = try await Self.readyStore(database, node: "b", tls: "disable")
        let now = Date(), expiry = now.addingTimeInterval(300)
        let claims = await withTaskGroup(of: ReplayClaim.self) { group in
            for index in 0..<100 {
                let replays = index % 2 == 0 ? nodeA.replays : nodeB.replays
                group.addTask { await replays.claim(jti: "jti-1", issuer: "tpp-1", until: expiry, now: now) }
            }
            return await group.reduce(into: [ReplayClaim]()) { $0.append($1) }
        }
        #expect(claims.filter { $0 == .first }.count == 1, "\(claims.filter { $0 != .replay && $0 != .first })")
        #expect(claims.filter { $0 == .replay }.count == 99)
        #expect(nodeA.health == .ok && nodeB.health == .ok)

        // Ids are per issuer, and compared byte for byte (é precomposed and decomposed differ).
        #expect(await nodeA.replays.claim(jti: "jti-1", issuer: "tpp-2", until: expiry, now: now) == .first)
        #expect(await nodeA.replays.claim(jti: "caf\u{E9}", issuer: "tpp-1", until: expiry, now: now) == .first)
        #expect(await nodeB.replays.claim(jti: "cafe\u{301}", issuer: "tpp-1", until: expiry, now: now) == .first)
        #expect(await nodeB.replays.claim(jti: "caf\u{E9}", issuer: "tpp-1", until: expiry, now: now) == .replay)
        // Released by an undecided decision: usable again.
        await nodeB.replays.release(jti: "jti-1", issuer: "tpp-1")
        #expect(await nodeA.replays.claim(jti: "jti-1", issuer: "tpp-1", until: expiry, now: now) == .first)
        // Once its JWT has expired an entry no longer blocks, and purging drops it.
        #expect(await nodeA.replays.claim(jti: "old", issuer: "tpp-1", until: now.addingTimeInterval(1), now: now) == .first)
        #expect(await nodeB.replays.claim(jti: "old", issuer: "tpp-1", until: now.addingTimeInterval(600), now: now.addingTimeInterval(2)) == .first)
        #expect(await nodeB.replays.claim(jti: "old", issuer: "tpp-1", until: now.addingTimeInterval(600), now: now.addingTimeInterval(3)) == .replay)
        _ = await nodeA.replays.claim(jti: "short", issuer: "tpp-1", until: now.addingTimeInterval(1), now: now)
        let before = try await nodeA.replays.count()
        try await nodeA.purgeExpired(now: now.addingTimeInterval(30))
        #expect(try await nodeA.replays.count() == before - 1)
        #expect(try await database.psql("SELECT count(*) FROM ssa_replay WHERE jti = 'short'::bytea") == "0")
        await nodeA.shutdown()
        await nodeB.shutdown()
    }

    @Test("audit: two nodes' concurrent records form two intact chains of the file log's lines; an edit and a deletion are named")
    func auditChains() async throws {
        let database = try await TestPostgres.start()
        let nodeA = try await Self.readyStore(database, node: "node-a"), nodeB = try await Self.readyStore(database, node: "node-b")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                let sink = index % 2 == 0 ? nodeA.audit : nodeB.audit
                group.addTask {
                    try await sink.append(AuditRecord(kind: "token", time: Date(timeIntervalSince1970: 1_800_000_000 + Double(index)), decision: "allow",
                                                      clientID: "client-\(index)", softwareID: "software-1", organisationID: "org-1", scopesGranted: ["accounts"]))
                }
            }
            try await group.waitForAll()
        }
        let chains = try await PostgresAuditSink.verify(nodeA)
        #expect(chains.map(\.node) == ["node-a", "node-b"])
        #expect(chains.allSatisfy { $0.verification.broken == nil && $0.verification.records == 100 && $0.verification.continuesFrom == nil })
        // The lines are the file log's: the same record chained to the same prev is the same bytes.
        let first = try await database.psql("SELECT convert_from(line, 'UTF8') FROM ssa_audit WHERE node = 'node-a' AND seq = 1")
        #expect(first.hasPrefix(#"{"client_id":"client-"#) && first.contains(#""prev":"\#(AuditLog.genesis)""#) && first.hasSuffix("\"}"))

        // A process that restarts continues its chain from the database.
        await nodeA.shutdown()
        let restarted = try await Self.readyStore(database, node: "node-a")
        try await restarted.audit.append(AuditRecord(kind: "registration", time: Date(), decision: "accept", softwareID: "software-1"))
        #expect(try await PostgresAuditSink.verify(restarted, node: "node-a").first?.verification.records == 101)

        // An edit by someone with write access to the table.
        _ = try await database.superuserPSQL("UPDATE ssa_audit SET line = convert_to(replace(convert_from(line, 'UTF8'), '\"allow\"', '\"deny\"'), 'UTF8') WHERE node = 'node-b' AND seq = 40", bypassTriggers: true)
        let edited = try await PostgresAuditSink.verify(restarted, node: "node-b")
        #expect(edited.first?.verification.broken?.line == 40 && edited.first?.verification.broken?.reason.contains("edited") == true)
        // Every break is named, and the chain is checked on past it: the 99 other records hold.
        #expect(edited.first?.verification.breaks.count == 1 && edited.first?.verification.records == 99)
        _ = try await database.superuserPSQL("DELETE FROM ssa_audit WHERE node = 'node-a' AND seq = 7", bypassTriggers: true)
        let deleted = try await PostgresAuditSink.verify(restarted, node: "node-a")
        #expect(deleted.first?.verification.broken?.line == 7 && deleted.first?.verification.broken?.reason.contains("missing") == true)
        await #expect(throws: AuditError.self) { _ = try await PostgresAuditSink.verify(restarted, node: "node-z") }
        await restarted.shutdown()
        await nodeB.shutdown()
    }

    @Test("two processes with one node name: the second writer's stale head collides on the key, fails closed naming stateStoreNode, and the chain stays intact")
    func sameNodeName() async throws {
        let database = try await TestPostgres.start()
        let first = try await Self.readyStore(database, node: "twin"), second = try await Self.readyStore(database, node: "twin")
        func record(_ n: Int) -> AuditRecord { AuditRecord(kind: "token", time: Date(timeIntervalSince1970: 1_800_000_000 + Double(n)), decision: "allow", clientID: "c\(n)") }
        try await first.audit.append(record(1))   // seq 1; the first knows its head
        try await second.audit.append(record(2))  // reads the head (seq 1), writes seq 2
        do {
            try await first.audit.append(record(3))  // its head is stale: seq 2 again
            Issue.record("a second writer of one node's chain was not detected")
        } catch {
            #expect(error.reason.contains("stateStoreNode") && error.reason.contains("twin"), "\(error.reason)")
        }
        try await first.audit.append(record(4))   // re-reads the head: seq 3
        let chains = try await PostgresAuditSink.verify(first)
        #expect(chains.count == 1 && chains[0].verification.broken == nil && chains[0].verification.records == 3, "\(chains.map(\.verification))")
        await first.shutdown()
        await second.shutdown()
    }

    @Test("a reload (SIGHUP) with a state store: decisions go on and the node's records stay one intact chain")
    func reloadKeepsTheStore() async throws {
        let database = try await TestPostgres.start()
        let folder = try Self.temporaryFolder("reload-store")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let service = try await Self.serve(Self.configuration(sandbox, database, node: "reloaded"), database: database, folder: folder, name: "reloaded")
            for round in 0..<3 {
                if round > 0 {
                    kill(service.process.processIdentifier, SIGHUP)
                    let reloaded = try await OperationsCommandTests.waitForHealth(service) { $0["reloads"] == .number(Double(round)) }
                    #expect(reloaded.status == 200 && reloaded.body["reloads"] == .number(Double(round)), "\(reloaded.body)")
                }
                for _ in 0..<5 {
                    #expect(try await OperationsCommandTests.tokenDecision(service, software: OperationsCommandTests.software, organisation: OperationsCommandTests.organisation) == "allow")
                }
            }
            let chain = try await CommandRunner.run(["audit", "verify", "--config", folder.appendingPathComponent("reloaded.json").path], environment: ["SSA_TEST_PG_PASSWORD": database.password])
            #expect(chain.status == 0 && chain.standardOutput.contains("INTACT  15 records of node reloaded"), "\(chain.standardOutput)\(chain.standardError)")
        }
    }

    @Test("a wrong password or an untrusted server certificate: no claim, no record, health names it, no secret in the reason")
    func refusedConnections() async throws {
        let database = try await TestPostgres.start()
        let wrongPassword = try Self.store(database, node: "a", tls: "disable", password: "not-the-password")
        let claim = await wrongPassword.replays.claim(jti: "j", issuer: "i", until: Date().addingTimeInterval(60), now: Date())
        guard case .unavailable(let reason) = claim else { Issue.record("claimed with a wrong password: \(claim)"); return }
        #expect(!reason.contains("not-the-password") && !reason.contains(database.password))
        await #expect(throws: AuditError.self) { try await wrongPassword.audit.append(AuditRecord(kind: "token", time: Date(), decision: "allow")) }
        #expect(wrongPassword.health != .ok)

        // verify-full against another CA (the fixture directory's): the server is not trusted.
        var properties = Self.properties(database, node: "b")
        properties["stateStore"] = database.url + "?sslmode=verify-full&sslrootcert=\(Fixtures.root.appendingPathComponent("pki/ca-bundle.pem").path)"
        let untrusted = try PostgresStateStore(settings: try #require(try StateStoreSettings(properties: properties, baseDirectory: nil)),
                                               environment: ["SSA_TEST_PG_PASSWORD": database.password])
        #expect(await untrusted.replays.claim(jti: "j", issuer: "i", until: Date().addingTimeInterval(60), now: Date()) != .first)
        // Nothing reached the table through either.
        #expect(try await database.psql("SELECT (SELECT count(*) FROM ssa_replay) + (SELECT count(*) FROM ssa_audit)") == "0")
        await wrongPassword.shutdown()
        await untrusted.shutdown()
    }

    /// A started `serve` on `configuration` (with the database password in its environment),
    /// once it has reached the database (`/healthz` is 503 until then).
    static func serve(_ configuration: JSONValue, database: TestPostgres, folder: URL, name: String) async throws -> ServeProcess {
        let path = folder.appendingPathComponent("\(name).json")
        try Data(configuration.serializedBytes()).write(to: path)
        let service = try ServeProcess(config: path.path, environment: ["SSA_TEST_PG_PASSWORD": database.password])
        let ready = await eventually(60) { (try? await OperationsCommandTests.health(service))?.status == 200 }
        try #require(ready, "serve \(name) never reached the database")
        return service
    }

    /// A new temporary folder (the caller removes it).
    static func temporaryFolder(_ name: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static func configuration(_ sandbox: DirectorySandbox, _ database: TestPostgres, node: String, timeoutMillis: Int = 10_000) -> JSONValue {
        var object = sandbox.configurationJSON().objectValue!
        for (name, value) in properties(database, node: node, timeoutMillis: timeoutMillis) { object[name] = .string(value) }
        return .object(object)
    }

    /// Posts a registration decision call; the verdict (or the status when there is none).
    static func decide(_ base: String, body: Data) async throws -> String {
        var request = URLRequest(url: URL(string: base + "/v1/decisions")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = body
        request.timeoutInterval = 60
        let (data, response) = try await URLSession.shared.data(for: request)
        let verdict = (try? StrictJSONParser(maximumDepth: 32).parseObject(Array(data)))?["verdict"]?.stringValue
        return verdict ?? "status \((response as? HTTPURLResponse)?.statusCode ?? 0)"
    }

    @Test("two serve processes on one database: 100 copies of one signed request across both give exactly one accept; both audit chains verify")
    func twoNodes() async throws {
        let database = try await TestPostgres.start()
        let folder = try Self.temporaryFolder("two-nodes")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            var nodes: [ServeProcess] = []
            for name in ["node-1", "node-2"] {
                nodes.append(try await Self.serve(Self.configuration(sandbox, database, node: name), database: database, folder: folder, name: name))
            }
            let tpp = try SandboxTPP(fixtures: Self.fixtures)
            let request = try tpp.requestJWT(ssa: try sandbox.issueSoftwareStatement())
            let body = Data(JSONValue.object(["registration_request": .string(request), "client_certificate": .string(tpp.transportCertificatePEM)]).serializedBytes())
            let verdicts = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<100 {
                    let base = nodes[index % 2].baseURL
                    group.addTask { try await Self.decide(base, body: body) }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(verdicts.filter { $0 == "accept" }.count == 1, "\(Dictionary(grouping: verdicts, by: { $0 }).mapValues(\.count))")
            #expect(verdicts.filter { $0 == "reject" }.count == 99)

            // Each node's chain verifies, through the command an auditor runs.
            let configPath = folder.appendingPathComponent("node-1.json").path
            let verified = try await CommandRunner.run(["audit", "verify", "--config", configPath], environment: ["SSA_TEST_PG_PASSWORD": database.password])
            #expect(verified.status == 0, "\(verified.standardOutput)\(verified.standardError)")
            #expect(verified.standardOutput.contains("INTACT") && verified.standardOutput.contains("of node node-1") && verified.standardOutput.contains("of node node-2"))
            #expect(try await database.psql("SELECT count(*) FROM ssa_audit") == "100")
            #expect(try await database.psql("SELECT count(*) FROM ssa_audit WHERE convert_from(line, 'UTF8') LIKE '%\"decision\":\"accept\"%'") == "1")
            _ = try await database.superuserPSQL("UPDATE ssa_audit SET line = convert_to(replace(convert_from(line, 'UTF8'), '\"reject\"', '\"accept\"'), 'UTF8') WHERE node = 'node-2' AND seq = 3", bypassTriggers: true)
            let broken = try await CommandRunner.run(["audit", "verify", "--config", configPath, "--node", "node-2"], environment: ["SSA_TEST_PG_PASSWORD": database.password])
            #expect(broken.status == 1 && broken.standardOutput.contains("BROKEN") && broken.standardOutput.contains("record 3"), "\(broken.standardOutput)")
            #expect(!broken.standardOutput.contains(database.password) && !verified.standardOutput.contains(database.password))
        }
    }

    @Test("the database down: decisions are undecided (never accepted or allowed), /healthz says failing; back up: decisions resume without a restart")
    func outage() async throws {
        let database = try await TestPostgres.start()
        let folder = try Self.temporaryFolder("outage")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await DirectorySandbox.withSandbox(fixtures: Self.fixtures) { sandbox in
            let service = try await Self.serve(Self.configuration(sandbox, database, node: "solo", timeoutMillis: 3000), database: database, folder: folder, name: "solo")
            let tpp = try SandboxTPP(fixtures: Self.fixtures)
            func registration() throws -> Data {
                let request = try tpp.requestJWT(ssa: try sandbox.issueSoftwareStatement())
                return Data(JSONValue.object(["registration_request": .string(request), "client_certificate": .string(tpp.transportCertificatePEM)]).serializedBytes())
            }
            #expect(try await Self.decide(service.baseURL, body: try registration()) == "accept")
            #expect(try await OperationsCommandTests.tokenDecision(service, software: OperationsCommandTests.software, organisation: OperationsCommandTests.organisation) == "allow")
            #expect(try await OperationsCommandTests.health(service).status == 200)

            try await database.kill()
            let down = try await Self.decide(service.baseURL, body: try registration())
            #expect(down == "undecided", "\(down)")
            #expect(try await OperationsCommandTests.tokenDecision(service, software: OperationsCommandTests.software, organisation: OperationsCommandTests.organisation) == "undecided")
            let failing = try await OperationsCommandTests.waitForHealth(service) { $0["audit"] != nil }
            #expect(failing.status == 503 && failing.body["audit"]?.stringValue?.contains("state store") == true, "\(failing.body)")
            #expect(failing.body["audit"]?.stringValue?.contains(database.password) == false)

            try await database.restart()
            let recovered = await Self.eventually(30) {
                (try? await OperationsCommandTests.health(service))?.status == 200
            }
            #expect(recovered)
            #expect(try await Self.decide(service.baseURL, body: try registration()) == "accept")
            #expect(try await OperationsCommandTests.tokenDecision(service, software: OperationsCommandTests.software, organisation: OperationsCommandTests.organisation) == "allow")
            let chain = try await CommandRunner.run(["audit", "verify", "--config", folder.appendingPathComponent("solo.json").path], environment: ["SSA_TEST_PG_PASSWORD": database.password])
            #expect(chain.status == 0 && chain.standardOutput.contains("INTACT  4 records"), "\(chain.standardOutput)\(chain.standardError)")
        }
    }
}
