import Foundation

/// One token request as the authorization server sees it when it is about to issue tokens: the
/// client as registration stored it, the grant, and (optionally) the caller's TLS certificate.
///
/// Built from the server's own state, not from what the TPP posted; still, every member is
/// checked as if hostile (identifiers validated, sizes bounded, unknown JSON members refused).
public struct TokenRequest: Sendable {
    /// The OAuth client id.
    public var clientID: String
    /// The `iss` of the client's SSA, stored at registration: which trusted directory to ask.
    /// `nil` means the first configured one (clients registered while one directory was trusted).
    public var ssaIssuer: String?
    /// The software statement id stored at registration.
    public var softwareID: String
    /// The organisation id stored at registration.
    public var organisationID: String
    /// The client's `token_endpoint_auth_method`.
    public var tokenEndpointAuthMethod: String?
    /// The registered `tls_client_auth_subject_dn`, for `tls_client_auth` clients.
    public var registeredSubjectDN: String?
    /// `authorization_code`, `refresh_token`, `client_credentials`, CIBA, ...
    public var grantType: String
    /// The scopes the server is about to grant.
    public var scopes: [String]
    /// The authenticated user's id (absent for `client_credentials`).
    public var userID: String?
    /// The authentication context class reference.
    public var acr: String?
    /// The authorization request's `claims` parameter (or request object claims).
    public var claims: [String: JSONValue]?
    /// The caller's TLS client certificate, PEM.
    public var clientCertificatePEM: String?
    /// The SSA's `software_jwks_endpoint`, stored at registration (the client's `jwks_uri`):
    /// where the certificate must be published (`transportKeyBinding=directory`).
    public var softwareJWKSEndpoint: String?
    /// The SSA's `software_jwks_revoked_endpoint`, stored at registration, when it named one.
    public var softwareJWKSRevokedEndpoint: String?
    /// The SSA's `legal_entity_id` (the CDR: the Register keeps the data recipient's status per
    /// legal entity), stored at registration.
    public var legalEntityID: String?
    /// The SSA's `scope` (the CDR: the scopes the Register granted the software product),
    /// stored at registration; token time grants nothing outside it.
    public var softwareStatementScopes: [String]?
    /// Which checks the answer explains (not a member of the call: the service sets it from the
    /// `Prefer` header); ``CheckDetails/all`` unless set.
    public var checkDetails: CheckDetails = .all

    /// A request from its parts.
    public init(clientID: String, softwareID: String, organisationID: String, tokenEndpointAuthMethod: String? = nil, registeredSubjectDN: String? = nil,
                grantType: String, scopes: [String], userID: String? = nil, acr: String? = nil, claims: [String: JSONValue]? = nil, clientCertificatePEM: String? = nil,
                ssaIssuer: String? = nil, softwareJWKSEndpoint: String? = nil, softwareJWKSRevokedEndpoint: String? = nil,
                legalEntityID: String? = nil, softwareStatementScopes: [String]? = nil) {
        self.legalEntityID = legalEntityID
        self.softwareStatementScopes = softwareStatementScopes
        self.softwareJWKSEndpoint = softwareJWKSEndpoint
        self.softwareJWKSRevokedEndpoint = softwareJWKSRevokedEndpoint
        self.clientID = clientID
        self.ssaIssuer = ssaIssuer
        self.softwareID = softwareID
        self.organisationID = organisationID
        self.tokenEndpointAuthMethod = tokenEndpointAuthMethod
        self.registeredSubjectDN = registeredSubjectDN
        self.grantType = grantType
        self.scopes = scopes
        self.userID = userID
        self.acr = acr
        self.claims = claims
        self.clientCertificatePEM = clientCertificatePEM
    }

    /// Whether the grant refreshes an earlier one.
    public var isRefresh: Bool { grantType.isByteIdentical(to: "refresh_token") }

    /// The `token_endpoint_auth_method` values a call may carry, spelt exactly so: anything
    /// else (`TLS_Client_Auth`, `client_secret_basic`) is a malformed call.
    public static let knownAuthMethods: [String] = ["tls_client_auth", "private_key_jwt", "self_signed_tls_client_auth"]

