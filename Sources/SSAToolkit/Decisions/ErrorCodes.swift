// Every stable error code the toolkit reports, in one place: what a decision answers a TPP
// (RFC 7591 and RFC 6749 codes) and what each kind of lower-layer failure is called. Codes are
// compared, counted in metrics and matched by operators; their wording never changes, so they
// are declared together and reviewed together. Each kind has its own domain, so codes of
// different kinds never mix (an `ErrorCode<JOSEFailure>` is not an `ErrorCode<TransportFailure>`).

// MARK: - Domains

/// The kind of failure of ``JOSEError``.
public enum JOSEFailure: FailureDomain {}

/// The kind of failure of ``KeyStoreError``.
public enum KeyStoreFailure: FailureDomain {
    /// A key store error prints as its reason, which names the file and property.
    public static var printsCode: Bool { false }
}

/// The kind of failure of ``TransportError``.
public enum TransportFailure: FailureDomain {}

/// The kind of failure of ``RevocationError``.
public enum RevocationFailure: FailureDomain {}

/// The kind of failure of ``DirectoryError``.
public enum DirectoryFailure {}

// MARK: - What decisions answer

/// The RFC 7591 error codes (plus `temporarily_unavailable`) a registration can end with, and
/// the software statement verifier with it.
public typealias RegistrationErrorCode = ErrorCode<RegistrationErrorCodes>

/// The domain of ``RegistrationErrorCode``: the codes of a registration decision and of the
/// software statement's verification, which both answer a registration request.
public enum RegistrationErrorCodes {}

extension ErrorCode where Domain == RegistrationErrorCodes {
    /// Malformed, badly signed, expired or wrongly claimed software statement.
    public static let invalidSoftwareStatement = ErrorCode("invalid_software_statement")
    /// Well-formed, but not approved here: untrusted issuer, inactive organisation or software.
    public static let unapprovedSoftwareStatement = ErrorCode("unapproved_software_statement")
    /// A redirect URI that the software statement does not allow.
    public static let invalidRedirectURI = ErrorCode("invalid_redirect_uri")
    /// Registration metadata that breaks a rule.
    public static let invalidClientMetadata = ErrorCode("invalid_client_metadata")
    /// The directory could not be reached: neither accept nor reject.
    public static let temporarilyUnavailable = ErrorCode("temporarily_unavailable")
}

/// The errors a token decision can end with (RFC 6749 section 5.2, plus `temporarily_unavailable`).
public typealias TokenErrorCode = ErrorCode<TokenErrorCodes>

/// The domain of ``TokenErrorCode``.
public enum TokenErrorCodes {}

extension ErrorCode where Domain == TokenErrorCodes {
    /// The TPP may not have this token (revoked, lost its role, wrong certificate).
    public static let accessDenied = ErrorCode("access_denied")
    /// The grant itself is unusable (no intent for a resource grant, no user for `sub`).
    public static let invalidGrant = ErrorCode("invalid_grant")
    /// The client did not authenticate as its method requires (no certificate where one is
    /// required, or a method this server does not support): HTTP 401.
    public static let invalidClient = ErrorCode("invalid_client")
    /// The grant type is not on the allow-list: HTTP 400.
    public static let unsupportedGrantType = ErrorCode("unsupported_grant_type")
    /// No scope (or no well-formed scope) to grant: HTTP 400.
    public static let invalidScope = ErrorCode("invalid_scope")
    /// The directory or the audit log could not be used: neither allow nor deny.
    public static let temporarilyUnavailable = ErrorCode("temporarily_unavailable")
}

// MARK: - JOSE (``JOSEError``): compact JWS, JWK and JWKS

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

// MARK: - Key stores (``KeyStoreError``)

