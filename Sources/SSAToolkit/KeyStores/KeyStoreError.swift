/// Why a key store, key or certificate could not be loaded. Loading is all or nothing: no
/// partial store is ever returned.
///
/// The ``reason`` names the file and, when it came from configuration, the property.
public struct KeyStoreError: Error, Hashable, CustomStringConvertible, Sendable {
    /// A stable error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Backing: String, Hashable, Sendable {
            case unreadable = "file_unreadable"
            case wrongPassword = "wrong_password"
            case passwordRequired = "password_required"
            case notPKCS12 = "not_pkcs12"
            case notPEM = "not_pem"
            case noCertificate = "no_certificate"
            case noPrivateKey = "no_private_key"
            case keyMismatch = "key_mismatch"
            case unsupportedKey = "unsupported_key"
            case malformed = "malformed"
        }
        fileprivate var backing: Backing

        /// The file is missing, unreadable or too large.
        public static let unreadable = Code(backing: .unreadable)
        /// The integrity check (MAC) or decryption failed: the password is wrong.
        public static let wrongPassword = Code(backing: .wrongPassword)
        /// The key is encrypted and no password was given.
        public static let passwordRequired = Code(backing: .passwordRequired)
        /// The file is not PKCS#12 (the reason says what it looks like).
        public static let notPKCS12 = Code(backing: .notPKCS12)
        /// The file is not the PEM expected (the reason says what it looks like).
        public static let notPEM = Code(backing: .notPEM)
        /// The store holds no certificate.
        public static let noCertificate = Code(backing: .noCertificate)
        /// The store holds no private key where one is needed.
        public static let noPrivateKey = Code(backing: .noPrivateKey)
        /// The private key does not belong to the certificate.
        public static let keyMismatch = Code(backing: .keyMismatch)
        /// A key type or size this toolkit does not sign with.
        public static let unsupportedKey = Code(backing: .unsupportedKey)
        /// The content is damaged.
        public static let malformed = Code(backing: .malformed)

        public var description: String { backing.rawValue }
    }

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

    public static func == (lhs: KeyStoreError, rhs: KeyStoreError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
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
