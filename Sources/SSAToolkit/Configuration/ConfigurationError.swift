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

extension ConfigurationError {
    /// The value of property `name` among `properties` as one of its `choices` (each word and
    /// what it means); `nil` when the property is absent. Any other word is refused, naming the
    /// property and the words it takes.
    static func choice<Value>(_ properties: [String: String], _ name: String, _ choices: KeyValuePairs<String, Value>) throws(ConfigurationError) -> Value? {
        guard let text = properties[name] else { return nil }
        if let chosen = choices.first(where: { $0.key == text }) { return chosen.value }
        let words = choices.map(\.key)
        let list = words.count > 1 ? words.dropLast().joined(separator: ", ") + " or " + words.last! : words.joined()
        throw ConfigurationError(property: name, "\"\(text)\" is not \(list)")
    }
}
