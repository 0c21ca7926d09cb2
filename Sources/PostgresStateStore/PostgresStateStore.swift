import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import ServiceLifecycle
import SSAToolkit
import Synchronization

/// The state several `serve` nodes share, in one PostgreSQL database: the replay store
/// (``PostgresReplayStore``) and the audit chains (``PostgresAuditSink``, one chain per node).
///
/// Every database call is bounded by ``StateStoreSettings/timeout``; a call that fails or times
/// out makes the decision that needed it *undecided* (never accepted), and ``health`` says so
/// (it also does until the first call has succeeded: not ready).
/// ``probe()`` (which `serve` calls every second) keeps ``health`` current while no decision is
/// made, so `/healthz` shows an outage at once and its end without a restart. Connections come
/// from postgres-nio's pool, which reconnects on its own; it runs from the start (one-shot
/// commands use it before any service group exists), and as a `Service` the store closes it when
/// the group shuts down, after the services that write to it.
public final class PostgresStateStore: Service {
    /// The settings it was made from.
    public let settings: StateStoreSettings
    /// Request JWT ids, shared by every node.
    public var replays: PostgresReplayStore { PostgresReplayStore(store: self) }
    /// This node's audit chain.
    public var audit: PostgresAuditSink { PostgresAuditSink(store: self) }

    let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>
    private let state = Mutex(State())
    /// This node's audit chain: where it stands, and records waiting to be written.
    let chain = Mutex(ChainState())

    struct ChainState {
        /// The last line's hash and the next sequence number; `nil` until read from the
        /// database, and again after a failed write (the database then says where it stands).
        var head: (hash: String, next: Int64)?
        var pending: [(record: AuditLog.Prepared, done: CheckedContinuation<Void, any Error>)] = []
        var writing = false
    }

    private struct State {
        var schemaReady = false
        /// Failing until the first call succeeds: a node that has not reached its database is
        /// not ready (`/healthz` 503), though decisions are still tried.
        var health: AuditHealth = .failing("connecting to the state store")
        var lastPurge: Date = .distantPast
    }

