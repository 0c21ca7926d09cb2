import Metrics
import Synchronization

/// What the toolkit counts and times, through swift-metrics (a no-op until the process
/// bootstraps a metrics backend; `ssa-verify serve` bootstraps Prometheus and serves
/// `GET /metrics`):
///
/// | metric | labels |
/// | --- | --- |
/// | `ssa_toolkit_decisions_total` | `kind` (registration, token), `verdict`, `error`, `framework` (openbanking-uk, open-finance-brasil, cdr-au; `none` when no directory was chosen) |
/// | `ssa_toolkit_checks_failed_total` | `kind`, `check` |
/// | `ssa_toolkit_directory_request_duration_seconds` (histogram) | `endpoint` (token, scim, jwks, software_jwks), `outcome` (ok, error) |
/// | `ssa_toolkit_cache_events_total` | `cache` (jwks, software_jwks, directory_token, status), `event` (hit, miss, refresh, stale) |
/// | `ssa_toolkit_tls_handshakes_total` | (new TLS connections the HTTPS clients opened) |
/// | `ssa_toolkit_audit_records_total` | `kind` |
/// | `ssa_toolkit_audit_write_failures_total` | `kind` (a decision made undecided because its record could not be written) |
/// | `ssa_toolkit_decision_duration_seconds` (histogram) | `kind` (from the call's arrival to its answer, audit record included) |
/// | `ssa_toolkit_certificate_expiry_seconds` (gauge, set at each scrape) | `role` (transport, signing, trust), `directory` (its issuer): seconds until the earliest such certificate expires, negative once expired |
/// | `ssa_toolkit_audit_up` (gauge, set at each scrape) | `sink` (file, state_store): 1 while records can be written, 0 while they cannot |
/// | `ssa_toolkit_state_store_up` (gauge, set at each scrape, with `stateStore` only) | 1 while the shared state store answers, 0 while it does not |
///
/// Handlers are made once per label set and kept: on the token endpoint's hot path a decision
/// costs a dictionary lookup per metric, not a registry lookup.
public enum ToolkitMetrics {
    /// A metric and its label values (each label name is fixed per metric): hashed as it is,
    /// no string built per call.
    private struct Key: Hashable {
        var label: String
        var values: (String, String, String, String)
        static func == (a: Key, b: Key) -> Bool {
            a.label == b.label && a.values.0 == b.values.0 && a.values.1 == b.values.1 && a.values.2 == b.values.2 && a.values.3 == b.values.3
        }
        func hash(into hasher: inout Hasher) {
            hasher.combine(label)
            hasher.combine(values.0)
            hasher.combine(values.1)
            hasher.combine(values.2)
            hasher.combine(values.3)
        }
    }
    private static let counters = Mutex<[Key: Counter]>([:])
    private static let timers = Mutex<[Key: Metrics.Timer]>([:])

    /// The counter for `label` with label values `v0`, `v1`, `v2` (in its dimensions' order);
    /// `dimensions` is built only the first time.
    private static func counter(_ label: String, _ v0: String = "", _ v1: String = "", _ v2: String = "", _ v3: String = "",
                                dimensions: @autoclosure () -> [(String, String)]) -> Counter {
        let key = Key(label: label, values: (v0, v1, v2, v3))
        return counters.withLock { table in
            if let known = table[key] { return known }
            let made = Counter(label: label, dimensions: dimensions())
            table[key] = made
            return made
        }
    }

    /// One decision and its verdict.
    public static func decision(kind: String, verdict: String, error: String?, framework: String? = nil, failedChecks: [String]) {
        let code = error ?? "none"
        let framework = framework ?? "none"
        counter("ssa_toolkit_decisions_total", kind, verdict, code, framework,
                dimensions: [("kind", kind), ("verdict", verdict), ("error", code), ("framework", framework)]).increment()
        for check in failedChecks { counter("ssa_toolkit_checks_failed_total", kind, check, dimensions: [("kind", kind), ("check", check)]).increment() }
    }

    /// One request to the directory (or a TPP's JWKS endpoint), timed.
    public static func directoryRequest(_ endpoint: String, succeeded: Bool, duration: Duration) {
        let outcome = succeeded ? "ok" : "error"
        timer("ssa_toolkit_directory_request_duration_seconds", endpoint, outcome, dimensions: [("endpoint", endpoint), ("outcome", outcome)]).record(duration: duration)
    }

