import Foundation
import X509

/// The authorization server's rules for registration requests (primer section 3): what it
/// supports, what each software role may ask for, and how strict it is about the request JWT.
public struct RegistrationRules: Sendable {
    /// The authorization server's issuer identifier: the request JWT's `aud` must name it.
    /// `nil` when not configured: a signed request JWT then cannot be checked and is undecided
    /// (never accepted); plain metadata needs no audience.
    public var audience: String?
    /// Supported `token_endpoint_auth_method`s (FAPI: no client secrets).
    public var tokenEndpointAuthMethods: Set<String> = ["tls_client_auth", "private_key_jwt"]
    /// Supported `grant_types`.
    public var grantTypes: Set<String> = ["authorization_code", "client_credentials", "refresh_token", "urn:openid:params:grant-type:ciba"]
    /// Supported `response_types`.
    public var responseTypes: Set<String> = ["code", "code id_token"]
    /// Algorithms allowed for the request JWT and for the client's own signing members.
    public var signingAlgorithms: AlgorithmPolicy = .openBankingDefault
    /// Scopes each software role permits (`openid` is always permitted).
    public var roleScopes: [String: [String]] = RegistrationRules.defaultRoleScopes
    /// Refuse plain JSON metadata: only a signed request JWT is accepted.
    public var requireSignedRequest = false
    /// Longest accepted `exp` - `iat` of a request JWT.
    public var maximumRequestLifetime: TimeInterval = 3600
    /// Clock skew allowed on the request's `iat` and `exp`.
    public var clockSkew: TimeInterval = 120
    /// The member state whose authorisations count (`nil`: any).
    public var memberState: String?
    /// The authorisation domain whose organisation status and authorisations count (`PSD2`,
    /// `Pay.UK`, `CD`): a multi-domain organisation has no top-level status in the directory.
    public var authorisationDomain = "PSD2"
    /// The caller's certificate must belong to the SSA's software: CN = `software_id`,
    /// OU = `org_id` and an agreeing `organizationIdentifier` (the Open Banking transport
    /// certificate profile; see ``ClientCertificateRule``). Without this binding
    /// anyone holding a copy of an SSA could register with a certificate of their own.
    public var bindsCertificateToSoftware = true

    /// AISP: accounts; PISP: payments; CBPII: fundsconfirmations.
    public static let defaultRoleScopes: [String: [String]] = TrustFramework.openBankingUKRoleScopes

    /// Rules for the authorization server `audience`.
    public init(audience: String?) { self.audience = audience }

    /// Scopes the roles permit, `openid` first.
    public func allowedScopes(for roles: [String]) -> [String] {
        Self.scopes(for: roles, in: roleScopes)
    }

    /// Scopes a client of `framework` may have, `openid` first: what its roles permit (Open
    /// Banking UK's configured `roleScopes`; another framework's own map), or the SSA's `scope`.
    func allowedScopes(for roles: [String], framework: TrustFramework, ssa: SoftwareStatementClaims) -> [String] {
        switch framework.scopes {
        case .roles(let map): return Self.scopes(for: roles, in: framework.name == .openBankingUK ? roleScopes : map)
        case .softwareStatementScope:
            var scopes = ["openid"]
            for scope in ssa.scopes ?? [] where !scopes.containsByteIdentical(scope) { scopes.append(scope) }
            return scopes
        }
    }

    /// Scopes `roles` permit under `map`, `openid` first.
    static func scopes(for roles: [String], in map: [String: [String]]) -> [String] {
        var scopes = ["openid"]
        for role in roles {
            for scope in map.first(where: { $0.key.isByteIdentical(to: role) })?.value ?? [] where !scopes.containsByteIdentical(scope) {
                scopes.append(scope)
            }
        }
        return scopes
    }

    /// Why `method` is not a `token_endpoint_auth_method` this server supports (compared byte
    /// for byte), or `nil`: the one rule registration and token time both apply.
    func authMethodProblem(_ method: String) -> RuleFailure? {
        guard tokenEndpointAuthMethods.containsByteIdentical(method) else {
            return RuleFailure("token_endpoint_auth_method \(method.quotedForReport()) is not supported (supported: \(tokenEndpointAuthMethods.sorted().joined(separator: ", ")))")
        }
        return nil
    }

    /// Why `grantType` is not a grant type this server supports (`grantTypes`, compared byte for
    /// byte), or `nil`: the one rule registration and token time both apply.
    func grantTypeProblem(_ grantType: String) -> RuleFailure? {
        guard grantTypes.containsByteIdentical(grantType) else {
            return RuleFailure("grant type \(grantType.quotedForReport()) is not supported (supported: \(grantTypes.sorted().joined(separator: ", ")))")
        }
        return nil
    }

