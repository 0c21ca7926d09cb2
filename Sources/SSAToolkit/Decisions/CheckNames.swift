// Every check name, in one place: reports, metrics, audit records and tests match on them, and
// a name means one rule (VocabularyTests keeps each declared once). The software statement's
// checks come first, then registration's, token time's, and those both decisions use.

// MARK: - The software statement (SoftwareStatementVerifier)

extension Check.Name {
    /// Compact JWS structure: parts, base64url, JSON, duplicate members, size.
    public static let format: Check.Name = "format"
    /// Header members: `crit`, `b64`, `cty`, `typ`.
    public static let header: Check.Name = "header"
    /// `alg` supported and on the allow-list.
    public static let algorithm: Check.Name = "algorithm"
    /// The key chosen from the JWKS fits the algorithm.
    public static let key: Check.Name = "key"
    /// The signature verifies.
    public static let signature: Check.Name = "signature"
    /// `iss` is the trusted directory.
    public static let issuer: Check.Name = "issuer"
    /// `iat` present and not in the future.
    public static let issuedAt: Check.Name = "issued_at"
    /// `exp`, when present, not passed.
    public static let expiry: Check.Name = "expiry"
    /// Not older than the configured maximum age.
    public static let age: Check.Name = "age"
    /// Required claims present and well-formed.
    public static let claims: Check.Name = "claims"
    /// `org_status` is Active.
    public static let orgStatus: Check.Name = "org_status"
    /// Competent authority claims, when present, are active and cover the roles.
    public static let competentAuthority: Check.Name = "competent_authority"
}

// MARK: - Registration (RegistrationDecider)

extension Check.Name {
    /// The registration request could be framed (JSON metadata or a compact JWS) and carries an SSA.
    public static let requestFormat: Check.Name = "request_format"
    /// The request JWT verifies with a key from the SSA's `software_jwks_endpoint`.
    public static let requestSignature: Check.Name = "request_signature"
    /// `iss`, `aud`, `iat`, `exp` and `jti` of the request JWT.
    public static let requestClaims: Check.Name = "request_claims"
    /// Every `redirect_uris` entry is in the SSA's `software_redirect_uris`.
    public static let redirectURIs: Check.Name = "redirect_uris"
    /// `token_endpoint_auth_method` is one the authorization server supports.
    public static let tokenEndpointAuthMethod: Check.Name = "token_endpoint_auth_method"
    /// The request asks for no keys of its own: no `jwks`, and a `jwks_uri` only when it is the
    /// SSA's `software_jwks_endpoint`.
    public static let clientKeys: Check.Name = "client_keys"
    /// The caller's TLS client certificate is given, chains to the trust store, is currently
    /// valid and (by default) belongs to the SSA's software.
    public static let clientCertificate: Check.Name = "client_certificate"
    /// The request JWT's `jti` has not been used before (per `iss`, for its lifetime).
    public static let requestReplay: Check.Name = "request_replay"
    /// `tls_client_auth_subject_dn` names the caller's certificate subject (compared as DNs).
    public static let subjectDN: Check.Name = "subject_dn"
    /// The signing algorithms asked for are on the allow-list.
    public static let signingAlgorithms: Check.Name = "signing_algorithms"
    /// `grant_types` are supported.
    public static let grantTypes: Check.Name = "grant_types"
    /// `response_types` are supported.
    public static let responseTypes: Check.Name = "response_types"
    /// `scope` is within what the SSA's roles permit.
    public static let scope: Check.Name = "scope"
    /// `application_type` is `web`.
    public static let applicationType: Check.Name = "application_type"
}

// MARK: - Token time (TokenDecider)

extension Check.Name {
    /// Scopes the TPP's current roles no longer permit are removed.
    public static let roles: Check.Name = "roles"
    /// A grant for resource scopes carries the consent's `openbanking_intent_id`.
    public static let intent: Check.Name = "intent"
    /// `sub` of the id_token per `subjectClaim`.
    public static let subject: Check.Name = "subject"
    /// The caller's certificate meets the one client certificate rule (``ClientCertificateRule``):
    /// chains to the trust store, valid now, the client's software and organisation, the
    /// registered DN for `tls_client_auth`; required unless `requireClientCertificate=false`.
    public static let certificate: Check.Name = "certificate"
    /// Which trusted directory answers for the client: the one `ssa_issuer` names, the only one,
    /// or `defaultTokenDirectory`; never a silent fallback.
    public static let directory: Check.Name = "directory"
    /// `grant_type` is one this server supports (`grantTypes`, the list registration uses).
    public static let grantType: Check.Name = "grant_type"
    /// Token lifetimes and whether a refresh token is issued.
    public static let lifetimes: Check.Name = "lifetimes"
}

// MARK: - Both decisions

extension Check.Name {
    /// The directory lists the software statement, active (at registration, and still at
    /// token time).
    public static let softwareActive: Check.Name = "software_active"
    /// The organisation is Active in the directory (for the configured authorisation
    /// domain) and, at registration, authorised for the SSA's roles.
    public static let organisation: Check.Name = "organisation"
    /// The decision's audit record was written (listed by token decisions).
    public static let audit: Check.Name = "audit"
    /// The caller's certificate is not revoked: its OCSP responder or CRL says `good`
    /// (``RevocationPolicy``; `revocationCheck`, `revocationFailure`, `revocationWhenUnpublished`).
    public static let certificateRevocation: Check.Name = "certificate_revocation"
    /// The caller's certificate is published in the software statement's key set
    /// (`software_jwks_endpoint`) and not in its revoked key set (`transportKeyBinding`).
    public static let transportKey: Check.Name = "transport_key"
}
