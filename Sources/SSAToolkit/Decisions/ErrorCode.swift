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
