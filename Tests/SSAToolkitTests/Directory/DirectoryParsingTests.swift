import Foundation
@testable import SSAToolkit
import SSAToolkitTestSupport
import Testing

@Suite("Directory client: assertions, forms, filters and answers")
struct DirectoryParsingTests {
    @Test("the client assertion carries RFC 7523 claims and verifies with the signing key")
    func assertion() throws {
        let signer = try JWSSigner(key: .ecP256(TestKeys.ec), algorithm: .ES256, keyID: "as-1")
        let factory = ClientAssertionFactory(clientID: "2kiXQyo0tedjW2somjSgH7", audience: "https://directory.example/token", scopes: ["ASPSPReadAccess", "TPPReadAccess"], signer: signer)
        let at = Date(timeIntervalSince1970: 1_767_229_200)
        let first = try CompactJWS(parsing: try factory.make(at: at))
        let second = try CompactJWS(parsing: try factory.make(at: at))
        #expect(first.header.keyID == "as-1" && first.header.type == "JWT" && first.header.algorithm == "ES256")
        #expect(first.payload["iss"] == "2kiXQyo0tedjW2somjSgH7" && first.payload["sub"] == "2kiXQyo0tedjW2somjSgH7")
        #expect(first.payload["aud"] == "https://directory.example/token")
        #expect(first.payload["scope"] == "ASPSPReadAccess TPPReadAccess")
        #expect(first.payload["iat"] == 1_767_229_200 && first.payload["exp"] == 1_767_229_500)
        #expect(first.payload["jti"] != second.payload["jti"])
        let jwks = try TestKeys.jwks([try JWSSigner.Key.ecP256(TestKeys.ec).publicJWK(keyID: "as-1")])
        #expect(throws: Never.self) { try JWSVerifier().verify(first, using: jwks) }
    }

    @Test("form encoding escapes everything but unreserved characters")
    func form() {
        #expect(FormEncoding.encode([("a b", "x+y&z=1/é")]) == "a+b=x%2By%26z%3D1%2F%C3%A9")
        #expect(FormEncoding.encode([("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")])
            == "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer")
    }

    @Test("SCIM filters take safe identifiers only", arguments: [
        "4ZUK\" or 1 eq 1 or \"", "a b", "", "x]", "id\"", "ü", String(repeating: "a", count: 129),
    ])
    func hostileIdentifiers(_ id: String) {
        #expect(TPPDirectoryClient.activeSoftwareStatementFilter(id) == nil)
    }

    @Test("the SCIM filter for a safe identifier")
    func filter() {
        #expect(TPPDirectoryClient.activeSoftwareStatementFilter("4ZUKbHjbA2ZqxCxTsQPkTY")
            == "urn:openbanking:softwarestatement:1.0:SoftwareStatements[Id eq \"4ZUKbHjbA2ZqxCxTsQPkTY\" and Active eq true]")
    }

    func response(_ status: Int, _ body: String) -> HTTPResponse { HTTPResponse(status: status, headers: [], body: Array(body.utf8)) }

    @Test("token answers: success, OAuth errors and malformed bodies")
    func tokenAnswers() throws {
        let at = Date(timeIntervalSince1970: 1000)
        let token = try TokenResponse.parse(response(200, #"{"access_token":"abc","token_type":"Bearer","expires_in":300,"scope":"TPPReadAccess"}"#), obtainedAt: at).get()
        #expect(token.expiresAt == Date(timeIntervalSince1970: 1300))
        #expect(!"\(token)".contains("abc"))
        #expect(token.revealed() == "abc")
        let refused = TokenResponse.parse(response(401, #"{"error":"invalid_client","error_description":"unknown kid"}"#), obtainedAt: at)
        #expect(throws: DirectoryError(.oauthError, "")) { try refused.get() }
        if case .failure(let error) = refused { #expect(error.reason.contains("invalid_client: unknown kid")) }
        for (status, body) in [(200, "not json"), (200, #"{"token_type":"Bearer","expires_in":300}"#), (200, #"{"access_token":"a","token_type":"mac","expires_in":300}"#),
                               (200, #"{"access_token":"a","expires_in":-5}"#), (500, "oops"), (200, #"{"access_token":"a","access_token":"b","expires_in":5}"#)] {
            #expect(throws: DirectoryError(.malformedResponse, "")) { try TokenResponse.parse(response(status, body), obtainedAt: at).get() }
        }
    }

    @Test("organisation records are read tolerantly and fail closed")
    func organisation() throws {
        let scim: [String: JSONValue] = [
            "id": "0015800001041REAAY",
            "urn:openbanking:organisation:1.0": ["OrganisationCommonName": "Acme Budgeting Ltd", "Status": "Active"],
            "urn:openbanking:competentauthorityclaims:1.0": ["Authorisations": [
                ["MemberState": "GB", "Psd2Role": "AISP", "Active": true],
                ["MemberState": "GB", "Psd2Role": "PISP", "Status": "Revoked"],
            ]],
            "urn:openbanking:softwarestatement:1.0": ["SoftwareStatements": [["Id": "4ZUK", "Active": true, "Mode": "Live", "Roles": ["AISP"]]]],
        ]
        let record = try TPPDirectoryClient.parseOrganisation(scim, id: "0015800001041REAAY")
        #expect(record.isActive() == true)
        #expect(record.name == "Acme Budgeting Ltd")
        #expect(record.unauthorisedRoles(["AISP", "PISP"], memberState: "GB") == ["PISP"])
        #expect(record.softwareStatements == [.init(id: "4ZUK", active: true, mode: "Live", roles: ["AISP"])])
        #expect(throws: DirectoryError(.notFound, "")) { try TPPDirectoryClient.parseOrganisation(["Resources": []], id: "x") }
    }
}
