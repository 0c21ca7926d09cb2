import Foundation

/// The configuration properties of the registration rules, each optional with the default of
/// ``RegistrationRules``:
///
/// | property | value |
/// | --- | --- |
/// | `tokenEndpointAuthMethods` | space- or comma-separated: `tls_client_auth`, `private_key_jwt` |
/// | `grantTypes`, `responseTypes` | space/comma-separated (`responseTypes` comma-separated only: `code id_token` is one type) |
/// | `requestSigningAlgorithms` | JWS algorithms for the request JWT and the client's signing members |
/// | `roleScopes` | `AISP:accounts;PISP:payments;CBPII:fundsconfirmations` (scopes space-separated) |
/// | `requireSignedRequest` | `true` refuses plain JSON metadata |
/// | `maxRequestLifetimeSeconds` | longest `exp - iat` of a request JWT |
/// | `memberState` | the member state whose authorisations count, e.g. `GB` |
/// | `clientCertificateBinding` | `software` (default: CN = software_id, OU = org_id) or `none` |
/// | `softwareJWKSTrust` | `trustKeyStore` (default) or `system`: whom to trust for `software_jwks_endpoint` |
/// | `clientCertificateVerification` | `trustKeyStore` (default: the caller's certificate must chain to the trust store) or `proxy` (the TLS-terminating proxy verified it) |
/// | `authorisationDomain` | `PSD2` (default), `Pay.UK` or `CD`: whose organisation status and authorisations count |
/// | `replayCacheSize` | most request JWT ids remembered at once (default 100000) |
public struct RegistrationSettings: Sendable {
    /// Property names read here.
    public static let propertyNames: Set<String> = [
        "tokenEndpointAuthMethods", "grantTypes", "responseTypes", "requestSigningAlgorithms", "roleScopes",
        "requireSignedRequest", "maxRequestLifetimeSeconds", "memberState", "softwareJWKSTrust", "clientCertificateBinding",
        "clientCertificateVerification", "authorisationDomain", "replayCacheSize",
    ]

    var tokenEndpointAuthMethods: Set<String>?
    var grantTypes: Set<String>?
    var responseTypes: Set<String>?
    var signingAlgorithms: AlgorithmPolicy?
    var roleScopes: [String: [String]]?
    var requireSignedRequest: Bool?
    var maximumRequestLifetime: TimeInterval?
    var memberState: String?
    var bindsCertificateToSoftware: Bool?
    var authorisationDomain: String?
    /// Whether `software_jwks_endpoint` is fetched trusting the system's CAs rather than the trust store.
    public var softwareJWKSTrustsSystem = false
    /// Whether the TLS-terminating proxy verified the caller's certificate chain (`proxy`), so the
    /// toolkit checks only its subject and validity.
    public var clientCertificateVerifiedByProxy = false
    /// The most request JWT ids remembered at once.
    public var replayCacheSize: Int?

    /// Defaults only.
    public init() {}

    /// Reads the properties; a malformed or contradictory one is an error naming it.
    public init(properties: [String: String]) throws(ConfigurationError) {
        func list(_ name: String, separators: Set<Character> = [" ", ","]) -> [String]? {
            guard let text = properties[name] else { return nil }
            return text.split(whereSeparator: { separators.contains($0) }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if let methods = list("tokenEndpointAuthMethods") {
            let supported: Set<String> = ["tls_client_auth", "private_key_jwt", "self_signed_tls_client_auth"]
            if let bad = methods.first(where: { !supported.contains($0) }) {
                throw ConfigurationError(property: "tokenEndpointAuthMethods", "\"\(bad)\" is not supported here (FAPI allows tls_client_auth, self_signed_tls_client_auth and private_key_jwt; no client secrets)")
            }
            guard !methods.isEmpty else { throw ConfigurationError(property: "tokenEndpointAuthMethods", "lists no method, so no client could register") }
            tokenEndpointAuthMethods = Set(methods)
        }
        if let types = list("grantTypes") {
            guard !types.isEmpty else { throw ConfigurationError(property: "grantTypes", "lists no grant type") }
            grantTypes = Set(types)
        }
        if let types = list("responseTypes", separators: [","]) {
            guard !types.isEmpty else { throw ConfigurationError(property: "responseTypes", "lists no response type") }
            responseTypes = Set(types)
        }
        if let text = properties["requestSigningAlgorithms"] {
            do { signingAlgorithms = try AlgorithmPolicy(parsing: text) } catch {
                throw ConfigurationError(property: "requestSigningAlgorithms", error.reason)
            }
        }
        if let text = properties["roleScopes"] {
            var map: [String: [String]] = [:]
            for entry in text.split(separator: ";") {
                let parts = entry.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, !parts[0].isEmpty, Identifier.problem(with: parts[0]) == nil else {
                    throw ConfigurationError(property: "roleScopes", "entry \"\(entry)\" is not ROLE:scope scope (entries separated by ;)")
                }
                guard map[parts[0]] == nil else { throw ConfigurationError(property: "roleScopes", "role \(parts[0]) is given twice") }
                map[parts[0]] = parts[1].split(separator: " ").map(String.init)
            }
            guard !map.isEmpty else { throw ConfigurationError(property: "roleScopes", "lists no role") }
            roleScopes = map
        }
        if let text = properties["requireSignedRequest"] {
            switch text.lowercased() {
            case "true", "yes", "1": requireSignedRequest = true
            case "false", "no", "0": requireSignedRequest = false
            default: throw ConfigurationError(property: "requireSignedRequest", "\"\(text)\" is not true or false")
            }
        }
        if let text = properties["maxRequestLifetimeSeconds"] {
            guard let value = Double(text), value >= 1, value <= 86_400 else {
                throw ConfigurationError(property: "maxRequestLifetimeSeconds", "\"\(text)\" is not a number of seconds between 1 and 86400")
            }
            maximumRequestLifetime = value
        }
        if let text = properties["memberState"], !text.isEmpty {
            guard text.count == 2, text.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
                throw ConfigurationError(property: "memberState", "\"\(text)\" is not a two-letter country code such as GB")
            }
            memberState = text
        }
        if let binds = try ConfigurationError.choice(properties, "clientCertificateBinding", ["software": true, "none": false]) {
            bindsCertificateToSoftware = binds
        }
        if let byProxy = try ConfigurationError.choice(properties, "clientCertificateVerification", ["trustKeyStore": false, "proxy": true]) {
            clientCertificateVerifiedByProxy = byProxy
        }
        if let domain = try ConfigurationError.choice(properties, "authorisationDomain", ["PSD2": "PSD2", "Pay.UK": "Pay.UK", "CD": "CD"]) {
            authorisationDomain = domain
        }
        if let text = properties["replayCacheSize"] {
            guard let value = Int(text), (1_000...10_000_000).contains(value) else {
                throw ConfigurationError(property: "replayCacheSize", "\"\(text)\" is not a whole number between 1000 and 10000000")
            }
            replayCacheSize = value
        }
        if let system = try ConfigurationError.choice(properties, "softwareJWKSTrust", ["trustKeyStore": false, "system": true]) {
            softwareJWKSTrustsSystem = system
        }
    }
}
