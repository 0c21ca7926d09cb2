import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing

@Suite("Software statement rules (time given, never read from the wall clock)")
struct SoftwareStatementRulesTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func claims(_ overrides: [String: JSONValue?] = [:]) -> SoftwareStatementClaims {
        var c: [String: JSONValue] = [
            "iss": "OpenBanking Ltd", "iat": .number(1_800_000_000 - 3600), "software_id": "abc_DEF-123", "org_id": "0015800001041REAAY",
            "software_roles": ["AISP"], "software_redirect_uris": ["https://tpp.example/cb"],
            "software_jwks_endpoint": "https://keys.example/abc.jwks", "org_status": "Active",
        ]
        for (k, v) in overrides { c[k] = v }
        return SoftwareStatementClaims(c)
    }

    func failure(_ c: SoftwareStatementClaims, _ rules: SoftwareStatementRules = SoftwareStatementRules()) -> (String, String)? {
        let evaluation = rules.evaluate(c, at: now)
        guard let failed = evaluation.checks.first(where: { $0.outcome == .fail }) else { return nil }
        return (failed.name.rawValue, evaluation.failure!.code.rawValue)
    }

    @Test("the base claims pass")
    func passes() {
        #expect(failure(claims()) == nil)
    }

    @Test("iat within the skew passes; beyond it fails")
    func issuedAtSkew() {
        let skew = SoftwareStatementRules().clockSkew
        #expect(failure(claims(["iat": .number(now.timeIntervalSince1970 + skew)])) == nil)
        #expect(failure(claims(["iat": .number(now.timeIntervalSince1970 + skew + 1)]))! == ("issued_at", "invalid_software_statement"))
    }

    @Test("exp passed by more than the skew fails")
    func expirySkew() {
        let skew = SoftwareStatementRules().clockSkew
        #expect(failure(claims(["exp": .number(now.timeIntervalSince1970 - skew)])) == nil)
        #expect(failure(claims(["exp": .number(now.timeIntervalSince1970 - skew - 1)]))! == ("expiry", "invalid_software_statement"))
        #expect(failure(claims(["exp": "tomorrow"]))! == ("expiry", "invalid_software_statement"))
    }

    @Test("maximum age, when configured")
    func maximumAge() {
        var rules = SoftwareStatementRules()
        rules.maximumAge = 3600
        #expect(failure(claims(), rules) == nil)
        rules.maximumAge = 3599
        #expect(failure(claims(), rules)! == ("age", "invalid_software_statement"))
    }

    @Test("issuer: missing is invalid, another directory is unapproved; configurable")
    func issuer() {
        #expect(failure(claims(["iss": nil]))! == ("issuer", "invalid_software_statement"))
        #expect(failure(claims(["iss": "Someone Else"]))! == ("issuer", "unapproved_software_statement"))
        var rules = SoftwareStatementRules()
        rules.issuer = "Someone Else"
        #expect(failure(claims(["iss": "Someone Else"]), rules) == nil)
    }

    @Test("claims problems are invalid_software_statement", arguments: [
        ["software_id": nil], ["software_id": ""], ["software_id": "a b"], ["software_id": .string(String(repeating: "a", count: 129))],
        ["org_id": 42], ["software_roles": []], ["software_roles": ["AISP", "ROOT"]], ["software_roles": "AISP"],
        ["software_redirect_uris": []], ["software_redirect_uris": ["https://tpp.example/cb#frag"]],
        ["software_redirect_uris": ["http://tpp.example/cb"]], ["software_redirect_uris": ["https://user:pw@tpp.example/cb"]],
        ["software_jwks_endpoint": nil], ["software_jwks_endpoint": ""], ["software_logo_uri": "ftp://x/logo"],
        ["org_jwks_endpoint": "not a url"], ["jti": 5],
    ] as [[String: JSONValue?]])
    func claimProblems(_ overrides: [String: JSONValue?]) {
        #expect(failure(claims(overrides))! == ("claims", "invalid_software_statement"))
    }

    @Test("jti is required only when configured")
    func jti() {
        var rules = SoftwareStatementRules()
        #expect(failure(claims(), rules) == nil)
        rules.requiresJWTID = true
        #expect(failure(claims(), rules)! == ("claims", "invalid_software_statement"))
        #expect(failure(claims(["jti": "x"]), rules) == nil)
    }

    @Test("organisation status other than Active is unapproved")
    func orgStatus() {
        #expect(failure(claims(["org_status": "Revoked"]))! == ("org_status", "unapproved_software_statement"))
        #expect(failure(claims(["org_status": "Withdrawn"]))! == ("org_status", "unapproved_software_statement"))
        #expect(failure(claims(["org_status": nil])) == nil)
    }

    @Test("competent authority claims must be active and cover the roles")
    func competentAuthority() {
        let ok: JSONValue = ["status": "Active", "authorisations": [["member_state": "GB", "roles": ["AISP", "PISP"]]]]
        #expect(failure(claims(["organisation_competent_authority_claims": ok])) == nil)
        let inactive: JSONValue = ["status": "Revoked", "authorisations": []]
        #expect(failure(claims(["organisation_competent_authority_claims": inactive]))! == ("competent_authority", "unapproved_software_statement"))
        let uncovered: JSONValue = ["status": "Active", "authorisations": [["member_state": "GB", "roles": ["PISP"]]]]
        #expect(failure(claims(["organisation_competent_authority_claims": uncovered]))! == ("competent_authority", "unapproved_software_statement"))
    }

    @Test("every failing rule is reported, the first decides the error")
    func allReported() {
        let evaluation = SoftwareStatementRules().evaluate(claims(["iss": "Evil", "software_id": nil, "org_status": "Revoked"]), at: now)
        #expect(evaluation.checks.filter { $0.outcome == .fail }.map(\.name) == [.issuer, .claims, .orgStatus])
        #expect(evaluation.failure?.code == .unapprovedSoftwareStatement)
    }
}