    /// The histogram (in seconds) for `label` with label values `v0`, `v1`; `dimensions` is
    /// built only the first time.
    private static func timer(_ label: String, _ v0: String, _ v1: String = "", dimensions: @autoclosure () -> [(String, String)]) -> Metrics.Timer {
        let key = Key(label: label, values: (v0, v1, "", ""))
        return timers.withLock { table in
            if let known = table[key] { return known }
            let made = Metrics.Timer(label: label, dimensions: dimensions(), preferredDisplayUnit: .seconds)
            table[key] = made
            return made
        }
    }

    /// A cache was asked: `hit`, `miss` (fetched), `refresh` (fetched again early), `stale` (served past its time).
    public static func cache(_ cache: String, _ event: String) {
        cacheCounter(cache, event).increment()
    }

    /// The counter of one cache's events of one kind, for a caller that keeps it.
    static func cacheCounter(_ cache: String, _ event: String) -> Counter {
        counter("ssa_toolkit_cache_events_total", cache, event, dimensions: [("cache", cache), ("event", event)])
    }

    // The warm token path's series, looked up once (made on first use, as the table makes them,
    // after the process bootstrapped its metrics): no hash and no lock per decision.
    static let statusCacheHits = cacheCounter("status", "hit")
    static let revocationCacheHits = cacheCounter("revocation", "hit")
    private static let tokenAuditRecords = counter("ssa_toolkit_audit_records_total", "token", dimensions: [("kind", "token")])
    private static let tokenDecisionDuration = timer("ssa_toolkit_decision_duration_seconds", "token", dimensions: [("kind", "token")])

    /// One revocation lookup over the network: its source (`ocsp`, `crl`) and outcome (`good`,
    /// `revoked`, `unknown`, or `error` when no answer could be believed).
    static func revocationLookup(_ source: String, _ outcome: String) {
        counter("ssa_toolkit_revocation_lookups_total", source, outcome, dimensions: [("source", source), ("outcome", outcome)]).increment()
    }

    /// A revocation check that got no answer and passed because `revocationFailure=open`.
    static func revocationFailOpen() {
        counter("ssa_toolkit_revocation_fail_open_total", dimensions: []).increment()
    }

    /// New TLS connections an HTTPS client opened.
    static func tlsHandshakes(_ count: Int) {
        guard count > 0 else { return }
        counter("ssa_toolkit_tls_handshakes_total", dimensions: []).increment(by: count)
    }

    /// One audit record written.
    static func auditRecord(kind: String) {
        if kind == "token" { return tokenAuditRecords.increment() }
        counter("ssa_toolkit_audit_records_total", kind, dimensions: [("kind", kind)]).increment()
    }

    /// One audit record that could not be written (its decision became undecided).
    static func auditWriteFailure(kind: String) {
        counter("ssa_toolkit_audit_write_failures_total", kind, dimensions: [("kind", kind)]).increment()
    }

    /// Creates the counters of failures that may never happen, at zero, so that alert rules
    /// and dashboards read a series from the first scrape (`increase()` over a series that
    /// appears with its first failure would miss that failure): audit writes that failed, and
    /// revocation checks passed on `revocationFailure=open`.
    public static func exportFailureCountersAtZero() {
        for kind in ["registration", "token"] {
            counter("ssa_toolkit_audit_write_failures_total", kind, dimensions: [("kind", kind)]).increment(by: 0)
        }
        counter("ssa_toolkit_revocation_fail_open_total", dimensions: []).increment(by: 0)
    }

    /// One decision of `kind`, from its call's arrival to its answer.
    public static func decisionDuration(kind: String, _ duration: Duration) {
        if kind == "token" { return tokenDecisionDuration.record(duration: duration) }
        timer("ssa_toolkit_decision_duration_seconds", kind, dimensions: [("kind", kind)]).record(duration: duration)
    }

    private static let gauges = Mutex<[Key: Gauge]>([:])

    /// Sets the gauge `label` with `dimensions` (in a fixed order) to `value`.
    public static func gauge(_ label: String, _ dimensions: [(String, String)], _ value: Double) {
        let values = dimensions.map(\.1) + ["", "", "", ""]
        let key = Key(label: label, values: (values[0], values[1], values[2], values[3]))
        let gauge = gauges.withLock { table in
            if let known = table[key] { return known }
            let made = Gauge(label: label, dimensions: dimensions)
            table[key] = made
            return made
        }
        gauge.record(value)
    }
}
