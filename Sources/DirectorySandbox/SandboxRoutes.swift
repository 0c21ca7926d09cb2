import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOSSL
import SSAToolkit
import Synchronization
import X509

/// A request context that keeps the channel, to read the client certificate of the TLS session.
struct SandboxContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// The sandbox's endpoints.
final class SandboxRoutes: Sendable {
    let state: SandboxState
    private let directoryJWKS: [UInt8]
    private let revocation: SandboxRevocation
    private let frameworks: SandboxFrameworks
    private let logger: Logger
    private let baseURL = Mutex<URL?>(nil)
    /// Lifetime of issued access tokens.
    static let tokenLifetime: TimeInterval = 300

    init(state: SandboxState, directoryJWKS: [UInt8], revocation: SandboxRevocation, frameworks: SandboxFrameworks, logger: Logger) {
        self.frameworks = frameworks
        self.state = state
        self.directoryJWKS = directoryJWKS
        self.revocation = revocation
        self.logger = logger
    }

    func setBaseURL(_ url: URL) { baseURL.withLock { $0 = url } }

    /// The running sandbox, for the admin routes that issue as the directory does (held weakly:
    /// the sandbox owns the server that owns these routes).
    struct Owner: Sendable { weak var sandbox: DirectorySandbox? }
    let owner = Mutex(Owner())
    func setOwner(_ sandbox: DirectorySandbox) { owner.withLock { $0.sandbox = sandbox } }

    func router() -> Router<SandboxContext> {
        let router = Router(context: SandboxContext.self)
        frameworks.addRoutes(to: router)
        router.get("jwks") { _, _ in
            self.state.count("/jwks")
            return Self.json(.ok, bytes: self.directoryJWKS, cacheControl: "max-age=300")
        }
        router.post("token") { request, context in
            self.state.count("/token")
            return await self.token(request, context)
        }
        router.get("software/:software/jwks") { _, context in
            self.state.count("/software-jwks")
            let id = context.parameters.get("software") ?? ""
            guard SandboxRecords.organisation(owning: id) != nil || SandboxFrameworks.knows(software: id) else {
                return Self.json(.notFound, ["error": "not_found"])
            }
            return Self.json(.ok, bytes: self.revocation.softwareJWKS, cacheControl: "max-age=300")
        }
        router.get("software/:software/revoked-jwks") { _, context in
            self.state.count("/software-revoked-jwks")
            let id = context.parameters.get("software") ?? ""
            guard SandboxRecords.organisation(owning: id) != nil || SandboxFrameworks.knows(software: id) else {
                return Self.json(.notFound, ["error": "not_found"])
            }
            return Self.json(.ok, bytes: self.revocation.revokedJWKS, cacheControl: "max-age=300")
        }
        router.get("scim/v2/OBThirdPartyProviders") { request, _ in
            self.state.count("/scim")
            await self.holdSCIMAnswer()
            return self.query(request)
        }
        router.get("scim/v2/OBThirdPartyProviders/:organisation") { request, context in
            self.state.count("/scim")
            await self.holdSCIMAnswer()
            return self.organisation(request, id: context.parameters.get("organisation") ?? "")
        }
        // Sandbox only: change the directory while it runs, so a TPP can be revoked after it
        // registered (every caller already presented a certificate of the fixture PKI).
        router.post("admin/software/:software") { request, context in
            self.state.count("/admin")
            return await self.adminSoftware(request, id: context.parameters.get("software") ?? "")
        }
        // Sandbox only: issue as the directory and its CA do, for callers in another process.
        router.post("admin/software-statements") { request, _ in await self.adminSoftwareStatement(request) }
        router.post("admin/certificates") { request, _ in await self.adminCertificate(request) }
        router.post("admin/ocsp") { request, _ in
            self.state.count("/admin")
            guard let object = await self.adminBody(request), object.count == 1, let stale = object["stale"]?.boolValue else {
                return Self.json(.badRequest, ["error": "give stale (a Boolean)"])
            }
            self.revocation.authority.answerStale(stale)
            return Self.json(.ok, ["stale": .bool(stale)])
        }
        // Sandbox only: revoke a certificate the sandbox issued, by its serial (hexadecimal).
        router.post("admin/certificates/revoke") { request, _ in
            self.state.count("/admin")
            guard let object = await self.adminBody(request), object.count == 1, let text = object["serial"]?.stringValue,
                  let serial = UInt64(text.hasPrefix("0x") ? String(text.dropFirst(2)) : text, radix: 16) else {
                return Self.json(.badRequest, ["error": "give serial (the certificate's serial number in hexadecimal)"])
            }
            guard self.revocation.authority.revoke(serial) else { return Self.json(.notFound, ["error": .string("the sandbox issued no certificate with serial \(text)")]) }
            return Self.json(.ok, ["serial": .string(String(serial, radix: 16)), "revoked": true])
        }
        router.get("admin/counts") { _, _ in
            Self.json(.ok, .object(self.state.counts().mapValues { .number(Double($0)) }))
        }
        router.post("admin/organisations/:organisation") { request, context in
            self.state.count("/admin")
            return await self.adminOrganisation(request, id: context.parameters.get("organisation") ?? "")
        }
        return router
    }

