import Foundation
import Hummingbird
import HummingbirdCore
import HTTPTypes
import Logging
import NIOCore
import NIOPosix
import Prometheus
import SSAToolkit
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `ssa-verify serve`: the registration decision over HTTP on 127.0.0.1, for hooks written in
/// other languages (the Janssen Jython script in `integrations/janssen/`).
///
/// - `POST /v1/decisions` with a JSON object: `registration_request` (the request JWT as a
///   string, or the metadata as an object), `software_statement` (when not in the request),
///   `client_certificate` (the caller's TLS certificate, PEM). Answers 200 with the decision JSON
///   (`verdict` accept, reject or undecided); 400 `invalid_request` when the call is malformed;
///   413 when the body is over ``maximumBodyBytes``.
/// - `POST /v1/token-decisions` with a ``TokenRequest`` as JSON (when started with a
///   ``ToolkitRuntime``): 200 with the ``TokenDecision`` JSON (`verdict` allow, deny or
///   undecided); 400 for a malformed call. Issue tokens only on 200 with `verdict` `allow`.
/// - `GET /healthz` answers 200 `{"status":"ok"}`, or 503 `{"status":"degraded","audit":...}`
///   while the audit log cannot be written (decisions are then undecided).
/// - `GET /metrics` (behind the bearer token) answers the Prometheus exposition, and
///   `GET /v1/audit/checkpoint` (behind it too) a signed checkpoint of the audit chain's head.
/// - `GET /openapi.json` answers ``OpenAPIDocument/json``, the contract of all of the above.
///
/// A caller registers the client only on HTTP 200 with `verdict` `accept`. Every request shares
/// the deciders, so their caches (JWKS, the directory's access token, connections) serve them all.
///
/// Hardening (``Options``): only `application/json` bodies are decided (a web page cannot post
/// one cross-origin without a preflight); the `Host` header must name the listening address
/// (DNS rebinding); connections are capped and must deliver their request head and body within
/// time limits; and callers can be required to present a shared secret as a bearer token, or be
/// reached only through a Unix-domain socket whose file permissions say who may connect.
public final class DecisionService: Sendable {
    /// Largest accepted request body.
    public static let maximumBodyBytes = 256 * 1024

    /// How the service listens and whom it answers.
    public struct Options: Sendable {
        /// Connection cap and time limits.
        public var limits = ConnectionLimits()
        /// When set, `POST /v1/decisions` needs `Authorization: Bearer <this secret>`.
        public var bearerToken: Secret?
        /// When set, listen on this Unix-domain socket (mode 0660) instead of 127.0.0.1.
        public var unixSocketPath: String?
        /// Builds a new runtime from the configuration as it is now (key stores and keys read
        /// again), given the current audit log to keep; used by ``reload()`` (SIGHUP) and, when
        /// ``bearerToken`` is set, by `POST /admin/reload`.
        public var reload: (@Sendable ((any AuditSink)?) async throws -> ToolkitRuntime)?
        /// When set, `GET /metrics` answers this registry in Prometheus' text format (the
        /// process must have bootstrapped swift-metrics with a factory writing to it).
        public var metrics: PrometheusCollectorRegistry?
        /// Reload (``reload()``) on SIGHUP while the service runs (what `ssa-verify serve` does).
        public var reloadOnHangup = false
        /// Other long-running parts of the process (the state store's connection pool) that
        /// run in the service's `ServiceGroup`: they start with it and, on shutdown, stop after
        /// the HTTP server and the last audit checkpoint.
        public var services: [any Service] = []
        /// NIO event loop threads that read and write the connections (`nil`:
        /// ``defaultEventLoops``; brought into ``eventLoopRange``). Decisions run on Swift's
        /// cooperative pool, one thread per core.
        public var eventLoops: Int?
        /// Defaults: 127.0.0.1, no caller authentication, ``ConnectionLimits``' defaults.
        public init() {}
    }

    /// `http://127.0.0.1:<port>` (for a Unix-domain socket, `http://localhost`).
    public let baseURL: URL
    /// The Unix-domain socket, when listening on one.
    public let unixSocketPath: String?
    /// `POST` decisions here.
    public var decisionsURL: URL { baseURL.appendingPathComponent("v1/decisions") }
    private let group: ServiceGroup
    private let runner: Task<Void, any Error>
    private let state: ServiceState

    private init(baseURL: URL, unixSocketPath: String?, group: ServiceGroup, runner: Task<Void, any Error>, state: ServiceState) {
        self.baseURL = baseURL
        self.unixSocketPath = unixSocketPath
        self.group = group
        self.runner = runner
        self.state = state
    }

