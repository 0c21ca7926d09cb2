import ArgumentParser
import Foundation
import PostgresStateStore
import SSAToolkit

/// `ssa-verify state-store init|schema`: the shared state store's schema, made by its owner.
struct StateStoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration.group(
        "state-store", abstract: "Make or print the shared state store's schema (PostgreSQL): append-only audit rows, a service role with INSERT and SELECT only.",
        [StateStoreInitCommand.self, StateStoreSchemaCommand.self])
}

struct StateStoreInitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Make the schema as its owner, for the role the configuration's stateStore names.",
        discussion: """
            Connects with --admin-url (the schema owner; its TLS options as in stateStore, password from \
            --admin-password), creates the tables, a trigger that refuses UPDATE, DELETE and TRUNCATE on the audit table, \
            and grants the service role (the user in the configuration's stateStore) INSERT and SELECT on the audit \
            table and what the replay table needs. Then checks, as the service role, that it cannot change audit rows. \
            Exit status: 0 done, 2 usage or database error.
            """
    )

    @Option(name: .long, help: "The configuration whose stateStore names the service's role and database.")
    var config: String

    @Option(name: .customLong("admin-url"), help: ArgumentHelp("The schema owner's connection: postgres://OWNER@HOST[:PORT]/DATABASE[?sslmode=...].", valueName: "URL"))
    var adminURL: String

    @Option(name: .customLong("admin-password"), help: ArgumentHelp("The owner's password: env:NAME or file:PATH.", valueName: "env:NAME|file:PATH"))
    var adminPassword: String?

    func run() async throws {
        let configuration = try loadingConfiguration { try ToolkitConfiguration.load(path: config) }
        guard let service = configuration.stateStore else { throw UsageFailure("--config: \(config) names no stateStore") }
        if let adminPassword, !adminPassword.hasPrefix("env:"), !adminPassword.hasPrefix("file:") {
            throw UsageFailure("--admin-password takes env:NAME or file:PATH, never the password itself (other users can read command lines)")
        }
        var properties = ["stateStore": adminURL, "stateStoreTimeoutMillis": String(service.timeout.components.seconds * 1000 + service.timeout.components.attoseconds / 1_000_000_000_000_000)]
        if let adminPassword { properties["stateStorePassword"] = adminPassword }
        guard let admin = try loadingConfiguration({ try StateStoreSettings(properties: properties, baseDirectory: nil) }) else {
            throw UsageFailure("--admin-url is empty")
        }
        guard admin.user != service.user else {
            throw UsageFailure("--admin-url names the service's own role \(service.user): the schema's owner must be another role, or the service could change the audit rows")
        }
        do { try await PostgresStateStore.initialize(admin: admin, serviceRole: service.user) } catch { throw UsageFailure(error.reason) }
        let store = try loadingConfiguration { try PostgresStateStore(settings: service) }
        let problem: String?
        do { problem = try await store.schemaProblem() } catch {
            await store.shutdown()
            throw UsageFailure("the schema was made, but the service role could not check it: \(error.reason)")
        }
        await store.shutdown()
        if let problem { throw UsageFailure("the schema was made, but \(problem)") }
        print("INITIALISED  \(admin.displayName): ssa_audit is append-only; \(service.user) may INSERT and SELECT audit rows, and use ssa_replay")
    }
}

struct StateStoreSchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the schema as an SQL file for psql (-v service_role=ROLE), as integrations/postgres/schema.sql holds it."
    )

    func run() { print(PostgresSchema.psqlFile, terminator: "") }
}
