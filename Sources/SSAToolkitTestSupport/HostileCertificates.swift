import Foundation

/// Client certificates a bank's security review would try at token time, made by OpenSSL (not
/// by this project's code) in a temporary folder: some issued by the fixtures' directory issuing
/// CA with `openssl ca`, one self-signed with `openssl req -x509`. Keys are fresh P-256 keys,
/// thrown away with the folder.
public struct HostileCertificates: Sendable {
    /// The sandbox TPP's transport subject, in OpenSSL's slash form (the registered DN's order).
    public static let tppSubject = "/C=GB/O=Acme Budgeting Ltd/OU=0015800001041REAAY/CN=4ZUKbHjbA2ZqxCxTsQPkTY/organizationIdentifier=PSDGB-FCA-123456"

    /// Issued by the directory CA with the TPP's exact subject, valid 2025 to 2045: a renewed
    /// certificate the client may rightly present (the passing twin).
    public var renewed: String
    /// Self-signed, with the TPP's exact subject.
    public var selfSigned: String
    /// Issued by the directory CA with the TPP's exact subject, valid 2000-01-01 to 2001-01-01.
    public var expired: String
    /// Issued by the directory CA: `O=Evil, OU=EVILORG000000001, CN=<the TPP's software_id>`.
    public var otherOrganisation: String
    /// Issued by the directory CA with the TPP's CN and OU but a directory-issued
    /// `organizationIdentifier` naming another organisation.
    public var otherOrganisationIdentifier: String
    /// Issued by the directory CA with two CNs (the TPP's first).
    public var twoCommonNames: String

    /// Makes them with `openssl` from `fixtures` (the certs-fixtures folder).
    public static func make(fixtures: URL = Fixtures.root) async throws -> HostileCertificates {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("ca/newcerts"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = """
            set -eu
            cd "$WORK"
            : > ca/index.txt
            openssl rand -hex 16 > ca/serial
            key() { openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"; }
            issue() { # NAME SUBJECT START END
              key "$1"
              openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
              openssl ca -batch -notext -cert "$PKI/directory-issuing-ca.pem" -keyfile "$PKI/directory-issuing-ca.key.pem" \\
                -in "$1.csr" -out "$1.pem" -extensions v3_tpp_transport -startdate "$3" -enddate "$4" 2>/dev/null
            }
            issue renewed "$TPP" 20250101000000Z 20450101000000Z
            issue expired "$TPP" 20000101000000Z 20010101000000Z
            issue evil "/C=GB/O=Evil/OU=EVILORG000000001/CN=4ZUKbHjbA2ZqxCxTsQPkTY" 20250101000000Z 20450101000000Z
            issue orgid "/C=GB/O=Acme Budgeting Ltd/OU=0015800001041REAAY/CN=4ZUKbHjbA2ZqxCxTsQPkTY/organizationIdentifier=PSDGB-OB-Unknown0015800001OTHER001" 20250101000000Z 20450101000000Z
            issue twocn "/C=GB/O=Acme Budgeting Ltd/OU=0015800001041REAAY/CN=4ZUKbHjbA2ZqxCxTsQPkTY/CN=SomeoneElse0000001" 20250101000000Z 20450101000000Z
            key self
            openssl req -x509 -new -key self.key -subj "$TPP" -days 3650 -out self.pem
            """
        let result = try await AsyncProcess.run(URL(fileURLWithPath: "/bin/sh"), ["-c", script], environment: [
            "WORK": folder.path, "PKI": fixtures.appendingPathComponent("pki").path, "TPP": tppSubject,
            "CA_STATE_DIR": folder.appendingPathComponent("ca").path, "OPENSSL_CONF": fixtures.appendingPathComponent("openssl.cnf").path,
        ], seconds: 60)
        guard result.status == 0 else { throw CertificateGenerationFailed(description: "openssl: \(result.standardError)") }
        func read(_ name: String) throws -> String { try String(contentsOf: folder.appendingPathComponent("\(name).pem"), encoding: .utf8) }
        return HostileCertificates(renewed: try read("renewed"), selfSigned: try read("self"), expired: try read("expired"),
                                   otherOrganisation: try read("evil"), otherOrganisationIdentifier: try read("orgid"), twoCommonNames: try read("twocn"))
    }

    /// OpenSSL could not make them.
    public struct CertificateGenerationFailed: Error, CustomStringConvertible {
        public var description: String
    }
}
