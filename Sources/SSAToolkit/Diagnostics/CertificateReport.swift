import Foundation

/// What an operator needs to know about one certificate.
public struct CertificateReport: Sendable {
    /// The certificate's place: "leaf", "chain 1", "certificate 2", ...
    public var role: String
    /// Subject, RFC 4514 order (most specific first).
    public var subject: String
    /// Issuer, RFC 4514 order.
    public var issuer: String
    /// Serial number, hex bytes separated by colons.
    public var serial: String
    /// Start of validity.
    public var notBefore: Date?
    /// End of validity.
    public var notAfter: Date?
    /// Whole days from the evaluation instant to the end of validity (negative once expired).
    public var daysRemaining: Int?
    /// "RSA", "EC", ...
    public var keyType: String
    /// Key size in bits.
    public var keyBits: Int
    /// Curve, for EC keys.
    public var curve: String?
    /// Signature algorithm, e.g. `sha256WithRSAEncryption`.
    public var signatureAlgorithm: String
    /// Subject alternative names, e.g. `DNS:as.example`.
    public var subjectAlternativeNames: [String]
    /// Key usage names.
    public var keyUsage: [String]
    /// Extended key usage names; `nil` when the certificate has no EKU extension.
    public var extendedKeyUsage: [String]?
    /// SHA-256 fingerprint of the DER encoding.
    public var sha256Fingerprint: String
    /// Whether subject and issuer are the same name.
    public var selfIssued: Bool
    /// Open Banking identifiers from the subject: CN as software statement id.
    public var softwareStatementID: String?
    /// OU as organisation id.
    public var organisationID: String?
    /// organizationIdentifier (2.5.4.97), e.g. `PSDGB-FCA-123456`.
    public var organizationIdentifier: String?

    init(_ inspection: CertificateInspection, role: String, at instant: Date) {
        self.role = role
        subject = inspection.subject
        issuer = inspection.issuer
        serial = inspection.serial
        notBefore = inspection.notBefore
        notAfter = inspection.notAfter
        daysRemaining = notAfter.map { Int(($0.timeIntervalSince(instant) / 86_400).rounded(.down)) }
        let key = inspection.publicKey
        keyType = key.type
        keyBits = key.bits
        curve = key.curve
        signatureAlgorithm = inspection.signatureAlgorithm
        subjectAlternativeNames = inspection.subjectAlternativeNames
        keyUsage = inspection.keyUsage
        extendedKeyUsage = inspection.extendedKeyUsage
        sha256Fingerprint = inspection.sha256Fingerprint
        selfIssued = inspection.isSelfIssued
        softwareStatementID = inspection.commonName
        organisationID = inspection.organisationalUnit
        organizationIdentifier = inspection.organizationIdentifier
    }

    /// "RSA 2048 bits" or "EC P-256".
    public var keyDescription: String {
        keyType == "EC" ? "EC \(curve ?? "\(keyBits) bits")" : "\(keyType) \(keyBits) bits"
    }

    /// The report as a JSON object.
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "role": .string(role), "subject": .string(subject), "issuer": .string(issuer), "serial": .string(serial),
            "key": .string(keyDescription), "signature_algorithm": .string(signatureAlgorithm),
            "subject_alternative_names": .array(subjectAlternativeNames.map { .string($0) }),
            "key_usage": .array(keyUsage.map { .string($0) }), "sha256_fingerprint": .string(sha256Fingerprint),
            "self_issued": .bool(selfIssued),
        ]
        if let notBefore { object["not_before"] = .string(SoftwareStatementRules.format(notBefore)) }
        if let notAfter { object["not_after"] = .string(SoftwareStatementRules.format(notAfter)) }
        if let daysRemaining { object["days_remaining"] = .number(Double(daysRemaining)) }
        if let extendedKeyUsage { object["extended_key_usage"] = .array(extendedKeyUsage.map { .string($0) }) }
        var ob: [String: JSONValue] = [:]
        if let softwareStatementID { ob["software_statement_id"] = .string(softwareStatementID) }
        if let organisationID { ob["organisation_id"] = .string(organisationID) }
        if let organizationIdentifier { ob["organization_identifier"] = .string(organizationIdentifier) }
        if !ob.isEmpty { object["open_banking"] = .object(ob) }
        return .object(object)
    }
}

/// One key store, key or certificate file: what it holds and which checks it passes.
public struct KeyStoreReport: Sendable {
    /// What it is for: "trust store", "transport store", "signing key and certificate", "file".
    public var role: String
    /// Where it came from (file and property).
    public var location: KeyStoreLocation
    /// "PKCS#12" or "PEM".
    public var format: String
    /// The private key, when the file holds one: "RSA 2048 bits".
    public var keyDescription: String?
    /// Every certificate, leaf first.
    public var certificates: [CertificateReport]
    /// The checks, in order.
    public var checks: [Check]

    /// The report as a JSON object.
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "role": .string(role), "file": .string(location.path), "format": .string(format),
            "certificates": .array(certificates.map(\.jsonValue)), "checks": .array(checks.map(\.json)),
        ]
        if let property = location.property { object["property"] = .string(property) }
        if let keyDescription { object["private_key"] = .string(keyDescription) }
        return .object(object)
    }
}

/// The result of `ssa-verify certs`: one report per store or file.
public struct DiagnosticsReport: Sendable {
    /// The reports, in the order examined.
    public var stores: [KeyStoreReport]
    /// The instant the checks were evaluated at.
    public var evaluatedAt: Date

    /// True when no check failed.
    public var healthy: Bool { !stores.contains { $0.checks.contains { $0.outcome == .fail } } }

    /// `{"healthy": Bool, "evaluated_at": ..., "stores": [...]}`.
    public var jsonValue: JSONValue {
        ["healthy": .bool(healthy), "evaluated_at": .string(SoftwareStatementRules.format(evaluatedAt)), "stores": .array(stores.map(\.jsonValue))]
    }
}
