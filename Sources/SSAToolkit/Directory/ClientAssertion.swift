import Foundation

/// Builds `private_key_jwt` client assertions (RFC 7523) for the directory token request.
public struct ClientAssertionFactory: Sendable {
    /// `iss` and `sub`: the authorization server's software statement id.
    public var clientID: String
    /// `aud`: the configured `aud`, or the token URL.
    public var audience: String
    /// `scope`: the configured `clientScopes`.
    public var scopes: [String]
    /// Signs with the configured key, `kid` = `keyId`.
    public var signer: JWSSigner
    /// `exp` - `iat`: short, five minutes by default.
    public var lifetime: TimeInterval = 300

    /// A factory.
    public init(clientID: String, audience: String, scopes: [String], signer: JWSSigner, lifetime: TimeInterval = 300) {
        self.clientID = clientID
        self.audience = audience
        self.scopes = scopes
        self.signer = signer
        self.lifetime = lifetime
    }

    /// A new assertion with a random `jti`, issued at `now`.
    public func make(at now: Date) throws(JOSEError) -> String {
        let iat = now.timeIntervalSince1970.rounded(.down)
        return try signer.sign(payload: [
            "iss": .string(clientID), "sub": .string(clientID), "aud": .string(audience),
            "scope": .string(scopes.joined(separator: " ")), "jti": .string(UUID().uuidString.lowercased()),
            "iat": .number(iat), "exp": .number(iat + lifetime),
        ])
    }
}

/// An OAuth access token from the directory. Its value never appears in a description.
public struct DirectoryAccessToken: Sendable, CustomStringConvertible {
    /// The bearer value (lent to the HTTPS layer only).
    let value: String
    /// `token_type`, normally `Bearer`.
    public var tokenType: String
    /// `scope` as granted, when the directory says.
    public var scope: String?
    /// When it expires (from `expires_in`).
    public var expiresAt: Date
    /// When it was obtained.
    public var obtainedAt: Date

    /// The value, for `ssa-verify access-token --reveal` only.
    public func revealed() -> String { value }

    public var description: String {
        "\(tokenType) token (redacted), scope \(scope ?? "-"), expires \(SoftwareStatementRules.format(expiresAt))"
    }
}
