import Foundation
import Logging

/// The two kinds of decision the toolkit makes; the word the audit record, the metrics and the
/// log line use for each.
public enum DecisionKind: String, Sendable, Hashable {
    /// Whether a TPP may register a client (``RegistrationDecider``).
    case registration
    /// Whether a token may be issued, and with what (``TokenDecider``).
    case token
}

/// The verdicts of one kind of decision: their text is what reports, metrics and audit records
/// say, and every kind has an `undecided` one (something needed could not be reached).
public protocol DecisionVerdict: RawRepresentable<String>, Hashable, Sendable {
    /// Neither yes nor no.
    static var undecided: Self { get }
}

/// What every decision carries to its closing steps: its checks, its verdict, its error, its
/// audit record and its encoding. ``RegistrationDecision`` and ``TokenDecision`` conform; a
/// trust framework's own decision would too.
public protocol DecisionOutcome: Sendable {
    /// The kind's verdicts.
    associatedtype Verdict: DecisionVerdict
    /// The domain of the kind's error codes.
    associatedtype ErrorDomain
    /// Which kind of decision this is.
    static var kind: DecisionKind { get }
    /// Every check this kind of decision can list, in the order they run.
    static var checkOrder: [Check.Name] { get }
    /// Whether writing the audit record is itself listed as a check (``Check/Name/audit``).
    static var listsAuditCheck: Bool { get }
    /// The yes: register, or issue.
    static var positiveVerdict: Verdict { get }
    /// The verdict.
    var verdict: Verdict { get }
    /// The error code, when not a yes.
    var error: ErrorCode<ErrorDomain>? { get }
    /// Every rule evaluated so far, with its outcome.
    var checks: [Check] { get set }
    /// The software statement the decision is about, for the log line.
    var softwareIDForLog: String? { get }
    /// The trust framework of the directory that decided (`nil` when none was chosen).
    var trustFramework: String? { get }
    /// The audit record of this decision at `now`.
    func auditRecord(at now: Date) -> AuditRecord
    /// Turns the decision into an undecided one (`temporarily_unavailable`) because `reason`,
    /// dropping everything a caller would apply.
    mutating func makeUndecided(because reason: String)
    /// The decision as the JSON the service answers, compact.
    func jsonBytes() -> [UInt8]
}

extension DecisionOutcome {
    /// No audit check listed, unless the kind says so.
    public static var listsAuditCheck: Bool { false }
    /// The verdict as reported (`accept`, `allow`, `undecided`...).
    public var verdictName: String { verdict.rawValue }
    /// Neither yes nor no: something needed could not be reached.
    public var isUndecided: Bool { verdict == .undecided }
    /// The yes: register, or issue.
    public var isPositive: Bool { verdict == Self.positiveVerdict }
    /// The error code as reported, when not a yes.
    public var errorName: String? { error?.rawValue }
    /// The first failing check.
    public var failedCheck: Check? { checks.first { $0.outcome == .fail } }
}

/// What a decider's rules came to, before the closing steps: the decision, and the request JWT
/// id it claimed in the replay store (released if the decision ends undecided).
public struct PendingDecision<Outcome: DecisionOutcome>: Sendable {
    /// The decision as the rules left it.
    public var outcome: Outcome
    /// The replay claim made on the way, if any.
    public var claimed: ClaimedJTI?

    /// A pending decision.
    public init(_ outcome: Outcome, claimed: ClaimedJTI? = nil) {
        self.outcome = outcome
        self.claimed = claimed
    }
}

/// A request JWT id this decision claimed in a ``ReplayStore``. Its life is owned by
/// ``DecisionClosing``: a decision that ends undecided (the directory was down, the audit
/// record could not be written) did not use the request, so the claim is released and the TPP
/// may retry.
public struct ClaimedJTI: Sendable {
    /// The JWT id.
    public var jti: String
    /// The JWT's `iss`.
    public var issuer: String
    /// The store that holds the claim.
    public var store: any ReplayStore

    /// A claim made in `store`.
    public init(jti: String, issuer: String, store: any ReplayStore) {
        self.jti = jti
        self.issuer = issuer
        self.store = store
    }

    /// Forgets the claim.
    func release() async { await store.release(jti: jti, issuer: issuer) }
}

/// Decides one kind of request: evaluates its rules (``evaluate(_:at:)``), then ends the way every
/// decision ends (``DecisionClosing``). Conformers write only their rules.
public protocol Decider: Sendable {
    /// What a call gives.
    associatedtype Input: Sendable
    /// What it comes to.
    associatedtype Outcome: DecisionOutcome
    /// The closing steps: audit sink and logger.
    var closing: DecisionClosing { get }
    /// Evaluates the rules at `now`. Never throws; never says yes on an error.
    func evaluate(_ input: Input, at now: Date) async -> PendingDecision<Outcome>
}

extension Decider {
    /// Decides `input` at the instant `now`: the rules, then the closing steps. Never throws;
    /// never says yes on an error, and never says yes without an audit record when an audit sink
    /// is configured.
    public func decide(_ input: Input, at now: Date = Date()) async -> Outcome {
        await closing.close(evaluate(input, at: now), at: now)
    }
}
