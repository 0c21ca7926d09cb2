/// Why the directory could not answer. Every case makes a registration *undecided*, except
/// ``Code/invalidIdentifier`` (a hostile or malformed identifier: the query is never sent).
public struct DirectoryError: CodedError {
    /// A stable error code (`ErrorCode<DirectoryFailure>`: see its static members).
    public typealias Code = ErrorCode<DirectoryFailure>

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
