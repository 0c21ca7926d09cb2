import Foundation
@testable import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// Hostile NumericDates: no time rule traps, each refuses the value with the right error.
@Suite("Extreme time values are refused, never a crash")
struct TimeValueTests {
    /// Values that trapped (`Double value cannot be converted to Int`) or that no person means.
    static let extremes: [Double] = [1e300, -1e300, 1e19, 9.3e18, 1e308, -1, 253_402_300_800, -.greatestFiniteMagnitude, .greatestFiniteMagnitude]

    static func claims(_ changes: [String: JSONValue]) -> SoftwareStatementClaims {
        var claims: [String: JSONValue] = [
            "iss": "OpenBanking Ltd", "iat": 1_767_225_600, "software_id": "4ZUKbHjbA2ZqxCxTsQPkTY", "org_id": "0015800001041REAAY",
            "software_roles": ["AISP"], "software_redirect_uris": ["https://acme-budget.example.com/callback"],
            "software_jwks_endpoint": "https://keystore.example.com/4ZUK.jwks",
        ]
        for (name, value) in changes { claims[name] = value }
        return SoftwareStatementClaims(claims)
    }

    @Test("every SSA time rule (iat, exp, maximum age) with extreme values", arguments: extremes)
    func softwareStatementTimes(_ value: Double) {
        var policy = SoftwareStatementRules()
        policy.maximumAge = 86_400
        let now = Date(timeIntervalSince1970: 1_767_225_700)
        for claim in ["iat", "exp"] {
            let evaluation = policy.evaluate(Self.claims([claim: .number(value)]), at: now)
            let check = evaluation.checks.first { $0.name == (claim == "iat" ? .issuedAt : .expiry) }
            #expect(check?.outcome == .fail, "\(claim) \(value)")
            #expect(evaluation.failure?.code == .invalidSoftwareStatement, "\(claim) \(value)")
            #expect(check?.detail.contains(claim) == true)
        }
        // The passing side: an ordinary iat and exp pass the same rules.
        let fine = policy.evaluate(Self.claims(["exp": .number(1_767_225_600 + 3600)]), at: now)
        #expect(fine.failure == nil, "\(fine.checks)")
    }

    @Test("every request JWT time rule with extreme values: invalid_client_metadata")
    func requestTimes() throws {
        let policy = RegistrationRules(audience: "https://as.example.com")
        let now = Date(timeIntervalSince1970: 1_767_225_700)
        func request(_ changes: [String: JSONValue]) throws -> RegistrationRequest {
            var claims: [String: JSONValue] = [
                "iss": "4ZUKbHjbA2ZqxCxTsQPkTY", "aud": "https://as.example.com", "iat": 1_767_225_690, "exp": 1_767_226_000, "jti": "j1",
                "redirect_uris": ["https://acme-budget.example.com/callback"], "token_endpoint_auth_method": "private_key_jwt",
            ]
            for (name, value) in changes { claims[name] = value }
            let jwt = Base64URL.encode(#"{"alg":"PS256","kid":"k"}"#) + "." + Base64URL.encode(JSONValue.object(claims).serialized()) + ".c2ln"
            return try RegistrationRequest(parsing: jwt)
        }
        var binding = policy
        binding.bindsCertificateToSoftware = false
        for claim in ["iat", "exp"] {
            for value in Self.extremes {
                let evaluation = binding.evaluate(try request([claim: .number(value)]), ssa: Self.claims([:]), clientCertificate: nil, at: now)
                let check = evaluation.checks.first { $0.name == .requestClaims }
                #expect(check?.outcome == .fail, "\(claim) \(value)")
                #expect(evaluation.failure?.code == .invalidClientMetadata)
            }
        }
        // exp - iat overflowing to infinity, and a lifetime of a million years.
        let huge = binding.evaluate(try request(["iat": 0, "exp": .number(NumericDate.latest)]), ssa: Self.claims([:]), clientCertificate: nil, at: now)
        #expect(huge.failure?.code == .invalidClientMetadata)
        // The passing side.
        let fine = binding.evaluate(try request([:]), ssa: Self.claims([:]), clientCertificate: nil, at: now)
        #expect(fine.failure == nil, "\(fine.checks.filter { $0.outcome == .fail })")
    }

    @Test("formatting never traps, whatever the instant or duration")
    func formatting() {
        for value in Self.extremes + [.nan, .infinity, -.infinity] {
            _ = NumericDate.format(Date(timeIntervalSince1970: value))
            _ = NumericDate.formatDuration(value)
            #expect(NumericDate.date(value) == nil, "\(value)")
        }
        #expect(NumericDate.format(Date(timeIntervalSince1970: 1_767_225_600)) == "2026-01-01T00:00:00Z")
        #expect(NumericDate.format(Date(timeIntervalSince1970: NumericDate.latest)) == "9999-12-31T23:59:59Z")
        #expect(NumericDate.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(NumericDate.format(Date(timeIntervalSince1970: 981_173_106.9)) == "2001-02-03T04:05:06Z")
        // The same as Foundation's ISO 8601 formatter over the whole range.
        let iso = ISO8601DateFormatter()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let instant = Date(timeIntervalSince1970: Double(Int64.random(in: 0...Int64(NumericDate.latest), using: &generator)))
            #expect(NumericDate.format(instant) == iso.string(from: instant), "\(instant.timeIntervalSince1970)")
        }
        #expect(NumericDate.date(0) != nil && NumericDate.date(NumericDate.latest) != nil)
        #expect(NumericDate.formatDuration(.infinity) == "an unbounded time")
    }
}
