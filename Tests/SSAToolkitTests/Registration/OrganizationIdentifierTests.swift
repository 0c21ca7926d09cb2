@testable import SSAToolkit
import Testing

/// The client certificate's `organizationIdentifier` against the client's `org_id`: the value
/// itself, a PSD2 identifier the directory issued for that organisation, or a national
/// authority's PSD2 identifier (checked for its form only); anything else is refused, naming why.
@Suite("organizationIdentifier against org_id")
struct OrganizationIdentifierTests {
    static let org = "0015800001041REAAY"

    @Test("accepted: the org_id, the directory's PSD2 identifier for it (with or without Unknown), a national authority's")
    func accepted() {
        for value in [Self.org, "PSDGB-OB-0015800001041REAAY", "PSDGB-OB-Unknown0015800001041REAAY", "PSDGB-FCA-123456", "PSDIE-CBI-C12345", "PSDGB-FCA-12.3_4-5"] {
            #expect(ClientCertificateRule.organizationIdentifierProblem(value, organisationID: Self.org) == nil, "\(value)")
        }
    }

    @Test("refused: another organisation's directory identifier, a malformed one, a near miss of the org_id")
    func refused() {
        let cases: [(String, String)] = [
            ("PSDGB-OB-0015800001041REAAZ", "names a directory organisation other than the client's org_id 0015800001041REAAY"),
            ("PSDGB-OB-Unknown0015800001041REAAZ", "names a directory organisation other than the client's org_id"),
            ("PSDGB-OB-Unknown", "names a directory organisation other than"),
            ("PSDGB-OB-UnknownX0015800001041REAAY", "names a directory organisation other than"),
            ("0015800001041REAAy", "is neither the client's org_id 0015800001041REAAY nor a PSD2 identifier"),
            ("", "is neither the client's org_id"),
            ("PSDgb-FCA-123456", "is neither"),
            ("PSDGB_FCA-123456", "is neither"),
            ("PSDGBFCA123456", "is neither"),
            ("PSDGB-FCA123456", "is not of the form PSD<country>-<authority>-<id>"),
            ("PSDGB-fca-123456", "authority in capitals"),
            ("PSDGB-FCA-12 3456", "id of letters, digits"),
            ("PSDGB-FCA-", "authority in capitals"),
            ("PSDGB-ABCDEFGHI-1", "authority in capitals"),
            ("PSDGB-FCA-" + String(repeating: "1", count: 200), "is neither"),
        ]
        for (value, expected) in cases {
            let problem = ClientCertificateRule.organizationIdentifierProblem(value, organisationID: Self.org)
            #expect(problem?.contains(expected) == true, "\(value): \(problem ?? "accepted")")
        }
    }
}
