/// Why a key store, key or certificate could not be loaded. Loading is all or nothing: no
/// partial store is ever returned.
///
/// The ``reason`` names the file and, when it came from configuration, the property.
public typealias KeyStoreError = CodedFailure<KeyStoreFailure>

/// The kind of failure of ``KeyStoreError``.
public enum KeyStoreFailure: FailureDomain {
    /// A key store error prints as its reason, which names the file and property.
    public static var printsCode: Bool { false }
}

/// The codes of ``KeyStoreError``.
extension ErrorCode where Domain == KeyStoreFailure {
    /// The file is missing, unreadable or too large.
    public static let unreadable = ErrorCode("file_unreadable")
    /// The integrity check (MAC) or decryption failed: the password is wrong.
    public static let wrongPassword = ErrorCode("wrong_password")
    /// The key is encrypted and no password was given.
    public static let passwordRequired = ErrorCode("password_required")
    /// The file is not PKCS#12 (the reason says what it looks like).
    public static let notPKCS12 = ErrorCode("not_pkcs12")
    /// The file is not the PEM expected (the reason says what it looks like).
    public static let notPEM = ErrorCode("not_pem")
    /// The store holds no certificate.
    public static let noCertificate = ErrorCode("no_certificate")
    /// The store holds no private key where one is needed.
    public static let noPrivateKey = ErrorCode("no_private_key")
    /// The private key does not belong to the certificate.
    public static let keyMismatch = ErrorCode("key_mismatch")
    /// A key type or size this toolkit does not sign with.
    public static let unsupportedKey = ErrorCode("unsupported_key")
    /// The content is damaged.
    public static let malformed = ErrorCode("malformed")
}

/// Where a key store or key comes from, for error messages: the file and, optionally, the
/// configuration property that named it.
public struct KeyStoreLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file path.
    public var path: String
    /// The configuration property, e.g. `transportKeyStore`.
    public var property: String?

    /// A location.
    public init(path: String, property: String? = nil) {
        self.path = path
        self.property = property
    }

    /// "transport store transport.p12 (property transportKeyStore)".
    public var description: String {
        property.map { "\(path) (property \($0))" } ?? path
    }
}
