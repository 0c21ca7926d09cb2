import Foundation
import SSAToolkit
import Testing

/// The one-pass reading of a token call (known members, no dictionary) against the strict
/// parser and `TokenRequest(json:)`: where the fast reading answers, it answers what the strict
/// one does; everything else goes to the strict reading, so errors are the same either way.
@Suite("Known-member objects and token calls read in one pass")
struct KnownMembersTests {
    static let pem = "-----BEGIN CERTIFICATE-----\nMIIB\u{2F}xyz+AB==\n-----END CERTIFICATE-----\n"

    /// A full call (every member) as the Janssen script sends it.
    static func call(_ overrides: [String: JSONValue] = [:]) -> [String: JSONValue] {
        var object: [String: JSONValue] = [
            "client_id": "client-1", "software_id": "4ZUKbHjbA2ZqxCxTsQPkTY", "org_id": "0015800001041REAAY", "grant_type": "authorization_code",
            "scope": "openid accounts", "token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_subject_dn": "CN=a,OU=b",
            "user_id": "user \"é\" 1", "acr": "urn:x", "claims": ["id_token": ["openbanking_intent_id": ["value": "urn-1", "essential": true]]],
            "client_certificate": .string(pem), "ssa_issuer": "OpenBanking Ltd", "software_jwks_endpoint": "https://k/1.jwks",
            "software_jwks_revoked_endpoint": "https://k/r.jwks", "legal_entity_id": "LE1", "ssa_scope": "bank:accounts.basic:read",
        ]
        for (name, value) in overrides { object[name] = value }
        return object
    }

    static let parser = StrictJSONParser(maximumDepth: 32, maximumBytes: 256 * 1024)

    /// The two readings of `text`: both succeed with the same request, or both fail with the
    /// same error.
    static func expectSameReading(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let bytes = Array(text.utf8)
        // Each reading as the request it gives, or "error: " and the error.
        let strict: String
        do { strict = describe(try TokenRequest(json: parser.parseObject(bytes))) } catch { strict = "error: \(error)" }
        let read: String
        do { read = describe(try TokenRequest.read(bytes, parser: parser)) } catch { read = "error: \(error)" }
        #expect(strict == read, "\(text.prefix(200))", sourceLocation: sourceLocation)
    }

    static func describe(_ r: TokenRequest) -> String {
        "\(r.clientID)|\(r.softwareID)|\(r.organisationID)|\(r.tokenEndpointAuthMethod ?? "-")|\(r.registeredSubjectDN ?? "-")|\(r.grantType)|\(r.scopes)|"
            + "\(r.userID ?? "-")|\(r.acr ?? "-")|\(r.claims.map { JSONValue.object($0).serialized() } ?? "-")|\(r.clientCertificatePEM ?? "-")|\(r.ssaIssuer ?? "-")|"
            + "\(r.softwareJWKSEndpoint ?? "-")|\(r.softwareJWKSRevokedEndpoint ?? "-")|\(r.legalEntityID ?? "-")|\(r.softwareStatementScopes ?? [])"
    }

    @Test("the usual call: known members, each once, read without the strict path, to the same request")
    func usualCall() throws {
        let text = JSONValue.object(Self.call()).serialized()
        let values = try #require(Self.parser.parseObject(Array(text.utf8), knownNames: TokenRequest.memberNames))
        #expect(values.count == TokenRequest.members.count)
        #expect(values.allSatisfy { $0 != nil })
        let request = try TokenRequest.read(Array(text.utf8), parser: Self.parser)
        #expect(request.clientCertificatePEM == Self.pem)
        #expect(request.userID == "user \"é\" 1")
        #expect(request.scopes == ["openid", "accounts"])
        #expect(request.requestedIntentID == .string("urn-1"))
        Self.expectSameReading(text)
        // White space anywhere JSON allows it, members in another order, null for an optional one.
        Self.expectSameReading(" \n{ \"scope\" : \"openid\" ,\t\"org_id\":\"0015800001041REAAY\", \"software_id\":\"4ZUKbHjbA2ZqxCxTsQPkTY\",\"client_id\":\"c\",\"grant_type\":\"refresh_token\",\"acr\":null } \r\n")
    }

    @Test("anything unusual is left to the strict reading, which answers the same error")
    func unusualCalls() throws {
        let usual = JSONValue.object(Self.call()).serialized()
        let unusual: [String] = [
            usual.replacingOccurrences(of: "\"acr\"", with: "\"ac\\u0072\""),           // an escaped (but known) name
            usual.replacingOccurrences(of: "\"acr\"", with: "\"ACR\""),                 // an unknown name
            usual.replacingOccurrences(of: "{\"acr\"", with: "{\"scope\":\"x\",\"acr\""), // a repeated name
            usual + " x",                                                             // content after the object
            String(usual.dropLast()),                                                // unterminated
            "[]", "{}", "", "null", "{\"client_id\":1}",
            usual.replacingOccurrences(of: "\"openid accounts\"", with: "[\"openid\",\"accounts\"]"),
            usual.replacingOccurrences(of: "\"openid accounts\"", with: "\"openid\\taccounts\""),
            usual.replacingOccurrences(of: "\"tls_client_auth\"", with: "\"TLS_Client_Auth\""),
            usual.replacingOccurrences(of: "\"client-1\"", with: "\"\""),
            usual.replacingOccurrences(of: "\"LE1\"", with: "\"L E\""),
            "{\"client_id\":\"c\",\"client_id\":\"d\"}",
            "{\"client_id\":\"c\"" + String(repeating: ",\"claims\":{}", count: 1) + "}",
            "{\"claims\":" + String(repeating: "[", count: 40) + String(repeating: "]", count: 40) + "}",
        ]
        for text in unusual { Self.expectSameReading(text) }
        // Invalid UTF-8 and a text over the bound are not read in one pass either.
        var invalid = Array(usual.utf8)
        invalid.insert(0xFF, at: 20)
        #expect(Self.parser.parseObject(invalid, knownNames: TokenRequest.memberNames) == nil)
        #expect(throws: JSONParseError.self) { try TokenRequest.read(invalid, parser: Self.parser) }
        let small = StrictJSONParser(maximumDepth: 32, maximumBytes: 64)
        #expect(small.parseObject(Array(usual.utf8), knownNames: TokenRequest.memberNames) == nil)
        #expect(throws: JSONParseError.self) { try TokenRequest.read(Array(usual.utf8), parser: small) }
    }

    @Test("printable ASCII within the limit is its own terminal-safe form; anything else is escaped or cut as before")
    func terminalSafeFastPath() {
        #expect("https://127.0.0.1:8443/software/x/jwks".escapedForTerminal(limit: 300) == "https://127.0.0.1:8443/software/x/jwks")
        #expect("abc".escapedForTerminal(limit: 2) == "ab…")
        #expect("a\tb".escapedForTerminal() == "a\\u{9}b")
        #expect("a\tb".escapedForTerminal(keepTabs: true) == "a\tb")
        #expect("a\u{7F}b".escapedForTerminal() == "a\\u{7F}b")
        #expect("é\u{202E}".escapedForTerminal() == "é\\u{202E}")
    }
}
