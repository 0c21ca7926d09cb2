import Foundation

/// The configuration properties of token time, each optional:
///
/// | property | value |
/// | --- | --- |
/// | `statusCacheSeconds` | how long a directory status is used (default 300) |
/// | `statusStaleIfErrorSeconds` | how long past that an expired status may serve while the directory fails (default 0: fail closed) |
/// | `subjectClaim` | `intent` (default: `sub` is the intent id, Open Banking UK) or `user` (FAPI baseline) |
/// | `tokenLifetimes` | `access_token=300,id_token=300,refresh_token=7776000;client_credentials:refresh_token=0;PISP:access_token=120` |
/// | `idTokenClaims`, `accessTokenClaims` | a JSON object of static claims to add; never `iss`, `aud`, `exp`, `iat`, `nbf`, `jti`, `cnf`, `sub`, `openbanking_intent_id` |
/// | `requireClientCertificate` | `true` (default: every token is bound to the caller's certificate; a call without one is `invalid_client`) or `false` (a `private_key_jwt` client may go without; a `tls_client_auth` client never may) |
/// | `defaultTokenDirectory` | with several trusted directories, the issuer whose directory a call without `ssa_issuer` asks (default: none, such a call is denied) |
public struct TokenSettings: Sendable {
    /// Property names read here.
    public static let propertyNames: Set<String> = [
        "statusCacheSeconds", "statusStaleIfErrorSeconds", "subjectClaim", "tokenLifetimes", "idTokenClaims", "accessTokenClaims",
        "requireClientCertificate", "defaultTokenDirectory",
    ]

    /// Claims the policy never lets configuration set: the server's own, and the ones the
    /// policy computes per request.
    public static let forbiddenClaims: Set<String> = ["iss", "aud", "exp", "iat", "nbf", "jti", "cnf", "sub", "openbanking_intent_id"]

    /// Which value `sub` of the id_token takes.
    public enum SubjectClaim: String, Sendable {
        /// The consent's intent id (Open Banking UK).
        case intent
        /// The user id (FAPI baseline).
        case user
    }

    /// How long a directory status is fresh.
    public var statusCacheLifetime: TimeInterval = 300
    /// How long past freshness a status may serve while the directory fails; 0 fails closed.
    public var staleIfError: TimeInterval = 0
    /// `sub` per ``SubjectClaim``.
    public var subjectClaim: SubjectClaim = .intent
    /// Lifetimes by grant type and role.
    public var lifetimes = LifetimeRules()
    /// Static claims added to every id_token.
    public var idTokenClaims: [String: JSONValue] = [:]
    /// Static claims added to every JWT access token.
    public var accessTokenClaims: [String: JSONValue] = [:]
    /// Whether every token request must present the client's certificate (Open Banking UK and
    /// FAPI 1 Advanced bind every access token to it). `tls_client_auth` clients always must.
    public var requireClientCertificate = true
    /// With several trusted directories, the issuer whose directory answers for a call that does
    /// not name `ssa_issuer`; `nil`: such a call is denied (no silent fallback).
    public var defaultTokenDirectory: String?

    /// Defaults only.
    public init() {}

    /// Reads the properties; a malformed or forbidden one is an error naming it.
    public init(properties: [String: String], baseDirectory: String?) throws(ConfigurationError) {
        func seconds(_ name: String, range: ClosedRange<Double>) throws(ConfigurationError) -> Double? {
            try ToolkitConfiguration.seconds(properties, name, range: range)
        }
        if let value = try seconds("statusCacheSeconds", range: 0...86_400) { statusCacheLifetime = value }
        if let value = try seconds("statusStaleIfErrorSeconds", range: 0...86_400) { staleIfError = value }
        if let text = properties["subjectClaim"] {
            guard let claim = SubjectClaim(rawValue: text), claim.rawValue.isByteIdentical(to: text) else {
                throw ConfigurationError(property: "subjectClaim", "\"\(text)\" is not intent or user")
            }
            subjectClaim = claim
        }
        if let text = properties["tokenLifetimes"] {
            do { lifetimes = try LifetimeRules(parsing: text) } catch {
                throw ConfigurationError(property: "tokenLifetimes", error.reason)
            }
        }
        for (name, keyPath) in [("idTokenClaims", \TokenSettings.idTokenClaims), ("accessTokenClaims", \TokenSettings.accessTokenClaims)] {
            guard let text = properties[name], !text.isEmpty else { continue }
            let claims: [String: JSONValue]
            do { claims = try StrictJSONParser(maximumDepth: 8, maximumBytes: 16 * 1024).parseObject(Array(text.utf8)) } catch {
                throw ConfigurationError(property: name, "is not a JSON object: \(error.reason)")
            }
            if let forbidden = claims.keys.sorted().first(where: { name in Self.forbiddenClaims.contains { $0.isByteIdentical(to: name) } }) {
                throw ConfigurationError(property: name, "sets \(forbidden), which policy never sets (the server's own claims, or ones decided per request: \(Self.forbiddenClaims.sorted().joined(separator: ", ")))")
            }
            self[keyPath: keyPath] = claims
        }
        if let required = try ConfigurationError.choice(properties, "requireClientCertificate", ["true": true, "false": false]) {
            requireClientCertificate = required
        }
        if let text = properties["defaultTokenDirectory"], !text.isEmpty { defaultTokenDirectory = text }

    }
}
