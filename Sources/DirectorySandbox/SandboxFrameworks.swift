import Foundation
import Hummingbird
import NIOCore
import SSAToolkit
import Synchronization

/// The sandbox as the directories of the trust frameworks beside Open Banking UK: the Open
/// Finance Brasil directory (its JWKS at `/brasil/jwks`, SSAs it issues, the participants list
/// at `/brasil/participants`) and the CDR Register (its JWKS at `/cdr/jwks`, SSAs, and the
/// status lists at `/cdr-register/v1/{industry}/data-recipients/status` and
/// `.../brands/software-products/status`, which need `x-v`). Lists carry `Cache-Control` and an
/// `ETag` and answer `If-None-Match` with 304; the admin routes change statuses and make the lists
/// fail (`down`: 503) or break (`malformed`).
public final class SandboxFrameworks: Sendable {
    /// The Brasil directory's `iss` in the sandbox.
    public static let brasilIssuer = "Open Finance Open Finance Brasil sandbox SSA issuer"
    /// An active Brasil organisation (roles DADOS and PAGTO Active) and its software: the subject
    /// of `frameworks/brasil-transport.pem`.
    public static let brasilOrganisationID = "74e929d9-33b6-4d85-8ba7-c146c867a817"
    public static let brasilSoftwareID = "b7e1a8c2-3f4d-4e5a-9b6c-7d8e9f0a1b2c"
    /// Another active Brasil participant: the subject of `frameworks/brasil-other.pem`.
    public static let brasilOtherOrganisationID = "c3d4e5f6-0000-4000-8000-000000000002"
    public static let brasilOtherSoftwareID = "f0e1d2c3-0000-4000-8000-000000000003"
    /// The CDR Register's `iss`.
    public static let cdrIssuer = "cdr-register"
    /// An active data recipient (legal entity), its brand and its active software product.
    public static let cdrLegalEntityID = "8e5f2d1c-1111-4111-8111-111111111111"
    public static let cdrBrandID = "2a3b4c5d-2222-4222-8222-222222222222"
    public static let cdrSoftwareID = "9f8e7d6c-3333-4333-8333-333333333333"
    /// Another active data recipient and software product (`frameworks/cdr-other.pem`).
    public static let cdrOtherLegalEntityID = "7c7c7c7c-5555-4555-8555-555555555555"
    public static let cdrOtherSoftwareID = "6b5a4938-4444-4444-8444-444444444444"

    /// How the published lists answer.
    public enum ListMode: String, Sendable {
        /// As published.
        case ok
        /// 503: the publisher is down.
        case down
        /// 200 with a body that is not the list.
        case malformed
    }

    struct BrasilOrganisation: Sendable {
        var name: String
        var status: String
        var roles: [(role: String, status: String)]
    }

    struct State: Sendable {
        var brasil: [String: BrasilOrganisation] = [
            SandboxFrameworks.brasilOrganisationID: .init(name: "Fintech Exemplo Ltda", status: "Active", roles: [("DADOS", "Active"), ("PAGTO", "Active")]),
            SandboxFrameworks.brasilOtherOrganisationID: .init(name: "Outra Fintech SA", status: "Active", roles: [("DADOS", "Active")]),
        ]
        var recipients: [String: String] = [SandboxFrameworks.cdrLegalEntityID: "ACTIVE", SandboxFrameworks.cdrOtherLegalEntityID: "ACTIVE"]
        var products: [String: String] = [SandboxFrameworks.cdrSoftwareID: "ACTIVE", SandboxFrameworks.cdrOtherSoftwareID: "ACTIVE"]
        var mode: ListMode = .ok
        var maxAge = 60
    }

    let brasilSigner: JWSSigner
    let cdrSigner: JWSSigner
    let brasilTemplate: [String: JSONValue]
    let cdrTemplate: [String: JSONValue]
    let brasilJWKS: [UInt8]
    let cdrJWKS: [UInt8]
    private let state = Mutex(State())
    private let counter: SandboxState

