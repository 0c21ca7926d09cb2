import Foundation

// Token time's status steps: the participant's current standing and the scopes it still
// permits, from Open Banking UK's SCIM record or from the framework's published lists. Both
// end in the same narrowing (TokenDecider's step 5).

/// The scopes a client may still be granted, with what permits them, for the narrowing step.
struct PermittedScopes {
    /// What permits the scopes: the directory's current roles (Open Banking UK), the roles
    /// Active in a framework's published lists, or the software statement's own scope.
    enum Source {
        case currentRoles
        case activeRoles(listedIn: String)
        case softwareStatementScope([String])
    }

    /// Every scope permitted now (`openid` always), matched byte for byte; only ever asked
    /// whether it holds a scope, so a repeat does no harm and none is looked for (an `ssa_scope`
    /// may list thousands: no pass over the list per entry).
    var permitted: [String]
    /// The scopes this framework governs (resource scopes): only these are ever removed.
    var resource: Set<String>
    /// The roles that permitted them (none where the SSA's scope does).
    var roles: [String]
    /// The roles' scopes, for per-role lifetimes.
    var roleMap: [String: [String]]
    /// What permits them.
    var source: Source
    /// Whether a resource grant must carry `openbanking_intent_id` (Open Banking UK's consent).
    var requiresIntent: Bool
    /// Roles permit; a software statement's scope permits.
    var verb: String { roleMap.isEmpty ? "permits" : "permit" }

    /// What permits them, in a sentence (`current roles AISP PISP`); built only when a sentence
    /// is written (a decision answered with `Prefer: return=minimal` writes none on success).
    var subject: String {
        switch source {
        case .currentRoles: "current roles \(rolesText)"
        case .activeRoles: "Active roles \(rolesText)"
        case .softwareStatementScope: "the software statement's scope"
        }
    }

    /// The same, naming the roles or scope in parentheses.
    var quotedSubject: String {
        switch source {
        case .currentRoles: "current roles (\(rolesText))"
        case .activeRoles(let list): "Active roles (\(rolesText)) in \(list)"
        case .softwareStatementScope(let granted): "software statement's scope (\(granted.joined(separator: " ")))"
        }
    }

    private var rolesText: String { roles.isEmpty ? "no role" : roles.joined(separator: " ") }
}

/// A decision that ended before the narrowing step.
struct StoppedTokenDecision: Error {
    var decision: TokenDecision
}

extension TokenDecider {
    /// Ends `decision` with a failed check.
    fileprivate static func stopped(_ decision: inout TokenDecision, _ verdict: TokenDecision.Verdict, _ code: TokenErrorCode, _ name: Check.Name, _ detail: String) -> StoppedTokenDecision {
        decision.checks.append(Check(name, .fail, detail))
        decision.verdict = verdict
        decision.error = code
        decision.errorDescription = detail
        return StoppedTokenDecision(decision: decision)
    }

    /// How old the organisation's record is, and why a stale one was used.
    static func recordAge(_ fetchedAt: Date, at now: Date, staleBecause: String?) -> String {
        let seconds = NumericDate.wholeSeconds(max(0, now.timeIntervalSince(fetchedAt)))
        guard let staleBecause else { return "directory record \(seconds) s old" }
        return "stale directory record \(seconds) s old, used because the directory failed (\(staleBecause))"
    }