    // MARK: - Token endpoint

    private func holdSCIMAnswer() async {
        let delay = state.scimAnswerDelay
        if delay > .zero { try? await Task.sleep(for: delay) }
    }

    private func oauthError(_ status: HTTPResponse.Status, _ error: String, _ description: String) -> Response {
        state.count("/token refused")
        logger.debug("sandbox token request refused: \(error): \(description)")
        return Self.json(status, ["error": .string(error), "error_description": .string(description)])
    }

    private func token(_ request: Request, _ context: SandboxContext) async -> Response {
        guard let body = try? await request.body.collect(upTo: 64 * 1024) else {
            return oauthError(.badRequest, "invalid_request", "the body is missing or larger than 64 KiB")
        }
        let form = Self.parseForm(String(buffer: body))
        guard form["grant_type"] == "client_credentials" else {
            return oauthError(.badRequest, "unsupported_grant_type", "grant_type must be client_credentials")
        }
        guard form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", let assertion = form["client_assertion"] else {
            return oauthError(.badRequest, "invalid_client", "a private_key_jwt client assertion is required")
        }
        guard let clientID = form["client_id"], !clientID.isEmpty else {
            return oauthError(.badRequest, "invalid_request", "client_id is required")
        }
        // The TLS client certificate must belong to the client.
        let certificate = try? await context.channel.nioSSL_peerCertificate().get()
        guard let certificate else { return oauthError(.unauthorized, "invalid_client", "no client certificate was presented") }
        let parsed = try? Certificate(derEncoded: certificate.toDERBytes())
        guard parsed?.subject.commonName == clientID, let parsed else {
            return oauthError(.unauthorized, "invalid_client", "the client certificate does not belong to client \(clientID)")
        }
        // Which certificate the client used (tests of a renewed transport store).
        state.count("/token certificate \(parsed.serialNumber)")
        let jws: CompactJWS
        do {
            jws = try CompactJWS(parsing: assertion)
            try JWSVerifier(algorithms: AlgorithmPolicy(allowed: [.PS256, .RS256, .ES256])).verify(jws, using: state.registeredKeys)
        } catch {
            return oauthError(.unauthorized, "invalid_client", "the client assertion does not verify: \(error.reason)")
        }
        let claims = jws.payload
        guard claims["iss"]?.stringValue == clientID, claims["sub"]?.stringValue == clientID else {
            return oauthError(.unauthorized, "invalid_client", "iss and sub must both be the client_id")
        }
        let tokenURL = baseURL.withLock { $0 }?.appendingPathComponent("token").absoluteString ?? ""
        let audiences = claims["aud"]?.stringValue.map { [$0] } ?? claims["aud"]?.stringArrayValue ?? []
        guard audiences.contains(where: { $0 == tokenURL || $0 == tokenURL.replacingOccurrences(of: "127.0.0.1", with: "localhost") }) else {
            return oauthError(.unauthorized, "invalid_client", "aud must be the token endpoint \(tokenURL)")
        }
        let now = Date().timeIntervalSince1970
        guard let exp = claims["exp"]?.numberValue, exp > now, exp - now <= 3600 else {
            return oauthError(.unauthorized, "invalid_client", "exp must be in the future and within an hour")
        }
        guard let jti = claims["jti"]?.stringValue, !jti.isEmpty else {
            return oauthError(.unauthorized, "invalid_client", "jti is required")
        }
        guard state.firstUse(ofJTI: jti) else {
            return oauthError(.unauthorized, "invalid_client", "the client assertion was already used (jti replay)")
        }
        let token = state.issueToken(lifetime: Self.tokenLifetime)
        return Self.json(.ok, [
            "access_token": .string(token), "token_type": "Bearer", "expires_in": .number(Self.tokenLifetime),
            "scope": .string(form["scope"] ?? ""),
        ])
    }

    // MARK: - SCIM

    private func authorised(_ request: Request) -> Bool {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { return false }
        return state.isValid(token: String(header.dropFirst(7)))
    }

    private static let filterPrefix = "urn:openbanking:softwarestatement:1.0:SoftwareStatements[Id eq \""
    private static let filterSuffix = "\" and Active eq true]"

    /// The software statement id in the one filter the sandbox understands, bare
    /// (`urn:...:SoftwareStatements[Id eq "X" and Active eq true]`) or parenthesised with spaces
    /// around it, as Janssen's reference script sends it; `nil` for any other filter.
    static func softwareID(inFilter filter: String) -> String? {
        var text = filter.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("("), text.hasSuffix(")") {
            text = String(text.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
        }
        guard text.hasPrefix(filterPrefix), text.hasSuffix(filterSuffix), text.count > filterPrefix.count + filterSuffix.count else { return nil }
        return String(text.dropFirst(filterPrefix.count).dropLast(filterSuffix.count))
    }

    /// The query string's parameters, decoded as forms are (`+` and `%20` are both a space).
    static func queryParameters(_ request: Request) -> [String: String] {
        parseForm(request.uri.query ?? "")
    }

    private func query(_ request: Request) -> Response {
        guard authorised(request) else { return Self.scimError(.unauthorized, "a valid bearer token is required") }
        let parameters = Self.queryParameters(request)
        guard let filter = parameters["filter"], let id = Self.softwareID(inFilter: filter) else {
            return Self.scimError(.badRequest, "unsupported filter", scimType: "invalidFilter")
        }
        guard Identifier.problem(with: id) == nil else {
            return Self.scimError(.badRequest, "invalid identifier in filter", scimType: "invalidFilter")
        }
        let matches = SandboxRecords.organisationsWithActiveSoftware(id, in: state.organisations())
        let onlyTotal = parameters["attributes"] == "totalResults"
        let resources: [JSONValue] = matches.map { organisation in
            onlyTotal ? ["id": .string(organisation.id)] : organisation.scim(location: self.location(of: organisation.id))
        }
        return Self.scim(.ok, [
            "schemas": [.string(TPPDirectoryClient.Schema.listResponse.rawValue)],
            "totalResults": .number(Double(matches.count)),
            "startIndex": 1,
            "itemsPerPage": .number(Double(matches.count)),
            "Resources": .array(resources),
        ])
    }

    private func organisation(_ request: Request, id: String) -> Response {
        guard authorised(request) else { return Self.scimError(.unauthorized, "a valid bearer token is required") }
        guard let organisation = state.organisations().first(where: { $0.id == id }) else {
            return Self.scimError(.notFound, "no organisation \(id)")
        }
        return Self.scim(.ok, organisation.scim(location: location(of: id)))
    }

    func adminBody(_ request: Request) async -> [String: JSONValue]? { await Self.adminBody(request) }

    /// An admin route's body: a JSON object of at most 16 KiB, else `nil`.
    static func adminBody(_ request: Request) async -> [String: JSONValue]? {
        guard let body = try? await request.body.collect(upTo: 16 * 1024) else { return nil }
        return try? StrictJSONParser(maximumDepth: 8).parseObject(Array(buffer: body))
    }

    private func adminSoftware(_ request: Request, id: String) async -> Response {
        guard let object = await adminBody(request) else { return Self.json(.badRequest, ["error": "the body must be a JSON object"]) }
        let active = object["active"]?.boolValue
        let roles = object["roles"]?.stringArrayValue
        guard object.keys.allSatisfy({ $0 == "active" || $0 == "roles" }), active != nil || roles != nil,
              object["active"] == nil || active != nil, object["roles"] == nil || roles != nil else {
            return Self.json(.badRequest, ["error": "give active (a Boolean) and/or roles (a list of strings)"])
        }
        guard let software = state.updateSoftware(id, active: active, roles: roles) else {
            return Self.json(.notFound, ["error": .string("no software statement \(id)")])
        }
        return Self.json(.ok, ["Id": .string(software.id), "Active": .bool(software.active), "Roles": .array(software.roles.map { .string($0) })])
    }

    private func adminOrganisation(_ request: Request, id: String) async -> Response {
        guard let object = await adminBody(request), object.count == 1, let status = object["status"]?.stringValue else {
            return Self.json(.badRequest, ["error": "give status (a string)"])
        }
        guard let organisation = state.updateOrganisation(id, status: status) else {
            return Self.json(.notFound, ["error": .string("no organisation \(id)")])
        }
        return Self.json(.ok, organisation.scim(location: location(of: id)))
    }

    private func location(of id: String) -> String {
        (baseURL.withLock { $0 }?.absoluteString ?? "") + "/scim/v2/OBThirdPartyProviders/" + id
    }

    // MARK: - Helpers

    static func json(_ status: HTTPResponse.Status, _ value: JSONValue) -> Response {
        json(status, bytes: Array(value.serialized().utf8))
    }

    static func json(_ status: HTTPResponse.Status, bytes: [UInt8], cacheControl: String? = nil) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let cacheControl { headers[.cacheControl] = cacheControl }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// A SCIM answer: `application/scim+json`.
    static func scim(_ status: HTTPResponse.Status, _ value: JSONValue) -> Response {
        Response(status: status, headers: [.contentType: "application/scim+json"], body: .init(byteBuffer: ByteBuffer(bytes: Array(value.serialized().utf8))))
    }

    /// A SCIM error (RFC 7644 section 3.12): `schemas`, `status` as a string, `scimType`, `detail`.
    static func scimError(_ status: HTTPResponse.Status, _ detail: String, scimType: String? = nil) -> Response {
        var body: [String: JSONValue] = ["schemas": [.string(TPPDirectoryClient.Schema.error.rawValue)], "status": .string(String(status.code)), "detail": .string(detail)]
        if let scimType { body["scimType"] = .string(scimType) }
        return scim(status, .object(body))
    }

    /// `application/x-www-form-urlencoded` decoding.
    static func parseForm(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            out[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return out
    }
}