    /// Whether the client authenticates with its TLS certificate (`tls_client_auth` or
    /// `self_signed_tls_client_auth`): such a client always presents one.
    public var authenticatesWithCertificate: Bool {
        guard let method = tokenEndpointAuthMethod else { return false }
        return method.isByteIdentical(to: "tls_client_auth") || method.isByteIdentical(to: "self_signed_tls_client_auth")
    }

    /// The JSON members of a token decision call (`POST /v1/token-decisions`, `token-decide`).
    public static let members: [String] = Member.allCases.map(\.name)

    /// Reads a call: `client_id`, `software_id`, `org_id`, `grant_type` and `scope` (a
    /// space-separated string or a list) required; `token_endpoint_auth_method`,
    /// `tls_client_auth_subject_dn`, `user_id`, `acr`, `claims` (an object), `client_certificate`
    /// (PEM), `ssa_issuer` (the `iss` of the client's SSA), `software_jwks_endpoint` and
    /// `software_jwks_revoked_endpoint` (the SSA's, stored at registration), `legal_entity_id` and
    /// `ssa_scope` (the CDR SSA's) optional. Unknown members are refused, so a misspelt member
    /// cannot silently skip a check.
    public init(json object: [String: JSONValue]) throws(TokenRequestError) {
        // Sorted only when there is one to name, so the report is the same whatever the order.
        if object.keys.contains(where: { !Self.members.containsByteIdentical($0) }),
           let unknown = object.keys.sorted().first(where: { !Self.members.containsByteIdentical($0) }) {
            throw TokenRequestError("unknown member \(unknown.quotedForReport()) (expected \(Self.members.joined(separator: ", ")))")
        }
        try self.init(values: Self.members.map { object[$0] })
    }

    /// The members by position in ``members`` (the same order), so a value is read without
    /// looking its name up.
    private enum Member: Int, CaseIterable {
        case clientID, softwareID, organisationID, tokenEndpointAuthMethod, registeredSubjectDN, grantType, scope
        case userID, acr, claims, clientCertificate, ssaIssuer, softwareJWKSEndpoint, softwareJWKSRevokedEndpoint
        case legalEntityID, ssaScope
        /// The JSON member's name.
        var name: String {
            switch self {
            case .clientID: "client_id"
            case .softwareID: "software_id"
            case .organisationID: "org_id"
            case .tokenEndpointAuthMethod: "token_endpoint_auth_method"
            case .registeredSubjectDN: "tls_client_auth_subject_dn"
            case .grantType: "grant_type"
            case .scope: "scope"
            case .userID: "user_id"
            case .acr: "acr"
            case .claims: "claims"
            case .clientCertificate: "client_certificate"
            case .ssaIssuer: "ssa_issuer"
            case .softwareJWKSEndpoint: "software_jwks_endpoint"
            case .softwareJWKSRevokedEndpoint: "software_jwks_revoked_endpoint"
            case .legalEntityID: "legal_entity_id"
            case .ssaScope: "ssa_scope"
            }
        }
    }

    /// ``members`` for ``StrictJSONParser/parseObject(_:knownNames:)``.
    public static let memberNames = KnownMemberNames(members)

    /// Reads a call's JSON text: the usual one (known members, each once, names without
    /// escapes) in one pass without a dictionary; anything else through
    /// ``StrictJSONParser/parseObject(_:)`` and ``init(json:)``, so every malformed call is
    /// refused with the same error either way. `parser` sets the bounds.
    ///
    /// - Throws: `JSONParseError` when the text is not a JSON object, `TokenRequestError` when
    ///   the object is not a token request.
    public static func read(_ bytes: [UInt8], parser: StrictJSONParser) throws -> TokenRequest {
        if let values = parser.parseObject(bytes, knownNames: memberNames) { return try TokenRequest(values: values) }
        return try TokenRequest(json: parser.parseObject(bytes))
    }

