import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing
import X509

/// `tls_client_auth_subject_dn` is compared with the certificate's subject as names: spellings
/// from different tools match, different names do not.
@Suite("Distinguished names compared as names")
struct DistinguishedNameTests {
    /// The subject of `pki/as-transport.pem` as openssl prints it in its default form.
    static let certificateSubject = "organizationIdentifier=PSDGB-FCA-123456,CN=2kiXQyo0tedjW2somjSgH7,OU=0015800001HQQrZAAX,O=Sandbox Bank plc,C=GB"

    func subject() throws -> ComparableDistinguishedName {
        ComparableDistinguishedName(try Certificate(pemEncoded: Fixtures.string("pki/as-transport.pem")).subject)
    }

    @Test("spellings of the same subject match the certificate", arguments: [
        certificateSubject,
        "2.5.4.97=PSDGB-FCA-123456,CN=2kiXQyo0tedjW2somjSgH7,OU=0015800001HQQrZAAX,O=Sandbox Bank plc,C=GB",
        "OID.2.5.4.97=PSDGB-FCA-123456, CN=2kiXQyo0tedjW2somjSgH7, OU=0015800001HQQrZAAX, O=Sandbox Bank plc, C=GB",
        "C = GB, O = Sandbox Bank plc, OU = 0015800001HQQrZAAX, CN = 2kiXQyo0tedjW2somjSgH7, organizationIdentifier = PSDGB-FCA-123456",
        "/C=GB/O=Sandbox Bank plc/OU=0015800001HQQrZAAX/CN=2kiXQyo0tedjW2somjSgH7/organizationIdentifier=PSDGB-FCA-123456",
        "organizationIdentifier=PSDGB-FCA-123456,commonName=2kiXQyo0tedjW2somjSgH7,organizationalUnitName=0015800001HQQrZAAX,O=\"Sandbox Bank plc\",countryName=GB",
        "organizationIdentifier=PSDGB-FCA-123456,CN=2kiXQyo0tedjW2somjSgH7,OU=0015800001HQQrZAAX,O=sandbox   BANK plc,C=gb",
        "organizationIdentifier=PSDGB-FCA-123456,CN=2kiXQyo0tedjW2somjSgH7,OU=0015800001HQQrZAAX,O=Sandbox\\20Bank plc,C=#13024742",
    ])
    func sameName(_ text: String) throws {
        let parsed = try ComparableDistinguishedName(parsing: text)
        #expect(parsed.matches(try subject()), "\(text) parsed as \(parsed)")
    }

    @Test("a different name does not match", arguments: [
        "organizationIdentifier=PSDGB-FCA-123456,CN=2kiXQyo0tedjW2somjSgH7,OU=0015800001HQQrZAAX,O=Sandbox Bank plc",
        "organizationIdentifier=PSDGB-FCA-999999,CN=2kiXQyo0tedjW2somjSgH7,OU=0015800001HQQrZAAX,O=Sandbox Bank plc,C=GB",
        "CN=2kiXQyo0tedjW2somjSgH7,organizationIdentifier=PSDGB-FCA-123456,OU=0015800001HQQrZAAX,O=Sandbox Bank plc,C=GB",
        "organizationIdentifier=PSDGB-FCA-123456+CN=2kiXQyo0tedjW2somjSgH7,OU=0015800001HQQrZAAX,O=Sandbox Bank plc,C=GB",
        "organizationIdentifier=PSDGB-FCA-123456,CN=2kiXQyo0tedjW2somjSgH7\\,OU=0015800001HQQrZAAX,O=Sandbox Bank plc,C=GB",
    ])
    func differentName(_ text: String) throws {
        #expect(!(try ComparableDistinguishedName(parsing: text)).matches(try subject()), "\(text)")
    }

    @Test("multi-valued RDNs compare as sets")
    func multiValued() throws {
        let a = try ComparableDistinguishedName(parsing: "CN=x+OU=y,O=z")
        let b = try ComparableDistinguishedName(parsing: "OU=y+CN=x,O=z")
        #expect(a.matches(b))
    }

    @Test("unreadable names are errors that say why", arguments: [
        ("", "empty"), ("CN", "expected \"=\""), ("XX=1", "unknown attribute type"), ("CN=\"open", "not closed"),
        ("CN=a\\", "lone backslash"), ("1.2.x=3", "not a dotted OID"), ("CN=#0401ff", "#-encoded"),
    ])
    func unreadable(_ text: String, _ says: String) {
        #expect {
            try ComparableDistinguishedName(parsing: text)
        } throws: { error in
            (error as? DistinguishedNameError)?.reason.contains(says) == true
        }
    }

    @Test("the slash form separates RDNs with '/' only: a ',' after a #-hex value is refused, not taken as a separator (found by the dn fuzz target's build)")
    func slashFormSeparators() throws {
        #expect(throws: DistinguishedNameError.self) { try ComparableDistinguishedName(parsing: "/CN=#0c0378797a,O=Acme") }
        #expect(throws: DistinguishedNameError.self) { try ComparableDistinguishedName(parsing: "/CN=#0c0378797a;O=Acme") }
        // The passing sides: the same hex value followed by '/', and the comma form.
        let slash = try ComparableDistinguishedName(parsing: "/CN=#0c0378797a/O=Acme")
        let comma = try ComparableDistinguishedName(parsing: "CN=#0c0378797a,O=Acme")
        #expect(slash.matches(comma))
    }
}
