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
        let key = Key(label: "", values: (endpoint, outcome, "", ""))
        let timer = timers.withLock { table in
            if let known = table[key] { return known }
            let made = Metrics.Timer(label: "ssa_toolkit_directory_request_duration_seconds", dimensions: [("endpoint", endpoint), ("outcome", outcome)], preferredDisplayUnit: .seconds)
            table[key] = made
            return made
        }
        timer.record(duration: duration)
    }

    /// A cache was asked: `hit`, `miss` (fetched), `refresh` (fetched again early), `stale` (served past its time).
    public static func cache(_ cache: String, _ event: String) {
        counter("ssa_toolkit_cache_events_total", cache, event, dimensions: [("cache", cache), ("event", event)]).increment()
    }

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
        counter("ssa_toolkit_audit_records_total", kind, dimensions: [("kind", kind)]).increment()
    }
}