    /// Reads the values of ``members``, by position (`nil`: absent).
    init(values: [JSONValue?]) throws(TokenRequestError) {
        precondition(values.count == Self.members.count, "one value per member")
        func value(_ member: Member) -> JSONValue? { values[member.rawValue] }
        func string(_ member: Member, required: Bool, limit: Int = 256) throws(TokenRequestError) -> String? {
            let name = member.name
            switch value(member) {
            case nil, .null?:
                if required { throw TokenRequestError("\(name) is required") }
                return nil
            case .string(let text)?:
                guard text.utf8.count <= limit else { throw TokenRequestError("\(name) is longer than \(limit) bytes") }
                return text
            case let other?: throw TokenRequestError("\(name) must be a string, not \(other.typeDescription)")
            }
        }
        func identifier(_ member: Member) throws(TokenRequestError) -> String {
            let value = try string(member, required: true) ?? ""
            if let problem = Identifier.problem(with: value) { throw TokenRequestError("\(member.name) \(problem)") }
            return value
        }
        clientID = try string(.clientID, required: true) ?? ""
        guard !clientID.isEmpty else { throw TokenRequestError("client_id is empty") }
        softwareID = try identifier(.softwareID)
        organisationID = try identifier(.organisationID)
        tokenEndpointAuthMethod = try string(.tokenEndpointAuthMethod, required: false, limit: 64)
        if let method = tokenEndpointAuthMethod, !Self.knownAuthMethods.containsByteIdentical(method) {
            throw TokenRequestError("token_endpoint_auth_method \(method.quotedForReport()) is not one of \(Self.knownAuthMethods.joined(separator: ", ")) (compared exactly)")
        }
        registeredSubjectDN = try string(.registeredSubjectDN, required: false, limit: 4096)
        grantType = try string(.grantType, required: true) ?? ""
        switch value(.scope) {
        case .string(let text)?:
            do throws(ScopeSyntax.Problem) { scopes = try ScopeSyntax.split(text) } catch {
                throw TokenRequestError("scope \(error.description)")
            }
        case .array(let items)?:
            guard let list = value(.scope)?.stringArrayValue else { throw TokenRequestError("scope must be a string or a list of strings") }
            for (index, entry) in list.enumerated() {
                if let problem = ScopeSyntax.problem(with: entry) { throw TokenRequestError("scope entry \(index) \(problem.description)") }
            }
            scopes = list
            _ = items
        case nil, .null?: throw TokenRequestError("scope is required (the scopes about to be granted)")
        case let other?: throw TokenRequestError("scope must be a string or a list of strings, not \(other.typeDescription)")
        }
        guard scopes.count <= 64, scopes.allSatisfy({ $0.utf8.count <= 128 }) else {
            throw TokenRequestError("scope has more than 64 entries or an entry longer than 128 bytes")
        }
        userID = try string(.userID, required: false)
        acr = try string(.acr, required: false)
        switch value(.claims) {
        case nil, .null?: claims = nil
        case .object(let members)?: claims = members
        case let other?: throw TokenRequestError("claims must be an object, not \(other.typeDescription)")
        }
        clientCertificatePEM = try string(.clientCertificate, required: false, limit: 64 * 1024)
        ssaIssuer = try string(.ssaIssuer, required: false, limit: 1024)
        softwareJWKSEndpoint = try string(.softwareJWKSEndpoint, required: false, limit: 2048)
        softwareJWKSRevokedEndpoint = try string(.softwareJWKSRevokedEndpoint, required: false, limit: 2048)
        legalEntityID = try string(.legalEntityID, required: false)
        if let legalEntityID, let problem = Identifier.problem(with: legalEntityID) { throw TokenRequestError("legal_entity_id \(problem)") }
        if let text = try string(.ssaScope, required: false, limit: 4096) {
            do throws(ScopeSyntax.Problem) { softwareStatementScopes = try ScopeSyntax.split(text) } catch {
                throw TokenRequestError("ssa_scope \(error.description)")
            }
        }
    }

    /// `openbanking_intent_id` from the `claims` parameter: `id_token` first, then `userinfo`,
    /// each as `{"value": ...}` (an `essential` request without a value carries no intent).
    public var requestedIntentID: JSONValue? {
        for member in ["id_token", "userinfo"] {
            if let value = claims?[member]?.objectValue?["openbanking_intent_id"]?.objectValue?["value"] { return value }
        }
        return nil
    }
}

/// A token decision call that cannot be read.
public struct TokenRequestError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var reason: String
    /// An error.
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