    /// Prepares the pool (nothing connects until the first call or probe).
    ///
    /// - Throws: ``ConfigurationError`` when the password cannot be resolved or the TLS anchors
    ///   cannot be read.
    public init(settings: StateStoreSettings, environment: [String: String] = ProcessInfo.processInfo.environment,
                logger: Logger = Logger(label: "ssa-toolkit.state-store", factory: { _ in SwiftLogNoOpLogHandler() })) throws {
        self.settings = settings
        self.logger = logger
        // postgres-nio takes the password as a String, held by its configuration for reconnecting.
        let password = try settings.password?.resolve(property: "stateStorePassword", environment: environment)
            .withBytes { String(decoding: $0, as: UTF8.self) }
        let tls: PostgresClient.Configuration.TLS
        switch settings.tls {
        case .disable:
            tls = .disable
        case .require:
            var context = TLSConfiguration.makeClientConfiguration()
            context.certificateVerification = .none
            tls = .require(context)
        case .verifyFull:
            var context = TLSConfiguration.makeClientConfiguration()
            context.certificateVerification = .fullVerification
            if let path = settings.rootCertificatePath {
                do {
                    context.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(path))
                } catch {
                    throw ConfigurationError(property: "stateStore", "sslrootcert \(path) cannot be read as PEM certificates: \(error)")
                }
            }
            tls = .require(context)
        }
        var configuration = PostgresClient.Configuration(host: settings.host, port: settings.port, username: settings.user, password: password,
                                                         database: settings.database, tls: tls)
        configuration.options.connectTimeout = settings.timeout
        configuration.options.maximumConnections = 16
        configuration.options.minimumConnections = 1
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
    }

    deinit {
        runner.cancel()
    }

    /// Closes every connection.
    public func shutdown() async {
        runner.cancel()
        _ = await runner.value
    }

    /// As a service in a `ServiceGroup`: waits for the group's graceful shutdown, then closes
    /// every connection.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    /// The state of the last database call.
    public var health: AuditHealth { state.withLock { $0.health } }

    /// Checks the database answers (and the tables exist), for ``health``.
    public func probe() async {
        _ = try? await run("a health probe") { client in
            try await client.query("SELECT 1", logger: self.logger)
        }
    }

    /// Runs `body` within the timeout, after the tables are made; records the outcome in
    /// ``health``. Throws an ``AuditError`` that says what failed, never a password.
    func run<T: Sendable>(_ what: String, _ body: @escaping @Sendable (PostgresClient) async throws -> T) async throws(AuditError) -> T {
        do {
            let value = try await withDeadline(settings.timeout) { [self] in
                try await ensureSchema()
                return try await body(client)
            }
            let recovered = state.withLock { state -> Bool in
                defer { state.health = .ok }
                return state.health != .ok
            }
            if recovered { logger.info("the state store \(settings.displayName) answers") }
            return value
        } catch {
            let reason = "the state store \(settings.displayName) failed \(what): \(Self.describe(error))"
            // Said once per outage, not once per probe or decision.
            let wasOK = state.withLock { state -> Bool in
                defer { state.health = .failing(reason) }
                return state.health == .ok
            }
            if wasOK { logger.warning("\(reason)") } else { logger.debug("\(reason)") }
            throw AuditError(reason)
        }
    }

    /// The schema, checked once per process: the tables exist and this role may not change or
    /// remove audit rows (``PostgresSchema/problem(client:logger:)``). The service never makes
    /// the schema itself: its owner does (`ssa-verify state-store init`). Until the check passes
    /// every call fails, so decisions are undecided and `/healthz` names the reason.
    private func ensureSchema() async throws {
        if state.withLock({ $0.schemaReady }) { return }
        if let problem = try await PostgresSchema.problem(client: client, logger: logger) { throw SchemaProblem(reason: problem) }
        state.withLock { $0.schemaReady = true }
    }

    /// A schema the service may not use, with why.
    struct SchemaProblem: Error { var reason: String }

    /// Whether this role may write the audit chain: `nil` when it may, the reason when it may
    /// not, and ``AuditError`` when the database cannot be asked (within the timeout).
    public func schemaProblem() async throws(AuditError) -> String? {
        do {
            return try await withDeadline(settings.timeout) { [self] in try await PostgresSchema.problem(client: client, logger: logger) }
        } catch {
            throw AuditError("the state store \(settings.displayName) cannot be asked about its schema: \(Self.describe(error))")
        }
    }

    /// Makes the schema as its owner, through `admin` (settings whose user owns the database),
    /// for the service role `serviceRole`, in one transaction.
    public static func initialize(admin: StateStoreSettings, environment: [String: String] = ProcessInfo.processInfo.environment, serviceRole: String,
                                  logger: Logger = Logger(label: "ssa-toolkit.state-store", factory: { _ in SwiftLogNoOpLogHandler() })) async throws(AuditError) {
        let store: PostgresStateStore
        do { store = try PostgresStateStore(settings: admin, environment: environment, logger: logger) } catch {
            throw AuditError("\(error)")
        }
        do {
            try await withDeadline(admin.timeout * 5) {
                try await store.client.withTransaction(logger: logger) { connection in
                    try await connection.query("SELECT pg_advisory_xact_lock(7274611)", logger: logger)
                    for statement in PostgresSchema.statements(serviceRole: serviceRole) {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                }
            }
        } catch {
            await store.shutdown()
            throw AuditError("the schema could not be made in \(admin.displayName): \(Self.describe(error))")
        }
        await store.shutdown()
    }

    /// Purges expired replay entries at most once a minute (in the background).
    func purgeIfDue(now: Date) {
        let due = state.withLock { state -> Bool in
            guard now.timeIntervalSince(state.lastPurge) >= 60 else { return false }
            state.lastPurge = now
            return true
        }
        guard due else { return }
        Task { try? await self.purgeExpired(now: now) }
    }

    /// Deletes the replay entries that have expired at `now`.
    public func purgeExpired(now: Date) async throws(AuditError) {
        try await run("purging expired request ids") { client in
            try await client.query("DELETE FROM ssa_replay WHERE expires_at <= \(now)", logger: self.logger)
        }
    }

    /// What went wrong, from the driver's error, without the query's values.
    static func describe(_ error: any Error) -> String {
        if error is DeadlineExceeded { return "no answer within the time limit" }
        if let error = error as? SchemaProblem { return error.reason }
        if let error = error as? PSQLError {
            var parts = ["\(error.code)"]
            if let message = error.serverInfo?[.message] { parts.append(message) }
            if let state = error.serverInfo?[.sqlState] { parts.append("SQLSTATE \(state)") }
            if let underlying = error.underlying { parts.append(String(describing: underlying)) }
            return parts.joined(separator: ": ")
        }
        return String(describing: error)
    }
}

/// A database call that took longer than ``StateStoreSettings/timeout``.
struct DeadlineExceeded: Error {}

/// Runs `body`, giving up (and cancelling it) after `limit`.
func withDeadline<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw DeadlineExceeded()
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw DeadlineExceeded() }
        return first
    }
}
