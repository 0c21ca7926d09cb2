import Foundation

/// Everything the toolkit is configured with: the Janssen registration script's properties and
/// the toolkit's own.
///
/// Loaded from the Janssen custom-script JSON (the document posted with the config API, whose
/// `configurationProperties` is a list of `{value1: name, value2: value}`) or from a plain JSON
/// object with the same names. Relative paths are taken from the configuration file's folder.
public struct ToolkitConfiguration: Sendable {
    /// `clientScopes`: scopes of the directory token request.
    public var clientScopes: [String] = []
    /// `keyId`: `kid` of the client assertion.
    public var keyID: String?
    /// `signingCert`: the signing certificate (PEM).
    public var signingCertificate: KeyStoreLocation?
    /// `signingKey`: the PEM private key that signs client assertions.
    public var signingKey: KeyStoreLocation?
    /// `signingKeyPassword`: for an encrypted signing key.
    public var signingKeyPassword: SecretReference?
    /// `trustKeyStore`: PKCS#12 trust anchors for directory TLS.
    public var trustKeyStore: KeyStoreLocation?
    /// `trustKeyStorePassword`.
    public var trustKeyStorePassword: SecretReference?
    /// `transportKeyStore`: PKCS#12 identity presented over mutual TLS.
    public var transportKeyStore: KeyStoreLocation?
    /// `transportKeyStorePassword`.
    public var transportKeyStorePassword: SecretReference?
    /// `tokenUrl`: the directory token endpoint.
    public var tokenURL: URL?
    /// `tppUrl`: the directory SCIM endpoint for TPPs.
    public var tppURL: URL?
    /// `jwks_endpoint`: the directory JWKS that verifies SSAs.
    public var jwksEndpoint: URL?
    /// `aud`: audience of the client assertion (default: the token URL).
    public var audience: String?
    /// `issuer`: the trusted SSA issuer.
    public var issuer: String = SoftwareStatementPolicy().issuer
    /// `allowedAlgorithms`: comma-separated JWS algorithms accepted for SSAs.
    public var algorithms: AlgorithmPolicy = .openBankingDefault
    /// The file it was loaded from.
    public var source: String?
    /// Property names present but not known to the toolkit (reported as warnings).
    public var unknownProperties: [String] = []

    /// An empty configuration.
    public init() {}

    /// The property names the toolkit reads.
    public static let knownProperties: Set<String> = [
        "clientScopes", "keyId", "signingCert", "signingKey", "signingKeyPassword", "trustKeyStore", "trustKeyStorePassword",
        "transportKeyStore", "transportKeyStorePassword", "tokenUrl", "tppUrl", "jwks_endpoint", "aud", "issuer", "allowedAlgorithms",
    ]

    /// Loads a configuration file (Janssen script JSON or plain JSON).
    public static func load(path: String) throws(ConfigurationError) -> ToolkitConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(property: nil, "cannot read the configuration file \(path)")
        }
        let object: [String: JSONValue]
        do {
            object = try StrictJSONParser(maximumDepth: 16, maximumBytes: 1 << 20).parseObject(Array(data))
        } catch {
            throw ConfigurationError(property: nil, "configuration file \(path) is not a JSON object: \(error)")
        }
        var properties: [String: String] = [:]
        if let list = object["configurationProperties"] {
            guard let entries = list.arrayValue else {
                throw ConfigurationError(property: "configurationProperties", "must be a list of {value1, value2} objects in \(path)")
            }
            for (index, entry) in entries.enumerated() {
                guard let name = entry.objectValue?["value1"]?.stringValue else {
                    throw ConfigurationError(property: "configurationProperties", "entry \(index) has no string value1 in \(path)")
                }
                guard let value = entry.objectValue?["value2"]?.stringValue else {
                    throw ConfigurationError(property: name, "has no string value2 in \(path)")
                }
                guard properties[name] == nil else {
                    throw ConfigurationError(property: name, "is given twice in \(path)")
                }
                properties[name] = value
            }
        } else {
            for (name, value) in object {
                switch value {
                case .string(let s): properties[name] = s
                case .array(let items) where name == "clientScopes" || name == "allowedAlgorithms":
                    guard let strings = value.stringArrayValue else {
                        throw ConfigurationError(property: name, "must be a string or a list of strings in \(path)")
                    }
                    properties[name] = strings.joined(separator: name == "clientScopes" ? " " : ",")
                    _ = items
                default:
                    throw ConfigurationError(property: name, "is \(value.typeDescription), not a string, in \(path)")
                }
            }
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var configuration = try ToolkitConfiguration(properties: properties, baseDirectory: base)
        configuration.source = path
        return configuration
    }

    /// Builds a configuration from property values; relative paths are resolved against
    /// `baseDirectory`.
    public init(properties: [String: String], baseDirectory: String?) throws(ConfigurationError) {
        func path(_ name: String) -> KeyStoreLocation? {
            guard let value = properties[name], !value.isEmpty else { return nil }
            let resolved = value.hasPrefix("/") || baseDirectory == nil
                ? value : URL(fileURLWithPath: baseDirectory! + "/" + value).standardizedFileURL.path
            return KeyStoreLocation(path: resolved, property: name)
        }
        func url(_ name: String) throws(ConfigurationError) -> URL? {
            guard let value = properties[name], !value.isEmpty else { return nil }
            guard HTTPSURL.problem(with: value, allowFragment: false) == nil, let url = URL(string: value) else {
                throw ConfigurationError(property: name, "\"\(value)\" is not an https URL")
            }
            return url
        }
        func secret(_ name: String) -> SecretReference? {
            properties[name].map { SecretReference(parsing: $0, baseDirectory: baseDirectory) }
        }
        clientScopes = (properties["clientScopes"] ?? "").split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        keyID = properties["keyId"].flatMap { $0.isEmpty ? nil : $0 }
        signingCertificate = path("signingCert")
        signingKey = path("signingKey")
        signingKeyPassword = secret("signingKeyPassword")
        trustKeyStore = path("trustKeyStore")
        trustKeyStorePassword = secret("trustKeyStorePassword")
        transportKeyStore = path("transportKeyStore")
        transportKeyStorePassword = secret("transportKeyStorePassword")
        tokenURL = try url("tokenUrl")
        tppURL = try url("tppUrl")
        jwksEndpoint = try url("jwks_endpoint")
        audience = properties["aud"].flatMap { $0.isEmpty ? nil : $0 }
        if let issuer = properties["issuer"] { self.issuer = issuer }
        if let list = properties["allowedAlgorithms"] {
            do { algorithms = try AlgorithmPolicy(parsing: list) } catch {
                throw ConfigurationError(property: "allowedAlgorithms", error.reason)
            }
        }
        unknownProperties = properties.keys.filter { !Self.knownProperties.contains($0) }.sorted()
        if transportKeyStore != nil && transportKeyStorePassword == nil {
            throw ConfigurationError(property: "transportKeyStorePassword", "is required with transportKeyStore (use \"\" for an empty password)")
        }
        if trustKeyStore != nil && trustKeyStorePassword == nil {
            throw ConfigurationError(property: "trustKeyStorePassword", "is required with trustKeyStore (use \"\" for an empty password)")
        }
    }
}