    /// Builds a new runtime with ``Options/reload`` and swaps it in at once: calls that started
    /// before finish on the runtime they started with, the next ones use the new one. When the
    /// new configuration cannot be loaded the old one keeps serving, and `/healthz` says
    /// `degraded` with the reason until a reload succeeds.
    ///
    /// - Returns: `nil` on success, or why the reload failed.
    @discardableResult
    public func reload() async -> String? { await state.reload() }

    /// Starts the service on 127.0.0.1 (`port` 0 picks a free one), or on `options`' Unix-domain
    /// socket, and returns once it listens.
    public static func start(registration: RegistrationDecider, port: Int, options: Options = Options(), logger: Logger = Logger(label: "ssa-toolkit.serve", factory: { _ in SwiftLogNoOpLogHandler() })) async throws -> DecisionService {
        try await start(state: ServiceState(Deciders(registration: registration, token: nil, audit: nil, runtime: nil), options: options, logger: logger),
                        port: port, options: options, logger: logger)
    }

    /// Starts the service with both halves: registration decisions and token decisions
    /// (`POST /v1/token-decisions`), sharing one directory connection and audit log.
    public static func start(runtime: ToolkitRuntime, port: Int, options: Options = Options(), logger: Logger = Logger(label: "ssa-toolkit.serve", factory: { _ in SwiftLogNoOpLogHandler() })) async throws -> DecisionService {
        try await start(state: ServiceState(Deciders(runtime), options: options, logger: logger), port: port, options: options, logger: logger)
    }

    /// The routes, in groups whose guards are middleware: every route checks the `Host` header
    /// (one, naming this service); all but `/healthz` and `/openapi.json` need the bearer token
    /// when one is configured; the POST routes take `application/json` only. One decision route
    /// shape serves both kinds of decision: read, parse, decide, encode. The decision routes are
    /// also matched by their exact path before the router's trie is walked (``ServiceRoutes``).
    static func makeRouter(state: ServiceState, options: Options, allowedHosts: @escaping @Sendable () -> [String], logger: Logger) -> ServiceRoutes {
        let router = Router()
        var routes = ServiceRoutes(router: router)
        // Health stays unauthenticated (a load balancer probes it), but answers only callers that
        // name this service, and says no more than which component failed.
        let open = router.group().add(middleware: CallerGuard(options: options, allowedHosts: allowedHosts, authenticate: false, requireJSON: false))
        open.get("healthz") { _, _ in state.health() }
        open.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        let authenticated = router.group().add(middleware: CallerGuard(options: options, allowedHosts: allowedHosts, authenticate: true, requireJSON: false))
        if let registry = options.metrics {
            authenticated.get("metrics") { _, _ in
                // The gauges are the state at the scrape: certificate expiry, audit and state store.
                state.recordGauges()
                return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                         body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
            }
        }
        // The latest signed checkpoint of the audit chain, for a collector to fetch and keep.
        authenticated.get("v1/audit/checkpoint") { _, _ in state.latestCheckpoint() }
        let decisionGuard = CallerGuard<BasicRequestContext>(options: options, allowedHosts: allowedHosts, authenticate: true, requireJSON: true)
        let decisions = router.group().add(middleware: decisionGuard)
        routes.post("v1/decisions", in: decisions, guardian: decisionGuard) { request, _ in
            await decide(request, with: state.current.withLock { $0.registration })
        }
        if state.current.withLock({ $0.token != nil }) {
            routes.post("v1/token-decisions", in: decisions, guardian: decisionGuard) { request, _ in
                guard let token = state.current.withLock({ $0.token }) else {
                    return json(.serviceUnavailable, ["error": "temporarily_unavailable", "error_description": "token decisions are not configured"])
                }
                return await decide(request, with: token)
            }
        }
        // Reloading over HTTP only for callers that authenticate (SIGHUP works regardless).
        if options.bearerToken != nil, options.reload != nil {
            decisions.post("admin/reload") { _, _ in
                if let problem = await state.reload() {
                    return json(.ok, ["reloaded": false, "error_description": .string(problem)])
                }
                return json(.ok, ["reloaded": true])
            }
        }
        return routes
    }