    /// Open Banking UK: the organisation's current record (cached) from the directory that
    /// issued the client's SSA; its software's current roles that the organisation is still
    /// authorised for.
    func directoryScopes(_ request: TokenRequest, directory: TokenDirectory, at now: Date, decision: inout TokenDecision) async -> Result<PermittedScopes, StoppedTokenDecision> {
        guard let status = directory.status else {
            return .failure(Self.stopped(&decision, .undecided, .temporarilyUnavailable, .softwareActive, "directory \(directory.quotedIssuer) has no status source configured"))
        }
        let record: OrganisationRecord
        let fetchedAt: Date
        var staleBecause: String?
        switch await status.record(request.organisationID) {
        case .fresh(let fresh, let at):
            record = fresh
            fetchedAt = at
        case .stale(let stale, let at, let error):
            record = stale
            fetchedAt = at
            staleBecause = error.reason
        case .unavailable(let error) where error.code == .notFound:
            return .failure(Self.stopped(&decision, .deny, .accessDenied, .organisation, "the directory has no organisation \(request.organisationID)"))
        case .unavailable(let error):
            return .failure(Self.stopped(&decision, .undecided, .temporarilyUnavailable, .softwareActive, "the directory could not answer and no usable status is cached: \(error.reason)"))
        }
        guard let software = record.softwareStatement(request.softwareID) else {
            return .failure(Self.stopped(&decision, .deny, .accessDenied, .softwareActive, "the directory lists no software statement \(request.softwareID) for organisation \(request.organisationID)"))
        }
        guard software.active else {
            return .failure(Self.stopped(&decision, .deny, .accessDenied, .softwareActive, "software statement \(request.softwareID) is no longer active in the directory"))
        }
        decision.record(.softwareActive, .pass, "software statement \(request.softwareID) is active (\(Self.recordAge(fetchedAt, at: now, staleBecause: staleBecause)))")
        switch record.status(forDomain: authorisationDomain) {
        case .missing(let why):
            return .failure(Self.stopped(&decision, .undecided, .temporarilyUnavailable, .organisation, "organisation \(request.organisationID): \(why); its status cannot be known"))
        case .found(let value, let source) where !value.isByteIdentical(to: OrganisationRecord.activeStatus):
            return .failure(Self.stopped(&decision, .deny, .accessDenied, .organisation, "organisation \(request.organisationID) has status \(value.quotedForReport()) in the directory (\(source)), not Active"))
        case .found:
            decision.record(.organisation, .pass, "organisation \(request.organisationID) is Active in \(authorisationDomain)")
        }
        let unauthorised = record.unauthorisedRoles(software.roles, memberState: memberState, domain: authorisationDomain)
        let roles = unauthorised.isEmpty ? software.roles : software.roles.filter { role in !unauthorised.contains { $0.isByteIdentical(to: role) } }
        var permitted = ["openid"]
        for role in roles { permitted += roleScopes.first(where: { $0.key.isByteIdentical(to: role) })?.value ?? [] }
        return .success(PermittedScopes(permitted: permitted, resource: resourceScopes, roles: roles, roleMap: roleScopes, source: .currentRoles, requiresIntent: true))
    }

    /// Another framework: the participant's standing from its published lists (the same
    /// mapping registration applies), then its roles Active now (Open Finance Brasil) or the
    /// SSA's own scope (the CDR).
    func participantScopes(_ request: TokenRequest, directory: TokenDirectory, participants: any ParticipantStatusSource,
                           decision: inout TokenDecision) async -> Result<PermittedScopes, StoppedTokenDecision> {
        let status = ParticipantChecks(await participants.standing(softwareID: request.softwareID, organisationID: request.organisationID, legalEntityID: request.legalEntityID),
                                       source: participants.sourceName, organisationID: request.organisationID)
        if let failure = status.failure {
            decision.checks += status.checks.filter { $0.name != failure.name }
            return .failure(Self.stopped(&decision, failure.refused ? .deny : .undecided, failure.refused ? .accessDenied : .temporarilyUnavailable, failure.name, failure.detail))
        }
        decision.checks += status.checks
        switch directory.framework.scopes {
        case .roles(let map):
            let roles = status.standing?.activeRoles ?? []
            return .success(PermittedScopes(permitted: RegistrationRules.scopes(for: roles, in: map), resource: directory.roleGovernedScopes,
                                            roles: roles, roleMap: map, source: .activeRoles(listedIn: participants.sourceName), requiresIntent: false))
        case .softwareStatementScope:
            guard let granted = request.softwareStatementScopes else {
                return .failure(Self.stopped(&decision, .deny, .accessDenied, .roles,
                                             "the call carries no ssa_scope (the \(directory.framework.name.rawValue) SSA's scope, stored at registration): nothing is granted outside it"))
            }
            // Every requested scope but openid is the SSA's to permit.
            let resource = Set(request.scopes.filter { !$0.isByteIdentical(to: "openid") })
            return .success(PermittedScopes(permitted: ["openid"] + granted, resource: resource, roles: [], roleMap: [:],
                                            source: .softwareStatementScope(granted), requiresIntent: false))
        }
    }
}
