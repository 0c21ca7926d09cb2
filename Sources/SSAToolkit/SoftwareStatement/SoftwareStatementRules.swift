import Foundation

/// The rules a software statement's claims must meet under its trust framework, evaluated at an
/// instant the caller gives (never the wall clock behind its back).
public struct SoftwareStatementRules: Sendable {
    /// The trust framework whose claims these are (Open Banking UK by default): which claims are
    /// required, where they are, whether `exp` is required and how long an SSA may live.
    public var framework: TrustFramework = .openBankingUK {
        didSet { knownRoles = framework.knownRoles }
    }
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

    /// The default rules of `framework`: its directory's issuer, its roles and its maximum age.
    public init(framework: TrustFramework) {
        self.framework = framework
        self.issuer = framework.defaultIssuer
        self.knownRoles = framework.knownRoles
        self.maximumAge = framework.defaultMaximumAge
    }

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
        case nil where framework.requiresExpiry:
            record(.expiry, (invalid, "the software statement has no exp claim; \(framework.name.rawValue) SSAs are short-lived and must carry one"), passDetail: "")
        case nil: record(.expiry, nil, passDetail: "no exp claim (valid until revoked)")
        case .number(let n)? where NumericDate.date(n) == nil:
            record(.expiry, (invalid, "exp \(NumericDate.problem(with: n) ?? "is out of range")"), passDetail: "")
        case .number(let n)?:
            let exp = Date(timeIntervalSince1970: n)
            if now.timeIntervalSince(exp) > clockSkew {
                record(.expiry, (invalid, "the software statement expired at \(Self.format(exp))"), passDetail: "")
            } else if let limit = framework.maximumLifetime, let issuedAt, exp.timeIntervalSince(issuedAt) > limit + clockSkew {
                record(.expiry, (invalid, "exp is \(Self.formatDuration(exp.timeIntervalSince(issuedAt))) after iat; \(framework.name.rawValue) SSAs live at most \(Self.formatDuration(limit))"), passDetail: "")
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

        // competent_authority: the UK's competent-authority claims; Brasil's software_statement_roles
        if framework.name == .openFinanceBrasil {
            record(.competentAuthority, statementRolesProblem(c["software_statement_roles"], roles: claims.softwareRoles ?? []),
                   passDetail: "software_statement_roles: every role Active in \(framework.authorisationDomain)")
        } else if framework.name == .cdrAU {
            checks.append(Check(.competentAuthority, .skip, "the CDR Register's SSA carries no competent-authority claims (the Register's status is asked instead)"))
        } else if let authority = c["organisation_competent_authority_claims"] {
            record(.competentAuthority, competentAuthorityProblem(authority, roles: claims.softwareRoles ?? []),
                   passDetail: "competent authority status Active, roles authorised")
        } else {
            checks.append(Check(.competentAuthority, .skip, "no organisation_competent_authority_claims"))
        }
        return Evaluation(checks: checks, failure: failure)
    }

