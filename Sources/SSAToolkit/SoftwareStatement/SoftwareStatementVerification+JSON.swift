extension SoftwareStatementVerification {
    /// The JSON report (docs/command-line.md): `verdict`, `error`, `error_description`, `checks`,
    /// `software_statement` (the claims summary, when the signature verified).
    public var jsonReport: JSONValue {
        var object = Check.verdictMembers(verdict.rawValue, checks: checks, error: error?.rawValue, errorDescription: errorDescription)
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
