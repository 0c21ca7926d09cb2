import Foundation

/// An organisation's record in the directory, read as the Open Banking Directory's SCIM API
/// (`scim-swagger.yml` 2.2) describes a participant resource: its status (per authorisation
/// domain), its competent-authority authorisations, and its software statements.
public struct OrganisationRecord: Sendable {
    /// One competent-authority authorisation (`urn:openbanking:competentauthorityclaims:1.0`
    /// `Psd2Role`, or `urn:trustframework:competentauthorityclaims:1.1` `Role` with its
    /// `AuthorizationDomain`).
    public struct Authorisation: Sendable, Hashable {
        /// `MemberState` ("GB"), empty when not given.
        public var memberState: String
        /// `Psd2Role` (1.0) or `Role` (1.1): `AISP`, `PISP`, `CBPII`, `CD_AISP`, ...
        public var role: String
        /// `Active`; an entry without a Boolean `Active` is not active.
        public var active: Bool
        /// `AuthorizationDomain` (1.1 only; 1.0 authorisations are PSD2's).
        public var authorizationDomain: String?
    }

    /// One software statement of the organisation (`urn:openbanking:softwarestatement:1.0`).
    public struct SoftwareStatement: Sendable, Hashable {
        /// `Id`.
        public var id: String
        /// `Active`; a statement without a Boolean `Active` is not active.
        public var active: Bool
        /// `Mode` ("Live", "Test").
        public var mode: String?
        /// `Roles`: the software's current roles.
        public var roles: [String]
    }

    /// Where the organisation's status for one authorisation domain was found, or why none was.
    public enum DomainStatus: Sendable, Hashable {
        /// The status and the field it came from.
        case found(status: String, source: String)
        /// No status for the domain; the sentence names the fields that were missing.
        case missing(String)
    }

    /// The organisation id.
    public var id: String
    /// `OrganisationCommonName`.
    public var name: String?
    /// `urn:openbanking:organisation:1.0` `status`: present only for an organisation with a
    /// single authorisation domain.
    public var status: String?
    /// `urn:openbanking:authorisationdomainstatus:1.0` `Status[]`: `AuthorizationDomain` to its
    /// `Status`, for organisations in several domains.
    public var domainStatuses: [String: String]
    /// Authorisations from both competent-authority schemas.
    public var authorisations: [Authorisation]
    /// Software statements.
    public var softwareStatements: [SoftwareStatement]
    /// The whole SCIM resource as received.
    public var raw: [String: JSONValue]

    /// The only status that lets an organisation register or get tokens.
    public static let activeStatus = "Active"

    /// The organisation's status for `domain`: the top-level `status` when the organisation has
    /// one (single domain), else the `authorisationdomainstatus` entry for `domain`.
    public func status(forDomain domain: String) -> DomainStatus {
        if let status { return .found(status: status, source: "urn:openbanking:organisation:1.0 status") }
        if let entry = domainStatuses.first(where: { $0.key.isByteIdentical(to: domain) }) {
            return .found(status: entry.value, source: "urn:openbanking:authorisationdomainstatus:1.0 Status for \(domain)")
        }
        if domainStatuses.isEmpty {
            return .missing("the directory's record has neither urn:openbanking:organisation:1.0 status nor urn:openbanking:authorisationdomainstatus:1.0 Status")
        }
        return .missing("the directory's record has no urn:openbanking:organisation:1.0 status and its authorisationdomainstatus lists no \(domain.quotedForReport()) (only \(domainStatuses.keys.sorted().map { $0.quotedForReport() }.joined(separator: ", ")))")
    }

    /// `true` only when the status for `domain` is exactly `Active`; `false` for any other
    /// status; `nil` when the record carries none (undecided, never active by default).
    public func isActive(domain: String = "PSD2") -> Bool? {
        switch status(forDomain: domain) {
        case .found(let status, _): return status.isByteIdentical(to: Self.activeStatus)
        case .missing: return nil
        }
    }

    /// The status for people: the top-level one, or each domain's.
    public var statusDescription: String {
        if let status { return status }
        if domainStatuses.isEmpty { return "(none)" }
        return domainStatuses.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    /// Roles among `roles` without an active authorisation (in `memberState` when given; a 1.1
    /// authorisation counts only in `domain`).
    public func unauthorisedRoles(_ roles: [String], memberState: String? = nil, domain: String = "PSD2") -> [String] {
        roles.filter { role in
            !authorisations.contains { entry in
                entry.active && entry.role.isByteIdentical(to: role)
                    && (memberState.map { entry.memberState.isByteIdentical(to: $0) } ?? true)
                    && (entry.authorizationDomain.map { $0.isByteIdentical(to: domain) } ?? true)
            }
        }
    }

    /// The software statement with `id`, compared byte for byte.
    public func softwareStatement(_ id: String) -> SoftwareStatement? {
        softwareStatements.first { $0.id.isByteIdentical(to: id) }
    }
}
