/// One rule evaluated on the way to a verdict, with its outcome and a sentence saying why.
public struct Check: Sendable, Hashable {
    /// The name of a rule. Names are stable: reports and tests match on them. Every name is
    /// declared in CheckNames.swift.
    public struct Name: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
        /// The name as printed, e.g. `signature`.
        public var rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }
        public var description: String { rawValue }
    }

    /// What became of a rule.
    public enum Outcome: String, Sendable, Hashable {
        /// The rule holds.
        case pass
        /// The rule does not hold (or could not be evaluated for lack of data it needs).
        case fail
        /// The rule was not evaluated (an earlier failure, or not configured).
        case skip
    }

    /// Which rule.
    public var name: Name
    /// Its outcome.
    public var outcome: Outcome
    /// A sentence for a person.
    public var detail: String

    /// A check result.
    public init(_ name: Name, _ outcome: Outcome, _ detail: String) {
        self.name = name
        self.outcome = outcome
        self.detail = detail
    }

    /// As JSON: `check`, `outcome`, `detail`.
    public var json: JSONValue { json(details: .all) }

    /// As JSON: `check`, `outcome`, and `detail` when `details` explains this outcome.
    public func json(details: CheckDetails) -> JSONValue {
        var members: [String: JSONValue] = ["check": .string(name.rawValue), "outcome": .string(outcome.rawValue)]
        if details.explains(outcome) { members["detail"] = .string(detail) }
        return .object(members)
    }
}

/// What a rule that can also lack an answer comes to (a revocation check, a key set that must
/// be fetched): it holds, it is broken, or nothing could be learnt (then the decision is
/// undecided, never a yes).
public enum RuleOutcome: Sendable {
    /// The rule holds, for the reason given.
    case passed(String)
    /// The rule is broken, for the reason given.
    case refused(String)
    /// No answer could be had, for the reason given.
    case unavailable(String)

    /// The sentence.
    public var detail: String {
        switch self {
        case .passed(let text), .refused(let text), .unavailable(let text): text
        }
    }
}

/// A broken rule, with the sentence that says so.
struct RuleFailure: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}


extension Check {
    /// The members every verdict's JSON starts with: `verdict`, `checks`, and `error` and
    /// `error_description` when there is an error. Each kind adds its own members.
    public static func verdictMembers(_ verdict: String, checks: [Check], error: String?, errorDescription: String?, details: CheckDetails = .all) -> [String: JSONValue] {
        var object: [String: JSONValue] = ["verdict": .string(verdict), "checks": .array(checks.map { $0.json(details: details) })]
        if let error { object["error"] = .string(error) }
        if let errorDescription { object["error_description"] = .string(errorDescription) }
        return object
    }
}

/// Which checks an answer explains with their sentence (`detail`).
public enum CheckDetails: Sendable, Hashable {
    /// Every check's sentence: what the CLI prints and the service answers by default.
    case all
    /// Only the failed checks' sentences; the others are listed by name and outcome. What a caller
    /// on the token endpoint's hot path asks for (`Prefer: return=minimal`): the token decider then
    /// does not build the sentences it writes itself and would not send.
    case failures

    /// Whether a check with `outcome` carries its sentence.
    @inline(__always)
    public func explains(_ outcome: Check.Outcome) -> Bool { self == .all || outcome == .fail }
}

extension Array where Element == Check {
    /// Whether the checks already follow `order`: each name is in it, at or after the previous
    /// check's place (one pass over both lists, no lookups).
    func isInOrder(_ order: [Check.Name]) -> Bool {
        var position = 0
        for check in self {
            while position < order.count, order[position] != check.name { position += 1 }
            if position == order.count { return false }
        }
        return true
    }

    /// Sorts the checks into `order` (names not in it go last; equal names keep their order),
    /// looking each name up once rather than on every comparison.
    mutating func sort(inOrder order: [Check.Name]) {
        // The deciders append their checks in order: then there is nothing to do.
        if isInOrder(order) { return }
        let ranked = enumerated().map { (rank: order.firstIndex(of: $0.element.name) ?? .max, position: $0.offset, check: $0.element) }
        self = ranked.sorted { ($0.rank, $0.position) < ($1.rank, $1.position) }.map(\.check)
    }
}
