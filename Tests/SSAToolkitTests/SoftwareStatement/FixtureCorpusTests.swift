import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing

extension SSAManifest.Case: CustomTestStringConvertible {
    public var testDescription: String { name }
}

/// Every SSA in `certs-fixtures/jose/ssa/` (made by the openssl CLI, Python's cryptography and
/// joserfc, not by this toolkit) gives exactly the verdict, error and failing check its
/// manifest entry states.
@Suite("SSA fixture corpus")
struct FixtureCorpusTests {
    @Test("the manifest loads and covers valid and hostile cases")
    func manifestLoads() throws {
        let manifest = try SSAManifest.load()
        #expect(manifest.cases.count >= 60)
        #expect(manifest.cases.contains { $0.expect.verdict == "valid" && $0.signer == "joserfc" })
        #expect(manifest.cases.contains { $0.expect.verdict == "valid" && $0.signer == "openssl-cli" })
        #expect(manifest.issuer == SoftwareStatementRules().issuer)
    }

    @Test("each fixture gets its expected verdict", arguments: SSAManifest.allCases)
    func corpus(_ testCase: SSAManifest.Case) async throws {
        let manifest = try SSAManifest.load()
        let token = String(decoding: try Data(contentsOf: URL(fileURLWithPath: testCase.tokenPath)), as: UTF8.self)
        var rules = SoftwareStatementRules()
        rules.maximumAge = testCase.maxAge
        let verifier = SoftwareStatementVerifier(
            keys: JWKSProvider(source: .file(testCase.jwksPath)),
            algorithms: try AlgorithmPolicy(parsing: testCase.allowAlg.joined(separator: ",")),
            rules: rules
        )
        let result = await verifier.verify(token, at: Date(timeIntervalSince1970: manifest.at))
        #expect(result.verdict.rawValue == testCase.expect.verdict, "\(testCase.why) — \(result.errorDescription ?? "")")
        #expect(result.error?.rawValue == testCase.expect.error)
        #expect(result.failedCheck?.name.rawValue == testCase.expect.check, "\(result.failedCheck?.detail ?? "no failure")")
        // Every check is reported exactly once, in order.
        #expect(result.checks.map(\.name) == SoftwareStatementVerifier.checkOrder)
        if result.verdict == .valid {
            #expect(result.claims?.softwareID != nil)
        } else {
            #expect(result.errorDescription?.isEmpty == false)
        }
        if testCase.expect.check.map({ ["format", "header", "algorithm", "key", "signature"].contains($0) }) == true {
            #expect(result.claims == nil, "claims of an unverified token must not be exposed")
        }
    }

    @Test("the valid SSA's claims are parsed exactly, unknown claims kept")
    func claims() async throws {
        let expected = try StrictJSONParser().parseObject(Array(try Fixtures.data("jose/ssa/valid-ps256.claims.json")))
        let verifier = SoftwareStatementVerifier(keys: JWKSProvider(source: .file(Fixtures.url("jose/directory.jwks.json").path)))
        let result = await verifier.verify(try Fixtures.string("jose/ssa/valid-ps256.jwt"), at: Fixtures.ssaInstant)
        let claims = try #require(result.claims)
        #expect(claims.allClaims == expected)
        #expect(claims.softwareID == "4ZUKbHjbA2ZqxCxTsQPkTY")
        #expect(claims.organisationID == "0015800001041REAAY")
        #expect(claims.softwareRoles == ["AISP", "PISP"])
        #expect(claims.softwareRedirectURIs?.count == 2)
        #expect(claims.issuedAt == Date(timeIntervalSince1970: 1_767_225_600))
        #expect(result.keyID == "ob-rsa-1")
        #expect(result.algorithm == .PS256)

        let extra = await verifier.verify(try Fixtures.string("jose/ssa/valid-extra-claims.jwt"), at: Fixtures.ssaInstant)
        #expect(extra.verdict == .valid)
        #expect(extra.claims?.allClaims["x_acme_custom"] == ["tier": "gold"])
        #expect(extra.claims?.summary["other_claims"] == ["software_version_note", "x_acme_custom"])
    }
}
