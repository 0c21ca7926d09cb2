import Foundation
import Hummingbird
import HummingbirdCore
import HTTPTypes
import Logging
import NIOCore
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
/// - `GET /openapi.json` answers ``OpenAPIDocument/json``, the contract of all of the above.
///
/// A caller registers the client only on HTTP 200 with `verdict` `accept`. Every request shares
/// the validator, so its caches (JWKS, token, connections) serve them all.
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
    private let checkpointing: Task<Void, Never>

    private init(baseURL: URL, unixSocketPath: String?, group: ServiceGroup, runner: Task<Void, any Error>, state: ServiceState) {
        self.baseURL = baseURL
        self.unixSocketPath = unixSocketPath
        self.group = group
        self.runner = runner
        self.state = state
        // Signs the audit chain's head every auditCheckpointSeconds (the current runtime's, so a
        // reload that adds or changes the key takes effect).
        checkpointing = Task {
            while !Task.isCancelled {
                let interval = state.current.withLock { $0.runtime?.checkpoints?.interval } ?? .seconds(5)
                try? await Task.sleep(for: interval)
                if Task.isCancelled { break }
                state.checkpoint()
            }
        }
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
    public static func start(validator: RegistrationValidator, port: Int, options: Options = Options(), logger: Logger = Logger(label: "ssa-toolkit.serve", factory: { _ in SwiftLogNoOpLogHandler() })) async throws -> DecisionService {
        try await start(state: ServiceState(Deciders(validator: validator, tokens: nil, audit: nil, runtime: nil), options: options, logger: logger),
                        port: port, options: options, logger: logger)
    }

    /// Starts the service with both halves: registration decisions and token decisions
    /// (`POST /v1/token-decisions`), sharing one directory connection and audit log.
    public static func start(runtime: ToolkitRuntime, port: Int, options: Options = Options(), logger: Logger = Logger(label: "ssa-toolkit.serve", factory: { _ in SwiftLogNoOpLogHandler() })) async throws -> DecisionService {
        try await start(state: ServiceState(Deciders(runtime), options: options, logger: logger), port: port, options: options, logger: logger)
    }

    private static func start(state: ServiceState, port: Int, options: Options, logger: Logger) async throws -> DecisionService {
        let hasTokens = state.current.withLock { $0.tokens != nil }
        // The Host values a call may carry, known once the port is bound (DNS rebinding).
        let allowedHosts = Mutex<[String]>([])
        let router = Router()
        // Health stays unauthenticated (a load balancer probes it), but answers only callers that
        // name this service, and says no more than which component failed.
        router.get("healthz") { request, _ in
            if let refusal = refusal(of: request, options: options, allowedHosts: allowedHosts.withLock { $0 }, authenticate: false, json: false) { return refusal }
            return state.health()
        }
        if let registry = options.metrics {
            router.get("metrics") { request, _ in
                if let refusal = refusal(of: request, options: options, allowedHosts: allowedHosts.withLock { $0 }, json: false) { return refusal }
                return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
            }
        }
        router.get("openapi.json") { request, _ in
            if let refusal = refusal(of: request, options: options, allowedHosts: allowedHosts.withLock { $0 }, authenticate: false, json: false) { return refusal }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        router.post("v1/decisions") { request, _ in
            if let refusal = refusal(of: request, options: options, allowedHosts: allowedHosts.withLock { $0 }) { return refusal }
            return await decide(request, validator: state.current.withLock { $0.validator }, logger: logger)
        }
        if hasTokens {
            router.post("v1/token-decisions") { request, _ in
                if let refusal = refusal(of: request, options: options, allowedHosts: allowedHosts.withLock { $0 }) { return refusal }
                guard let tokens = state.current.withLock({ $0.tokens }) else {
                    return json(.serviceUnavailable, ["error": "temporarily_unavailable", "error_description": "token decisions are not configured"])
                }
                return await decideToken(request, policy: tokens, logger: logger)
            }
        }
        // The latest signed checkpoint of the audit chain, for a collector to fetch and keep.
        router.get("v1/audit/checkpoint") { request, _ in
            if let refusal = refusal(of: request, options: options, allowedHosts: allowedHosts.withLock { $0 }, json: false) { return refusal }
            return state.latestCheckpoint()
        }
        // Reloading over HTTP only for callers that authenticate (SIGHUP works regardless).
        if options.bearerToken != nil, options.reload != nil {
            router.post("admin/reload") { request, _ in
                if let refusal = refusal(of: request, options: options, allowedHosts: allowedHosts.withLock { $0 }) { return refusal }
                if let problem = await state.reload() {
                    return json(.ok, ["reloaded": false, "error_description": .string(problem)])
                }
                return json(.ok, ["reloaded": true])
            }
        }
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
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
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

    /// `Host`, as a header field name (the first `Host` becomes the request's authority; any
    /// further one stays among the header fields).
    static let hostField = HTTPField.Name("Host")!

    /// Why a call is refused before it is read, or `nil`: more than one `Host` header (RFC 9112
    /// section 3.2: 400), the bearer token when `authenticate` and one is configured, the `Host`
    /// naming this service, and (for bodies, when `json`) `application/json`.
    static func refusal(of request: Request, options: Options, allowedHosts: [String], authenticate: Bool = true, json requiresJSON: Bool = true) -> Response? {
        if request.headers.contains(hostField) {
            return json(.badRequest, ["error": "invalid_request", "error_description": "more than one Host header"])
        }
        if authenticate, let token = options.bearerToken {
            let header = request.headers[.authorization] ?? ""
            let prefix = "Bearer "
            guard header.hasPrefix(prefix), token.matches(Array(header.utf8.dropFirst(prefix.utf8.count))) else {
                var response = json(.unauthorized, ["error": "invalid_token", "error_description": "a bearer token is required"])
                response.headers[.wwwAuthenticate] = "Bearer"
                return response
            }
        }
        if options.unixSocketPath == nil, allowedHosts.count == 2 {
            let host = request.head.authority ?? ""
            guard allowedHosts.contains(where: { $0.isByteIdenticalIgnoringASCIICase(to: host) }) else {
                return json(.misdirectedRequest, ["error": "invalid_request", "error_description": .string("the Host header must name this service (\(allowedHosts.joined(separator: " or ")))")])
            }
        }
        guard !requiresJSON || isJSONMediaType(request.headers[.contentType] ?? "") else {
            return json(.unsupportedMediaType, ["error": "invalid_request", "error_description": "the body must be application/json"])
        }
        return nil
    }

    /// Whether a `Content-Type` value names `application/json` (any case, parameters such as
    /// `charset` after `;` ignored, spaces and tabs around the type allowed).
    static func isJSONMediaType(_ value: String) -> Bool {
        let mediaType = value.utf8.prefix { $0 != UInt8(ascii: ";") }
        let isSpace = { (b: UInt8) in b == 0x20 || b == 0x09 }
        let trimmed = mediaType.drop(while: isSpace).reversed().drop(while: isSpace).reversed()
        let expected = "application/json".utf8
        return trimmed.count == expected.count
            && zip(trimmed, expected).allSatisfy { pair in (pair.0 >= 0x41 && pair.0 <= 0x5A ? pair.0 | 0x20 : pair.0) == pair.1 }
    }

    /// Stops the service gracefully, signing a last checkpoint of the audit chain.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await runner.value
        checkpointing.cancel()
        await checkpointing.value
        state.checkpoint()
    }

    /// Reads a call, decides, answers. Never throws: a malformed call is a 400.
    static func decide(_ request: Request, validator: RegistrationValidator, logger: Logger) async -> Response {
        let body: ByteBuffer
        switch await collectBody(request) {
        case .success(let collected): body = collected
        case .failure(let tooLarge): return tooLarge.response
        }
        let input: RegistrationInput
        switch parse(Array(buffer: body)) {
        case .success(let parsed): input = parsed
        case .failure(let failure):
            return json(.badRequest, ["error": "invalid_request", "error_description": .string(failure.description)])
        }
        let decision = await validator.decide(input)
        logger.info("decision \(decision.verdict.rawValue)", metadata: [
            "software_id": "\(decision.softwareStatement?.softwareID ?? "-")", "failed_check": "\(decision.failedCheck?.name.rawValue ?? "-")",
        ])
        return json(.ok, decision.json)
    }

    /// A body over ``maximumBodyBytes``: answered 413.
    struct BodyTooLarge: Error {
        var response: Response { json(.contentTooLarge, ["error": "invalid_request", "error_description": .string("the body is larger than \(maximumBodyBytes) bytes")]) }
    }

    /// The request's body, at most ``maximumBodyBytes``.
    static func collectBody(_ request: Request) async -> Result<ByteBuffer, BodyTooLarge> {
        do { return .success(try await request.body.collect(upTo: maximumBodyBytes)) } catch { return .failure(BodyTooLarge()) }
    }

    /// Reads a token decision call, decides, answers. Never throws: a malformed call is a 400.
    static func decideToken(_ request: Request, policy: TokenPolicy, logger: Logger) async -> Response {
        let body: ByteBuffer
        switch await collectBody(request) {
        case .success(let collected): body = collected
        case .failure(let tooLarge): return tooLarge.response
        }
        let tokenRequest: TokenRequest
        do {
            let object = try StrictJSONParser(maximumDepth: 32, maximumBytes: maximumBodyBytes).parseObject(Array(buffer: body))
            tokenRequest = try TokenRequest(json: object)
        } catch let error as JSONParseError {
            return json(.badRequest, ["error": "invalid_request", "error_description": .string("the body is not a JSON object: \(error.reason)")])
        } catch let error as TokenRequestError {
            return json(.badRequest, ["error": "invalid_request", "error_description": .string(error.reason)])
        } catch {
            return json(.badRequest, ["error": "invalid_request", "error_description": "the body cannot be read"])
        }
        let decision = await policy.decide(tokenRequest)
        logger.info("token decision \(decision.verdict.rawValue)", metadata: [
            "software_id": "\(tokenRequest.softwareID)", "failed_check": "\(decision.failedCheck?.name.rawValue ?? "-")",
        ])
        return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: decision.jsonBytes())))
    }

    /// The call's JSON object as a registration input.
    static func parse(_ bytes: [UInt8]) -> Result<RegistrationInput, DecisionServiceError> {
        let object: [String: JSONValue]
        do {
            object = try StrictJSONParser(maximumDepth: 32, maximumBytes: maximumBodyBytes).parseObject(bytes)
        } catch {
            return .failure(DecisionServiceError("the body is not a JSON object: \(error.reason)"))
        }
        let known: Set<String> = ["registration_request", "software_statement", "client_certificate"]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            return .failure(DecisionServiceError("unknown member \"\(unknown.prefix(64))\" (expected registration_request, software_statement, client_certificate)"))
        }
        var input = RegistrationInput()
        switch object["registration_request"] {
        case nil, .null?: break
        case .string(let text)?: input.request = text
        case .object(let metadata)?: input.request = JSONValue.object(metadata).serialized()
        case let other?: return .failure(DecisionServiceError("registration_request must be a string (JWT) or an object (metadata), not \(other.typeDescription)"))
        }
        for (member, path) in [("software_statement", \RegistrationInput.softwareStatement), ("client_certificate", \RegistrationInput.clientCertificatePEM)] {
            switch object[member] {
            case nil, .null?: break
            case .string(let text)?: input[keyPath: path] = text
            case let other?: return .failure(DecisionServiceError("\(member) must be a string, not \(other.typeDescription)"))
            }
        }
        guard input.request != nil || input.softwareStatement != nil else {
            return .failure(DecisionServiceError("give registration_request, software_statement or both"))
        }
        return .success(input)
    }

    static func json(_ status: HTTPResponse.Status, _ value: JSONValue) -> Response {
        Response(status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(bytes: value.serializedBytes())))
    }
}

