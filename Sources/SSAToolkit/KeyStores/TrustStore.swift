import Foundation
import X509

/// The certificates trusted for every TLS connection the toolkit makes (the configured
/// `trustKeyStore`): anchors (self-signed roots) and intermediates.
public struct TrustStore: Sendable {
    /// Self-signed certificates.
    public var anchors: [Certificate]
    /// Other certificates in the store (trusted too, and used to build chains).
    public var intermediates: [Certificate]
    /// Where it was loaded from.
    public var location: KeyStoreLocation

    /// Every certificate.
    public var certificates: [Certificate] { anchors + intermediates }

    /// The certificates as PEM text, for the HTTPS layer (trust anchors in memory, no file).
    public var pem: String {
        certificates.compactMap { try? $0.serializeAsPEM().pemString }.joined(separator: "\n") + "\n"
    }

    /// Loads a PKCS#12 trust store: certificate-only (as keytool and `openssl pkcs12 -nokeys`
    /// make them) or with keys (whose certificates are then trusted too).
    ///
    /// - Throws: ``KeyStoreError`` naming the file and property; nothing partial is returned.
    public init(pkcs12 location: KeyStoreLocation, password: Secret) throws(KeyStoreError) {
        let contents = try PKCS12Contents.load(location, password: password, what: "trust store")
        let certificates = try contents.allCertificates.map { x509 throws(KeyStoreError) in
            try Certificate.parsing(der: x509.der, what: "trust store \(location)")
        }
        try self.init(certificates: certificates, location: location)
    }

    /// Loads PEM certificates (a CA bundle file).
    public init(pemFile location: KeyStoreLocation) throws(KeyStoreError) {
        let bytes = try BoundedFile.read(location, what: "trust store")
        let certificates = try Certificate.parsingPEMBundle(bytes, what: "trust store \(location)")
        try self.init(certificates: certificates, location: location)
    }

    /// A trust store of the given certificates.
    public init(certificates: [Certificate], location: KeyStoreLocation) throws(KeyStoreError) {
        guard !certificates.isEmpty else {
            throw KeyStoreError(.noCertificate, "trust store \(location) holds no certificate")
        }
        anchors = certificates.filter { $0.subject == $0.issuer }
        intermediates = certificates.filter { $0.subject != $0.issuer }
        self.location = location
    }
}

extension Certificate {
    /// Parses DER from OpenSSL into a swift-certificates value.
    static func parsing(der: [UInt8], what: String) throws(KeyStoreError) -> Certificate {
        do {
            return try Certificate(derEncoded: der)
        } catch {
            throw KeyStoreError(.malformed, "\(what): a certificate cannot be parsed: \(error)")
        }
    }

    /// Every `CERTIFICATE` block of a PEM file.
    static func parsingPEMBundle(_ bytes: [UInt8], what: String) throws(KeyStoreError) -> [Certificate] {
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.contains("-----BEGIN CERTIFICATE-----") else {
            throw KeyStoreError(.notPEM, "\(what) holds no PEM certificate: it looks like \(BoundedFile.describe(bytes))")
        }
        var certificates: [Certificate] = []
        var remainder = Substring(text)
        while let start = remainder.range(of: "-----BEGIN CERTIFICATE-----"), let end = remainder.range(of: "-----END CERTIFICATE-----", range: start.upperBound..<remainder.endIndex) {
            let block = String(remainder[start.lowerBound..<end.upperBound])
            do {
                certificates.append(try Certificate(pemEncoded: block))
            } catch {
                throw KeyStoreError(.malformed, "\(what): PEM certificate \(certificates.count + 1) cannot be parsed: \(error)")
            }
            remainder = remainder[end.upperBound...]
        }
        // A BEGIN line without its END (found by fuzzing: the callers took the first element).
        guard !certificates.isEmpty else {
            throw KeyStoreError(.noCertificate, "\(what) has a BEGIN CERTIFICATE line but no complete PEM block (no END CERTIFICATE after it)")
        }
        return certificates
    }
}
