@testable import DecisionService
import DirectorySandbox
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// The decision service's HTTP layer in-process (HummingbirdTesting's router framework, no
/// socket): the guards are middleware on route groups, and one route shape serves both kinds of
/// decision. The process-level tests (`ssa-verifyTests`) cover the same over real connections.
@Suite("The decision service's routes, in-process")
struct ServiceRouterTests {
    static func application(_ sandbox: DirectorySandbox, options: DecisionService.Options = DecisionService.Options(),
                            hosts: [String] = ["localhost", "127.0.0.1"]) throws -> some ApplicationProtocol {
        Application(router: try routes(sandbox, options: options, hosts: hosts))
    }

    static func routes(_ sandbox: DirectorySandbox, options: DecisionService.Options = DecisionService.Options(),
                       hosts: [String] = ["localhost", "127.0.0.1"]) throws -> ServiceRoutes {
        let (configuration, _) = try TokenDeciderTests.connection(sandbox)
        let runtime = try ToolkitRuntime(configuration: configuration, environment: [:])
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let state = ServiceState(Deciders(runtime), options: options, logger: logger)
        return DecisionService.makeRouter(state: state, options: options, allowedHosts: { hosts }, logger: logger)
    }

    static let tokenCall: ByteBuffer = {
        let body: JSONValue = [
            "client_id": "4ZUKbHjbA2ZqxCxTsQPkTY", "software_id": "4ZUKbHjbA2ZqxCxTsQPkTY", "org_id": "0015800001041REAAY",
            "grant_type": "authorization_code", "scope": "openid accounts", "user_id": "u",
            "token_endpoint_auth_method": "tls_client_auth",
            "tls_client_auth_subject_dn": "organizationIdentifier=PSDGB-FCA-123456,CN=4ZUKbHjbA2ZqxCxTsQPkTY,OU=0015800001041REAAY,O=Acme Budgeting Ltd,C=GB",
            "claims": ["id_token": ["openbanking_intent_id": ["value": "urn-intent-1"]]],
            "client_certificate": .string(TokenDeciderTests.transportCertificate),
        ]
        return ByteBuffer(bytes: body.serializedBytes())
    }()

