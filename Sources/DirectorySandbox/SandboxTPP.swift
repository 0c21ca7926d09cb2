import Foundation
import SSAToolkit

/// The fixture TPP "Acme Budgeting" (software statement `4ZUKbHjbA2ZqxCxTsQPkTY`): its transport
/// certificate, and its software signing key (`kid` `tpp-sig-1`, published by the sandbox at
/// ``DirectorySandbox/softwareJWKSURL(_:)``), used to sign registration requests the way a TPP does.
public struct SandboxTPP: Sendable {
    /// The software statement id.
    public var softwareID = SandboxRecords.activeSoftwareID
    /// The transport certificate (PEM) the TPP presents over mutual TLS.
    public var transportCertificatePEM: String
    /// Its subject as RFC 4514 text (most specific first), as a TPP writes it into
    /// `tls_client_auth_subject_dn`.
    public var subjectDN: String
    private let signer: JWSSigner

    /// Loads the fixture TPP from `certs-fixtures/registration/`.
    public init(fixtures: DirectorySandbox.Fixtures) throws {
        transportCertificatePEM = try String(contentsOfFile: fixtures.path("registration/tpp-transport.pem"), encoding: .utf8)
        let key = try SigningKey(pem: KeyStoreLocation(path: fixtures.path("registration/tpp-software.key.pem")))
        signer = try JWSSigner(key: key.key, algorithm: .PS256, keyID: "tpp-sig-1")
        subjectDN = "organizationIdentifier=PSDGB-FCA-123456,CN=4ZUKbHjbA2ZqxCxTsQPkTY,OU=0015800001041REAAY,O=Acme Budgeting Ltd,C=GB"
    }

    /// Registration metadata for `ssa`: tls_client_auth with this TPP's subject DN, the first
    /// redirect URI of the fixture SSA, accounts and payments scopes; then `changes` (a `.null`
    /// value removes a member).
    public func metadata(ssa: String, changes: [String: JSONValue] = [:]) -> [String: JSONValue] {
        var metadata: [String: JSONValue] = [
            "software_statement": .string(ssa),
            "redirect_uris": ["https://acme-budget.example.com/callback"],
            "token_endpoint_auth_method": "tls_client_auth",
            "tls_client_auth_subject_dn": .string(subjectDN),
            "grant_types": ["authorization_code", "refresh_token", "client_credentials"],
            "response_types": ["code id_token"],
            "scope": "openid accounts payments",
            "application_type": "web",
            "id_token_signed_response_alg": "PS256",
            "request_object_signing_alg": "PS256",
            "token_endpoint_auth_signing_alg": "PS256",
        ]
        for (name, value) in changes { metadata[name] = value == .null ? nil : value }
        return metadata
    }

    /// A request JWT: ``metadata(ssa:changes:)`` plus `iss`, `aud`, `iat`, `exp` (five minutes)
    /// and `jti`, signed PS256 with the software key.
    public func requestJWT(ssa: String, audience: String = DirectorySandbox.authorizationServerIssuer, issuedAt: Date = Date(), changes: [String: JSONValue] = [:]) throws -> String {
        var claims = metadata(ssa: ssa)
        let iat = issuedAt.timeIntervalSince1970.rounded(.down)
        claims["iss"] = .string(softwareID)
        claims["aud"] = .string(audience)
        claims["iat"] = .number(iat)
        claims["exp"] = .number(iat + 300)
        claims["jti"] = .string(UUID().uuidString.lowercased())
        for (name, value) in changes { claims[name] = value == .null ? nil : value }
        return try signer.sign(payload: claims)
    }
}
