import Foundation

/// A key store or PEM file opened for diagnostics: everything it holds, with no judgement yet.
/// Unlike ``TransportIdentity`` it accepts what a runtime loader refuses (no key, a key that does
/// not match, a weak certificate), so the report can say what is wrong.
struct KeyStoreInspection {
    var location: KeyStoreLocation
    /// "PKCS#12" or "PEM".
    var format: String
    var privateKey: OwnedPrivateKey?
    /// The certificate paired with the key (PKCS#12), or the first certificate (PEM).
    var leaf: OwnedX509?
    var others: [OwnedX509]

    var certificates: [OwnedX509] { (leaf.map { [$0] } ?? []) + others }

    static func pkcs12(_ location: KeyStoreLocation, password: Secret, what: String) throws(KeyStoreError) -> KeyStoreInspection {
        let contents = try PKCS12Contents.load(location, password: password, what: what)
        guard !contents.allCertificates.isEmpty else {
            let key = contents.privateKey.map { " (only a private key, \($0.keyDescription))" } ?? ""
            throw KeyStoreError(.noCertificate, "\(what) \(location) holds no certificate\(key)")
        }
        var leaf = contents.certificate
        var others = contents.otherCertificates
        if leaf == nil, let key = contents.privateKey, !others.isEmpty {
            // An unpaired key: its certificate is the one with the same public key, else the
            // first (and the key_match check will say it does not belong).
            let index = others.firstIndex { key.matches($0) } ?? 0
            leaf = others.remove(at: index)
        }
        return KeyStoreInspection(location: location, format: "PKCS#12", privateKey: contents.privateKey, leaf: leaf, others: others)
    }

    /// Certificates (and optionally a private key) from a PEM file.
    static func pem(_ location: KeyStoreLocation, password: Secret?, what: String) throws(KeyStoreError) -> KeyStoreInspection {
        let bytes = try BoundedFile.read(location, what: what)
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.contains("-----BEGIN CERTIFICATE-----") else {
            throw KeyStoreError(.notPEM, "\(what) \(location) holds no PEM certificate: it looks like \(BoundedFile.describe(bytes))")
        }
        var certificates: [OwnedX509] = []
        let bio = OwnedMemoryBIO(bytes)
        while let x509 = PEMCertificateReader.next(bio) { certificates.append(OwnedX509(takingOwnership: x509)) }
        PEMCertificateReader.clearErrors()
        guard !certificates.isEmpty else {
            throw KeyStoreError(.malformed, "\(what) \(location): the PEM certificate cannot be parsed")
        }
        return KeyStoreInspection(location: location, format: "PEM", privateKey: nil, leaf: certificates.first, others: Array(certificates.dropFirst()))
    }
}
