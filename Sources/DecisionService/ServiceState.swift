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

/// What the routes decide with; replaced whole by a reload.
struct Deciders: Sendable {
    var registration: RegistrationDecider
    var token: TokenDecider?
    var audit: (any AuditSink)?
    var runtime: ToolkitRuntime?

    init(registration: RegistrationDecider, token: TokenDecider?, audit: (any AuditSink)?, runtime: ToolkitRuntime?) {
        self.registration = registration
        self.token = token
        self.audit = audit
        self.runtime = runtime
    }

    init(_ runtime: ToolkitRuntime) {
        self.init(registration: runtime.registrationDecider, token: runtime.tokenDecider, audit: runtime.audit, runtime: runtime)
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

    /// `GET /v1/audit/checkpoint`: a checkpoint of the chain's head as it is now.
    func latestCheckpoint() -> Response {
        let deciders = current.withLock { $0 }
        guard let writer = deciders.runtime?.checkpoints else {
            return DecisionService.json(.notFound, ["error": "not_found", "error_description": "no auditCheckpointKey is configured"])
        }
        // The chain's head now (signed and written only when it moved since the last one).
        checkpoint()
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
