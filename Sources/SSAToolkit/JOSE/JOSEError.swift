/// Why a compact JWS, a JWK or a JWKS was refused.
///
/// Compare errors by ``code``; the ``reason`` is for people and names the member, `kid` or
/// algorithm concerned.
public struct JOSEError: Error, Hashable, CustomStringConvertible, Sendable {
    /// A stable error code. New codes may be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Backing: String, Hashable, Sendable {
            case malformedToken = "malformed_token"
            case tokenTooLarge = "token_too_large"
            case unsupportedHeader = "unsupported_header"
            case unsupportedAlgorithm = "unsupported_algorithm"
            case algorithmNotAllowed = "algorithm_not_allowed"
            case keyNotFound = "key_not_found"
            case ambiguousKey = "ambiguous_key"
            case keyMismatch = "key_mismatch"
            case weakKey = "weak_key"
            case invalidSignature = "invalid_signature"
            case malformedJWK = "malformed_jwk"
            case malformedJWKS = "malformed_jwks"
            case signingFailed = "signing_failed"
        }
        fileprivate var backing: Backing

        /// Not a compact JWS: part count, base64url, JSON, duplicate members, types of members.
        public static let malformedToken = Code(backing: .malformedToken)
        /// Larger than the configured bound.
        public static let tokenTooLarge = Code(backing: .tokenTooLarge)
        /// A header member this verifier refuses: `crit`, `b64: false`, `cty: JWT`, a wrong `typ`.
        public static let unsupportedHeader = Code(backing: .unsupportedHeader)
        /// `none`, an HMAC algorithm, or an algorithm this toolkit does not implement.
        public static let unsupportedAlgorithm = Code(backing: .unsupportedAlgorithm)
        /// A supported algorithm that is not on the configured allow-list.
        public static let algorithmNotAllowed = Code(backing: .algorithmNotAllowed)
        /// No key in the JWKS has the token's `kid` (or, without a `kid`, none fits).
        public static let keyNotFound = Code(backing: .keyNotFound)
        /// Without a `kid`, more than one key fits, so none is chosen.
        public static let ambiguousKey = Code(backing: .ambiguousKey)
        /// The key does not fit the algorithm: type, curve, the JWK's own `alg` or `use`.
        public static let keyMismatch = Code(backing: .keyMismatch)
        /// An RSA key smaller than 2048 bits.
        public static let weakKey = Code(backing: .weakKey)
        /// The signature does not verify with the selected key.
        public static let invalidSignature = Code(backing: .invalidSignature)
        /// A JWK that cannot be used (missing or malformed members, unsupported `kty`).
        public static let malformedJWK = Code(backing: .malformedJWK)
        /// A JWKS document that is not a JSON object with a `keys` array.
        public static let malformedJWKS = Code(backing: .malformedJWKS)
        /// Signing failed (a key that cannot sign with the requested algorithm).
        public static let signingFailed = Code(backing: .signingFailed)

        public var description: String { backing.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// A sentence for a person, naming what is wrong.
    public var reason: String

    /// Creates an error with a code and a reason.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code): \(reason)" }

    public static func == (lhs: JOSEError, rhs: JOSEError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
