/// Why the directory could not answer. Every case makes a registration *undecided*, except
/// ``Code/invalidIdentifier`` (a hostile or malformed identifier: the query is never sent).
public struct DirectoryError: Error, Hashable, CustomStringConvertible, Sendable {
    /// A stable error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Backing: String, Hashable, Sendable {
            case transport, oauthError = "oauth_error", malformedResponse = "malformed_response"
            case invalidIdentifier = "invalid_identifier", assertionFailed = "assertion_failed", notFound = "not_found"
        }
        fileprivate var backing: Backing

        /// The HTTPS exchange failed; ``DirectoryError/transport`` has the detail.
        public static let transport = Code(backing: .transport)
        /// The directory answered with an OAuth error (`invalid_client`, ...).
        public static let oauthError = Code(backing: .oauthError)
        /// The answer was not the JSON expected.
        public static let malformedResponse = Code(backing: .malformedResponse)
        /// An identifier that may not be placed in a query.
        public static let invalidIdentifier = Code(backing: .invalidIdentifier)
        /// The client assertion could not be signed.
        public static let assertionFailed = Code(backing: .assertionFailed)
        /// The directory has no such record.
        public static let notFound = Code(backing: .notFound)

        public var description: String { backing.rawValue }
    }

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

    public var description: String { "\(code): \(reason)" }

    public static func == (lhs: DirectoryError, rhs: DirectoryError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