/// The codes of ``KeyStoreError``.
extension ErrorCode where Domain == KeyStoreFailure {
    /// The file is missing, unreadable or too large.
    public static let unreadable = ErrorCode("file_unreadable")
    /// The integrity check (MAC) or decryption failed: the password is wrong.
    public static let wrongPassword = ErrorCode("wrong_password")
    /// The key is encrypted and no password was given.
    public static let passwordRequired = ErrorCode("password_required")
    /// The file is not PKCS#12 (the reason says what it looks like).
    public static let notPKCS12 = ErrorCode("not_pkcs12")
    /// The file is not the PEM expected (the reason says what it looks like).
    public static let notPEM = ErrorCode("not_pem")
    /// The store holds no certificate.
    public static let noCertificate = ErrorCode("no_certificate")
    /// The store holds no private key where one is needed.
    public static let noPrivateKey = ErrorCode("no_private_key")
    /// The private key does not belong to the certificate.
    public static let keyMismatch = ErrorCode("key_mismatch")
    /// A key type or size this toolkit does not sign with.
    public static let unsupportedKey = ErrorCode("unsupported_key")
    /// The content is damaged.
    public static let malformed = ErrorCode("malformed")
}

// MARK: - Transport (``TransportError``)

/// The codes of ``TransportError``.
extension ErrorCode where Domain == TransportFailure {
    /// Not an https URL, or one curl cannot parse.
    public static let invalidURL = ErrorCode("invalid_url")
    /// No connection (TCP and TLS) within the connect timeout.
    public static let connectTimeout = ErrorCode("connect_timeout")
    /// The whole exchange took longer than the total timeout.
    public static let timeout = ErrorCode("timeout")
    /// The host could not be resolved or refused the connection.
    public static let connectionFailed = ErrorCode("connection_failed")
    /// The TLS handshake failed: untrusted server, hostname mismatch, refused client certificate.
    public static let tlsFailure = ErrorCode("tls_failure")
    /// The response body exceeded the configured limit.
    public static let responseTooLarge = ErrorCode("response_too_large")
    /// The server answered with a redirect, which is never followed.
    public static let redirectRefused = ErrorCode("redirect_refused")
    /// The server answered with an unexpected HTTP status.
    public static let httpStatus = ErrorCode("http_status")
    /// Any other transfer failure.
    public static let transferFailed = ErrorCode("transfer_failed")
}

// MARK: - Revocation (``RevocationError``)

/// The codes of ``RevocationError``.
extension ErrorCode where Domain == RevocationFailure {
    /// The certificate names no OCSP responder (Authority Information Access) or no CRL
    /// distribution point.
    public static let unpublished = ErrorCode("unpublished")
    /// The responder or distribution point could not be reached, or answered an HTTP error.
    public static let unreachable = ErrorCode("unreachable")
    /// The answer is not a DER OCSP response (or CRL), or not a successful one.
    public static let malformedResponse = ErrorCode("malformed_response")
    /// The signature does not verify with the issuer's key, or the signer is neither the issuer
    /// nor a responder the issuer authorised (`id-kp-OCSPSigning`).
    public static let badSignature = ErrorCode("bad_signature")
    /// The answer is not about this certificate, or echoes another request's nonce.
    public static let mismatch = ErrorCode("mismatch")
    /// Outside its validity: `thisUpdate` in the future or `nextUpdate` passed (with the skew).
    public static let stale = ErrorCode("stale")
}

// MARK: - The directory (``DirectoryError``)

/// The codes of ``DirectoryError``.
extension ErrorCode where Domain == DirectoryFailure {
    /// The HTTPS exchange failed; ``DirectoryError/transport`` has the detail.
    public static let transport = ErrorCode("transport")
    /// The directory answered with an OAuth error (`invalid_client`, ...).
    public static let oauthError = ErrorCode("oauth_error")
    /// The answer was not the JSON expected.
    public static let malformedResponse = ErrorCode("malformed_response")
    /// An identifier that may not be placed in a query.
    public static let invalidIdentifier = ErrorCode("invalid_identifier")
    /// The client assertion could not be signed.
    public static let assertionFailed = ErrorCode("assertion_failed")
    /// The directory has no such record.
    public static let notFound = ErrorCode("not_found")
}
