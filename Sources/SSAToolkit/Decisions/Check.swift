/// One rule evaluated on the way to a verdict, with its outcome and a sentence saying why.
public struct Check: Sendable, Hashable {
    /// The name of a rule. Names are stable: reports and tests match on them.
    public struct Name: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
        /// The name as printed, e.g. `signature`.
        public var rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }
        public var description: String { rawValue }

        /// Compact JWS structure: parts, base64url, JSON, duplicate members, size.
        public static let format: Name = "format"
        /// Header members: `crit`, `b64`, `cty`, `typ`.
        public static let header: Name = "header"
        /// `alg` supported and on the allow-list.
        public static let algorithm: Name = "algorithm"
        /// The key chosen from the JWKS fits the algorithm.
        public static let key: Name = "key"
        /// The signature verifies.
        public static let signature: Name = "signature"
        /// `iss` is the trusted directory.
        public static let issuer: Name = "issuer"
        /// `iat` present and not in the future.
        public static let issuedAt: Name = "issued_at"
        /// `exp`, when present, not passed.
        public static let expiry: Name = "expiry"
        /// Not older than the configured maximum age.
        public static let age: Name = "age"
        /// Required claims present and well-formed.
        public static let claims: Name = "claims"
        /// `org_status` is Active.
        public static let orgStatus: Name = "org_status"
        /// Competent authority claims, when present, are active and cover the roles.
        public static let competentAuthority: Name = "competent_authority"

        // Names both kinds of decision use.
        /// The directory lists the software statement, active (at registration, and still at
        /// token time).
        public static let softwareActive: Name = "software_active"
        /// The organisation is Active in the directory (for the configured authorisation
        /// domain) and, at registration, authorised for the SSA's roles.
        public static let organisation: Name = "organisation"
        /// The decision's audit record was written (listed by token decisions).
        public static let audit: Name = "audit"
    }

    /// What became of a rule.
    public enum Outcome: String, Sendable, Hashable {
        /// The rule holds.
        case pass
        /// The rule does not hold (or could not be evaluated for lack of data it needs).
        case fail
        /// The rule was not evaluated (an earlier failure, or not configured).
        case skip
    }

    /// Which rule.
    public var name: Name
    /// Its outcome.
    public var outcome: Outcome
    /// A sentence for a person.
    public var detail: String

    /// A check result.
    public init(_ name: Name, _ outcome: Outcome, _ detail: String) {
        self.name = name
        self.outcome = outcome
        self.detail = detail
    }

    /// As JSON: `check`, `outcome`, `detail`.
    public var json: JSONValue {
        ["check": .string(name.rawValue), "outcome": .string(outcome.rawValue), "detail": .string(detail)]
    }
}

/// A broken rule, with the sentence that says so.
struct RuleFailure: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

/// The RFC 7591 error codes (plus `temporarily_unavailable`) a registration can end with, and
/// the software statement verifier with it.
public typealias RegistrationErrorCode = ErrorCode<RegistrationErrorCodes>

/// The domain of ``RegistrationErrorCode``: the codes of a registration decision and of the
/// software statement's verification, which both answer a registration request.
public enum RegistrationErrorCodes {}

extension ErrorCode where Domain == RegistrationErrorCodes {
    /// Malformed, badly signed, expired or wrongly claimed software statement.
    public static let invalidSoftwareStatement = ErrorCode("invalid_software_statement")
    /// Well-formed, but not approved here: untrusted issuer, inactive organisation or software.
    public static let unapprovedSoftwareStatement = ErrorCode("unapproved_software_statement")
    /// A redirect URI that the software statement does not allow.
    public static let invalidRedirectURI = ErrorCode("invalid_redirect_uri")
    /// Registration metadata that breaks a rule.
    public static let invalidClientMetadata = ErrorCode("invalid_client_metadata")
    /// The directory could not be reached: neither accept nor reject.
    public static let temporarilyUnavailable = ErrorCode("temporarily_unavailable")
}

extension Check {
    /// The members every verdict's JSON starts with: `verdict`, `checks`, and `error` and
    /// `error_description` when there is an error. Each kind adds its own members.
    public static func verdictMembers(_ verdict: String, checks: [Check], error: String?, errorDescription: String?) -> [String: JSONValue] {
        var object: [String: JSONValue] = ["verdict": .string(verdict), "checks": .array(checks.map(\.json))]
        if let error { object["error"] = .string(error) }
        if let errorDescription { object["error_description"] = .string(errorDescription) }
        return object
    }
}

extension Array where Element == Check {
    /// Sorts the checks into `order` (names not in it go last; equal names keep their order),
    /// looking each name up once rather than on every comparison.
    mutating func sort(inOrder order: [Check.Name]) {
        let ranked = enumerated().map { (rank: order.firstIndex(of: $0.element.name) ?? .max, position: $0.offset, check: $0.element) }
        self = ranked.sorted { ($0.rank, $0.position) < ($1.rank, $1.position) }.map(\.check)
    }
}
