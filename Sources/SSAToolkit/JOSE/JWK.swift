import Crypto
import CryptoExtras
import Foundation

/// A public JSON Web Key (RFC 7517) usable to verify JWS signatures.
public struct JWK: Sendable {
    /// The key material, parsed and validated.
    public enum Material: Sendable {
        /// An RSA public key. `verifier` is `nil` when the modulus is below 2048 bits: such a key
        /// is kept so a token naming it is refused with a precise reason, but it never verifies.
        case rsa(modulusBits: Int, verifier: _RSA.Signing.PublicKey?)
        /// An EC public key on P-256.
        case ecP256(P256.Signing.PublicKey)
        /// An EC public key on another curve (valid, but no supported algorithm uses it).
        case ecOther(curve: String)
    }

    /// `kid`, when present.
    public var keyID: String?
    /// `use`, when present (`sig`, `enc`, or `tls` in Open Banking key sets).
    public var use: String?
    /// `x5t#S256` of the certificate the key is published with: the member itself, else the
    /// SHA-256 of the first `x5c` entry (base64url, as ``PresentedCertificate/thumbprint``);
    /// `nil` when the key names no certificate.
    public var certificateThumbprint: String?
    /// `alg`, when present.
    public var algorithm: String?
    /// The key material.
    public var material: Material

    /// A one-line description such as "RSA 2048 bits" or "EC P-256".
    public var keyDescription: String {
        switch material {
        case .rsa(let bits, _): "RSA \(bits) bits"
        case .ecP256: "EC P-256"
        case .ecOther(let curve): "EC \(curve)"
        }
    }

    /// Creates a JWK from its members, validating them.
    ///
    /// - Throws: ``JOSEError`` `malformedJWK` naming the member that is missing or wrong.
    public init(members: [String: JSONValue]) throws(JOSEError) {
        func string(_ name: String) throws(JOSEError) -> String? {
            guard let value = members[name] else { return nil }
            guard let s = value.stringValue else { throw JOSEError(.malformedJWK, "member \"\(name)\" is \(value.typeDescription), not a string") }
            return s
        }
        func bytes(_ name: String) throws(JOSEError) -> [UInt8] {
            guard let text = try string(name) else { throw JOSEError(.malformedJWK, "member \"\(name)\" is missing") }
            guard let decoded = Base64URL.decode(text), !decoded.isEmpty else {
                throw JOSEError(.malformedJWK, "member \"\(name)\" is not base64url")
            }
            return decoded
        }
        keyID = try string("kid")
        use = try string("use")
        algorithm = try string("alg")
        certificateThumbprint = try Self.certificateThumbprint(members["x5c"], given: try string("x5t#S256"))
        for privateMember in ["d", "p", "q", "dp", "dq", "qi", "k"] where members[privateMember] != nil {
            throw JOSEError(.malformedJWK, "contains private key material (\"\(privateMember)\"); a JWKS must publish public keys only")
        }
        guard let kty = try string("kty") else { throw JOSEError(.malformedJWK, "member \"kty\" is missing") }
        switch kty {
        case "RSA":
            var n = try bytes("n")
            let e = try bytes("e")
            while n.count > 1, n[0] == 0 { n.removeFirst() }
            let bits = (n.count - 1) * 8 + (8 - n[0].leadingZeroBitCount)
            if bits < 2048 {
                material = .rsa(modulusBits: bits, verifier: nil)
            } else {
                do {
                    material = .rsa(modulusBits: bits, verifier: try _RSA.Signing.PublicKey(n: n, e: e))
                } catch {
                    throw JOSEError(.malformedJWK, "RSA key is not valid: \(error)")
                }
            }
        case "EC":
            guard let crv = try string("crv") else { throw JOSEError(.malformedJWK, "member \"crv\" is missing") }
            let x = try bytes("x")
            let y = try bytes("y")
            let point = [0x04] + x + y
            do {
                switch crv {
                case "P-256":
                    guard x.count == 32, y.count == 32 else { throw JOSEError(.malformedJWK, "P-256 coordinates must be 32 bytes each") }
                    material = .ecP256(try P256.Signing.PublicKey(x963Representation: point))
                case "P-384":
                    guard x.count == 48, y.count == 48 else { throw JOSEError(.malformedJWK, "P-384 coordinates must be 48 bytes each") }
                    _ = try P384.Signing.PublicKey(x963Representation: point)
                    material = .ecOther(curve: crv)
                case "P-521":
                    guard x.count == 66, y.count == 66 else { throw JOSEError(.malformedJWK, "P-521 coordinates must be 66 bytes each") }
                    _ = try P521.Signing.PublicKey(x963Representation: point)
                    material = .ecOther(curve: crv)
                default:
                    throw JOSEError(.malformedJWK, "unsupported curve \"\(crv)\"")
                }
            } catch let error as JOSEError {
                throw error
            } catch {
                throw JOSEError(.malformedJWK, "EC point is not on curve \(crv)")
            }
        default:
            throw JOSEError(.malformedJWK, "unsupported key type \"\(kty)\"")
        }
    }