    @Test("a token decision and a registration decision through the same route shape; health and the document open")
    func decisions() async throws {
        try await DirectorySandbox.withSandbox(fixtures: TokenDeciderTests.fixtures) { sandbox in
            let tpp = try SandboxTPP(fixtures: TokenDeciderTests.fixtures)
            let registration = JSONValue.object(["registration_request": .string(try tpp.requestJWT(ssa: try sandbox.issueSoftwareStatement())),
                                                 "client_certificate": .string(tpp.transportCertificatePEM)])
            try await Self.application(sandbox).test(.router) { client in
                let json: HTTPFields = [.contentType: "application/json"]
                try await client.execute(uri: "/v1/token-decisions", method: .post, headers: json, body: Self.tokenCall) { response in
                    #expect(response.status == .ok && String(buffer: response.body).contains("\"verdict\":\"allow\""), "\(String(buffer: response.body))")
                }
                try await client.execute(uri: "/v1/decisions", method: .post, headers: json, body: ByteBuffer(bytes: registration.serializedBytes())) { response in
                    #expect(response.status == .ok && String(buffer: response.body).contains("\"verdict\":\"accept\""), "\(String(buffer: response.body))")
                }
                try await client.execute(uri: "/v1/token-decisions", method: .post, headers: json, body: ByteBuffer(string: #"{"scopes": 1}"#)) { response in
                    #expect(response.status == .badRequest)
                }
                try await client.execute(uri: "/healthz", method: .get) { response in #expect(response.status == .ok) }
                try await client.execute(uri: "/openapi.json", method: .get) { response in #expect(response.status == .ok) }
            }
        }
    }

    @Test("a decision route answers alike by its exact path (ServiceRoutes) and through the router (a query, a trailing slash); another method is not a decision")
    func exactRoutes() async throws {
        try await DirectorySandbox.withSandbox(fixtures: TokenDeciderTests.fixtures) { sandbox in
            let routes = try Self.routes(sandbox)
            #expect(routes.exact.map { "\($0.method) \($0.path)" } == ["POST /v1/decisions", "POST /v1/token-decisions"])
            try await Application(router: routes).test(.router) { client in
                let json: HTTPFields = [.contentType: "application/json"]
                for uri in ["/v1/token-decisions", "/v1/token-decisions?trace=1", "/v1/token-decisions/"] {
                    try await client.execute(uri: uri, method: .post, headers: json, body: Self.tokenCall) { response in
                        #expect(response.status == .ok && String(buffer: response.body).contains("\"verdict\":\"allow\""), "\(uri)")
                    }
                    // The guard is the same both ways: a body that is not JSON is refused before it is read.
                    try await client.execute(uri: uri, method: .post, headers: [.contentType: "text/plain"], body: Self.tokenCall) { response in
                        #expect(response.status == .unsupportedMediaType, "\(uri)")
                    }
                }
                try await client.execute(uri: "/v1/token-decisions", method: .get) { response in
                    #expect(response.status != .ok, "\(response.status)")
                }
            }
        }
    }

    @Test("Prefer: return=minimal read from one field, from several fields (joined, RFC 9110), quoted and in any case; anything else leaves every sentence")
    func returnPreference() {
        let prefer = ReturnPreference.prefer
        let cases: [([String], CheckDetails)] = [
            ([], .all), (["return=minimal"], .failures), (["return=representation"], .all), (["respond-async"], .all),
            (["respond-async", "return=minimal"], .failures), (["return=minimal", "respond-async"], .failures),
            (["respond-async, RETURN=\"minimal\"; x=y"], .failures), (["respond-async", "wait=5"], .all), (["return=minimalist"], .all),
        ]
        for (values, expected) in cases {
            var headers: HTTPFields = [.contentType: "application/json"]
            for value in values { headers.append(HTTPField(name: prefer, value: value)) }
            #expect(ReturnPreference.checkDetails(headers) == expected, "\(values)")
        }
        #expect(ReturnPreference.minimalAnswerHeaders[ReturnPreference.applied] == "return=minimal")
        #expect(ReturnPreference.minimalAnswerHeaders[.contentType] == "application/json" && DecisionService.answerHeaders[ReturnPreference.applied] == nil)
    }

    @Test("the guards are middleware: media type (415), Host (421 on every route), two Host headers (400), bearer token (401 on decisions and checkpoints, not health)")
    func guards() async throws {
        try await DirectorySandbox.withSandbox(fixtures: TokenDeciderTests.fixtures) { sandbox in
            try await Self.application(sandbox).test(.router) { client in
                try await client.execute(uri: "/v1/token-decisions", method: .post, headers: [.contentType: "text/plain"], body: Self.tokenCall) { response in
                    #expect(response.status == .unsupportedMediaType)
                }
                try await client.execute(uri: "/healthz", method: .get, headers: [HTTPField.Name("Host")!: "attacker.example"]) { response in
                    #expect(response.status == .badRequest)
                }
            }
            try await Self.application(sandbox, hosts: ["127.0.0.1:8085", "localhost:8085"]).test(.router) { client in
                for (uri, method) in [("/healthz", HTTPRequest.Method.get), ("/openapi.json", .get), ("/v1/audit/checkpoint", .get), ("/v1/token-decisions", .post)] {
                    try await client.execute(uri: uri, method: method, headers: [.contentType: "application/json"], body: Self.tokenCall) { response in
                        #expect(response.status == .misdirectedRequest, "\(uri)")
                    }
                }
            }
            var options = DecisionService.Options()
            options.bearerToken = Secret("in-process-token-0123456789")
            try await Self.application(sandbox, options: options).test(.router) { client in
                try await client.execute(uri: "/v1/token-decisions", method: .post, headers: [.contentType: "application/json"], body: Self.tokenCall) { response in
                    #expect(response.status == .unauthorized)
                }
                try await client.execute(uri: "/v1/audit/checkpoint", method: .get) { response in #expect(response.status == .unauthorized) }
                try await client.execute(uri: "/healthz", method: .get) { response in #expect(response.status == .ok) }
                try await client.execute(uri: "/v1/token-decisions", method: .post,
                                         headers: [.contentType: "application/json", .authorization: "Bearer in-process-token-0123456789"], body: Self.tokenCall) { response in
                    #expect(response.status == .ok && String(buffer: response.body).contains("\"verdict\":\"allow\""))
                }
            }
        }
    }
}
