import Foundation
import Logging

/// What registration and token time do with a revocation check of the caller's certificate: the
/// one place that turns a ``RevocationChecker``'s answer (or its failure) into pass, refuse or
/// undecided, so both moments decide a revoked certificate the same way.
public struct RevocationPolicy: Sendable {
    /// What a check that got no answer at all comes to (`revocationFailure`).
    public enum FailureMode: String, Sendable, Equatable {
        /// No answer: the decision is undecided (HTTP 503), never an accept or allow.
        case closed
        /// No answer: the certificate passes; logged, counted, and the check says so.
        case open
    }

    /// What a certificate that names neither an OCSP responder nor a CRL comes to
    /// (`revocationWhenUnpublished`).
    public enum Unpublished: String, Sendable, Equatable {
        /// Refused: its revocation cannot be known (Open Banking UK's default: the directory's
        /// certificates carry both).
        case reject
        /// Passes, and the check says no source is published.
        case allow
    }

    /// What became of the check: ``RuleOutcome/passed(_:)`` for `good` (or a pass by
    /// ``FailureMode/open`` or ``Unpublished/allow``, which the sentence says),
    /// ``RuleOutcome/refused(_:)`` for revoked, unknown, or unpublished with
    /// ``Unpublished/reject``, ``RuleOutcome/unavailable(_:)`` for no answer with ``FailureMode/closed``.
    public typealias Outcome = RuleOutcome

    /// Asks and caches.
    public var checker: RevocationChecker
    /// `revocationFailure`.
    public var failure: FailureMode
    /// `revocationWhenUnpublished`.
    public var whenUnpublished: Unpublished
    /// Where a fail-open pass is logged.
    public var logger: Logger

    /// A policy over `checker`.
    public init(checker: RevocationChecker, failure: FailureMode = .closed, whenUnpublished: Unpublished = .reject,
                logger: Logger = Logger(label: "ssa-toolkit.revocation", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.checker = checker
        self.failure = failure
        self.whenUnpublished = whenUnpublished
        self.logger = logger
    }

    /// The outcome for the certificate of DER `leaf` (SHA-256 `digest`) issued by `issuer` (DER,
    /// the next certificate of its chain; `nil` when the chain was verified elsewhere and the
    /// issuer was not presented). A cached answer is used without a network call.
    func evaluate(leaf: [UInt8], digest: [UInt8], issuer: [UInt8]?) async -> Outcome {
        if let cached = checker.cachedStatus(digest: digest) { return cached.outcome }
        if let known = checker.knownUnpublished(digest: digest) { return noAnswer(known, unpublished: true) }
        guard let issuer else {
            switch checker.namesSource(leaf) {
            case false?:
                return noAnswer(RevocationError(.unpublished, "the certificate names neither an OCSP responder nor a CRL distribution point"), unpublished: true)
            case nil:
                // Not "unpublished": what it names cannot be known, so it never passes as such.
                return noAnswer(RevocationError(.malformedResponse, "the certificate cannot be read to find its OCSP responder or CRL"), unpublished: false)
            case true?:
                break
            }
            return noAnswer(RevocationError(.unpublished, "the certificate's issuer is not known here (with clientCertificateVerification=proxy the proxy must forward the chain, or check revocation itself and set revocationCheck=off)"), unpublished: false)
        }
        do throws(RevocationError) {
            let answer = try await checker.status(of: leaf, digest: digest, issuer: issuer)
            return Self.outcome(answer, provenance: answer.provenance, cached: false)
        } catch {
            // `unpublished` from the checker: the certificate names no source of the configured kinds.
            return noAnswer(error, unpublished: error.code == .unpublished)
        }
    }

    /// What `answer` comes to, its `provenance` said (and that it came from the cache).
    static func outcome(_ answer: RevocationAnswer, provenance: String, cached: Bool) -> Outcome {
        let when = cached ? provenance + ", from cache" : provenance
        switch answer.status {
        case .good:
            return .passed("good (\(when))")
        case .revoked(let reason, let time):
            return .refused("revoked at \(NumericDate.format(time))\(reason.map { " (\($0))" } ?? "") (\(when))")
        case .unknown:
            return .refused("unknown to its issuer's responder: not a certificate it issued (\(when))")
        }
    }

    private func noAnswer(_ error: RevocationError, unpublished: Bool) -> Outcome {
        if unpublished {
            switch whenUnpublished {
            case .reject: return .refused("\(error.reason): its revocation cannot be checked (revocationWhenUnpublished=reject)")
            case .allow: return .passed("not checked: \(error.reason) (revocationWhenUnpublished=allow)")
            }
        }
        switch failure {
        case .closed:
            return .unavailable("no revocation answer could be had (\(error.code.rawValue)): \(error.reason) (revocationFailure=closed)")
        case .open:
            ToolkitMetrics.revocationFailOpen()
            logger.warning("revocation check failed open", metadata: ["code": .string(error.code.rawValue), "reason": .string(error.reason)])
            return .passed("passed without an answer (revocationFailure=open): \(error.reason)")
        }
    }
}
