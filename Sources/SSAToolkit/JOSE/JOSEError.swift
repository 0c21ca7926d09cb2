/// Why a compact JWS, a JWK or a JWKS was refused.
///
/// Compare errors by ``code``; the ``reason`` is for people and names the member, `kid` or
/// algorithm concerned.
public typealias JOSEError = CodedFailure<JOSEFailure>
