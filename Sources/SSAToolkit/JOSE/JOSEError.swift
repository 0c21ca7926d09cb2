/// Why a compact JWS, a JWK or a JWKS was refused.
///
/// Compare errors by ``code``; the ``reason`` is for people and names the member, `kid` or
/// algorithm concerned.
public typealias JOSEError = CodedFailure<JOSEFailure>

/// The kind of failure of ``JOSEError``.
public enum JOSEFailure: FailureDomain {}

/// The codes of ``JOSEError``.
extension ErrorCode where Domain == JOSEFailure {
    /// Not a compact JWS: part count, base64url, JSON, duplicate members, types of members.
    public static let malformedToken = ErrorCode("malformed_token")
    /// Larger than the configured bound.
    public static let tokenTooLarge = ErrorCode("token_too_large")
    /// A header member this verifier refuses: `crit`, `b64: false`, `cty: JWT`, a wrong `typ`.
    public static let unsupportedHeader = ErrorCode("unsupported_header")
    /// `none`, an HMAC algorithm, or an algorithm this toolkit does not implement.
    public static let unsupportedAlgorithm = ErrorCode("unsupported_algorithm")
    /// A supported algorithm that is not on the configured allow-list.
    public static let algorithmNotAllowed = ErrorCode("algorithm_not_allowed")
    /// No key in the JWKS has the token's `kid` (or, without a `kid`, none fits).
    public static let keyNotFound = ErrorCode("key_not_found")
    /// Without a `kid`, more than one key fits, so none is chosen.
    public static let ambiguousKey = ErrorCode("ambiguous_key")
    /// The key does not fit the algorithm: type, curve, the JWK's own `alg` or `use`.
    public static let keyMismatch = ErrorCode("key_mismatch")
    /// An RSA key smaller than 2048 bits.
    public static let weakKey = ErrorCode("weak_key")
    /// The signature does not verify with the selected key.
    public static let invalidSignature = ErrorCode("invalid_signature")
    /// A JWK that cannot be used (missing or malformed members, unsupported `kty`).
    public static let malformedJWK = ErrorCode("malformed_jwk")
    /// A JWKS document that is not a JSON object with a `keys` array.
    public static let malformedJWKS = ErrorCode("malformed_jwks")
    /// Signing failed (a key that cannot sign with the requested algorithm).
    public static let signingFailed = ErrorCode("signing_failed")
}
