import Foundation

/// A configuration that cannot be used: a missing, malformed or contradictory property, or a
/// secret reference that cannot be resolved. The reason names the property and the file.
public struct ConfigurationError: Error, Hashable, CustomStringConvertible, Sendable {
    /// The property concerned, when there is one.
    public var property: String?
    /// A sentence for a person. Never contains a secret.
    public var reason: String

    /// Creates an error.
    public init(property: String?, _ reason: String) {
        self.property = property
        self.reason = reason
    }

    public var description: String { property.map { "property \($0): \(reason)" } ?? reason }

    /// Errors are equal when they concern the same property (reasons are for people).
    public static func == (lhs: ConfigurationError, rhs: ConfigurationError) -> Bool { lhs.property == rhs.property }
    public func hash(into hasher: inout Hasher) { hasher.combine(property) }
}
