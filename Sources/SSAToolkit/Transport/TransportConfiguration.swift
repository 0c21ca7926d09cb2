import Foundation

/// How the HTTPS client connects: whom it trusts, how long it waits, how much it reads.
public struct TransportConfiguration: Sendable {
    /// Time limits; each has its own error code when exceeded.
    public struct Timeouts: Sendable, Hashable {
        /// TCP connect plus TLS handshake.
        public var connect: Duration
        /// The whole exchange, connect included.
        public var total: Duration

        /// Limits with the given values (5 s to connect, 15 s in all by default).
        public init(connect: Duration = .seconds(5), total: Duration = .seconds(15)) {
            self.connect = connect
            self.total = total
        }
    }

    /// PEM certificates to trust instead of the system's; `nil` uses the system trust store.
    public var trustAnchorsPEM: String?
    /// The identity presented over mutual TLS; `nil` presents none.
    public var clientIdentity: TransportIdentity?
    /// Time limits.
    public var timeouts: Timeouts = Timeouts()
    /// Largest response body read; a larger one fails with ``TransportError/Code/responseTooLarge``.
    public var maximumResponseBytes: Int = 1 << 20
    /// Idle connections kept for reuse.
    public var maximumIdleConnections: Int = 8
    /// Connections to one host at once; calls beyond it wait for a connection to come free, so a
    /// burst of calls costs the server at most this many TLS handshakes.
    public var maximumConnectionsPerHost: Int = 8
    /// The `User-Agent` sent.
    public var userAgent: String = "ssa-toolkit/0.1"
    /// Also fetch `http://` URLs. Only for objects that carry their own signature and are
    /// verified after the fetch (OCSP responses, CRLs), which RFC 5280 and RFC 6960 publish over
    /// plain HTTP; everything else stays https only.
    public var allowsPlainHTTP = false

    /// A configuration trusting the system's certificate authorities.
    public init() {}

    /// Mutual TLS: presents `identity` and trusts only `trust` (the configured stores).
    public static func mutualTLS(identity: TransportIdentity, trust: TrustStore?) -> TransportConfiguration {
        var configuration = TransportConfiguration()
        configuration.clientIdentity = identity
        configuration.trustAnchorsPEM = trust?.pem
        return configuration
    }

    /// A configuration trusting only the given PEM certificates.
    public static func trusting(pem: String) -> TransportConfiguration {
        var configuration = TransportConfiguration()
        configuration.trustAnchorsPEM = pem
        return configuration
    }
}

/// An HTTP response, body bounded by the configuration.
public struct HTTPResponse: Sendable {
    /// The status code.
    public var status: Int
    /// Header fields in order (names as sent).
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: [UInt8]

    /// The first value of a header, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.isByteIdenticalIgnoringASCIICase(to: name) }?.value
    }
}