    private static func start(state: ServiceState, port: Int, options: Options, logger: Logger) async throws -> DecisionService {
        // The Host values a call may carry, known once the port is bound (DNS rebinding).
        let allowedHosts = Mutex<[String]>([])
        let router = makeRouter(state: state, options: options, allowedHosts: { allowedHosts.withLock { $0 } }, logger: logger)
        let counter = ConnectionCounter()
        let limits = options.limits
        let http = HTTP1Channel.Configuration(
            additionalChannelHandlers: [ConnectionGuardHandler(limits: limits, counter: counter)],
            idleTimeout: limits.idleTimeout
        )
        let address: BindAddress
        if let path = options.unixSocketPath {
            try removeStaleSocket(at: path)
            address = .unixDomainSocket(path: path)
        } else {
            address = .hostname("127.0.0.1", port: port)
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            server: .http1(configuration: http),
            configuration: .init(address: address, serverName: "ssa-toolkit decision service"),
            onServerRunning: { channel in
                continuation.yield(options.unixSocketPath == nil ? channel.localAddress?.port ?? 0 : 1)
                continuation.finish()
            },
            eventLoopGroupProvider: .shared(EventLoops.group(threads: options.eventLoops ?? defaultEventLoops)),
            logger: logger
        )
        // One group; a graceful shutdown stops its services in reverse order: the SIGHUP reloader,
        // the HTTP server (it answers the calls in progress), the health probe, the checkpoint
        // writer (a last checkpoint after the last record), then the process's own services.
        var services: [any Service] = options.services
        services += [AuditCheckpointService(state: state), HealthProbeService(state: state), app]
        if options.reloadOnHangup { services.append(HangupReloadService(state: state)) }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [], logger: logger))
        let runner = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let where_ = options.unixSocketPath ?? "127.0.0.1:\(port)"
        guard let bound = await iterator.next(), bound > 0 else {
            await group.triggerGracefulShutdown()
            if case .failure(let error) = await runner.result {
                throw DecisionServiceError("the decision service did not start listening on \(where_): \(error)")
            }
            throw DecisionServiceError("the decision service did not start listening on \(where_)")
        }
        if let path = options.unixSocketPath {
            // Owner and group may connect; nobody else. Whom the group holds is the operator's choice.
            guard chmod(path, 0o660) == 0 else {
                await group.triggerGracefulShutdown()
                throw DecisionServiceError("cannot set the permissions of the socket \(path)")
            }
            return DecisionService(baseURL: URL(string: "http://localhost")!, unixSocketPath: path, group: group, runner: runner, state: state)
        }
        allowedHosts.withLock { $0 = ["127.0.0.1:\(bound)", "localhost:\(bound)"] }
        return DecisionService(baseURL: URL(string: "http://127.0.0.1:\(bound)")!, unixSocketPath: nil, group: group, runner: runner, state: state)
    }

    /// A stale socket file from an earlier run is removed; anything else at the path is refused.
    private static func removeStaleSocket(at path: String) throws {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        guard status.st_mode & S_IFMT == S_IFSOCK else {
            throw DecisionServiceError("\(path) exists and is not a socket; refusing to replace it")
        }
        unlink(path)
    }

    /// Stops the service gracefully: every service of its group in reverse order, the HTTP
    /// server before the last checkpoint of the audit chain is signed.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await runner.value
    }

    /// The one decision route, for either kind: reads the body (413 over ``maximumBodyBytes``),
    /// parses the call (400 `invalid_request` when malformed), decides (the decider's closing
    /// steps record, count and log it), and answers 200 with the decision's JSON. Never throws.
    static func decide<D: ServedDecider>(_ request: Request, with decider: D) async -> Response {
        let start = ContinuousClock.now
        let body: ByteBuffer
        switch await collectBody(request) {
        case .success(let collected): body = collected
        case .failure(let tooLarge): return tooLarge.response
        }
        let details: CheckDetails = D.honoursMinimalReturn ? ReturnPreference.checkDetails(request.headers) : .all
        switch D.input(from: Array(buffer: body), checkDetails: details) {
        case .success(let input):
            let decision = await decider.decide(input)
            defer { ToolkitMetrics.decisionDuration(kind: D.Outcome.kind.rawValue, ContinuousClock.now - start) }
            let headers = details == .failures ? ReturnPreference.minimalAnswerHeaders : answerHeaders
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: decision.jsonBytes())))
        case .failure(let malformed):
            return json(.badRequest, ["error": "invalid_request", "error_description": .string(malformed.description)])
        }
    }

    /// A body over ``maximumBodyBytes``: answered 413.
    struct BodyTooLarge: Error {
        var response: Response { json(.contentTooLarge, ["error": "invalid_request", "error_description": .string("the body is larger than \(maximumBodyBytes) bytes")]) }
    }

    /// The request's body, at most ``maximumBodyBytes``.
    static func collectBody(_ request: Request) async -> Result<ByteBuffer, BodyTooLarge> {
        do { return .success(try await request.body.collect(upTo: maximumBodyBytes)) } catch { return .failure(BodyTooLarge()) }
    }

    /// The header fields of every JSON answer, built once (a decision answer copies them).
    static let answerHeaders: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]

    static func json(_ status: HTTPResponse.Status, _ value: JSONValue) -> Response {
        Response(status: status, headers: answerHeaders, body: .init(byteBuffer: ByteBuffer(bytes: value.serializedBytes())))
    }
}

/// A call the decision service cannot read, or a service that cannot start.
public struct DecisionServiceError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
