import Foundation

/// A token hook with the life cycle of Janssen's "Update Token" custom script
/// (`UpdateTokenType`, API version 11): for each token response the server asks it to modify the
/// id_token, the access token and the refresh token and for the three lifetimes, and the hook
/// may refuse.
///
/// All six questions of one token request are answered from **one** ``TokenDecider`` decision:
/// the server creates a ``TokenIssuance`` per token request and passes it to each call; the
/// first call decides, the others reuse the answer.
///
/// ```swift
/// let issuance = TokenIssuance(request)
/// let claims = try await hook.modifyIdToken(issuance)          // throws TokenRefusal on deny or undecided
/// let lifetime = try await hook.accessTokenLifetime(issuance)
/// ```
public protocol TokenIssuanceHook: Sendable {
    /// The claims to set in the id_token (`openbanking_intent_id`, `sub`, static claims).
    /// - Throws: ``TokenRefusal`` unless the decision allows the token.
    func modifyIdToken(_ issuance: TokenIssuance) async throws(TokenRefusal) -> [String: JSONValue]
    /// The scopes to grant and the claims to set in a JWT access token (with `cnf`).
    func modifyAccessToken(_ issuance: TokenIssuance) async throws(TokenRefusal) -> (scopes: [String], claims: [String: JSONValue])
    /// Whether to issue a refresh token.
    func modifyRefreshToken(_ issuance: TokenIssuance) async throws(TokenRefusal) -> Bool
    /// The access token's lifetime in seconds.
    func accessTokenLifetime(_ issuance: TokenIssuance) async throws(TokenRefusal) -> Int
    /// The id_token's lifetime in seconds.
    func idTokenLifetime(_ issuance: TokenIssuance) async throws(TokenRefusal) -> Int
    /// The refresh token's lifetime in seconds (0 when none is issued).
    func refreshTokenLifetime(_ issuance: TokenIssuance) async throws(TokenRefusal) -> Int
}

/// One token request and, once made, its decision: what makes the hook's six calls cost one
/// decision.
public final class TokenIssuance: Sendable {
    /// The request.
    public let request: TokenRequest
    private let memo = MemoBox()

    /// A token request about to be answered.
    public init(_ request: TokenRequest) {
        self.request = request
    }

    /// The decision: made by `decider` on the first call, reused afterwards.
    func decision(by decider: TokenDecider) async -> TokenDecision {
        await memo.value { await decider.decide(self.request) }
    }

    private actor MemoBox {
        private var task: Task<TokenDecision, Never>?
        func value(_ make: @escaping @Sendable () async -> TokenDecision) async -> TokenDecision {
            if let task { return await task.value }
            let created = Task { await make() }
            task = created
            return await created.value
        }
    }
}

/// A refusal to issue: the token endpoint answers ``status`` with ``error``.
public struct TokenRefusal: Error, Sendable, CustomStringConvertible {
    /// 403 (`access_denied`), 400 (`invalid_grant`) or 503 (`temporarily_unavailable`).
    public var status: Int
    /// The OAuth error.
    public var error: TokenErrorCode
    /// One sentence.
    public var errorDescription: String
    public var description: String { "\(status) \(error.rawValue): \(errorDescription)" }
}

/// The Open Banking token hook: ``TokenDecider`` behind the Update Token life cycle. Every call
/// refuses (throws) unless the decision is an allow: returning "false" is never how it refuses.
public struct OpenBankingTokenHook: TokenIssuanceHook {
    /// The shared decider.
    public let decider: TokenDecider

    /// A hook over `decider`.
    public init(decider: TokenDecider) { self.decider = decider }

    private func allowed(_ issuance: TokenIssuance) async throws(TokenRefusal) -> TokenDecision {
        let decision = await issuance.decision(by: decider)
        guard decision.verdict == .allow else {
            throw TokenRefusal(status: decision.httpStatus, error: decision.error ?? .temporarilyUnavailable,
                               errorDescription: decision.errorDescription ?? "the token request was not allowed")
        }
        return decision
    }

    public func modifyIdToken(_ issuance: TokenIssuance) async throws(TokenRefusal) -> [String: JSONValue] {
        try await allowed(issuance).idTokenClaims
    }

    public func modifyAccessToken(_ issuance: TokenIssuance) async throws(TokenRefusal) -> (scopes: [String], claims: [String: JSONValue]) {
        let decision = try await allowed(issuance)
        return (decision.grantedScopes, decision.accessTokenClaims)
    }

    public func modifyRefreshToken(_ issuance: TokenIssuance) async throws(TokenRefusal) -> Bool {
        try await allowed(issuance).lifetimes?.refreshToken != nil
    }

    public func accessTokenLifetime(_ issuance: TokenIssuance) async throws(TokenRefusal) -> Int {
        try await allowed(issuance).lifetimes?.accessToken ?? 0
    }

    public func idTokenLifetime(_ issuance: TokenIssuance) async throws(TokenRefusal) -> Int {
        try await allowed(issuance).lifetimes?.idToken ?? 0
    }

    public func refreshTokenLifetime(_ issuance: TokenIssuance) async throws(TokenRefusal) -> Int {
        try await allowed(issuance).lifetimes?.refreshToken ?? 0
    }
}
