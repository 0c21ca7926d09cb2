import Foundation
import SSAToolkit

extension ServiceState {
    /// Sets the gauges `/metrics` reports as the state at the scrape:
    /// - `ssa_toolkit_certificate_expiry_seconds{role, directory}`: seconds until the earliest
    ///   transport, signing and trust-store certificate of each trusted directory expires;
    /// - `ssa_toolkit_audit_up{sink}`: whether audit records can be written;
    /// - `ssa_toolkit_state_store_up`: whether the shared state store answers (with `stateStore`).
    func recordGauges(at now: Date = Date()) {
        let deciders = current.withLock { $0 }
        if let runtime = deciders.runtime {
            let issuers = runtime.registrationDecider.trustedDirectories.map(\.issuer)
            for (index, connection) in runtime.connections.enumerated() {
                let directory = index < issuers.count ? issuers[index] : String(index)
                var earliest: [String: Date] = [:]
                for certificate in connection.certificates {
                    // "transport certificate", "signing certificate": the role is the first word.
                    let role = String(certificate.role.split(separator: " ").first ?? "transport")
                    earliest[role] = min(earliest[role] ?? .distantFuture, certificate.notAfter)
                }
                if let trust = connection.trustStore, let first = trust.certificates.map(\.notValidAfter).min() {
                    earliest["trust"] = first
                }
                for (role, notAfter) in earliest {
                    ToolkitMetrics.gauge("ssa_toolkit_certificate_expiry_seconds", [("role", role), ("directory", directory)], notAfter.timeIntervalSince(now).rounded())
                }
            }
        }
        if let audit = deciders.audit {
            let up: Double = if case .ok = audit.health { 1 } else { 0 }
            let sink = audit is AuditLog ? "file" : "state_store"
            ToolkitMetrics.gauge("ssa_toolkit_audit_up", [("sink", sink)], up)
            if sink == "state_store" { ToolkitMetrics.gauge("ssa_toolkit_state_store_up", [], up) }
        }
    }
}
