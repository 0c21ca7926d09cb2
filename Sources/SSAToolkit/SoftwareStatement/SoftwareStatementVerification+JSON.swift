extension SoftwareStatementVerification {
    /// The JSON report (docs/command-line.md): `verdict`, `error`, `error_description`, `checks`,
    /// `software_statement` (the claims summary, when the signature verified).
    public var jsonReport: JSONValue {
        var object: [String: JSONValue] = [
            "verdict": .string(verdict.rawValue),
            "checks": .array(checks.map(\.jsonValue)),
        ]
        if let error { object["error"] = .string(error.rawValue) }
        if let errorDescription { object["error_description"] = .string(errorDescription) }
        if let claims { object["software_statement"] = .object(claims.summary) }
        if let keyID { object["kid"] = .string(keyID) }
        if let algorithm { object["alg"] = .string(algorithm.rawValue) }
        return .object(object)
    }
}

extension JSONValue {
    /// Member order for reports: verdict and error first, then checks, then the rest.
    public static let reportKeyOrder = [
        "verdict", "error", "error_description", "check", "outcome", "detail", "checks", "alg", "kid",
        "software_statement", "software_id", "org_id", "client",
    ]
}

extension Check {
    /// `{"check": name, "outcome": "pass" | "fail" | "skip", "detail": sentence}`.
    public var jsonValue: JSONValue {
        ["check": .string(name.rawValue), "outcome": .string(outcome.rawValue), "detail": .string(detail)]
    }
}
