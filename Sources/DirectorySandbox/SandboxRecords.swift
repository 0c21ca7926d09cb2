import SSAToolkit

/// The organisations and software the sandbox directory knows (fixture TPPs), served in the
/// shapes of the Open Banking Directory's published SCIM API (`scim-swagger.yml` 2.2).
public enum SandboxRecords {
    /// An active organisation with an active software statement (the fixture SSAs' software).
    public static let activeOrganisationID = "0015800001041REAAY"
    /// Its active software statement.
    public static let activeSoftwareID = "4ZUKbHjbA2ZqxCxTsQPkTY"
    /// A software statement of the same organisation that the directory marks inactive.
    public static let inactiveSoftwareID = "InactiveSoftware0001"
    /// A revoked organisation.
    public static let revokedOrganisationID = "0015800001REVOKED1"
    /// Its software statement (itself still flagged active).
    public static let revokedOrganisationSoftwareID = "RevokedOrgSoftware01"
    /// An organisation in two authorisation domains (PSD2 Active, Pay.UK Withdrawn): the
    /// directory gives it no top-level status, only `authorisationdomainstatus` entries.
    public static let multiDomainOrganisationID = "0015800001MULTIDOM1"
    /// Its software statement, active, with 1.1 (trust framework) authorisations only.
    public static let multiDomainSoftwareID = "MultiDomainSoftware1"
    /// An organisation whose record carries no status at all (neither field): never active.
    public static let statuslessOrganisationID = "0015800001NOSTATUS1"
    /// Its software statement.
    public static let statuslessSoftwareID = "NoStatusSoftware0001"

    struct Software {
        var id: String
        var active: Bool
        var roles: [String]
        var clientName: String
    }

    /// A 1.0 competent-authority authorisation (`Psd2Role`).
    struct Authorisation {
        var memberState: String
        var role: String
        var active: Bool
    }

    /// A 1.1 trust-framework authorisation (`Role` within an `AuthorizationDomain`).
    struct DomainAuthorisation {
        var domain: String
        var role: String
        var active: Bool
    }

    struct Organisation {
        var id: String
        var name: String
        /// The top-level status: only for an organisation with one authorisation domain.
        var status: String?
        /// `AuthorizationDomain` and `Status`, for organisations in several domains.
        var domainStatuses: [(domain: String, status: String)] = []
        var authorisations: [Authorisation] = []
        var domainAuthorisations: [DomainAuthorisation] = []
        var software: [Software]

        /// Status in `domain`, as a relying party reads it: top-level, else the domain's entry.
        func status(in domain: String) -> String? {
            status ?? domainStatuses.first { $0.domain == domain }?.status
        }

        /// The participant resource, field by field as the specification names them.
        func scim(location: String) -> JSONValue {
            var organisation: [String: JSONValue] = ["OBOrganisationId": .string(id), "OrganisationCommonName": .string(name)]
            if let status { organisation["status"] = .string(status) }
            var resource: [String: JSONValue] = [
                "schemas": .array([
                    "urn:ietf:params:scim:schemas:core:2.0:OBThirdPartyProvider", "urn:openbanking:organisation:1.0",
                    "urn:openbanking:competentauthorityclaims:1.0", "urn:openbanking:softwarestatement:1.0",
                ]),
                "id": .string(id),
                "meta": ["resourceType": "participants", "location": .string(location)],
                "urn:openbanking:organisation:1.0": .object(organisation),
                "urn:openbanking:softwarestatement:1.0": ["SoftwareStatements": .array(software.map {
                    ["Id": .string($0.id), "Active": .bool($0.active), "Mode": "Live", "Roles": .array($0.roles.map { .string($0) }),
                     "ClientId": .string($0.id), "ClientName": .string($0.clientName), "Version": 1,
                     "RedirectUri": .array([.string("https://\($0.clientName.lowercased().replacingOccurrences(of: " ", with: "-")).example.com/callback")])]
                })],
            ]
            var authority: [String: JSONValue] = ["AuthorityId": "FCAGBR", "RegistrationId": "123456", "MemberState": "GB"]
            if !authorisations.isEmpty {
                authority["Authorisations"] = .array(authorisations.map {
                    ["MemberState": .string($0.memberState), "Psd2Role": .string($0.role), "Active": .bool($0.active)]
                })
            }
            resource["urn:openbanking:competentauthorityclaims:1.0"] = .object(authority)
            if !domainStatuses.isEmpty {
                resource["urn:openbanking:authorisationdomainstatus:1.0"] = ["Status": .array(domainStatuses.map {
                    ["AuthorizationDomain": .string($0.domain), "Status": .string($0.status)]
                })]
            }
            if !domainAuthorisations.isEmpty {
                resource["urn:trustframework:competentauthorityclaims:1.1"] = ["Authorisations": .array(domainAuthorisations.map {
                    ["Active": .bool($0.active), "AuthorityId": "FCAGBR", "AuthorizationDomain": .string($0.domain), "MemberState": "GB", "Role": .string($0.role)]
                })]
            }
            return .object(resource)
        }
    }

    static let organisations: [Organisation] = [
        Organisation(
            id: activeOrganisationID, name: "Acme Budgeting Ltd", status: "Active",
            authorisations: [.init(memberState: "GB", role: "AISP", active: true), .init(memberState: "GB", role: "PISP", active: true)],
            software: [.init(id: activeSoftwareID, active: true, roles: ["AISP", "PISP"], clientName: "Acme Budgeting"),
                       .init(id: inactiveSoftwareID, active: false, roles: ["AISP"], clientName: "Acme Legacy")]
        ),
        Organisation(
            id: revokedOrganisationID, name: "Revoked Payments Ltd", status: "Revoked",
            authorisations: [.init(memberState: "GB", role: "PISP", active: false)],
            software: [.init(id: revokedOrganisationSoftwareID, active: true, roles: ["PISP"], clientName: "Revoked Payments")]
        ),
        Organisation(
            id: multiDomainOrganisationID, name: "Two Domains Ltd", status: nil,
            domainStatuses: [("PSD2", "Active"), ("Pay.UK", "Withdrawn")],
            domainAuthorisations: [.init(domain: "PSD2", role: "AISP", active: true), .init(domain: "Pay.UK", role: "PISP", active: false)],
            software: [.init(id: multiDomainSoftwareID, active: true, roles: ["AISP"], clientName: "Two Domains")]
        ),
        Organisation(
            id: statuslessOrganisationID, name: "No Status Ltd", status: nil,
            authorisations: [.init(memberState: "GB", role: "AISP", active: true)],
            software: [.init(id: statuslessSoftwareID, active: true, roles: ["AISP"], clientName: "No Status")]
        ),
    ]

    /// The organisation that owns software statement `id`.
    static func organisation(owning id: String) -> Organisation? {
        organisations.first { $0.software.contains { $0.id == id } }
    }

    /// Organisations (of `current`) with a software statement matching `Id eq ID and Active eq
    /// true`: the filter speaks of the software statement only, as the directory's does; the
    /// organisation's own status is read from its record.
    static func organisationsWithActiveSoftware(_ id: String, in current: [Organisation]) -> [Organisation] {
        current.filter { $0.software.contains { $0.id == id && $0.active } }
    }
}
