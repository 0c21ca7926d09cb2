import Foundation
import SSAToolkit
import ServiceLifecycle
import UnixSignals

// The service's long-running parts besides the HTTP server, each a `Service` in the one
// `ServiceGroup`, so they start with it and stop with it in order (see DecisionService.start).

/// Signs a checkpoint of the audit chain's head every `auditCheckpointSeconds` (the current
/// runtime's interval, so a reload that changes it takes effect), and a last one when the group
/// shuts down, after the HTTP server has answered its last call.
struct AuditCheckpointService: Service {
    let state: ServiceState

    func run() async {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let interval = state.current.withLock { $0.runtime?.checkpoints?.interval } ?? .seconds(5)
                try await Task.sleep(for: interval)
                state.checkpoint()
            }
        }
        state.checkpoint()
    }
}

/// Asks the current audit sink every second whether it can still be written
/// (``AuditSink/probe()``), so `/healthz` shows a database outage at once, and its end, while no
/// decision is made.
struct HealthProbeService: Service {
    let state: ServiceState

    func run() async {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await state.current.withLock { $0.audit }?.probe()
                try await Task.sleep(for: .seconds(1))
            }
        }
    }
}

/// Reloads the configuration (``DecisionService/reload()``) on every SIGHUP while the group runs.
struct HangupReloadService: Service {
    let state: ServiceState

    func run() async {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        try? await cancelWhenGracefulShutdown {
            for await _ in hangups { _ = await state.reload() }
        }
    }
}
