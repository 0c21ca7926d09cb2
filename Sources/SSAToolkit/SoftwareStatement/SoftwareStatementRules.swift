import Foundation

/// The Open Banking rules a software statement's claims must meet, evaluated at an instant the
/// caller gives (never the wall clock behind its back).
public struct SoftwareStatementRules: Sendable {
    /// The trusted directory's `iss` ("OpenBanking Ltd" for the UK directory).
    public var issuer: String = "OpenBanking Ltd"
    /// Tolerance for clocks that disagree, applied to `iat` and `exp`.
    public var clockSkew: TimeInterval = 120
    /// When set, an SSA whose `iat` is older than this is refused.
    public var maximumAge: TimeInterval?
    /// Whether `jti` must be present.
    public var requiresJWTID: Bool = false
    /// Roles `software_roles` may contain.
    public var knownRoles: Set<String> = ["AISP", "PISP", "CBPII", "ASPSP"]

    /// The default rules for the UK Open Banking directory.
    public init() {}

    /// The result of evaluating the claims: every check, and the first failure's error.
    public struct Evaluation: Sendable {
        /// One entry per rule, in order.
        public var checks: [Check]
        /// The error of the first failing rule, with its sentence; `nil` when every rule holds.
        public var failure: (code: RegistrationErrorCode, description: String)?
    }

    /// Evaluates every claim rule at `now`.
    public func evaluate(_ claims: SoftwareStatementClaims, at now: Date) -> Evaluation {
        var checks: [Check] = []
        var failure: (code: RegistrationErrorCode, description: String)?
        func record(_ name: Check.Name, _ problem: (RegistrationErrorCode, String)?, passDetail: String) {
            if let (code, sentence) = problem {
                checks.append(Check(name, .fail, sentence))
                if failure == nil { failure = (code, sentence) }
            } else {
                checks.append(Check(name, .pass, passDetail))
            }
        }
        let c = claims.allClaims
        let invalid = RegistrationErrorCode.invalidSoftwareStatement
        let unapproved = RegistrationErrorCode.unapprovedSoftwareStatement

        // issuer
        switch c["iss"] {
        case nil: record(.issuer, (invalid, "the software statement has no iss claim"), passDetail: "")
        case .string(let iss)? where iss.isByteIdentical(to: issuer): record(.issuer, nil, passDetail: "issued by \"\(iss)\"")
        case .string(let iss)?: record(.issuer, (unapproved, "issuer \"\(iss)\" is not the trusted directory \"\(issuer)\""), passDetail: "")
        case let other?: record(.issuer, (invalid, "iss is \(other.typeDescription), not a string"), passDetail: "")
        }

        // issued_at
        var issuedAt: Date?
        switch c["iat"] {
        case nil: record(.issuedAt, (invalid, "the software statement has no iat claim"), passDetail: "")
        case .number(let n)? where NumericDate.date(n) == nil:
            record(.issuedAt, (invalid, "iat \(NumericDate.problem(with: n) ?? "is out of range")"), passDetail: "")
        case .number(let n)?:
            let iat = Date(timeIntervalSince1970: n)
            issuedAt = iat
            if iat.timeIntervalSince(now) > clockSkew {
                record(.issuedAt, (invalid, "iat \(Self.format(iat)) is in the future (now \(Self.format(now)), skew \(NumericDate.wholeSeconds(clockSkew)) s)"), passDetail: "")
            } else {
                record(.issuedAt, nil, passDetail: "issued \(Self.format(iat))")
            }
        case let other?: record(.issuedAt, (invalid, "iat is \(other.typeDescription), not a NumericDate"), passDetail: "")
        }

        // expiry
        switch c["exp"] {
        case nil: record(.expiry, nil, passDetail: "no exp claim (valid until revoked)")
        case .number(let n)? where NumericDate.date(n) == nil:
            record(.expiry, (invalid, "exp \(NumericDate.problem(with: n) ?? "is out of range")"), passDetail: "")
        case .number(let n)?:
            let exp = Date(timeIntervalSince1970: n)
            if now.timeIntervalSince(exp) > clockSkew {
                record(.expiry, (invalid, "the software statement expired at \(Self.format(exp))"), passDetail: "")
            } else {
                record(.expiry, nil, passDetail: "expires \(Self.format(exp))")
            }
        case let other?: record(.expiry, (invalid, "exp is \(other.typeDescription), not a NumericDate"), passDetail: "")
        }

        // age
        if let maximumAge {
            if let issuedAt {
                let age = now.timeIntervalSince(issuedAt)
                if age > maximumAge {
                    record(.age, (invalid, "the software statement is \(Self.formatDuration(age)) old; at most \(Self.formatDuration(maximumAge)) is accepted"), passDetail: "")
                } else {
                    record(.age, nil, passDetail: "\(Self.formatDuration(max(age, 0))) old, within \(Self.formatDuration(maximumAge))")
                }
            } else {
                checks.append(Check(.age, .skip, "no usable iat"))
            }
        } else {
            checks.append(Check(.age, .skip, "no maximum age configured"))
        }

        // claims
        let problems = claimProblems(c)
        record(.claims, problems.first.map { (invalid, $0) }, passDetail: "required claims present and well-formed")
        if problems.count > 1, let last = checks.indices.last {
            checks[last].detail = problems.joined(separator: "; ")
        }

        // org_status
        switch c["org_status"] {
        case nil: record(.orgStatus, nil, passDetail: "no org_status claim")
        case .string(let status)? where status.isByteIdenticalIgnoringASCIICase(to: "Active"):
            record(.orgStatus, nil, passDetail: "organisation is Active")
        case .string(let status)?:
            record(.orgStatus, (unapproved, "the organisation's status is \"\(status)\", not Active"), passDetail: "")
        case let other?: record(.orgStatus, (invalid, "org_status is \(other.typeDescription), not a string"), passDetail: "")
        }

        // competent_authority
        if let authority = c["organisation_competent_authority_claims"] {
            record(.competentAuthority, competentAuthorityProblem(authority, roles: claims.softwareRoles ?? []),
                   passDetail: "competent authority status Active, roles authorised")
        } else {
            checks.append(Check(.competentAuthority, .skip, "no organisation_competent_authority_claims"))
        }
        return Evaluation(checks: checks, failure: failure)
    }