    init(fixtures: DirectorySandbox.Fixtures, counter: SandboxState) throws {
        func read(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: fixtures.path(path)))) }
        func template(_ path: String) throws -> [String: JSONValue] {
            // The claims of a fixture SSA that joserfc signed: the shape issued SSAs start from.
            try CompactJWS(parsing: String(decoding: try read(path), as: UTF8.self)).payload
        }
        brasilSigner = try JWSSigner(key: try SigningKey(pem: KeyStoreLocation(path: fixtures.path("frameworks/brasil-directory.key.pem"))).key, algorithm: .PS256, keyID: "brasil-ssa-1")
        cdrSigner = try JWSSigner(key: try SigningKey(pem: KeyStoreLocation(path: fixtures.path("frameworks/cdr-register.key.pem"))).key, algorithm: .PS256, keyID: "cdr-register-1")
        brasilTemplate = try template("frameworks/brasil-valid.jwt")
        cdrTemplate = try template("frameworks/cdr-valid.jwt")
        brasilJWKS = try read("frameworks/brasil-directory.jwks.json")
        cdrJWKS = try read("frameworks/cdr-register.jwks.json")
        self.counter = counter
    }

    /// Whether `id` is a software statement (or product) of these frameworks' participants.
    static func knows(software id: String) -> Bool {
        [brasilSoftwareID, brasilOtherSoftwareID, cdrSoftwareID, cdrOtherSoftwareID].contains(id)
    }

    // MARK: - State the admin routes change

    func setBrasilOrganisation(_ id: String, status: String?, roles: [String: String]) -> Bool {
        state.withLock { state in
            guard var organisation = state.brasil[id] else { return false }
            if let status { organisation.status = status }
            for (role, value) in roles {
                if let index = organisation.roles.firstIndex(where: { $0.role == role }) { organisation.roles[index].status = value } else { organisation.roles.append((role, value)) }
            }
            state.brasil[id] = organisation
            return true
        }
    }

    /// Adds `count` active organisations to the participants list (a list the size of the real one).
    func addBrasilOrganisations(_ count: Int) {
        state.withLock { state in
            for index in 0..<count {
                let id = String(format: "00000000-0000-4000-8000-%012d", index)
                state.brasil[id] = BrasilOrganisation(name: "Participante \(index) Sociedade Anonima de Credito, Financiamento e Investimento", status: "Active",
                                                      roles: [("DADOS", "Active"), ("PAGTO", "Active"), ("CONTA", "Active")])
            }
        }
    }

    func setRecipient(_ id: String, status: String) { state.withLock { $0.recipients[id] = status } }
    func setProduct(_ id: String, status: String) { state.withLock { $0.products[id] = status } }
    func setLists(mode: ListMode?, maxAge: Int?) {
        state.withLock { state in
            if let mode { state.mode = mode }
            if let maxAge { state.maxAge = maxAge }
        }
    }

    // MARK: - The lists

    private func brasilList(_ state: State) -> JSONValue {
        .array(state.brasil.sorted { $0.key < $1.key }.map { id, organisation in
            [
                "OrganisationId": .string(id), "Status": .string(organisation.status), "OrganisationName": .string(organisation.name),
                "OrgDomainClaims": [["AuthorisationDomainName": "Open Banking", "AuthorityName": "BCB", "Status": "Active"]],
                "OrgDomainRoleClaims": .array(organisation.roles.map { ["Role": .string($0.role), "Status": .string($0.status), "AuthorisationDomain": "Open Banking"] }),
                "AuthorisationServers": [],
            ]
        })
    }

    private static func statusList(_ statuses: [String: String], key: String) -> JSONValue {
        ["data": .array(statuses.sorted { $0.key < $1.key }.map { [key: .string($0.key), "status": .string($0.value)] }), "links": ["self": "sandbox"], "meta": [:]]
    }

    /// A list as published: 503 when down, a wrong shape when malformed, else the body with its
    /// `ETag` (304 when `If-None-Match` names it) and `Cache-Control`.
    private func publish(_ request: Request, _ path: String, _ body: (State) -> JSONValue) -> Response {
        counter.count(path)
        let (mode, maxAge, value) = state.withLock { ($0.mode, $0.maxAge, body($0)) }
        switch mode {
        case .down: return SandboxRoutes.json(.serviceUnavailable, ["error": "the list is not available"])
        case .malformed: return SandboxRoutes.json(.ok, ["unexpected": "shape"])
        case .ok: break
        }
        let bytes = value.serializedBytes()
        // FNV-1a over the body: the same list, the same tag.
        let etag = "\"" + String(bytes.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }, radix: 16) + "\""
        if request.headers[.ifNoneMatch] == etag {
            counter.count(path + " 304")
            return Response(status: .notModified, headers: [.eTag: etag, .cacheControl: "max-age=\(maxAge)"])
        }
        return Response(status: .ok, headers: [.contentType: "application/json", .eTag: etag, .cacheControl: "max-age=\(maxAge)"],
                        body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    func addRoutes(to router: Router<SandboxContext>) {
        router.get("brasil/jwks") { _, _ in SandboxRoutes.json(.ok, bytes: self.brasilJWKS, cacheControl: "max-age=300") }
        router.get("cdr/jwks") { _, _ in SandboxRoutes.json(.ok, bytes: self.cdrJWKS, cacheControl: "max-age=300") }
        router.get("brasil/participants") { request, _ in self.publish(request, "/brasil/participants") { self.brasilList($0) } }
        router.get("cdr-register/v1/:industry/data-recipients/status") { request, context in
            guard request.headers.contains(where: { $0.name.canonicalName == "x-v" }), context.parameters.get("industry") == "banking" else {
                return SandboxRoutes.json(.badRequest, ["errors": [["code": "urn:au-cds:error:cds-all:Header/Missing", "title": "Missing Required Header", "detail": "x-v"]]])
            }
            return self.publish(request, "/cdr/recipients") { Self.statusList($0.recipients, key: "legalEntityId") }
        }
        router.get("cdr-register/v1/:industry/data-recipients/brands/software-products/status") { request, context in
            guard request.headers.contains(where: { $0.name.canonicalName == "x-v" }), context.parameters.get("industry") == "banking" else {
                return SandboxRoutes.json(.badRequest, ["errors": [["code": "urn:au-cds:error:cds-all:Header/Missing", "title": "Missing Required Header", "detail": "x-v"]]])
            }
            return self.publish(request, "/cdr/products") { Self.statusList($0.products, key: "softwareProductId") }
        }
        router.post("admin/frameworks/brasil/organisations/:organisation") { request, context in
            guard let object = await SandboxRoutes.adminBody(request) else { return SandboxRoutes.json(.badRequest, ["error": "give status and/or roles {ROLE: status}"]) }
            var roles: [String: String] = [:]
            for (role, value) in object["roles"]?.objectValue ?? [:] { if let text = value.stringValue { roles[role] = text } }
            guard self.setBrasilOrganisation(context.parameters.get("organisation") ?? "", status: object["status"]?.stringValue, roles: roles) else {
                return SandboxRoutes.json(.notFound, ["error": "no such organisation"])
            }
            return SandboxRoutes.json(.ok, ["changed": true])
        }
        router.post("admin/frameworks/cdr/:kind/:id") { request, context in
            guard let status = await SandboxRoutes.adminBody(request)?["status"]?.stringValue else { return SandboxRoutes.json(.badRequest, ["error": "give status"]) }
            let id = context.parameters.get("id") ?? ""
            switch context.parameters.get("kind") {
            case "recipients": self.setRecipient(id, status: status)
            case "products": self.setProduct(id, status: status)
            default: return SandboxRoutes.json(.notFound, ["error": "recipients or products"])
            }
            return SandboxRoutes.json(.ok, ["changed": true])
        }
        router.post("admin/frameworks/lists") { request, _ in
            guard let object = await SandboxRoutes.adminBody(request) else { return SandboxRoutes.json(.badRequest, ["error": "give mode (ok, down, malformed) and/or maxAge"]) }
            let mode = object["mode"]?.stringValue.flatMap(ListMode.init(rawValue:))
            // A whole number of seconds up to a day (Int(exactly:): no trap on 1e300 or 0.5).
            let maxAge = object["maxAge"]?.numberValue.flatMap { Int(exactly: $0) }.flatMap { (0...86_400).contains($0) ? $0 : nil }
            guard mode != nil || maxAge != nil, object["mode"] == nil || mode != nil, object["maxAge"] == nil || maxAge != nil else { return SandboxRoutes.json(.badRequest, ["error": "give mode (ok, down, malformed) and/or maxAge (whole seconds, 0 to 86400)"]) }
            self.setLists(mode: mode, maxAge: maxAge)
            return SandboxRoutes.json(.ok, ["changed": true])
        }
    }
}
