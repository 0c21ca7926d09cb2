import Foundation

/// What a revocation source says of one certificate (RFC 6960 `CertStatus`, or a CRL lookup).
public enum RevocationStatus: Sendable, Hashable {
    /// Not revoked, as of the answer's ``RevocationAnswer/thisUpdate``.
    case good
    /// Revoked at `time`, for `reason` (RFC 5280 `CRLReason`, e.g. `keyCompromise`) when given.
    case revoked(reason: String?, time: Date)
    /// The responder does not know the certificate.
    case unknown

    /// `good`, `revoked` or `unknown`: the outcome label of the lookup metrics.
    var metricName: String {
        switch self {
        case .good: "good"
        case .revoked: "revoked"
        case .unknown: "unknown"
        }
    }
}

/// One verified answer about one certificate: its status, where it came from, and for how long
/// it holds.
public struct RevocationAnswer: Sendable, Hashable {
    /// The status.
    public var status: RevocationStatus
    /// Where it came from: `OCSP <responder URL>` or `CRL <distribution point URL>`.
    public var source: String
    /// When the source last knew the status to be so.
    public var thisUpdate: Date
    /// When the source will have newer information; `nil` when it does not say (then the answer
    /// is cached no longer than the configured maximum).
    public var nextUpdate: Date?

    /// An answer.
    public init(status: RevocationStatus, source: String, thisUpdate: Date, nextUpdate: Date?) {
        self.status = status
        self.source = source
        self.thisUpdate = thisUpdate
        self.nextUpdate = nextUpdate
    }

    /// Where it came from and for how long it holds, for a report: `OCSP <url>; thisUpdate ...,
    /// nextUpdate ...`.
    var provenance: String {
        "\(source); thisUpdate \(NumericDate.format(thisUpdate))" + (nextUpdate.map { ", nextUpdate \(NumericDate.format($0))" } ?? "")
    }
}

/// Why no revocation answer could be had: no source was named, none could be reached, or what
/// came back cannot be believed. With `revocationFailure=closed` each is *undecided*.
public typealias RevocationError = CodedFailure<RevocationFailure>
