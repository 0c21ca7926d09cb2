/// Why the directory could not answer. Every case makes a registration *undecided*, except
/// ``Code/invalidIdentifier`` (a hostile or malformed identifier: the query is never sent).
public struct DirectoryError: CodedError {
    /// A stable error code (`ErrorCode<DirectoryError>`: see its static members).
    public typealias Code = ErrorCode<DirectoryError>

    /// What kind of failure.
    public var code: Code
    /// A sentence for a person. Never contains a token or an assertion.
    public var reason: String
    /// The transport failure, for ``Code/transport``.
    public var transport: TransportError?
    /// The HTTP status, when the directory answered.
    public var status: Int?

    /// Creates an error.
    public init(_ code: Code, _ reason: String, transport: TransportError? = nil, status: Int? = nil) {
        self.code = code
        self.reason = reason
        self.transport = transport
        self.status = status
    }

    /// Wraps a transport failure.
    public init(_ transport: TransportError, while doing: String) {
        self.init(.transport, "\(doing): \(transport.reason)", transport: transport, status: transport.status)
    }

}

/// The codes of ``DirectoryError``.
extension ErrorCode where Domain == DirectoryError {
    /// The HTTPS exchange failed; ``DirectoryError/transport`` has the detail.
    public static let transport = ErrorCode("transport")
    /// The directory answered with an OAuth error (`invalid_client`, ...).
    public static let oauthError = ErrorCode("oauth_error")
    /// The answer was not the JSON expected.
    public static let malformedResponse = ErrorCode("malformed_response")
    /// An identifier that may not be placed in a query.
    public static let invalidIdentifier = ErrorCode("invalid_identifier")
    /// The client assertion could not be signed.
    public static let assertionFailed = ErrorCode("assertion_failed")
    /// The directory has no such record.
    public static let notFound = ErrorCode("not_found")
}