    /// Every problem with the required and URL-valued claims, in claim order.
    private func claimProblems(_ c: [String: JSONValue]) -> [String] {
        var problems: [String] = []
        for name in ["software_id", "org_id"] {
            switch c[name] {
            case nil: problems.append("\(name) is missing")
            case .string(let s)?:
                if let why = Identifier.problem(with: s) { problems.append("\(name) \(why)") }
            case let other?: problems.append("\(name) is \(other.typeDescription), not a string")
            }
        }
        if requiresJWTID {
            if c["jti"]?.stringValue?.isEmpty ?? true { problems.append("jti is missing") }
        } else if let jti = c["jti"], jti.stringValue == nil {
            problems.append("jti is \(jti.typeDescription), not a string")
        }
        switch c["software_roles"] {
        case nil: problems.append("software_roles is missing")
        case let value?:
            if let roles = value.stringArrayValue, !roles.isEmpty {
                let unknown = roles.filter { !knownRoles.contains($0) }
                if !unknown.isEmpty { problems.append("software_roles has unknown roles: \(unknown.joined(separator: ", "))") }
            } else {
                problems.append("software_roles must be a non-empty array of strings, found \(value.typeDescription)")
            }
        }
        switch c["software_redirect_uris"] {
        case nil: problems.append("software_redirect_uris is missing")
        case let value?:
            if let uris = value.stringArrayValue, !uris.isEmpty {
                for uri in uris {
                    if let why = HTTPSURL.problem(with: uri, allowFragment: false) {
                        problems.append("software_redirect_uris entry \"\(uri)\" \(why)")
                    }
                }
            } else {
                problems.append("software_redirect_uris must be a non-empty array of strings, found \(value.typeDescription)")
            }
        }
        switch c["software_jwks_endpoint"] {
        case nil: problems.append("software_jwks_endpoint is missing")
        default: break
        }
        for name in Self.urlClaims {
            guard let value = c[name] else { continue }
            guard let s = value.stringValue else {
                problems.append("\(name) is \(value.typeDescription), not a string")
                continue
            }
            if s.isEmpty, name != "software_jwks_endpoint" { continue }
            if let why = HTTPSURL.problem(with: s, allowFragment: true) { problems.append("\(name) \"\(s)\" \(why)") }
        }
        return problems
    }

    /// Claims whose value, when present and not empty, must be an https URL.
    static let urlClaims = [
        "software_jwks_endpoint", "software_jwks_revoked_endpoint", "org_jwks_endpoint", "org_jwks_revoked_endpoint",
        "software_client_uri", "software_logo_uri", "software_policy_uri", "software_tos_uri",
    ]

    private func competentAuthorityProblem(_ value: JSONValue, roles: [String]) -> (RegistrationErrorCode, String)? {
        guard let object = value.objectValue else {
            return (.invalidSoftwareStatement, "organisation_competent_authority_claims is \(value.typeDescription), not an object")
        }
        if let status = object["status"]?.stringValue, !status.isByteIdenticalIgnoringASCIICase(to: "Active") {
            return (.unapprovedSoftwareStatement, "the competent authority status is \"\(status)\", not Active")
        }
        guard let authorisations = object["authorisations"]?.arrayValue else { return nil }
        var authorised: Set<String> = []
        for entry in authorisations {
            for role in entry.objectValue?["roles"]?.stringArrayValue ?? [] { authorised.insert(role) }
        }
        let psd2Roles: Set<String> = ["AISP", "PISP", "CBPII"]
        let missing = roles.filter { psd2Roles.contains($0) && !authorised.contains($0) }
        if !missing.isEmpty {
            return (.unapprovedSoftwareStatement, "the competent authority does not authorise role(s) \(missing.joined(separator: ", "))")
        }
        return nil
    }

    /// `2026-01-01T00:00:00Z`, as reports print instants.
    public static func formatForReport(_ date: Date) -> String { NumericDate.format(date) }

    static func format(_ date: Date) -> String { NumericDate.format(date) }

    static func formatDuration(_ seconds: TimeInterval) -> String { NumericDate.formatDuration(seconds) }
}
