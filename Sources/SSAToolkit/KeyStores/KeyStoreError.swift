/// Why a key store, key or certificate could not be loaded. Loading is all or nothing: no
/// partial store is ever returned.
///
/// The ``reason`` names the file and, when it came from configuration, the property.
public struct KeyStoreError: CodedError {
    /// A stable error code (`ErrorCode<KeyStoreError>`: see its static members).
    public typealias Code = ErrorCode<KeyStoreError>

    /// What kind of failure.
    public var code: Code
    /// A sentence naming the file (and property) and what is wrong. Never contains a secret.
    public var reason: String

    /// Creates an error.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }
}

/// The codes of ``KeyStoreError``.
extension ErrorCode where Domain == KeyStoreError {
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
