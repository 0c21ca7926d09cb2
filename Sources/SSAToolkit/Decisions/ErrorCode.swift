/// A stable, machine-readable code of one kind of error (`Domain` is the error type that uses
/// it), e.g. `key_not_found`: compared, hashed and printed by its text. Each error type declares
/// its codes as static members of `ErrorCode<ItsType>`, so codes of different kinds never mix.
public struct ErrorCode<Domain>: Hashable, Sendable, CustomStringConvertible {
    /// The code as printed and reported.
    public let rawValue: String
    /// A code with this text (declare codes as static members, not inline).
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}

/// What every error of the toolkit answers: a stable ``code`` and a ``reason`` for a person.
/// Two errors are equal, and hash alike, when their codes are: a test or a caller branches on
/// the kind of failure, never on the wording. Printed as `code: reason` unless the type says
/// otherwise.
public protocol CodedError: Error, Hashable, CustomStringConvertible, Sendable {
    /// The error type whose codes these are.
    associatedtype Domain
    /// The kind of failure.
    var code: ErrorCode<Domain> { get }
    /// A sentence naming what is wrong. Never contains a secret.
    var reason: String { get }
}

extension CodedError {
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
    public var description: String { "\(code): \(reason)" }
}

/// A kind of failure whose errors are ``CodedFailure``s: the marker type that keeps one kind's
/// codes apart from another's.
public protocol FailureDomain: Sendable {
    /// Whether the error prints as `code: reason` (the default) or as the reason alone (whose
    /// sentence already says what kind of failure it is).
    static var printsCode: Bool { get }
}

extension FailureDomain {
    public static var printsCode: Bool { true }
}

/// The one error skeleton of the lower layers: a stable ``code`` of one ``FailureDomain``, a
/// ``reason`` for a person, and the HTTP ``status`` when a server answered. ``JOSEError``,
/// ``KeyStoreError`` and ``TransportError`` are this type for their domain.
public struct CodedFailure<Domain: FailureDomain>: CodedError {
    /// A stable error code: see the static members of `ErrorCode<Domain>`.
    public typealias Code = ErrorCode<Domain>

    /// What kind of failure.
    public var code: Code
    /// A sentence naming what is wrong (the file, member, `kid` or host). Never a secret.
    public var reason: String
    /// The HTTP status, when a server answered (transport failures only).
    public var status: Int?

    /// An error with its code and reason.
    public init(_ code: Code, _ reason: String, status: Int? = nil) {
        self.code = code
        self.reason = reason
        self.status = status
    }

    public var description: String { Domain.printsCode ? "\(code): \(reason)" : reason }
}
