import ArgumentParser
import DecisionService
import DirectorySandbox
import Foundation
import Logging
import Metrics
import PostgresStateStore
import Prometheus
import SSAToolkit

/// `--config` plus `--set NAME=VALUE` overrides, loaded into a decider; failures exit 2.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .long, help: "A configuration file (Janssen script JSON or plain JSON).")
    var config: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a configuration property, e.g. --set memberState=GB (repeatable).", valueName: "NAME=VALUE"))
    var overrides: [String] = []

    func load(logger: Logger) throws -> RegistrationDecider {
        let configuration = try loadConfiguration(logger: logger)
        return try loadingConfiguration { try RegistrationDecider(configuration: configuration, logger: logger) }
    }

    /// Both deciders over one directory connection and audit log.
    ///
    /// With a `stateStore`, the replay store and audit chain are the database's; a reload keeps
    /// the previous runtime's store (its connections and chain head) when the settings are unchanged.
    func loadRuntime(logger: Logger, reusing audit: (any AuditSink)? = nil) throws -> ToolkitRuntime {
        let configuration = try loadConfiguration(logger: logger)
        return try loadingConfiguration {
            var shared: (replays: any ReplayStore, audit: any AuditSink)?
            if let settings = configuration.stateStore {
                let store: PostgresStateStore
                if let previous = audit as? PostgresAuditSink, previous.store.settings == settings {
                    store = previous.store
                } else {
                    store = try PostgresStateStore(settings: settings, logger: logger)
                }
                shared = (store.replays, store.audit)
            }
            return try ToolkitRuntime(configuration: configuration, reusing: audit, sharedState: shared, logger: logger)
        }
    }

    /// The configuration file with the `--set` overrides.
    func loadConfiguration(logger: Logger) throws -> ToolkitConfiguration {
        var values: [String: String] = [:]
        for pair in overrides {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw UsageFailure("--set \(pair): expected NAME=VALUE")
            }
            let name = String(pair[..<equals])
            let value = String(pair[pair.index(after: equals)...])
            if ToolkitConfiguration.passwordProperties.contains(name), !value.hasPrefix("env:"), !value.hasPrefix("file:") {
                logger.warning("--set \(name) gives a password on the command line, where other users of this machine can read it (ps, /proc); use --set \(name)=env:VARIABLE or file:PATH")
            }
            values[name] = value
        }
        // Load warnings (unknown properties, secret files others can read) are logged by the loader.
        return try loadingConfiguration { try ToolkitConfiguration.load(path: config, overrides: values) }
    }
}

/// The exit status of a decision: 0 accept, 1 reject, 3 undecided.
func exitStatus(_ decision: RegistrationDecision) -> ExitStatus {
    switch decision.verdict {
    case .accept: .success
    case .reject: .no
    case .undecided: .undecided
    }
}

