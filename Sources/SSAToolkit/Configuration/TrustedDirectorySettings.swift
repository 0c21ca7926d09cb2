import Foundation

/// What differs from one trusted directory to the next: the SSA issuer it stands for, where its
/// keys, token endpoint and SCIM endpoint are, and the key stores and signing key this server
/// uses with it. Given at the top level for one directory, or as `trustedDirectories` entries
/// (each laid over the top-level values) for several.
public struct TrustedDirectorySettings: Sendable {
    /// `trustFramework`: `openbanking-uk` (the default), `open-finance-brasil` or `cdr-au`.
    public var trustFramework: TrustFramework = .openBankingUK
    /// `issuer`: the SSA `iss` this directory stands for (by default its framework's directory's).
    public var issuer: String = SoftwareStatementRules().issuer
    /// `participantsUrl`: Open Finance Brasil's participants list.
    public var participantsURL: URL?
    /// `registerUrl`: the CDR Register's base URL (its status endpoints are below it).
    public var registerURL: URL?
    /// `registerIndustry`: the CDR industry whose statuses are read (`banking` by default).
    public var registerIndustry: String = "banking"
    /// `jwks_endpoint`: the directory JWKS that verifies SSAs.
    public var jwksEndpoint: URL?
    /// `tokenUrl`: the directory token endpoint.
    public var tokenURL: URL?
    /// `tppUrl`: the directory SCIM endpoint for TPPs.
    public var tppURL: URL?
    /// `aud`: audience of the client assertion (default: the token URL).
    public var audience: String?
    /// `keyId`: `kid` of the client assertion.
    public var keyID: String?
    /// `clientScopes`: scopes of the directory token request.
    public var clientScopes: [String] = []
    /// `signingCert`: the signing certificate (PEM).
    public var signingCertificate: KeyStoreLocation?
    /// `signingKey`: the PEM private key that signs client assertions.
    public var signingKey: KeyStoreLocation?
    /// `signingKeyPassword`: for an encrypted signing key.
    public var signingKeyPassword: SecretReference?
    /// `trustKeyStore`: PKCS#12 trust anchors for directory TLS (and callers' certificates).
    public var trustKeyStore: KeyStoreLocation?
    /// `trustKeyStorePassword`.
    public var trustKeyStorePassword: SecretReference?
    /// `transportKeyStore`: PKCS#12 identity presented over mutual TLS.
    public var transportKeyStore: KeyStoreLocation?
    /// `transportKeyStorePassword`.
    public var transportKeyStorePassword: SecretReference?

    /// The property names of a directory (what a `trustedDirectories` entry may set).
    public static let propertyNames: Set<String> = [
        "issuer", "jwks_endpoint", "tokenUrl", "tppUrl", "aud", "keyId", "clientScopes", "signingCert", "signingKey", "signingKeyPassword",
        "trustKeyStore", "trustKeyStorePassword", "transportKeyStore", "transportKeyStorePassword",
        "trustFramework", "participantsUrl", "registerUrl", "registerIndustry",
    ]

    /// No directory properties set.
    public init() {}

    /// Reads the directory properties among `properties`; relative paths are resolved against
    /// `baseDirectory`. A URL that carries credentials is refused without echoing it.
    public init(properties: [String: String], baseDirectory: String?) throws(ConfigurationError) {
        func path(_ name: String) -> KeyStoreLocation? {
            guard let value = properties[name], !value.isEmpty else { return nil }
            return KeyStoreLocation(path: ToolkitConfiguration.resolve(value, against: baseDirectory), property: name)
        }
        func url(_ name: String) throws(ConfigurationError) -> URL? {
            guard let value = properties[name], !value.isEmpty else { return nil }
            // Credentials belong in the key stores, never in a URL that logs, /healthz and error
            // messages would repeat: refused, and the value is not echoed (it may carry a password).
            if ToolkitConfiguration.carriesUserInfo(value) {
                throw ConfigurationError(property: name, "carries credentials (user:password@ before the host); the value is not shown. Authenticate with the transport key store instead")
            }
            guard HTTPSURL.problem(with: value, allowFragment: false) == nil, let url = URL(string: value) else {
                throw ConfigurationError(property: name, "\"\(value.escapedForTerminal(limit: 200))\" is not an https URL")
            }
            return url
        }
        func secret(_ name: String) -> SecretReference? {
            properties[name].map { SecretReference(parsing: $0, baseDirectory: baseDirectory) }
        }
        if let name = properties["trustFramework"] {
            guard let known = TrustFramework.Name(rawValue: name) else {
                throw ConfigurationError(property: "trustFramework", "\(name.quotedForReport()) is not one of \(TrustFramework.Name.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            trustFramework = .named(known)
        }
        issuer = properties["issuer"] ?? trustFramework.defaultIssuer
        participantsURL = try url("participantsUrl")
        registerURL = try url("registerUrl")
        if let industry = try ConfigurationError.choice(properties, "registerIndustry", ["banking": "banking", "energy": "energy", "telco": "telco", "all": "all"]) {
            registerIndustry = industry
        }
        switch trustFramework.statusSource {
        case .participants where participantsURL == nil:
            throw ConfigurationError(property: "participantsUrl", "is required for trustFramework=\(trustFramework.name.rawValue): the participants list is where its participants' status comes from")
        case .register where registerURL == nil:
            throw ConfigurationError(property: "registerUrl", "is required for trustFramework=\(trustFramework.name.rawValue): the Register's status endpoints are below it")
        default: break
        }
        jwksEndpoint = try url("jwks_endpoint")
        tokenURL = try url("tokenUrl")
        tppURL = try url("tppUrl")
        audience = properties["aud"].flatMap { $0.isEmpty ? nil : $0 }
        keyID = properties["keyId"].flatMap { $0.isEmpty ? nil : $0 }
        clientScopes = (properties["clientScopes"] ?? "").split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        signingCertificate = path("signingCert")
        signingKey = path("signingKey")
        signingKeyPassword = secret("signingKeyPassword")
        trustKeyStore = path("trustKeyStore")
        trustKeyStorePassword = secret("trustKeyStorePassword")
        transportKeyStore = path("transportKeyStore")
        transportKeyStorePassword = secret("transportKeyStorePassword")
        if transportKeyStore != nil && transportKeyStorePassword == nil {
            throw ConfigurationError(property: "transportKeyStorePassword", "is required with transportKeyStore (use \"\" for an empty password)")
        }
        if trustKeyStore != nil && trustKeyStorePassword == nil {
            throw ConfigurationError(property: "trustKeyStorePassword", "is required with trustKeyStore (use \"\" for an empty password)")
        }
    }

    /// The files that hold this directory's secrets (key stores, the signing key, password
    /// files), each with the property that names it.
    public var secretFiles: [(path: String, what: String)] {
        var files: [(path: String, what: String)] = []
        for (location, name) in [(transportKeyStore, "transportKeyStore"), (trustKeyStore, "trustKeyStore"), (signingKey, "signingKey")] {
            if let location { files.append((location.path, name)) }
        }
        for (reference, name) in [(transportKeyStorePassword, "transportKeyStorePassword"), (trustKeyStorePassword, "trustKeyStorePassword"), (signingKeyPassword, "signingKeyPassword")] {
            if case .file(let path)? = reference { files.append((path, name)) }
        }
        return files
    }
}
