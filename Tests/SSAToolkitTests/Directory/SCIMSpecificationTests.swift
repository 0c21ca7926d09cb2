import Foundation
@testable import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// Participant resources written field by field from the Open Banking Directory's published SCIM
/// API (OpenBankingUK/directory-api-specs, `scim-swagger.yml` 2.2), read by the TPP client.
@Suite("SCIM answers in the shapes of the directory's specification")
struct SCIMSpecificationTests {
    static func parse(_ json: String) throws -> OrganisationRecord {
        try TPPDirectoryClient.parseOrganisation(StrictJSONParser(maximumDepth: 16).parseObject(Array(json.utf8)), id: "0015800001041REAAY")
    }

    static let listWrapper = (#"{"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 1, "startIndex": 1, "itemsPerPage": 1, "Resources": ["#, "]}")

    @Test("single domain: the top-level status (lower-case key) decides; 1.0 authorisations with Psd2Role")
    func singleDomain() throws {
        let record = try Self.parse(Self.listWrapper.0 + #"""
            {"schemas": ["urn:openbanking:organisation:1.0", "urn:openbanking:competentauthorityclaims:1.0", "urn:openbanking:softwarestatement:1.0"],
             "id": "0015800001041REAAY",
             "meta": {"resourceType": "participants", "location": "https://directory.example/scim/v2/OBThirdPartyProviders/0015800001041REAAY"},
             "urn:openbanking:organisation:1.0": {"OBOrganisationId": "0015800001041REAAY", "OrganisationCommonName": "Acme Budgeting Ltd", "status": "Active"},
             "urn:openbanking:competentauthorityclaims:1.0": {"AuthorityId": "FCAGBR", "RegistrationId": "123456", "MemberState": "GB",
               "Authorisations": [{"Active": true, "MemberState": "GB", "Psd2Role": "AISP"}, {"Active": false, "MemberState": "GB", "Psd2Role": "PISP"}]},
             "urn:openbanking:softwarestatement:1.0": {"SoftwareStatements": [
               {"Id": "4ZUKbHjbA2ZqxCxTsQPkTY", "Active": true, "Mode": "Live", "Roles": ["AISP", "PISP"], "ClientId": "4ZUKbHjbA2ZqxCxTsQPkTY",
                "ClientName": "Acme Budgeting", "RedirectUri": ["https://acme-budget.example.com/callback"], "Version": 3}]}}
            """# + Self.listWrapper.1)
        #expect(record.isActive(domain: "PSD2") == true)
        #expect(record.status(forDomain: "PSD2") == .found(status: "Active", source: "urn:openbanking:organisation:1.0 status"))
        #expect(record.unauthorisedRoles(["AISP", "PISP"], memberState: "GB") == ["PISP"])
        #expect(record.softwareStatement("4ZUKbHjbA2ZqxCxTsQPkTY")?.roles == ["AISP", "PISP"])
        #expect(record.softwareStatement("4ZUKbHjbA2ZqxCxTsQPkTY")?.active == true)
    }

    @Test("multi-domain: no top-level status; the authorisationdomainstatus entry for the configured domain decides")
    func multiDomain() throws {
        let record = try Self.parse(#"""
            {"schemas": ["urn:openbanking:organisation:1.0", "urn:openbanking:authorisationdomainstatus:1.0"], "id": "0015800001MULTIDOM1",
             "meta": {"resourceType": "participants", "location": "https://directory.example/scim/v2/OBThirdPartyProviders/0015800001MULTIDOM1"},
             "urn:openbanking:organisation:1.0": {"OBOrganisationId": "0015800001MULTIDOM1", "OrganisationCommonName": "Two Domains Ltd"},
             "urn:openbanking:authorisationdomainstatus:1.0": {"Status": [{"AuthorizationDomain": "PSD2", "Status": "Active"}, {"AuthorizationDomain": "Pay.UK", "Status": "Withdrawn"}]},
             "urn:trustframework:competentauthorityclaims:1.1": {"Authorisations": [
               {"Active": true, "AuthorityId": "FCAGBR", "AuthorizationDomain": "PSD2", "MemberState": "GB", "Role": "AISP"},
               {"Active": true, "AuthorityId": "ACCC", "AuthorizationDomain": "CD", "MemberState": "AU", "Role": "CD_AISP"}]}}
            """#)
        #expect(record.status == nil)
        #expect(record.isActive(domain: "PSD2") == true)
        #expect(record.isActive(domain: "Pay.UK") == false)
        if case .missing(let why) = record.status(forDomain: "CD") {
            #expect(why.contains("\"CD\"") && why.contains("PSD2"))
        } else {
            Issue.record("no status for CD must be missing")
        }
        #expect(record.isActive(domain: "CD") == nil)
        // 1.1 authorisations count only in their own domain.
        #expect(record.unauthorisedRoles(["AISP"], domain: "PSD2").isEmpty)
        #expect(record.unauthorisedRoles(["CD_AISP"], domain: "PSD2") == ["CD_AISP"])
        #expect(record.unauthorisedRoles(["CD_AISP"], domain: "CD").isEmpty)
    }

    @Test("withdrawn, revoked, requested and rejected organisations are not active; only Active, exactly, is")
    func inactiveStatuses() throws {
        for status in ["Withdrawn", "Revoked", "Requested", "Rejected", "active", "ACTIVE", "Act\u{0131}ve", ""] {
            let record = try Self.parse(#"{"id": "x", "urn:openbanking:organisation:1.0": {"status": "\#(status)"}}"#)
            #expect(record.isActive() == false, "\(status)")
        }
    }

    @Test("a record with no status anywhere is unknown (undecided), never active")
    func noStatus() throws {
        let record = try Self.parse(#"{"id": "x", "urn:openbanking:organisation:1.0": {"OrganisationCommonName": "No Status Ltd"}}"#)
        #expect(record.isActive() == nil)
        if case .missing(let why) = record.status(forDomain: "PSD2") {
            #expect(why.contains("urn:openbanking:organisation:1.0 status") && why.contains("authorisationdomainstatus"))
        } else {
            Issue.record("must be missing")
        }
        #expect(try Self.parse(#"{"id": "x"}"#).isActive() == nil)
    }

    @Test("unassigned authorisations (absent), 1.1-only authorisations, and flags that are not Booleans")
    func authorisations() throws {
        let unassigned = try Self.parse(#"{"id": "x", "urn:openbanking:organisation:1.0": {"status": "Active"}, "urn:openbanking:competentauthorityclaims:1.0": {"AuthorityId": "FCAGBR", "MemberState": "GB"}}"#)
        #expect(unassigned.authorisations.isEmpty)
        #expect(unassigned.unauthorisedRoles(["AISP"]) == ["AISP"])
        let only11 = try Self.parse(#"{"id": "x", "urn:openbanking:organisation:1.0": {"status": "Active"}, "urn:trustframework:competentauthorityclaims:1.1": {"Authorisations": [{"Active": true, "AuthorityId": "FCAGBR", "AuthorizationDomain": "PSD2", "MemberState": "GB", "Role": "PISP"}]}}"#)
        #expect(only11.authorisations == [.init(memberState: "GB", role: "PISP", active: true, authorizationDomain: "PSD2")])
        #expect(only11.unauthorisedRoles(["PISP"], memberState: "GB").isEmpty)
        let stringly = try Self.parse(#"{"id": "x", "urn:openbanking:competentauthorityclaims:1.0": {"Authorisations": [{"Active": "true", "MemberState": "GB", "Psd2Role": "AISP"}]}, "urn:openbanking:softwarestatement:1.0": {"SoftwareStatements": [{"Id": "s", "Active": "true"}]}}"#)
        #expect(stringly.authorisations.first?.active == false)
        #expect(stringly.softwareStatement("s")?.active == false)
    }

    @Test("malformed shapes are errors, not guesses: a status twice in two spellings, a non-string status, Resources not a list")
    func malformed() {
        #expect(throws: DirectoryError(.malformedResponse, "")) { try Self.parse(#"{"id": "x", "urn:openbanking:organisation:1.0": {"status": "Revoked", "Status": "Active"}}"#) }
        #expect(throws: DirectoryError(.malformedResponse, "")) { try Self.parse(#"{"id": "x", "urn:openbanking:organisation:1.0": {"status": true}}"#) }
        #expect(throws: DirectoryError(.malformedResponse, "")) { try Self.parse(#"{"Resources": {"id": "x"}}"#) }
        #expect(throws: DirectoryError(.malformedResponse, "")) { try Self.parse(#"{"id": "x", "urn:openbanking:authorisationdomainstatus:1.0": {"Status": [{"AuthorizationDomain": "PSD2", "Status": "Active"}, {"AuthorizationDomain": "PSD2", "Status": "Revoked"}]}}"#) }
        #expect(throws: DirectoryError(.notFound, "")) { try Self.parse(#"{"Resources": []}"#) }
    }
}
