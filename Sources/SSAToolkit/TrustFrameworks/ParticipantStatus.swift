import Foundation

/// A participant's status in its framework's own words, read as one of four states: what each
/// comes to is decided once, here, for registration and token time alike.
///
/// | state | registration | token time |
/// | --- | --- | --- |
/// | active | accept | allow |
/// | suspended | reject (`unapproved_software_statement`) | deny (`access_denied`) |
/// | revoked | reject (`unapproved_software_statement`) | deny (`access_denied`) |
/// | unknown | undecided (`temporarily_unavailable`) | undecided (`temporarily_unavailable`) |
public enum ParticipantState: String, Sendable, Hashable {
    /// Allowed to register and to get tokens.
    case active
    /// Temporarily barred (Brasil's `Suspended`; the CDR's `SUSPENDED`, a product's `INACTIVE`).
    case suspended
    /// Barred for good (`Revoked`, `Withdrawn`; the CDR's `REVOKED`, `SURRENDERED`, `REMOVED`).
    case revoked
    /// A value the framework's mapping does not know: never read as active.
    case unknown

    /// What the state comes to at either moment: passed, refused, or no answer.
    func outcome(_ subject: String, raw: String, source: String) -> RuleOutcome {
        switch self {
        case .active: .passed("\(subject) is \(raw.quotedForReport()) in \(source)")
        case .suspended, .revoked: .refused("\(subject) is \(raw.quotedForReport()) in \(source) (\(rawValue)), not active")
        case .unknown: .unavailable("\(subject) has status \(raw.quotedForReport()) in \(source), which this toolkit does not know; never read as active")
        }
    }
}

/// One participant's current standing, as a framework's status source reports it.
public struct ParticipantStanding: Sendable {
    /// The software's own status (`software_active`); `nil` when the source lists no software
    /// (Brasil's participants list lists organisations and their roles).
    public var software: RuleOutcome?
    /// The organisation's or legal entity's status (`organisation`).
    public var organisation: RuleOutcome
    /// The roles currently authorised, when the source says (Brasil's role claims that are
    /// `Active` now); `nil` when roles do not govern scopes in the framework.
    public var activeRoles: [String]?
    /// When the list it came from was fetched, and whether it was used past its lifetime.
    public var fetchedAt: Date
    /// The publisher's failure, when a stale list answered.
    public var staleBecause: DirectoryError?
}

/// Where a framework's participants' status comes from (Open Finance Brasil's participants
/// list, the CDR Register's status lists): one answer per call, from a shared cache.
public protocol ParticipantStatusSource: Sendable {
    /// Where it comes from, for sentences (`the participants list`).
    var sourceName: String { get }
    /// The standing of software `softwareID` of organisation `organisationID` (and, in the CDR,
    /// legal entity `legalEntityID`), or why it cannot be known.
    func standing(softwareID: String, organisationID: String, legalEntityID: String?) async -> Result<ParticipantStanding, DirectoryError>
}

extension ParticipantStatusSource {
    /// The `software_active` and `organisation` checks of software `softwareID` (what `tpp`
    /// shows), and what they come to: `nil` when both hold, `true` refused, `false` no answer.
    public func checks(softwareID: String, organisationID: String, legalEntityID: String?) async -> (checks: [Check], refused: Bool?) {
        let status = ParticipantChecks(await standing(softwareID: softwareID, organisationID: organisationID, legalEntityID: legalEntityID),
                                       source: sourceName, organisationID: organisationID)
        return (status.checks, status.failure?.refused)
    }
}

/// The `software_active` and `organisation` checks a standing (or its failure) comes to: the
/// same at registration and at token time.
struct ParticipantChecks {
    var checks: [Check] = []
    /// The deciding failure: a refusal beats a missing answer.
    var failure: (name: Check.Name, refused: Bool, detail: String)?
    /// The standing, when one was found.
    var standing: ParticipantStanding?

    /// The checks of `result`; at registration, `requiredRoles` (the SSA's) must each be among
    /// the standing's active roles, where the source names roles.
    init(_ result: Result<ParticipantStanding, DirectoryError>, source: String, organisationID: String, requiredRoles: [String]? = nil) {
        switch result {
        case .failure(let error) where error.code == .notFound:
            note(.organisation, .refused(error.reason))
        case .failure(let error):
            note(.softwareActive, .unavailable("\(source) could not answer: \(error.reason)"))
        case .success(let standing):
            self.standing = standing
            let age = standing.staleBecause.map { "; a stale list, used because \(source) failed: \($0.reason)" } ?? ""
            if let software = standing.software {
                note(.softwareActive, software.appending(age))
            } else {
                checks.append(Check(.softwareActive, .skip, "\(source) lists organisations, not software: the organisation's status and roles stand for it"))
            }
            var organisation = standing.organisation
            if case .passed(let detail) = organisation, let requiredRoles, let active = standing.activeRoles {
                let missing = requiredRoles.filter { !active.contains($0) }
                organisation = missing.isEmpty
                    ? .passed("\(detail); roles \(requiredRoles.joined(separator: " ")) Active")
                    : .refused("organisation \(organisationID) has no Active role claim for \(missing.joined(separator: ", ")) in \(source) (Active: \(active.isEmpty ? "none" : active.joined(separator: " ")))")
            }
            note(.organisation, organisation.appending(age))
        }
    }

    private mutating func note(_ name: Check.Name, _ outcome: RuleOutcome) {
        switch outcome {
        case .passed(let detail): checks.append(Check(name, .pass, detail))
        case .refused(let detail):
            checks.append(Check(name, .fail, detail))
            if failure?.refused != true { failure = (name, true, detail) }
        case .unavailable(let detail):
            checks.append(Check(name, .fail, detail))
            if failure == nil { failure = (name, false, detail) }
        }
    }
}

extension RuleOutcome {
    /// The same outcome with `suffix` added to its sentence.
    func appending(_ suffix: String) -> RuleOutcome {
        guard !suffix.isEmpty else { return self }
        switch self {
        case .passed(let d): return .passed(d + suffix)
        case .refused(let d): return .refused(d + suffix)
        case .unavailable(let d): return .unavailable(d + suffix)
        }
    }
}