/// A call the decision service cannot read, or a service that cannot start.
public struct DecisionServiceError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// What the routes decide with; replaced whole by a reload.
struct Deciders: Sendable {
    var validator: RegistrationValidator
    var tokens: TokenPolicy?
    var audit: (any AuditSink)?
    var runtime: ToolkitRuntime?

    init(validator: RegistrationValidator, tokens: TokenPolicy?, audit: (any AuditSink)?, runtime: ToolkitRuntime?) {
        self.validator = validator
        self.tokens = tokens
        self.audit = audit
        self.runtime = runtime
    }

    init(_ runtime: ToolkitRuntime) {
        self.init(validator: runtime.registration, tokens: runtime.tokens, audit: runtime.audit, runtime: runtime)
    }
}

/// The service's deciders behind a lock (each call takes the current ones once), and what the
/// last failed reload said.
final class ServiceState: Sendable {
    let current: Mutex<Deciders>
    private let reloadProblem = Mutex<String?>(nil)
    private let reloading = Mutex<Bool>(false)
    private let reloads = Mutex<Int>(0)
    private let build: (@Sendable ((any AuditSink)?) async throws -> ToolkitRuntime)?
    private let logger: Logger
    /// Health reasons already logged, so a probe every second does not repeat them.
    private let logged = Mutex<Set<String>>([])

