import Foundation
import Logging

/// The outcome of verifying a software statement.
public struct SoftwareStatementVerification: Sendable {
    /// Valid, rejected, or undecided (the JWKS could not be obtained).
    public enum Verdict: String, Sendable {
        /// Signature and every rules rule hold.
        case valid
        /// A definite no; ``SoftwareStatementVerification/error`` says which RFC 7591 error.
        case rejected
        /// The toolkit could not decide; never to be treated as valid.
        case undecided
    }

    /// The verdict.
    public var verdict: Verdict
    /// `invalid_software_statement`, `unapproved_software_statement` or `temporarily_unavailable`;
    /// `nil` when valid.
    public var error: RegistrationErrorCode?
    /// One sentence for a person; `nil` when valid.
    public var errorDescription: String?
    /// Every rule, in order, with its outcome.
    public var checks: [Check]
    /// The claims, once the signature verified (never set from an unverified token).
    public var claims: SoftwareStatementClaims?
    /// The `kid` of the key that verified the signature.
    public var keyID: String?
    /// The algorithm that verified the signature.
    public var algorithm: JWSAlgorithm?

    /// The first failing check, if any.
    public var failedCheck: Check? { checks.first { $0.outcome == .fail } }
}

/// Verifies software statement assertions: compact JWS framing, the directory's signature, and
/// the Open Banking claim rules. Safe to share across concurrent callers.
public struct SoftwareStatementVerifier: Sendable {
    /// Where the directory's keys come from.
    public var keys: JWKSProvider
    /// Algorithm allow-list and header rules.
    public var jws: JWSVerifier
    /// Claim rules.
    public var rules: SoftwareStatementRules
    /// Bounds on the token.
    public var limits: JOSELimits
    private let logger: Logger

    /// A verifier. The logger receives debug lines naming checks and `kid`s, never tokens.
    public init(keys: JWKSProvider, algorithms: AlgorithmPolicy = .openBankingDefault, rules: SoftwareStatementRules = SoftwareStatementRules(), limits: JOSELimits = JOSELimits(), logger: Logger = Logger(label: "ssa-toolkit.ssa", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.keys = keys
        self.jws = JWSVerifier(algorithms: algorithms)
        self.rules = rules
        self.limits = limits
        self.logger = logger
    }

    /// The checks, in the order they run.
    public static let checkOrder: [Check.Name] = [
        .format, .header, .algorithm, .key, .signature,
        .issuer, .issuedAt, .expiry, .age, .claims, .orgStatus, .competentAuthority,
    ]

    /// Verifies `token` at the instant `now`. Never throws: every failure is a verdict.
    public func verify(_ token: String, at now: Date) async -> SoftwareStatementVerification {
        await verify(framed: Result { () throws(JOSEError) in try CompactJWS(parsing: token, limits: limits) }, at: now)
    }

    /// Verifies a token already framed (or that failed framing) with this verifier's ``limits``,
    /// for a caller that had to read it first (to choose among trusted directories).
    public func verify(framed: Result<CompactJWS, JOSEError>, at now: Date) async -> SoftwareStatementVerification {
        var checks: [Check] = []
        func stop(_ verdict: SoftwareStatementVerification.Verdict, _ code: RegistrationErrorCode, _ failed: Check.Name, _ detail: String) -> SoftwareStatementVerification {
            checks.append(Check(failed, .fail, detail))
            let reason = verdict == .undecided ? "not evaluated: the directory's keys are unavailable" : "not evaluated: \(failed) failed"
            for name in Self.checkOrder where !checks.contains(where: { $0.name == name }) {
                checks.append(Check(name, .skip, reason))
            }
            logger.debug("software statement \(verdict): \(failed) failed")
            return SoftwareStatementVerification(verdict: verdict, error: code, errorDescription: detail, checks: checks)
        }
        let invalid = RegistrationErrorCode.invalidSoftwareStatement

        let parsed: CompactJWS
        switch framed {
        case .success(let framed): parsed = framed
        case .failure(let error): return stop(.rejected, invalid, .format, error.reason)
        }
        checks.append(Check(.format, .pass, "compact JWS, \(parsed.byteCount) bytes"))

        do {
            checks.append(Check(.header, .pass, try jws.checkHeader(parsed.header)))
        } catch {
            return stop(.rejected, invalid, .header, error.reason)
        }

        let alg: JWSAlgorithm
        do {
            alg = try jws.checkAlgorithm(parsed.header)
        } catch {
            return stop(.rejected, invalid, .algorithm, error.reason)
        }
        checks.append(Check(.algorithm, .pass, "\(alg.rawValue) is on the allow-list (\(jws.algorithms.listDescription))"))

        let key: JWK
        do {
            key = try await selectKey(parsed.header, alg)
        } catch {
            switch error {
            case .unavailable(let unavailable):
                return stop(.undecided, .temporarilyUnavailable, .key, unavailable.description)
            case .refused(let refused):
                return stop(.rejected, invalid, .key, refused.reason)
            }
        }
        checks.append(Check(.key, .pass, "\(key.keyID.map { "kid \($0)" } ?? "the only fitting key"): \(key.keyDescription)"))

        do {
            try jws.checkSignature(parsed, algorithm: alg, key: key)
        } catch {
            return stop(.rejected, invalid, .signature, error.reason)
        }
        checks.append(Check(.signature, .pass, "\(alg.rawValue) signature verifies"))

        let claims = SoftwareStatementClaims(parsed.payload, framework: rules.framework)
        let evaluation = rules.evaluate(claims, at: now)
        checks += evaluation.checks
        var result = SoftwareStatementVerification(verdict: .valid, checks: checks, claims: claims, keyID: key.keyID, algorithm: alg)
        if let failure = evaluation.failure {
            result.verdict = .rejected
            result.error = failure.code
            result.errorDescription = failure.description
        }
        logger.debug("software statement \(result.verdict)", metadata: ["software_id": "\(claims.softwareID ?? "-")", "kid": "\(key.keyID ?? "-")"])
        return result
    }

    private enum KeyFailure: Error {
        case unavailable(JWKSUnavailableError)
        case refused(JOSEError)
    }

    /// Chooses the key, refreshing the JWKS once when the `kid` is unknown.
    private func selectKey(_ header: JOSEHeader, _ alg: JWSAlgorithm) async throws(KeyFailure) -> JWK {
        let current: JWKS
        do { current = try await keys.keys() } catch { throw .unavailable(error) }
        do {
            return try jws.selectKey(for: header, algorithm: alg, in: current)
        } catch where error.code == .keyNotFound && header.keyID != nil {
            let refreshed: JWKS?
            do { refreshed = try await keys.refreshForUnknownKey() } catch { throw .unavailable(error) }
            guard let refreshed else { throw .refused(error) }
            do { return try jws.selectKey(for: header, algorithm: alg, in: refreshed) } catch { throw .refused(error) }
        } catch {
            throw .refused(error)
        }
    }
}
