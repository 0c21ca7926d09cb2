import DirectorySandbox
import Foundation
import PostgresStateStore
import SSAToolkit
import SSAToolkitTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The audit chain in PostgreSQL is append-only for the service: the schema's owner makes it
/// (`ssa-verify state-store init`), the service's role may only INSERT and SELECT audit rows,
/// `serve` refuses a role that could change them, and a checkpoint finds rows a superuser cut.
@Suite("PostgreSQL: an append-only audit table, a service role that cannot change it, checkpoints per node")
struct AppendOnlyStateTests {
    @Test("state-store init on a bare database: tables, trigger and grants; the service role inserts and reads but cannot UPDATE, DELETE or TRUNCATE; schema.sql is the same text")
    func initialise() async throws {
        let database = try await TestPostgres.start(bare: true)
        let folder = try SharedStateTests.temporaryFolder("init")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("state.json")
        var properties = SharedStateTests.properties(database, node: "node-a")
        properties["auditLog"] = nil
        try Data(JSONValue.object(properties.mapValues { .string($0) }).serializedBytes()).write(to: config)
        let environment = ["SSA_TEST_PG_PASSWORD": database.password, "SSA_TEST_OWNER_PASSWORD": database.password]
        // Before: no schema, so the service's store cannot record.
        let early = try SharedStateTests.store(database, node: "node-a")
        await #expect(throws: AuditError.self) { try await early.audit.append(AuditRecord(kind: "token", time: Date(), decision: "allow")) }
        #expect({ if case .failing(let reason) = early.health { return reason.contains("state-store init") } else { return false } }(), "\(early.health)")
        await early.shutdown()
        // The service's own role is refused as the owner.
        let ownRole = try await CommandRunner.run(["state-store", "init", "--config", config.path, "--admin-url", database.url + "?sslmode=disable",
                                                    "--admin-password", "env:SSA_TEST_OWNER_PASSWORD"], environment: environment)
        #expect(ownRole.status == 2 && ownRole.standardError.contains("the schema's owner must be another role"), "\(ownRole.standardError)")
        let made = try await CommandRunner.run(["state-store", "init", "--config", config.path, "--admin-url", database.ownerURL + "?sslmode=verify-full&sslrootcert=\(database.caFile)",
                                                 "--admin-password", "env:SSA_TEST_OWNER_PASSWORD"], environment: environment)
        #expect(made.status == 0 && made.standardOutput.hasPrefix("INITIALISED"), "\(made.standardOutput)\(made.standardError)")
        #expect(!made.standardOutput.contains(database.password) && !made.standardError.contains(database.password))

        let store = try await SharedStateTests.readyStore(database, node: "node-a")
        try await store.audit.append(AuditRecord(kind: "token", time: Date(), decision: "allow"))
        #expect(await store.replays.claim(jti: "j1", issuer: "i", until: Date().addingTimeInterval(60), now: Date()) == .first)
        await store.shutdown()
        #expect(try await database.psql("SELECT count(*) FROM ssa_audit") == "1")
        for statement in ["UPDATE ssa_audit SET line = 'x'::bytea", "DELETE FROM ssa_audit", "TRUNCATE ssa_audit", "DROP TRIGGER ssa_audit_append_only ON ssa_audit"] {
            await #expect(throws: (any Error).self, "\(statement)") { _ = try await database.psql(statement) }
        }
        // Even a superuser's DELETE meets the trigger (only by skipping triggers can one cut rows).
        await #expect(throws: (any Error).self) { _ = try await database.superuserPSQL("DELETE FROM ssa_audit") }
        #expect(try await database.psql("SELECT count(*) FROM ssa_audit") == "1")
        // One source: the file for psql is what the binary prints.
        let printed = try await CommandRunner.run(["state-store", "schema"])
        #expect(printed.standardOutput == (try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("integrations/postgres/schema.sql"), encoding: .utf8)))
    }