    /// Signs and writes a checkpoint of the audit chain's head, when a key is configured and
    /// the head moved; a failure is logged (the service goes on: the records themselves are
    /// written, and the next checkpoint commits to them too).
    func checkpoint() {
        let deciders = current.withLock { $0 }
        guard let writer = deciders.runtime?.checkpoints, let head = deciders.audit?.checkpointHead else { return }
        do { try writer.write(head) } catch {
            logOnce("checkpoint: \(error.reason)")
        }
    }

    /// `GET /v1/audit/checkpoint`: the latest checkpoint (signed now if none was yet).
    func latestCheckpoint() -> Response {
        let deciders = current.withLock { $0 }
        guard let writer = deciders.runtime?.checkpoints else {
            return DecisionService.json(.notFound, ["error": "not_found", "error_description": "no auditCheckpointKey is configured"])
        }
        if writer.current == nil { checkpoint() }
        guard let (checkpoint, jws) = writer.current else {
            return DecisionService.json(.serviceUnavailable, ["error": "temporarily_unavailable", "error_description": "no audit record has been written yet"])
        }
        return DecisionService.json(.ok, [
            "checkpoint": .string(jws), "log_id": .string(checkpoint.logID), "node": .string(checkpoint.node),
            "records": .number(Double(checkpoint.records)), "head": .string(checkpoint.head), "time": .string(NumericDate.format(checkpoint.time)),
        ])
    }

