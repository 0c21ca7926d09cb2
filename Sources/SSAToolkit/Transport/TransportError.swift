/// Why an HTTPS exchange failed. Every case is a reason to be *undecided*, never to accept.
///
/// Compare by ``code``; ``reason`` carries curl's message or the server's OAuth error.
public struct TransportError: Error, Hashable, CustomStringConvertible, Sendable {
    /// A stable error code; one per kind of timeout, as timeouts need different remedies.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Backing: String, Hashable, Sendable {
            case invalidURL = "invalid_url"
            case connectTimeout = "connect_timeout"
            case timeout = "timeout"
            case connectionFailed = "connection_failed"
            case tlsFailure = "tls_failure"
            case responseTooLarge = "response_too_large"
            case redirectRefused = "redirect_refused"
            case httpStatus = "http_status"
            case transferFailed = "transfer_failed"
        }
        fileprivate var backing: Backing

        /// Not an https URL, or one curl cannot parse.
        public static let invalidURL = Code(backing: .invalidURL)
        /// No connection (TCP and TLS) within the connect timeout.
        public static let connectTimeout = Code(backing: .connectTimeout)
        /// The whole exchange took longer than the total timeout.
        public static let timeout = Code(backing: .timeout)
        /// The host could not be resolved or refused the connection.
        public static let connectionFailed = Code(backing: .connectionFailed)
        /// The TLS handshake failed: untrusted server, hostname mismatch, refused client certificate.
        public static let tlsFailure = Code(backing: .tlsFailure)
        /// The response body exceeded the configured limit.
        public static let responseTooLarge = Code(backing: .responseTooLarge)
        /// The server answered with a redirect, which is never followed.
        public static let redirectRefused = Code(backing: .redirectRefused)
        /// The server answered with an unexpected HTTP status.
        public static let httpStatus = Code(backing: .httpStatus)
        /// Any other transfer failure.
        public static let transferFailed = Code(backing: .transferFailed)

        public var description: String { backing.rawValue }
    }

    /// What kind of failure.
    public var code: Code
    /// A sentence for a person: the URL's host, curl's message, the server's OAuth error.
    public var reason: String
    /// The HTTP status, for ``Code/httpStatus`` and ``Code/redirectRefused``.
    public var status: Int?

    /// Creates an error.
    public init(_ code: Code, _ reason: String, status: Int? = nil) {
        self.code = code
        self.reason = reason
        self.status = status
    }

    public var description: String { "\(code): \(reason)" }

    public static func == (lhs: TransportError, rhs: TransportError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
