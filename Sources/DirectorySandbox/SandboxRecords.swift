import SSAToolkit

/// The organisations and software the sandbox directory knows (fixture TPPs).
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

    struct Software {
        var id: String
        var active: Bool
        var roles: [String]
    }

    struct Organisation {
        var id: String
        var name: String
        var status: String
        var authorisations: [(memberState: String, role: String, active: Bool)]
        var software: [Software]

        var scim: JSONValue {
            [
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:OBThirdPartyProvider"],
                "id": .string(id),
                "urn:openbanking:organisation:1.0": ["OrganisationCommonName": .string(name), "Status": .string(status)],
                "urn:openbanking:competentauthorityclaims:1.0": ["Authorisations": .array(authorisations.map {
                    ["MemberState": .string($0.memberState), "Psd2Role": .string($0.role), "Active": .bool($0.active)]
                })],
                "urn:openbanking:softwarestatement:1.0": ["SoftwareStatements": .array(software.map {
                    ["Id": .string($0.id), "Active": .bool($0.active), "Mode": "Live", "Roles": .array($0.roles.map { .string($0) })]
                })],
            ]
        }
    }

    static let organisations: [Organisation] = [
        Organisation(
            id: activeOrganisationID, name: "Acme Budgeting Ltd", status: "Active",
            authorisations: [("GB", "AISP", true), ("GB", "PISP", true)],
            software: [Software(id: activeSoftwareID, active: true, roles: ["AISP", "PISP"]),
                       Software(id: inactiveSoftwareID, active: false, roles: ["AISP"])]
        ),
        Organisation(
            id: revokedOrganisationID, name: "Revoked Payments Ltd", status: "Revoked",
            authorisations: [("GB", "PISP", false)],
            software: [Software(id: revokedOrganisationSoftwareID, active: true, roles: ["PISP"])]
        ),
    ]

    /// Software statements that match `Id eq ID and Active eq true`: active software of an
    /// organisation that is itself active.
    static func activeSoftwareCount(_ id: String) -> Int {
        organisations.filter { $0.status == "Active" }.flatMap(\.software).filter { $0.id == id && $0.active }.count
    }
}