struct DecideCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decide",
        abstract: "Decide a dynamic client registration: the SSA, the request, the caller's certificate and the directory.",
        discussion: "Exit status: 0 accept, 1 reject, 2 usage or configuration error, 3 undecided (directory or key set unavailable)."
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .long, help: "The SSA (compact JWS) file, or - for standard input; optional when the request embeds it.")
    var ssa: String?

    @Option(name: .long, help: "The registration request as posted: a request JWT or JSON metadata (file, or -).")
    var request: String?

    @Option(name: .customLong("client-cert"), help: "The caller's TLS client certificate (PEM file).")
    var clientCert: String?

    @Option(name: .long, help: "Evaluate time rules at this instant (Unix seconds) instead of now.")
    var at: Double?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard ssa != nil || request != nil else { throw ValidationError("give --ssa, --request or both") }
        guard !(ssa == "-" && request == "-") else { throw ValidationError("only one of --ssa and --request can read standard input") }
    }

    func run() async throws {
        let logger = global.makeLogger("ssa-verify")
        let input = RegistrationInput(
            softwareStatement: try ssa.map { try InputFiles.readToken($0) },
            request: try request.map { try InputFiles.readText($0, what: "--request", limit: 256 * 1024) },
            clientCertificatePEM: try clientCert.map { try InputFiles.readText($0, what: "--client-cert", limit: 64 * 1024) }
        )
        let decider = try options.load(logger: logger)
        let decision = await decider.decide(input, at: try instant(at))
        switch global.format {
        case .json: print(decision.json.prettySerialized(leadingKeys: RegistrationDecision.jsonLeadingKeys))
        case .text: print(TextReport(style: .forStandardOutput).render(decision))
        }
        let status = exitStatus(decision)
        if status != .success { throw ExitCode(status.rawValue) }
    }
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve registration decisions over HTTP on 127.0.0.1 for hooks in other languages.",
        discussion: """
            POST /v1/decisions {"registration_request": JWT or object, "software_statement": SSA, \
            "client_certificate": PEM} answers the decision JSON; GET /healthz. Register a client only \
            on HTTP 200 with verdict accept. SIGHUP re-reads the configuration, key stores and keys \
            (so does POST /admin/reload when --auth-token is set); a broken one leaves the old serving.
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .long, help: "Port on 127.0.0.1 (0 picks a free one).")
    var port: Int = 8085

    @Option(name: .customLong("unix-socket"), help: "Listen on this Unix-domain socket (mode 0660) instead of 127.0.0.1.")
    var unixSocket: String?

    @Option(name: .customLong("auth-token"), help: ArgumentHelp("Require Authorization: Bearer <token> on decisions, /metrics and /admin/reload (not /healthz); the token from env:NAME or file:PATH.", valueName: "env:NAME|file:PATH"))
    var authToken: String?

    @Option(name: .customLong("max-connections"), help: "Most connections open at once.")
    var maxConnections: Int = 128

    @Option(name: .customLong("header-timeout"), help: "Seconds a connection has to send a complete request head (and its body).")
    var headerTimeout: Int = 10

    @Option(name: .customLong("event-loops"), help: "Event loop threads for the connections (default: half the cores, at least 1; decisions run on Swift's pool, one thread per core).")
    var eventLoops: Int?

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let logger = global.makeLogger("ssa-verify")
        guard (1...100_000).contains(maxConnections) else { throw UsageFailure("--max-connections must be between 1 and 100000") }
        guard (1...300).contains(headerTimeout) else { throw UsageFailure("--header-timeout must be between 1 and 300 seconds") }
        let loops = DecisionService.eventLoopRange
        if let eventLoops, !loops.contains(eventLoops) { throw UsageFailure("--event-loops must be between \(loops.lowerBound) and \(loops.upperBound)") }
        var serviceOptions = DecisionService.Options()
        serviceOptions.limits.maximumConnections = maxConnections
        serviceOptions.limits.headerTimeout = .seconds(Int64(headerTimeout))
        serviceOptions.limits.bodyTimeout = .seconds(Int64(headerTimeout))
        serviceOptions.unixSocketPath = unixSocket
        serviceOptions.eventLoops = eventLoops
        if let authToken {
            guard authToken.hasPrefix("env:") || authToken.hasPrefix("file:") else {
                throw UsageFailure("--auth-token takes env:NAME or file:PATH, never the token itself (other users can read command lines)")
            }
            let secret = try loadingConfiguration {
                try SecretReference(parsing: authToken, baseDirectory: nil).resolve(property: "--auth-token", environment: ProcessInfo.processInfo.environment)
            }
            guard secret.count >= 16 else { throw UsageFailure("--auth-token: the token must be at least 16 bytes") }
            if authToken.hasPrefix("file:") {
                // Whoever can read the token can decide as the authorization server.
                for warning in SafeFile.permissionWarnings(String(authToken.dropFirst(5)), what: "--auth-token file") { logger.warning("\(warning)") }
            }
            serviceOptions.bearerToken = secret
        }
        let runtime = try options.loadRuntime(logger: logger)
        // A state store whose role could change or remove audit rows is refused at start; one
        // that cannot be reached yet is not (decisions are undecided until it answers).
        if let sink = runtime.audit as? PostgresAuditSink {
            do {
                if let problem = try await sink.store.schemaProblem() {
                    await sink.store.shutdown()
                    throw UsageFailure("refusing to start: \(problem)")
                }
            } catch let error as AuditError {
                logger.warning("\(error.reason); decisions are undecided until it answers")
            }
        }
        // SIGHUP (and POST /admin/reload with --auth-token) re-read the configuration file, the
        // key stores and keys, and swap them in; a broken configuration leaves the old one.
        let deciderOptions = options
        serviceOptions.reload = { audit in try deciderOptions.loadRuntime(logger: logger, reusing: audit) }
        serviceOptions.reloadOnHangup = true
        // Ignored until the group's reloader traps it, so an early SIGHUP never ends the process.
        Foundation.signal(SIGHUP, SIG_IGN)
        // The state store's pool runs in the service's group and closes after the last record.
        if let sink = runtime.audit as? PostgresAuditSink { serviceOptions.services = [sink.store] }
        // GET /metrics: what ToolkitMetrics counts and times, in Prometheus' text format.
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        ToolkitMetrics.exportFailureCountersAtZero()
        serviceOptions.metrics = registry
        let service: DecisionService
        do {
            service = try await DecisionService.start(runtime: runtime, port: port, options: serviceOptions, logger: logger)
        } catch {
            throw UsageFailure("cannot listen on \(unixSocket ?? "127.0.0.1:\(port)"): \(error)")
        }
        let location = service.unixSocketPath.map { "unix:\($0)" } ?? service.baseURL.absoluteString
        FileHandle.standardOutput.write(Data("""
            decision service listening on \(location)\(serviceOptions.bearerToken == nil ? "" : " (bearer token required)")
              decide   POST \(service.unixSocketPath == nil ? service.decisionsURL.absoluteString : "/v1/decisions")
              tokens   POST \(service.unixSocketPath == nil ? service.baseURL.appendingPathComponent("v1/token-decisions").absoluteString : "/v1/token-decisions")
              health   GET  \(service.unixSocketPath == nil ? service.baseURL.appendingPathComponent("healthz").absoluteString : "/healthz")

            """.utf8))
        await waitForTerminationSignal()
        await service.stop()
    }
}

/// Returns on SIGINT or SIGTERM.
func waitForTerminationSignal() async {
    let (signals, continuation) = AsyncStream<Int32>.makeStream()
    var sources: [any DispatchSourceSignal] = []
    for signal in [SIGINT, SIGTERM] {
        Foundation.signal(signal, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: signal)
        source.setEventHandler { continuation.yield(signal) }
        source.resume()
        sources.append(source)
    }
    for await _ in signals { break }
    sources.forEach { $0.cancel() }
}
