/// Why an HTTPS exchange failed. Every case is a reason to be *undecided*, never to accept.
///
/// Compare by ``code``; ``reason`` carries curl's message or the server's OAuth error.
public typealias TransportError = CodedFailure<TransportFailure>

/// The kind of failure of ``TransportError``.
public enum TransportFailure: FailureDomain {}

/// The codes of ``TransportError``.
extension ErrorCode where Domain == TransportFailure {
    /// Not an https URL, or one curl cannot parse.
    public static let invalidURL = ErrorCode("invalid_url")
    /// No connection (TCP and TLS) within the connect timeout.
    public static let connectTimeout = ErrorCode("connect_timeout")
    /// The whole exchange took longer than the total timeout.
    public static let timeout = ErrorCode("timeout")
    /// The host could not be resolved or refused the connection.
    public static let connectionFailed = ErrorCode("connection_failed")
    /// The TLS handshake failed: untrusted server, hostname mismatch, refused client certificate.
    public static let tlsFailure = ErrorCode("tls_failure")
    /// The response body exceeded the configured limit.
    public static let responseTooLarge = ErrorCode("response_too_large")
    /// The server answered with a redirect, which is never followed.
    public static let redirectRefused = ErrorCode("redirect_refused")
    /// The server answered with an unexpected HTTP status.
    public static let httpStatus = ErrorCode("http_status")
    /// Any other transfer failure.
    public static let transferFailed = ErrorCode("transfer_failed")
}
