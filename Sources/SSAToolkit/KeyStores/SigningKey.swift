import COpenSSL
import Crypto
import CryptoExtras
import Foundation
import X509

/// The private key that signs client assertions (the configured `signingKey`), loaded through
/// OpenSSL from PEM: PKCS#8 or traditional (`RSA PRIVATE KEY`, `EC PRIVATE KEY`), plain or
/// encrypted with a password. RSA of at least 2048 bits, or EC P-256.
public struct SigningKey: Sendable {
    /// The key, ready for ``JWSSigner``.
    public var key: JWSSigner.Key
    /// "RSA 2048 bits", "EC P-256".
    public var keyDescription: String
    /// Where it was loaded from.
    public var location: KeyStoreLocation

    /// The algorithm used by default: PS256 for RSA, ES256 for P-256.
    public var defaultAlgorithm: JWSAlgorithm {
        switch key {
        case .rsa: .PS256
        case .ecP256: .ES256
        }
    }

    /// Loads a PEM private key; `password` is needed only for an encrypted one.
    ///
    /// - Throws: ``KeyStoreError``: unreadable file, not a PEM private key, password required
    ///   or wrong, unsupported key type or size.
    public init(pem location: KeyStoreLocation, password: Secret? = nil) throws(KeyStoreError) {
        _ = openSSLProviders
        let bytes = try BoundedFile.read(location, what: "signing key")
        let text = String(decoding: bytes.prefix(65_536), as: UTF8.self)
        guard text.contains("-----BEGIN") && text.contains("PRIVATE KEY-----") else {
            throw KeyStoreError(.notPEM, "signing key \(location) is not a PEM private key: it looks like \(BoundedFile.describe(bytes))")
        }
        let encrypted = text.contains("ENCRYPTED")
        if encrypted && (password == nil || password!.count == 0) {
            throw KeyStoreError(.passwordRequired, "signing key \(location) is encrypted and no password was given")
        }
        let bio = OwnedMemoryBIO(bytes)
        let loaded: OpaquePointer?
        if let password {
            loaded = password.withCString { pass, _ in
                PEM_read_bio_PrivateKey(bio.pointer, nil, { buffer, size, _, userdata in
                    // Copies the password OpenSSL asks for; never prompts on a terminal.
                    guard let buffer, let userdata else { return -1 }
                    let source = userdata.assumingMemoryBound(to: CChar.self)
                    let length = min(Int(strlen(source)), Int(size))
                    buffer.update(from: source, count: length)
                    return Int32(length)
                }, UnsafeMutableRawPointer(mutating: pass))
            }
        } else {
            loaded = PEM_read_bio_PrivateKey(bio.pointer, nil, { _, _, _, _ in -1 }, nil)
        }
        guard let loaded else {
            let detail = OpenSSLErrors.summary(OpenSSLErrors.drain())
            if encrypted {
                throw KeyStoreError(.wrongPassword, "signing key \(location) cannot be decrypted (\(detail)): wrong password")
            }
            throw KeyStoreError(.malformed, "signing key \(location) cannot be read: \(detail)")
        }
        let owned = OwnedPrivateKey(takingOwnership: loaded)
        keyDescription = owned.keyDescription
        self.location = location
        guard let der = owned.pkcs8DER() else {
            throw KeyStoreError(.unsupportedKey, "signing key \(location): \(owned.keyDescription) cannot be exported")
        }
        do {
            if owned.isRSA {
                guard owned.bits >= 2048 else {
                    throw KeyStoreError(.unsupportedKey, "signing key \(location) is \(owned.keyDescription); at least 2048 bits are required")
                }
                key = .rsa(try der.withBytes { try _RSA.Signing.PrivateKey(derRepresentation: Array($0)) })
            } else if owned.isEC, owned.curveName == "P-256" {
                key = .ecP256(try der.withBytes { try P256.Signing.PrivateKey(derRepresentation: Array($0)) })
            } else {
                throw KeyStoreError(.unsupportedKey, "signing key \(location) is \(owned.keyDescription); RSA (2048 bits or more) or EC P-256 is required")
            }
        } catch let error as KeyStoreError {
            throw error
        } catch {
            throw KeyStoreError(.malformed, "signing key \(location) cannot be used: \(error)")
        }
    }

    /// Whether this key is the private half of `certificate`'s public key.
    public func matches(_ certificate: Certificate) -> Bool {
        switch key {
        case .rsa(let k):
            guard let publicKey = _RSA.Signing.PublicKey(certificate.publicKey) else { return false }
            return publicKey.derRepresentation == k.publicKey.derRepresentation
        case .ecP256(let k):
            guard let publicKey = P256.Signing.PublicKey(certificate.publicKey) else { return false }
            return publicKey.rawRepresentation == k.publicKey.rawRepresentation
        }
    }
}

/// A PEM certificate file (the configured `signingCert`).
public struct CertificateFile: Sendable {
    /// The first certificate in the file.
    public var certificate: Certificate
    /// Any further certificates (a chain).
    public var chain: [Certificate]
    /// Where it was loaded from.
    public var location: KeyStoreLocation

    /// Loads PEM certificates.
    public init(pem location: KeyStoreLocation) throws(KeyStoreError) {
        let bytes = try BoundedFile.read(location, what: "certificate")
        let certificates = try Certificate.parsingPEMBundle(bytes, what: "certificate \(location)")
        guard let first = certificates.first else { throw KeyStoreError(.noCertificate, "certificate \(location) holds no PEM certificate") }
        certificate = first
        chain = Array(certificates.dropFirst())
        self.location = location
    }
}
