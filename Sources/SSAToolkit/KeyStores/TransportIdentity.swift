import COpenSSL
import Foundation
import SwiftASN1
import X509

/// The identity the toolkit presents over mutual TLS (the configured `transportKeyStore`): a
/// private key, its certificate (the leaf) and the chain.
///
/// The private key stays inside (an OpenSSL object freed once, on release); the HTTPS layer gets
/// it in memory only, never through a temporary file.
public final class TransportIdentity: Sendable {
    /// The leaf certificate.
    public let certificate: Certificate
    /// The rest of the chain as stored (issuing CA first, usually).
    public let chain: [Certificate]
    /// Where it was loaded from.
    public let location: KeyStoreLocation
    /// "RSA 2048 bits", "EC P-256".
    public let keyDescription: String
    /// The private key in unencrypted PKCS#8 DER, cleansed on release. Internal: only the
    /// transport layer reads it.
    let privateKeyDER: Secret

    /// Loads a PKCS#12 transport store.
    ///
    /// - Throws: ``KeyStoreError``: wrong password, not PKCS#12, no private key, no certificate,
    ///   or a key that does not belong to the certificate.
    public init(pkcs12 location: KeyStoreLocation, password: Secret) throws(KeyStoreError) {
        let contents = try PKCS12Contents.load(location, password: password, what: "transport store")
        guard let key = contents.privateKey else {
            let count = contents.allCertificates.count
            throw KeyStoreError(.noPrivateKey, "transport store \(location) holds no private key (\(count) certificate\(count == 1 ? "" : "s") only); it must hold the key presented over mutual TLS")
        }
        // Stores made without local key ids (some tools) leave the key unpaired: pair it by
        // public key with one of the certificates.
        let paired = contents.certificate ?? contents.otherCertificates.first { key.matches($0) }
        guard let leaf = paired ?? contents.otherCertificates.first else {
            throw KeyStoreError(.noCertificate, "transport store \(location) holds a private key but no certificate for it")
        }
        guard key.matches(leaf) else {
            throw KeyStoreError(.keyMismatch, "transport store \(location): the private key (\(key.keyDescription)) does not belong to the certificate \(CertificateInspection(leaf).subject)")
        }
        let others = contents.allCertificates.filter { $0 !== leaf }
        guard let der = key.pkcs8DER() else {
            throw KeyStoreError(.unsupportedKey, "transport store \(location): the private key (\(key.keyDescription)) cannot be exported for TLS")
        }
        certificate = try Certificate.parsing(der: leaf.der, what: "transport store \(location)")
        chain = try others.map { x509 throws(KeyStoreError) in
            try Certificate.parsing(der: x509.der, what: "transport store \(location)")
        }
        keyDescription = key.keyDescription
        privateKeyDER = der
        self.location = location
    }

    /// The software statement id: the leaf's common name (Open Banking transport certificates
    /// carry it there).
    public var softwareStatementID: String? { certificate.subject.commonName }

    /// The leaf followed by the chain, as PEM text.
    public var certificateChainPEM: String {
        ([certificate] + chain).compactMap { try? $0.serializeAsPEM().pemString }.joined(separator: "\n") + "\n"
    }
}

extension DistinguishedName {
    /// The first common name (CN), if any.
    public var commonName: String? { firstValue(of: .RDNAttributeType.commonName) }

    /// The first value of an attribute type.
    public func firstValue(of type: ASN1ObjectIdentifier) -> String? {
        for rdn in self {
            for attribute in rdn where attribute.type == type {
                return String(describing: attribute.value)
            }
        }
        return nil
    }

    /// Every value of an attribute type, in encoding order (a name may carry a type twice).
    public func allValues(of type: ASN1ObjectIdentifier) -> [String] {
        flatMap { rdn in rdn.filter { $0.type == type }.map { String(describing: $0.value) } }
    }
}
