import Crypto
import CryptoExtras
import Foundation

/// Signs compact JWS tokens with swift-crypto primitives (client assertions, test tokens).
public struct JWSSigner: Sendable {
    /// A private signing key.
    public enum Key: Sendable {
        /// An RSA private key (RS256/PS256 and the larger digests).
        case rsa(_RSA.Signing.PrivateKey)
        /// A P-256 private key (ES256).
        case ecP256(P256.Signing.PrivateKey)
    }

    /// The key.
    public var key: Key
    /// The algorithm written into `alg`.
    public var algorithm: JWSAlgorithm
    /// The `kid` written into the header, when set.
    public var keyID: String?

    /// A signer; the algorithm must fit the key.
    /// - Throws: ``JOSEError`` `keyMismatch` when it does not.
    public init(key: Key, algorithm: JWSAlgorithm, keyID: String?) throws(JOSEError) {
        switch (key, algorithm.keyType) {
        case (.rsa, .rsa), (.ecP256, .ecP256): break
        default: throw JOSEError(.keyMismatch, "\(algorithm.rawValue) cannot be used with this key type")
        }
        self.key = key
        self.algorithm = algorithm
        self.keyID = keyID
    }

    /// Signs `payload`; the header gets `alg`, `kid` (when set) and `typ: JWT`, then `extraHeader`.
    public func sign(payload: [String: JSONValue], extraHeader: [String: JSONValue] = [:]) throws(JOSEError) -> String {
        var header: [String: JSONValue] = ["alg": .string(algorithm.rawValue), "typ": "JWT"]
        if let keyID { header["kid"] = .string(keyID) }
        header.merge(extraHeader) { _, new in new }
        let input = Base64URL.encode(JSONValue.object(header).serialized()) + "." + Base64URL.encode(JSONValue.object(payload).serialized())
        let signature = try signature(for: Array(input.utf8))
        return input + "." + Base64URL.encode(signature)
    }

    /// The raw JWS signature of `signingInput`.
    public func signature(for signingInput: [UInt8]) throws(JOSEError) -> [UInt8] {
        do {
            switch (key, algorithm) {
            case (.rsa(let k), .RS256): return Array(try k.signature(for: SHA256.hash(data: signingInput), padding: .insecurePKCS1v1_5).rawRepresentation)
            case (.rsa(let k), .RS384): return Array(try k.signature(for: SHA384.hash(data: signingInput), padding: .insecurePKCS1v1_5).rawRepresentation)
            case (.rsa(let k), .RS512): return Array(try k.signature(for: SHA512.hash(data: signingInput), padding: .insecurePKCS1v1_5).rawRepresentation)
            case (.rsa(let k), .PS256): return Array(try k.signature(for: SHA256.hash(data: signingInput), padding: .PSS).rawRepresentation)
            case (.rsa(let k), .PS384): return Array(try k.signature(for: SHA384.hash(data: signingInput), padding: .PSS).rawRepresentation)
            case (.rsa(let k), .PS512): return Array(try k.signature(for: SHA512.hash(data: signingInput), padding: .PSS).rawRepresentation)
            case (.ecP256(let k), .ES256): return Array(try k.signature(for: SHA256.hash(data: signingInput)).rawRepresentation)
            default: throw JOSEError(.keyMismatch, "\(algorithm.rawValue) cannot be used with this key type")
            }
        } catch let error as JOSEError {
            throw error
        } catch {
            throw JOSEError(.signingFailed, "\(algorithm.rawValue) signing failed: \(error)")
        }
    }
}

extension JWSSigner.Key {
    /// The public half as JWK members (`kty`, `n`/`e` or `crv`/`x`/`y`), with `kid`, `use`
    /// and `alg` when given: what a JWKS publishes for this key.
    public func publicJWK(keyID: String?, use: String? = "sig", algorithm: JWSAlgorithm? = nil) throws(JOSEError) -> [String: JSONValue] {
        var members: [String: JSONValue]
        switch self {
        case .rsa(let key):
            let primitives: _RSA.Signing.PublicKey.Primitives
            do { primitives = try key.publicKey.getKeyPrimitives() } catch {
                throw JOSEError(.malformedJWK, "cannot read the RSA public key: \(error)")
            }
            members = ["kty": "RSA", "n": .string(Base64URL.encode(primitives.modulus)), "e": .string(Base64URL.encode(primitives.publicExponent))]
        case .ecP256(let key):
            let point = Array(key.publicKey.x963Representation)
            members = ["kty": "EC", "crv": "P-256", "x": .string(Base64URL.encode(point[1..<33])), "y": .string(Base64URL.encode(point[33..<65]))]
        }
        if let keyID { members["kid"] = .string(keyID) }
        if let use { members["use"] = .string(use) }
        if let algorithm { members["alg"] = .string(algorithm.rawValue) }
        return members
    }
}