    /// Every problem with the required and URL-valued claims, in claim order.
    private func claimProblems(_ c: [String: JSONValue]) -> [String] {
        let names = framework.claimNames
        var problems: [String] = []
        var identifiers = ["software_id", "org_id"]
        if let legalEntity = names.legalEntityID { identifiers.insert(legalEntity, at: 0) }
        for name in identifiers {
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
        switch c[names.roles] {
        case nil: problems.append("\(names.roles) is missing")
        case .string(let role)? where framework.name == .cdrAU:
            // The Register gives the one role as a string.
            if !knownRoles.contains(role) { problems.append("\(names.roles) \(role.quotedForReport()) is not \(knownRoles.sorted().joined(separator: ", "))") }
        case let value?:
            if let roles = value.stringArrayValue, !roles.isEmpty {
                let unknown = roles.filter { !knownRoles.contains($0) }
                if !unknown.isEmpty { problems.append("\(names.roles) has unknown roles: \(unknown.joined(separator: ", "))") }
            } else {
                problems.append("\(names.roles) must be a non-empty array of strings, found \(value.typeDescription)")
            }
        }
        switch c[names.redirectURIs] {
        case nil: problems.append("\(names.redirectURIs) is missing")
        case let value?:
            if let uris = value.stringArrayValue, !uris.isEmpty {
                for uri in uris {
                    if let why = HTTPSURL.problem(with: uri, allowFragment: false) {
                        problems.append("\(names.redirectURIs) entry \"\(uri)\" \(why)")
                    }
                }
            } else {
                problems.append("\(names.redirectURIs) must be a non-empty array of strings, found \(value.typeDescription)")
            }
        }
        if c[names.softwareJWKS] == nil { problems.append("\(names.softwareJWKS) is missing") }
        if let scopeClaim = names.scope {
            switch c[scopeClaim] {
            case nil: problems.append("\(scopeClaim) is missing")
            case .string(let text)?:
                let scopes = text.split(separator: " ", omittingEmptySubsequences: false)
                if text.isEmpty || scopes.contains(where: { $0.isEmpty || ScopeSyntax.problem(with: String($0)) != nil }) {
                    problems.append("\(scopeClaim) must be space-separated scope tokens")
                }
            case let other?: problems.append("\(scopeClaim) is \(other.typeDescription), not a string")
            }
        }
        if framework.name == .openFinanceBrasil, c["software_statement_roles"] == nil { problems.append("software_statement_roles is missing") }
        for name in urlClaims {
            guard let value = c[name] else { continue }
            guard let s = value.stringValue else {
                problems.append("\(name) is \(value.typeDescription), not a string")
                continue
            }
            if s.isEmpty, name != names.softwareJWKS { continue }
            if let why = HTTPSURL.problem(with: s, allowFragment: true) { problems.append("\(name) \"\(s)\" \(why)") }
        }
        return problems
    }

    /// The URL-valued claims of this framework's SSAs.
    private var urlClaims: [String] {
        switch framework.name {
        case .openBankingUK: Self.urlClaims
        case .openFinanceBrasil: ["software_jwks_uri", "software_jwks_transport_uri", "software_jwks_inactive_uri", "software_jwks_transport_inactive_uri",
                                  "software_client_uri", "software_logo_uri", "software_policy_uri", "software_tos_uri"]
        case .cdrAU: ["jwks_uri", "sector_identifier_uri", "revocation_uri", "recipient_base_uri", "client_uri", "logo_uri", "tos_uri", "policy_uri"]
        }
    }

    /// Why Brasil's `software_statement_roles` does not authorise every role of `software_roles`
    /// (an entry with `role`, `authorisation_domain` this framework's, and `status` Active), or `nil`.
    private func statementRolesProblem(_ value: JSONValue?, roles: [String]) -> (RegistrationErrorCode, String)? {
        guard let entries = value?.arrayValue else {
            return (.invalidSoftwareStatement, "software_statement_roles is \(value?.typeDescription ?? "missing"), not an array")
        }
        var active: Set<String> = []
        for entry in entries {
            guard let object = entry.objectValue, let role = object["role"]?.stringValue else {
                return (.invalidSoftwareStatement, "a software_statement_roles entry has no role")
            }
            let domain = object["authorisation_domain"]?.stringValue
            if object["status"]?.stringValue?.isByteIdenticalIgnoringASCIICase(to: "Active") == true,
               domain.map({ $0.isByteIdentical(to: framework.authorisationDomain) }) ?? true {
                active.insert(role)
            }
        }
        let missing = roles.filter { !active.contains($0) }
        if !missing.isEmpty {
            return (.unapprovedSoftwareStatement, "software_statement_roles has no Active \(framework.authorisationDomain) entry for role(s) \(missing.joined(separator: ", "))")
        }
        return nil
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