    /// Why this key cannot verify `alg`, or `nil` when it fits: key type and curve, size, the
    /// JWK's own `alg` and `use`.
    public func mismatch(with alg: JWSAlgorithm) -> JOSEError? {
        var name: String { keyID.map { "key \"\($0)\"" } ?? "the key" }  // only for a refusal
        if let use, !use.isByteIdentical(to: "sig") {
            return JOSEError(.keyMismatch, "\(name) has use \"\(use)\", not \"sig\"")
        }
        if let algorithm, !algorithm.isByteIdentical(to: alg.rawValue) {
            return JOSEError(.keyMismatch, "\(name) is published for \(algorithm), but the token uses \(alg.rawValue)")
        }
        switch (alg.keyType, material) {
        case (.rsa, .rsa(let bits, let verifier)):
            if verifier == nil {
                return JOSEError(.weakKey, "\(name) is RSA \(bits) bits; at least 2048 are required")
            }
            return nil
        case (.ecP256, .ecP256):
            return nil
        default:
            return JOSEError(.keyMismatch, "\(name) is \(keyDescription), but \(alg.rawValue) needs \(alg.keyType.rawValue)")
        }
    }
}

extension JWK {
    /// The thumbprint of the certificate `x5c` (RFC 7517 section 4.7: standard base64 DER, the
    /// key's own certificate first) and `x5t#S256` name; both must agree when both are given.
    static func certificateThumbprint(_ chain: JSONValue?, given: String?) throws(JOSEError) -> String? {
        guard let chain else { return given }
        guard let first = chain.arrayValue?.first?.stringValue, let der = Data(base64Encoded: first), !der.isEmpty else {
            throw JOSEError(.malformedJWK, "member \"x5c\" is not a list of base64 certificates")
        }
        let computed = Base64URL.encode(Array(SHA256.hash(data: der)))
        if let given, !given.isByteIdentical(to: computed) {
            throw JOSEError(.malformedJWK, "x5t#S256 \(given.quotedForReport(limit: 64)) is not the SHA-256 of the first x5c certificate")
        }
        return computed
    }
}

/// A JSON Web Key Set: the keys that may verify tokens, and what was skipped while reading it.
public struct JWKS: Sendable {
    /// The usable keys, in document order.
    public var keys: [JWK]
    /// One line per entry that was skipped, saying which and why.
    public var warnings: [String]

    /// A set of already-parsed keys.
    public init(keys: [JWK], warnings: [String] = []) {
        self.keys = keys
        self.warnings = warnings
    }

    /// Parses a JWKS document. Entries that cannot be used are skipped and listed in
    /// ``warnings``; the document itself must be a JSON object with a `keys` array.
    ///
    /// - Throws: ``JOSEError`` `malformedJWKS` when the document is not a JWKS.
    public init(parsing document: some Collection<UInt8>, maximumBytes: Int = 512 * 1024) throws(JOSEError) {
        guard document.count <= maximumBytes else {
            throw JOSEError(.malformedJWKS, "JWKS is \(document.count) bytes, more than the \(maximumBytes) allowed")
        }
        let members: [String: JSONValue]
        do {
            members = try StrictJSONParser(maximumDepth: 8, maximumBytes: maximumBytes).parseObject(document)
        } catch {
            throw JOSEError(.malformedJWKS, "JWKS is not a JSON object: \(error)")
        }
        guard let entries = members["keys"]?.arrayValue else {
            throw JOSEError(.malformedJWKS, "JWKS has no \"keys\" array")
        }
        var keys: [JWK] = []
        var warnings: [String] = []
        for (index, entry) in entries.enumerated() {
            guard let object = entry.objectValue else {
                warnings.append("JWKS entry \(index) skipped: it is \(entry.typeDescription), not an object")
                continue
            }
            let label = object["kid"]?.stringValue.map { "\"\($0)\"" } ?? "without kid"
            do {
                keys.append(try JWK(members: object))
            } catch {
                warnings.append("JWKS entry \(index) (kid \(label)) skipped: \(error.reason)")
            }
        }
        self.init(keys: keys, warnings: warnings)
    }

    /// The keys carrying `kid`.
    public func keys(withID kid: String) -> [JWK] { keys.filter { $0.keyID?.isByteIdentical(to: kid) ?? false } }

    /// Whether some key of the set names the certificate whose `x5t#S256` is `thumbprint`
    /// (`x5c` or `x5t#S256`), whatever its `use`: how a revoked key set lists a certificate.
    public func namesCertificate(_ thumbprint: String) -> Bool {
        keys.contains { $0.certificateThumbprint?.isByteIdentical(to: thumbprint) ?? false }
    }

    /// Whether the set publishes the certificate whose `x5t#S256` is `thumbprint` for TLS: a key
    /// naming it (`x5c` or `x5t#S256`) whose `use`, when given, is `tls`. How Open Banking
    /// directories say which transport certificates belong to a software statement.
    public func publishesTransportCertificate(_ thumbprint: String) -> Bool {
        keys.contains { key in
            (key.use == nil || key.use!.isByteIdentical(to: "tls")) && (key.certificateThumbprint?.isByteIdentical(to: thumbprint) ?? false)
        }
    }
}