@Suite("https URL validation")
struct HTTPSURLTests {
    @Test("accepts absolute https URLs", arguments: [
        "https://tpp.example/cb", "HTTPS://tpp.example", "https://tpp.example:8443/a/b?x=1&y=%20", "https://127.0.0.1/cb", "https://a-b.c.example/x#frag",
    ])
    func accepts(_ url: String) {
        #expect(HTTPSURL.problem(with: url, allowFragment: true) == nil)
    }

    @Test("refuses everything else, saying why", arguments: [
        ("http://tpp.example/cb", "is not an https URL"), ("ftp://x/y", "is not an https URL"), ("tpp.example/cb", "is not a URL"),
        ("", "is not an https URL"), ("https://", "is not an https URL"), ("https:///path", "has no host"),
        ("https://user:pw@tpp.example/", "carries user information"), ("https://tpp.example:99999/", "has an invalid port"),
        ("https://tpp.example:/", "has an invalid port"), ("https://tpp_example/", "has an invalid host"), ("https://.example/", "has an invalid host"),
        ("https://tpp.example/a b", "has characters a URL may not carry unencoded"), ("https://tpp.example/é", "has characters a URL may not carry unencoded"),
        ("https://tpp.example/a\\b", "has characters a URL may not carry unencoded"),
    ])
    func refuses(_ url: String, _ why: String) {
        #expect(HTTPSURL.problem(with: url, allowFragment: true) == why)
    }

    @Test("redirect URIs may not carry a fragment")
    func fragment() {
        #expect(HTTPSURL.problem(with: "https://tpp.example/cb#x", allowFragment: false) == "has a fragment")
    }
}

@Suite("Report date format")
struct ReportDateFormatTests {
    @Test("ISO 8601 in UTC, to the second")
    func format() {
        #expect(SoftwareStatementRules.formatForReport(Date(timeIntervalSince1970: 1_767_225_600)) == "2026-01-01T00:00:00Z")
        #expect(SoftwareStatementRules.formatForReport(Date(timeIntervalSince1970: 951_782_399.9)) == "2000-02-28T23:59:59Z")
        #expect(SoftwareStatementRules.formatForReport(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
    }
}
