import Foundation

/// What a token request comes to: **allow** (with what to apply), **deny** (`access_denied` or
/// `invalid_grant`), or **undecided** (the directory could not be asked and no usable cached
/// status exists, or the audit log cannot be written): never an allow by accident.
public struct TokenDecision: DecisionOutcome {
    /// The three answers.
    public enum Verdict: String, DecisionVerdict {
        /// Issue the tokens with what the decision says.
        case allow
        /// Refuse: HTTP 403 (or 400 `invalid_grant`) from the token endpoint.
        case deny
        /// Refuse for now: HTTP 503; the TPP may retry.
        case undecided
    }

    /// The answer.
    public var verdict: Verdict
    /// The error, when not allowed.
    public var error: TokenErrorCode?
    /// One sentence for a person, when not allowed.
    public var errorDescription: String?
    /// Every rule in order.
    public var checks: [Check]
    /// The scopes to grant (the requested ones the current roles permit).
    public var grantedScopes: [String] = []
    /// Requested scopes removed because the current roles no longer permit them.
    public var removedScopes: [String] = []
    /// The consent's `openbanking_intent_id`.
    public var intentID: String?
    /// Claims to set in the id_token (`openbanking_intent_id`, `sub`, static claims).
    public var idTokenClaims: [String: JSONValue] = [:]
    /// Claims to set in a JWT access token (`openbanking_intent_id`, static claims).
    public var accessTokenClaims: [String: JSONValue] = [:]
    /// `x5t#S256` of the caller's certificate, for the access token's `cnf`.
    public var certificateThumbprint: String?
    /// The lifetimes to set.
    public var lifetimes: TokenLifetimes?
    /// The request's identifiers, for the audit record and logs.
    public var clientID: String
    /// The software statement id.
    public var softwareID: String
    /// The organisation id.
    public var organisationID: String
    /// The issuer of the trusted directory that was asked (`nil` when none was chosen).
    public var directory: String?
    /// The trust framework of that directory (`openbanking-uk`, `open-finance-brasil`, `cdr-au`).
    public var trustFramework: String?
    /// The caller's certificate's revocation status and source, when it was checked.
    public var revocation: String?
    /// Which checks the answer explains (from the request).
    public var checkDetails: CheckDetails = .all

    /// A decision with its verdict and checks; the rest is filled in as the rules run.
    public init(verdict: Verdict, checks: [Check], clientID: String, softwareID: String, organisationID: String) {
        self.verdict = verdict
        self.checks = checks
        self.clientID = clientID
        self.softwareID = softwareID
        self.organisationID = organisationID
    }

    /// The checks of a token decision, in order: the call's own terms first (cheap, local), the
    /// certificate (cached after its first verification), then the directory's records, then the
    /// audit record.
    public static let checkOrder: [Check.Name] = [
        .directory, .tokenEndpointAuthMethod, .grantType, .scope, .certificate, .certificateRevocation, .transportKey, .softwareActive, .organisation, .roles, .intent, .subject, .lifetimes, .audit,
    ]
    /// ``DecisionKind/token``.
    public static var kind: DecisionKind { .token }
    /// Token decisions list the audit record as their last check.
    public static var listsAuditCheck: Bool { true }
    /// ``Verdict/allow``.
    public static var positiveVerdict: Verdict { .allow }
    /// The client's `software_id`.
    public var softwareIDForLog: String? { softwareID }

    /// The audit record: ids, verdict, failed checks, the directory asked, scopes granted and
    /// removed, the intent.
    public func auditRecord(at now: Date) -> AuditRecord {
        AuditRecord(kind: Self.kind.rawValue, time: now, decision: verdict.rawValue, error: error?.rawValue, directory: directory,
                    failedChecks: checks.filter { $0.outcome == .fail }.map(\.name.rawValue), clientID: clientID, softwareID: softwareID,
                    organisationID: organisationID, scopesGranted: verdict == .allow ? grantedScopes : [], scopesRemoved: removedScopes, intentID: intentID,
                    revocation: revocation, trustFramework: trustFramework)
    }

    /// Lists a check; its sentence is made only when the answer carries it (``checkDetails``).
    @inline(__always)
    mutating func record(_ name: Check.Name, _ outcome: Check.Outcome, _ detail: @autoclosure () -> String) {
        checks.append(Check(name, outcome, checkDetails.explains(outcome) ? detail() : ""))
    }

    /// Undecided (`temporarily_unavailable`) because `reason`, with no claims to set.
    public mutating func makeUndecided(because reason: String) {
        verdict = .undecided
        error = .temporarilyUnavailable
        errorDescription = reason
        idTokenClaims = [:]
        accessTokenClaims = [:]
    }

