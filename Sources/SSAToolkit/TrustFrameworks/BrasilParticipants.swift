import Foundation

/// Open Finance Brasil's participants list (`participantsUrl`; `swagger_participants.yaml` of
/// OpenBanking-Brasil/specs-directory): a public JSON array of organisations, each with its
/// `OrganisationId`, `Status`, its authorisation domains (`OrgDomainClaims`:
/// `AuthorisationDomainName`, `Status`) and its roles (`OrgDomainRoleClaims`: `Role`, `Status`,
/// `AuthorisationDomain`). One cached list answers every decision until it expires.
public struct BrasilParticipants: ParticipantStatusSource {
    /// One organisation of the list, as far as decisions read it.
    public struct Organisation: Sendable {
        /// `OrganisationId`.
        public var id: String
        /// `OrganisationName`.
        public var name: String?
        /// `Status` (`Active`, `Pending`, `Suspended`, `Withdrawn`, ...).
        public var status: String
        /// `OrgDomainClaims`: domain name to its `Status`.
        public var domains: [String: String]
        /// `OrgDomainRoleClaims`: each role with its `Status` and domain.
        public var roles: [(role: String, status: String, domain: String?)]
    }

    /// The cached list, by `OrganisationId`.
    public let list: PublishedListCache<[String: Organisation]>
    /// The authorisation domain whose status and roles count (`Open Banking`).
    public let domain: String
    public var sourceName: String { "the participants list" }

    /// The list at `url`, read with `client`, used for its `max-age` but never longer than
    /// `lifetime` (`statusCacheSeconds`).
    public init(url: URL, client: HTTPSClient, domain: String = TrustFramework.openFinanceBrasil.authorisationDomain, lifetime: TimeInterval = 300, staleIfError: TimeInterval = 0,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.domain = domain
        list = PublishedListCache(name: "the participants list", url: url, client: client, lifetime: lifetime, maximumLifetime: lifetime, staleIfError: staleIfError,
                                  metricLabel: "participants", clock: clock, parse: Self.parse)
    }

    /// Reads the list: an array of organisation objects (any other shape is malformed).
    public static func parse(_ bytes: [UInt8]) throws(DirectoryError) -> [String: Organisation] {
        let value: JSONValue
        do { value = try StrictJSONParser(maximumDepth: 16, maximumBytes: 32 << 20).parse(bytes) } catch {
            throw DirectoryError(.malformedResponse, "not JSON: \(error)")
        }
        guard let entries = value.arrayValue else { throw DirectoryError(.malformedResponse, "a JSON array of organisations was expected, found \(value.typeDescription)") }
        var organisations: [String: Organisation] = [:]
        for (index, entry) in entries.enumerated() {
            guard let object = entry.objectValue, let id = object["OrganisationId"]?.stringValue, let status = object["Status"]?.stringValue else {
                throw DirectoryError(.malformedResponse, "entry \(index) has no OrganisationId or Status string")
            }
            var domains: [String: String] = [:]
            for claim in object["OrgDomainClaims"]?.arrayValue ?? [] {
                if let name = claim.objectValue?["AuthorisationDomainName"]?.stringValue, let status = claim.objectValue?["Status"]?.stringValue { domains[name] = status }
            }
            var roles: [(role: String, status: String, domain: String?)] = []
            for claim in object["OrgDomainRoleClaims"]?.arrayValue ?? [] {
                guard let role = claim.objectValue?["Role"]?.stringValue, let status = claim.objectValue?["Status"]?.stringValue else { continue }
                roles.append((role, status, claim.objectValue?["AuthorisationDomain"]?.stringValue))
            }
            organisations[id] = Organisation(id: id, name: object["OrganisationName"]?.stringValue, status: status, domains: domains, roles: roles)
        }
        return organisations
    }

    /// An organisation's `Status` as a state: `Active`; `Suspended`; `Revoked`, `Withdrawn`,
    /// `Inactive`, `Rejected`; anything else unknown.
    public static func state(of status: String) -> ParticipantState {
        switch status.lowercased() {
        case "active": .active
        case "suspended": .suspended
        case "revoked", "withdrawn", "inactive", "rejected": .revoked
        default: .unknown
        }
    }

    public func standing(softwareID: String, organisationID: String, legalEntityID: String?) async -> Result<ParticipantStanding, DirectoryError> {
        let organisations: [String: Organisation]
        let fetchedAt: Date
        let stale: DirectoryError?
        switch await list.current() {
        case .list(let value, let at, let error): (organisations, fetchedAt, stale) = (value, at, error)
        case .unavailable(let error): return .failure(error)
        }
        guard let organisation = organisations[organisationID] else {
            return .failure(DirectoryError(.notFound, "the participants list has no organisation \(organisationID)"))
        }
        var outcome = Self.state(of: organisation.status).outcome("organisation \(organisationID)", raw: organisation.status, source: sourceName)
        if case .passed = outcome, let domainStatus = organisation.domains[domain] {
            let state = Self.state(of: domainStatus)
            if state != .active { outcome = state.outcome("organisation \(organisationID)'s \(domain) domain", raw: domainStatus, source: sourceName) }
        }
        if case .passed(let detail) = outcome { outcome = .passed(detail + " (\(domain))") }
        let active = organisation.roles.filter { Self.state(of: $0.status) == .active && ($0.domain.map { $0 == domain } ?? true) }.map(\.role)
        return .success(ParticipantStanding(software: nil, organisation: outcome, activeRoles: active, fetchedAt: fetchedAt, staleBecause: stale))
    }
}