    /// Logs `reason` the first time it is seen.
    private func logOnce(_ reason: String) {
        let fresh = logged.withLock { seen in
            if seen.count > 256 { seen.removeAll() }
            return seen.insert(reason).inserted
        }
        if fresh { logger.warning("health: \(reason)") }
    }

    /// `transport certificate` or `signing certificate` from a certificate state's sentence.
    static func role(in reason: String) -> String {
        for role in ["transport certificate", "signing certificate"] where reason.contains(role) { return role }
        return "a certificate"
    }

    init(_ deciders: Deciders, options: DecisionService.Options, logger: Logger) {
        current = Mutex(deciders)
        build = options.reload
        self.logger = logger
    }

    /// Builds and swaps in a new runtime; `nil` on success, else why not (the old one stays).
    func reload() async -> String? {
        guard let build else { return "this service was started without a configuration to reload" }
        guard reloading.withLock({ busy in defer { busy = true }; return !busy }) else { return "a reload is already running" }
        defer { reloading.withLock { $0 = false } }
        let audit = current.withLock { $0.audit }
        do {
            let runtime = try await build(audit)
            current.withLock { $0 = Deciders(runtime) }
            reloadProblem.withLock { $0 = nil }
            reloads.withLock { $0 += 1 }
            logger.notice("reloaded the configuration, key stores and keys")
            return nil
        } catch {
            let reason = "the reload failed, the previous configuration keeps serving: \(error)"
            reloadProblem.withLock { $0 = reason }
            logger.error("\(reason)")
            return reason
        }
    }

    /// `GET /healthz`: `ok`; `degraded` (HTTP 200) when a certificate expires soon or the last
    /// reload failed; `degraded` with HTTP 503 while the audit log cannot be written (decisions
    /// are then undecided); `failing` (503) once a certificate has expired. The body names only
    /// the component and its state (`audit`, `certificates`, `reload`): callers need not
    /// authenticate, so paths, subjects and error text go to the log (once per distinct reason).
    func health(at now: Date = Date()) -> Response {
        let deciders = current.withLock { $0 }
        var body: [String: JSONValue] = [:]
        var status = "ok"
        var code = HTTPResponse.Status.ok
        if case .failing(let reason)? = deciders.audit?.health {
            body["audit"] = .string(deciders.audit is AuditLog ? "failing: the audit log cannot be written" : "failing: the state store cannot be written")
            logOnce("audit: \(reason)")
            status = "degraded"
            code = .serviceUnavailable
        }
        switch deciders.runtime?.certificateState(at: now) {
        case .expired(let reason)?:
            body["certificates"] = .string("expired: \(Self.role(in: reason))")
            logOnce("certificates: \(reason)")
            status = "failing"
            code = .serviceUnavailable
        case .expiringSoon(let reason)?:
            body["certificates"] = .string("expiring: \(Self.role(in: reason))")
            logOnce("certificates: \(reason)")
            if status == "ok" { status = "degraded" }
        case .valid?, nil:
            break
        }
        if reloadProblem.withLock({ $0 }) != nil {
            body["reload"] = "failed: the previous configuration keeps serving (the reason is in the log)"
            if status == "ok" { status = "degraded" }
        }
        let reloaded = reloads.withLock { $0 }
        if reloaded > 0 { body["reloads"] = .number(Double(reloaded)) }  // successful reloads so far
        body["status"] = .string(status)
        return DecisionService.json(code, .object(body))
    }
}