    /// The HTTP status a token endpoint answers with when it does not issue: 403 deny
    /// (`access_denied`), 401 (`invalid_client`), 400 (`invalid_grant`, `unsupported_grant_type`,
    /// `invalid_scope`), 503 undecided; 200 allow.
    public var httpStatus: Int {
        switch verdict {
        case .allow: 200
        case .deny:
            switch error {
            case .invalidClient?: 401
            case .invalidGrant?, .unsupportedGrantType?, .invalidScope?: 400
            default: 403
            }
        case .undecided: 503
        }
    }

    /// The decision as JSON: `verdict`, `error`, `error_description`, `checks`, `scope`,
    /// `scopes_removed`, `openbanking_intent_id`, `id_token_claims`, `access_token_claims`,
    /// `x5t#S256`, `lifetimes`.
    public var json: JSONValue {
        var object = Check.verdictMembers(verdict.rawValue, checks: checks, error: error?.rawValue, errorDescription: errorDescription, details: checkDetails)
        if verdict == .allow {
            object["scope"] = .string(grantedScopes.joined(separator: " "))
            object["scopes_removed"] = .array(removedScopes.map { .string($0) })
            object["id_token_claims"] = .object(idTokenClaims)
            object["access_token_claims"] = .object(accessTokenClaims)
            if let intentID { object["openbanking_intent_id"] = .string(intentID) }
            if let certificateThumbprint { object["x5t#S256"] = .string(certificateThumbprint) }
            if let lifetimes {
                var times: [String: JSONValue] = ["access_token": .number(Double(lifetimes.accessToken)), "id_token": .number(Double(lifetimes.idToken))]
                times["refresh_token"] = lifetimes.refreshToken.map { .number(Double($0)) } ?? .null
                object["lifetimes"] = .object(times)
            }
        }
        return .object(object)
    }

    /// ``json`` serialized compactly, written field by field without building the tree first
    /// (the answer of every token request on the serve path). The same bytes as
    /// `json.serializedBytes()`: members in byte order.
    public func jsonBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        var first = true
        // Member names are plain identifiers: written as they are, quoted.
        func key(_ name: StaticString) {
            out.append(first ? 0x7B : 0x2C)
            first = false
            out.append(0x22)
            out.appendStatic(name)
            out.append(0x22)
            out.append(0x3A)
        }
        func string(_ name: StaticString, _ value: String) {
            key(name)
            JSONValue.writeQuoted(value, to: &out)
        }
        let allowed = verdict == .allow
        if allowed {
            key("access_token_claims")
            JSONValue.object(accessTokenClaims).write(to: &out)
        }
        key("checks")
        out.append(0x5B)
        for (index, check) in checks.enumerated() {
            if index > 0 { out.append(0x2C) }
            out.appendStatic(#"{"check":"#)
            JSONValue.writeQuoted(check.name.rawValue, to: &out)
            if checkDetails.explains(check.outcome) {
                out.appendStatic(#","detail":"#)
                JSONValue.writeQuoted(check.detail, to: &out)
            }
            switch check.outcome {
            case .pass: out.appendStatic(#","outcome":"pass"}"#)
            case .fail: out.appendStatic(#","outcome":"fail"}"#)
            case .skip: out.appendStatic(#","outcome":"skip"}"#)
            }
        }
        out.append(0x5D)
        if let error { string("error", error.rawValue) }
        if let errorDescription { string("error_description", errorDescription) }
        if allowed {
            key("id_token_claims")
            JSONValue.object(idTokenClaims).write(to: &out)
            if let lifetimes {
                key("lifetimes")
                out.appendStatic(#"{"access_token":"#)
                out.append(contentsOf: String(lifetimes.accessToken).utf8)
                out.appendStatic(#","id_token":"#)
                out.append(contentsOf: String(lifetimes.idToken).utf8)
                out.appendStatic(#","refresh_token":"#)
                out.append(contentsOf: (lifetimes.refreshToken.map { String($0) } ?? "null").utf8)
                out.append(0x7D)
            }
            if let intentID { string("openbanking_intent_id", intentID) }
            key("scope")
            JSONValue.writeSpaceJoined(grantedScopes, to: &out)
            key("scopes_removed")
            JSONValue.writeStringArray(removedScopes, to: &out)
        }
        string("verdict", verdict.rawValue)
        if allowed, let certificateThumbprint { string("x5t#S256", certificateThumbprint) }
        out.append(0x7D)
        return out
    }

    /// Key order for printing ``json``.
    public static let jsonLeadingKeys = ["verdict", "error", "error_description", "scope", "scopes_removed", "openbanking_intent_id", "lifetimes", "checks"]
}
