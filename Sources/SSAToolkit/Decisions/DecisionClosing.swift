import Foundation
import Logging

/// The steps every decision ends with, written once for both kinds: list the checks that did
/// not run as skipped (with why), put the checks in order, write the audit record (no record, no
/// yes), release a replay claim the decision did not use, count the decision, and log one line.
public struct DecisionClosing: Sendable {
    /// Where decisions are recorded; `nil` when no audit log is configured.
    public let audit: (any AuditSink)?
    /// Where the one line per decision goes (at `info`).
    public let logger: Logger
    /// The audit check's sentence when the record was written (the same for every decision).
    private let recordedDetail: String

    /// Closing steps writing to `audit` (when given) and logging to `logger`.
    public init(audit: (any AuditSink)?, logger: Logger) {
        self.audit = audit
        self.logger = logger
        recordedDetail = audit.map { "recorded in \($0.location)" } ?? ""
    }

    /// Ends `pending` at `now` (the instant the rules used, which the record carries).
    public func close<Outcome: DecisionOutcome>(_ pending: PendingDecision<Outcome>, at now: Date) async -> Outcome {
        var decision = pending.outcome
        // A decision that ran every rule has every check but the audit's, in order already
        // (check names are unique within a decision); anything else is completed and sorted.
        let order = Outcome.checkOrder
        let complete = decision.checks.count == order.count - (order.last == .audit ? 1 : 0) && decision.checks.isInOrder(order)
        if !complete {
            let failed = decision.failedCheck?.name.rawValue
            let reason = decision.isPositive ? "not evaluated"
                : decision.isUndecided ? "not evaluated: \(failed ?? "an earlier step") could not be decided"
                : "not evaluated: \(failed ?? "an earlier check") failed"
            for name in Outcome.checkOrder where name != .audit && !decision.checks.contains(where: { $0.name == name }) {
                decision.checks.append(Check(name, .skip, reason))
            }
            decision.checks.sort(inOrder: Outcome.checkOrder)
        }
        let kind = Outcome.kind.rawValue
        if let audit {
            do throws(AuditError) {
                try await audit.append(decision.auditRecord(at: now))
                if Outcome.listsAuditCheck { decision.checks.append(Check(.audit, .pass, recordedDetail)) }
                ToolkitMetrics.auditRecord(kind: kind)
            } catch {
                // No record, no yes: an unrecorded accept or allow is neither.
                ToolkitMetrics.auditWriteFailure(kind: kind)
                if Outcome.listsAuditCheck { decision.checks.append(Check(.audit, .fail, error.reason)) }
                decision.makeUndecided(because: error.reason)
            }
        } else if Outcome.listsAuditCheck {
            decision.checks.append(Check(.audit, .skip, "no auditLog configured"))
        }
        // A request that was not decided was not used: the TPP may retry it.
        if decision.isUndecided, let claimed = pending.claimed { await claimed.release() }
        ToolkitMetrics.decision(kind: kind, verdict: decision.verdictName, error: decision.errorName, framework: decision.trustFramework,
                                failedChecks: decision.checks.compactMap { $0.outcome == .fail ? $0.name.rawValue : nil })
        logger.info("\(kind) decision \(decision.verdictName)", metadata: [
            "software_id": "\(decision.softwareIDForLog ?? "-")", "failed_check": "\(decision.failedCheck?.name.rawValue ?? "-")",
            "error": "\(decision.errorName ?? "-")",
        ])
        return decision
    }
}