    @Test("serve refuses to start when its role may UPDATE or DELETE audit rows, or owns the table, saying how to fix it; with INSERT and SELECT only it starts")
    func refusesPowerfulRole() async throws {
        let database = try await TestPostgres.start()
        let folder = try SharedStateTests.temporaryFolder("powerful")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await DirectorySandbox.withSandbox(fixtures: SharedStateTests.fixtures) { sandbox in
            let config = folder.appendingPathComponent("serve.json")
            try Data(SharedStateTests.configuration(sandbox, database, node: "node-a").serializedBytes()).write(to: config)
            let environment = ["SSA_TEST_PG_PASSWORD": database.password]
            _ = try await database.superuserPSQL("GRANT UPDATE, DELETE ON ssa_audit TO ssa")
            let refused = try await HardeningCommandTests.run(["serve", "--config", config.path, "--port", "0"], seconds: 30, environment: environment)
            #expect(!refused.timedOut && refused.status == 2 && refused.stderr.contains("refusing to start") && refused.stderr.contains("may UPDATE")
                    && refused.stderr.contains("state-store init"), "\(refused.stderr)")
            // As the owner: refused too.
            var object = SharedStateTests.configuration(sandbox, database, node: "node-a").objectValue!
            object["stateStore"] = .string(database.ownerURL + "?sslmode=disable")
            let ownerConfig = folder.appendingPathComponent("owner.json")
            try Data(JSONValue.object(object).serializedBytes()).write(to: ownerConfig)
            let owner = try await HardeningCommandTests.run(["serve", "--config", ownerConfig.path, "--port", "0"], seconds: 30, environment: environment)
            #expect(!owner.timedOut && owner.status == 2 && owner.stderr.contains("owns ssa_audit"), "\(owner.stderr)")
            // The twin: back to INSERT and SELECT, and it starts and records.
            _ = try await database.superuserPSQL("REVOKE UPDATE, DELETE ON ssa_audit FROM ssa")
            let service = try await SharedStateTests.serve(JSONValue.object(SharedStateTests.configuration(sandbox, database, node: "node-a").objectValue!), database: database, folder: folder, name: "fine")
            #expect(try await OperationsCommandTests.tokenDecision(service, software: OperationsCommandTests.software, organisation: OperationsCommandTests.organisation) == "allow")
        }
    }

    @Test("checkpoints of a node's chain: a superuser's cut of its last rows, and of all of them, is found by audit verify --config with a checkpoint written before; the uncut chain holds")
    func databaseCheckpoints() async throws {
        let database = try await TestPostgres.start()
        let folder = try SharedStateTests.temporaryFolder("db-checkpoints")
        defer { try? FileManager.default.removeItem(at: folder) }
        let checkpoints = folder.appendingPathComponent("checkpoints")
        try FileManager.default.createDirectory(at: checkpoints, withIntermediateDirectories: true)
        let key = folder.appendingPathComponent("checkpoint.key").path, publicKey = folder.appendingPathComponent("checkpoint.pub").path
        let made = try await AsyncProcess.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "openssl genpkey -algorithm ED25519 -out '\(key)' && chmod 600 '\(key)' && openssl pkey -in '\(key)' -pubout -out '\(publicKey)'"])
        #expect(made.status == 0)
        try await DirectorySandbox.withSandbox(fixtures: SharedStateTests.fixtures) { sandbox in
            var object = SharedStateTests.configuration(sandbox, database, node: "node-a").objectValue!
            object["auditCheckpointKey"] = .string("file:" + key)
            object["auditCheckpointDirectory"] = .string(checkpoints.path)
            object["auditCheckpointSeconds"] = "1"
            let service = try await SharedStateTests.serve(.object(object), database: database, folder: folder, name: "checkpointed")
            for _ in 0..<5 {
                #expect(try await OperationsCommandTests.tokenDecision(service, software: OperationsCommandTests.software, organisation: OperationsCommandTests.organisation) == "allow")
            }
            kill(service.process.processIdentifier, SIGTERM)
            service.process.waitUntilExit()
            let files = try FileManager.default.contentsOfDirectory(atPath: checkpoints.path).filter { $0.hasSuffix(".jws") }.sorted()
            let last = checkpoints.appendingPathComponent(try #require(files.last, "no checkpoint was written")).path
            #expect(last.hasSuffix("checkpoint-node-a-000000000005.jws"), "\(files)")
            let config = folder.appendingPathComponent("verify.json")
            try Data(JSONValue.object(object).serializedBytes()).write(to: config)
            let environment = ["SSA_TEST_PG_PASSWORD": database.password]
            let verify = ["audit", "verify", "--config", config.path, "--checkpoint", last, "--checkpoint-key", publicKey]
            let intact = try await CommandRunner.run(verify, environment: environment)
            #expect(intact.status == 0 && intact.standardOutput.contains("CHECKPOINT OK"), "\(intact.standardOutput)\(intact.standardError)")
            _ = try await database.superuserPSQL("DELETE FROM ssa_audit WHERE node = 'node-a' AND seq >= 4", bypassTriggers: true)
            #expect(try await CommandRunner.run(["audit", "verify", "--config", config.path], environment: environment).status == 0)  // without a checkpoint: looks intact
            let cut = try await CommandRunner.run(verify, environment: environment)
            #expect(cut.status == 1 && cut.standardOutput.contains("CHECKPOINT FAILED") && cut.standardOutput.contains("cut from its end"), "\(cut.standardOutput)")
            _ = try await database.superuserPSQL("DELETE FROM ssa_audit WHERE node = 'node-a'", bypassTriggers: true)
            let vanished = try await CommandRunner.run(verify, environment: environment)
            #expect(vanished.status == 1 && vanished.standardOutput.contains("has vanished"), "\(vanished.standardOutput)")
        }
    }
}