    /// What the local rules produce: the checks, the first failure, and the client on success.
    struct Evaluation {
        var checks: [Check] = []
        var failure: (code: RegistrationErrorCode, description: String)?
        var client: ClientMetadata?
    }

    /// Evaluates the request's claims and metadata against `ssa` (already verified) and the
    /// caller's certificate. The request's signature is checked by the caller, before this.
    func evaluate(_ request: RegistrationRequest?, ssa: SoftwareStatementClaims, framework: TrustFramework = .openBankingUK,
                  clientCertificate certificateInput: Result<PresentedCertificate, RuleFailure>?, at now: Date) -> Evaluation {
        var evaluation = Evaluation()
        let metadataError = RegistrationErrorCode.invalidClientMetadata
        func record(_ name: Check.Name, _ code: RegistrationErrorCode, _ result: Result<String, RuleFailure>) {
            switch result {
            case .success(let detail):
                evaluation.checks.append(Check(name, detail.hasPrefix("skip: ") ? .skip : .pass, detail.hasPrefix("skip: ") ? String(detail.dropFirst(6)) : detail))
            case .failure(let failure):
                evaluation.checks.append(Check(name, .fail, failure.reason))
                if evaluation.failure == nil { evaluation.failure = (code, failure.reason) }
            }
        }
        let softwareID = ssa.softwareID ?? ""
        let roles = ssa.softwareRoles ?? []
        let allowedScopes = allowedScopes(for: roles, framework: framework, ssa: ssa)
        let scopeFromSSA = if case .softwareStatementScope = framework.scopes { true } else { false }
        let ssaRedirects = ssa.softwareRedirectURIs ?? []
        let names = ssa.names
        let presented = try? certificateInput?.get()
        let clientCertificate = presented?.certificate

        record(.clientCertificate, metadataError, {
            if case .failure(let failure)? = certificateInput { return .failure(failure) }
            guard let presented, let clientCertificate else {
                return bindsCertificateToSoftware
                    ? .failure(RuleFailure("no client certificate was given: the caller's certificate must belong to software \(softwareID) (clientCertificateBinding=software)"))
                    : .success("skip: no client certificate was given (clientCertificateBinding=none)")
            }
            // Chain, validity and (with clientCertificateBinding=software) the binding to the
            // software were checked by ClientCertificateRule, the rule token time applies too.
            let subject = clientCertificate.subject.description.escapedForTerminal(limit: 400)
            if bindsCertificateToSoftware, framework.certificateBinding == .holderOfKey {
                return .success("\(subject), issued under \(framework.name.rawValue)'s CA and bound to the client by holder-of-key (cnf.x5t#S256), valid until \(NumericDate.format(clientCertificate.notValidAfter)); \(presented.chain)")
            }
            if bindsCertificateToSoftware {
                return .success("\(subject) belongs to software \(softwareID) of organisation \(ssa.organisationID ?? "-"), valid until \(NumericDate.format(clientCertificate.notValidAfter)); \(presented.chain)")
            }
            return .success("\(subject), valid until \(NumericDate.format(clientCertificate.notValidAfter)); \(presented.chain)")
        }())

        guard let request else {
            for name in [Check.Name.requestClaims, .redirectURIs, .tokenEndpointAuthMethod, .subjectDN, .signingAlgorithms, .grantTypes, .responseTypes, .scope, .applicationType] {
                evaluation.checks.append(Check(name, .skip, "no registration request given: the SSA alone was evaluated"))
            }
            evaluation.client = ClientMetadata(
                clientID: ssa.softwareClientID ?? softwareID, clientName: ssa.softwareClientName, redirectURIs: ssaRedirects,
                scopes: allowedScopes, jwksURI: ssa.softwareJWKSEndpoint ?? ssa.organisationJWKSEndpoint,
                tokenEndpointAuthMethod: "tls_client_auth", tlsClientAuthSubjectDN: clientCertificate.map { ComparableDistinguishedName.registrationForm(of: $0.subject) }, grantTypes: ["authorization_code"],
                responseTypes: ["code"], algorithms: [:], softwareID: softwareID, organisationID: ssa.organisationID ?? "", roles: roles
            )
            if evaluation.failure != nil { evaluation.client = nil }
            return evaluation
        }

        record(.requestClaims, metadataError, requestClaims(request, softwareID: softwareID, now: now))

        record(.redirectURIs, .invalidRedirectURI, {
            guard let value = request.metadata["redirect_uris"] else { return .failure(RuleFailure("redirect_uris is required")) }
            guard let uris = value.stringArrayValue, !uris.isEmpty else { return .failure(RuleFailure("redirect_uris must be a non-empty list of strings")) }
            // Every entry, compared byte for byte: a look-alike (U+037E for ';') is not the SSA's URI.
            if let outside = uris.first(where: { !ssaRedirects.containsByteIdentical($0) }) {
                return .failure(RuleFailure("redirect URI \(outside.quotedForReport(limit: 200)) is not among the software statement's \(names.redirectURIs)"))
            }
            return .success("\(uris.count) of the software statement's \(ssaRedirects.count) redirect URIs")
        }())

        let method = request.tokenEndpointAuthMethod
        record(.tokenEndpointAuthMethod, metadataError, {
            guard let method else {
                return request.metadata["token_endpoint_auth_method"] == nil
                    ? .failure(RuleFailure("token_endpoint_auth_method is required (supported: \(tokenEndpointAuthMethods.sorted().joined(separator: ", ")))"))
                    : .failure(RuleFailure("token_endpoint_auth_method must be a string"))
            }
            if let problem = authMethodProblem(method) { return .failure(problem) }
            return .success(method)
        }())

        record(.clientKeys, metadataError, {
            // The client's keys come only from the SSA's software_jwks_endpoint: a jwks value in
            // the request would let the caller bring keys of its own.
            if request.metadata["jwks"] != nil {
                return .failure(RuleFailure("jwks is not accepted: the client's keys are the ones at the software statement's \(names.softwareJWKS)"))
            }
            let endpoint = ssa.softwareJWKSEndpoint ?? ssa.organisationJWKSEndpoint
            if let value = request.metadata["jwks_uri"] {
                guard let uri = value.stringValue, let endpoint, uri.isByteIdentical(to: endpoint) else {
                    return .failure(RuleFailure("jwks_uri \(value.stringValue?.quotedForReport(limit: 200) ?? value.typeDescription) is not the software statement's \(names.softwareJWKS) \(endpoint ?? "(none)")"))
                }
                return .success("jwks_uri is the software statement's \(names.softwareJWKS)")
            }
            return .success("keys from the software statement's \(ssa.softwareJWKSEndpoint != nil ? names.softwareJWKS : "org_jwks_endpoint")")
        }())

        record(.subjectDN, metadataError, {
            guard method == "tls_client_auth" else { return .success("skip: only tls_client_auth registers a subject DN") }
            guard let text = request.tlsClientAuthSubjectDN, !text.isEmpty else {
                return .failure(RuleFailure("tls_client_auth requires tls_client_auth_subject_dn"))
            }
            guard let clientCertificate else {
                return .failure(RuleFailure("tls_client_auth_subject_dn cannot be checked: no client certificate was given"))
            }
            if let problem = ClientCertificateRule.subjectDNProblem(text, certificate: clientCertificate) { return .failure(problem) }
            return .success("names the client certificate's subject \(clientCertificate.subject.description.escapedForTerminal(limit: 400)); the certificate's own DN is registered")
        }())

        record(.signingAlgorithms, metadataError, {
            var named: [String] = []
            for member in RegistrationRequest.algorithmMembers {
                guard let value = request.metadata[member] else { continue }
                guard let alg = value.stringValue, let parsed = JWSAlgorithm(rawValue: alg), signingAlgorithms.allowed.contains(parsed) else {
                    return .failure(RuleFailure("\(member) \(value.serialized().prefix(40)) is not on the allow-list (\(signingAlgorithms.listDescription))"))
                }
                named.append("\(member) \(alg)")
            }
            return .success(named.isEmpty ? "skip: none asked for" : named.joined(separator: ", "))
        }())

        record(.grantTypes, metadataError, {
            guard let value = request.metadata["grant_types"] else { return .success("skip: not given (authorization_code)") }
            guard let types = value.stringArrayValue, !types.isEmpty else { return .failure(RuleFailure("grant_types must be a non-empty list of strings")) }
            if let problem = types.lazy.compactMap({ grantTypeProblem($0) }).first { return .failure(problem) }
            return .success(types.joined(separator: " "))
        }())

        record(.responseTypes, metadataError, {
            guard let value = request.metadata["response_types"] else { return .success("skip: not given (code)") }
            guard let types = value.stringArrayValue, !types.isEmpty else { return .failure(RuleFailure("response_types must be a non-empty list of strings")) }
            if let bad = types.first(where: { !responseTypes.containsByteIdentical($0) }) { return .failure(RuleFailure("response type \(bad.quotedForReport()) is not supported")) }
            return .success(types.joined(separator: ", "))
        }())

        record(.scope, metadataError, {
            guard let value = request.metadata["scope"] else {
                return .success("skip: not given; granted what the \(scopeFromSSA ? "software statement's scope permits" : "roles permit") (\(allowedScopes.joined(separator: " ")))")
            }
            guard let scopes = request.scopes, !scopes.isEmpty else { return .failure(RuleFailure("scope must be a non-empty space-separated string, not \(value.typeDescription)")) }
            if let bad = scopes.first(where: { !allowedScopes.containsByteIdentical($0) }) {
                let by = scopeFromSSA ? "is not within the software statement's scope" : "is not permitted for roles \(roles.joined(separator: " "))"
                return .failure(RuleFailure("scope \(bad.quotedForReport()) \(by) (permitted: \(allowedScopes.joined(separator: " ")))"))
            }
            return .success("\(scopes.joined(separator: " ")) within \(scopeFromSSA ? "the software statement's scope" : "roles \(roles.joined(separator: " "))")")
        }())

        record(.applicationType, metadataError, {
            guard let value = request.metadata["application_type"] else { return .success("skip: not given (web)") }
            guard value.stringValue?.isByteIdentical(to: "web") == true else { return .failure(RuleFailure("application_type must be web, not \(value.serialized().prefix(40))")) }
            return .success("web")
        }())

        if evaluation.failure == nil, let method {
            var algorithms: [String: String] = [:]
            for member in RegistrationRequest.algorithmMembers { if let alg = request.metadata[member]?.stringValue { algorithms[member] = alg } }
            evaluation.client = ClientMetadata(
                clientID: ssa.softwareClientID ?? softwareID, clientName: request.metadata["client_name"]?.stringValue ?? ssa.softwareClientName,
                redirectURIs: request.redirectURIs ?? [], scopes: request.scopes ?? allowedScopes,
                jwksURI: ssa.softwareJWKSEndpoint ?? ssa.organisationJWKSEndpoint, tokenEndpointAuthMethod: method,
                tlsClientAuthSubjectDN: method == "tls_client_auth" ? clientCertificate.map { ComparableDistinguishedName.registrationForm(of: $0.subject) } : nil,
                grantTypes: request.grantTypes ?? ["authorization_code"], responseTypes: request.responseTypes ?? ["code"],
                algorithms: algorithms, softwareID: softwareID, organisationID: ssa.organisationID ?? "", roles: roles
            )
        }
        return evaluation
    }

    /// `iss`, `aud`, `iat`, `exp`, `jti` of a request JWT; skipped for plain metadata.
    /// Every NumericDate is range-checked before it is used; identifiers compare byte for byte.
    private func requestClaims(_ request: RegistrationRequest, softwareID: String, now: Date) -> Result<String, RuleFailure> {
        guard request.isSigned else { return .success("skip: plain JSON metadata carries no JWT claims") }
        let claims = request.metadata
        guard let iss = claims["iss"]?.stringValue else { return .failure(RuleFailure("the request JWT has no string iss")) }
        guard iss.isByteIdentical(to: softwareID) else { return .failure(RuleFailure("the request's iss \(iss.quotedForReport()) is not the software statement's software_id \(softwareID)")) }
        let audiences: [String]
        switch claims["aud"] {
        case .string(let one)?: audiences = [one]
        case .array?: audiences = claims["aud"]?.stringArrayValue ?? []
        default: return .failure(RuleFailure("the request JWT has no aud"))
        }
        // The audience is checked by the caller before this runs (undecided when unset).
        let audience = self.audience ?? ""
        guard audiences.containsByteIdentical(audience) else {
            return .failure(RuleFailure("the request's aud \(audiences.prefix(8).map { $0.quotedForReport(limit: 80) }.joined(separator: ", ")) does not name this authorization server (\(audience))"))
        }
        guard case .number(let iatValue)? = claims["iat"] else { return .failure(RuleFailure("the request JWT has no numeric iat")) }
        guard case .number(let expValue)? = claims["exp"] else { return .failure(RuleFailure("the request JWT has no numeric exp")) }
        guard let issued = NumericDate.date(iatValue) else { return .failure(RuleFailure("the request's iat \(NumericDate.problem(with: iatValue) ?? "is out of range")")) }
        guard let expires = NumericDate.date(expValue) else { return .failure(RuleFailure("the request's exp \(NumericDate.problem(with: expValue) ?? "is out of range")")) }
        guard issued.timeIntervalSince(now) <= clockSkew else { return .failure(RuleFailure("the request was issued in the future (iat \(NumericDate.format(issued)))")) }
        guard now.timeIntervalSince(expires) < clockSkew else { return .failure(RuleFailure("the request expired at \(NumericDate.format(expires))")) }
        let lifetime = expValue - iatValue
        guard lifetime >= 1, lifetime <= maximumRequestLifetime else {
            return .failure(RuleFailure("the request's lifetime (exp - iat = \(NumericDate.wholeSeconds(lifetime)) s) is not between 1 s and \(NumericDate.wholeSeconds(maximumRequestLifetime)) s"))
        }
        guard let jti = claims["jti"]?.stringValue, !jti.isEmpty else { return .failure(RuleFailure("the request JWT has no jti")) }
        guard jti.utf8.count <= 256 else { return .failure(RuleFailure("the request's jti is longer than 256 bytes")) }
        return .success("iss is the software_id, aud \(audience), expires \(NumericDate.format(expires)), jti present")
    }
}
