import Foundation

/// Where a secret comes from: the value itself, an environment variable, or a file.
///
/// Written in configuration as `literal`, `env:NAME` or `file:PATH`, so no password needs to
/// sit in a configuration file in plain text.
public enum SecretReference: Sendable, Hashable, CustomStringConvertible {
    /// The value as written (kept only until resolved; never printed).
    case literal(String)
    /// An environment variable's value.
    case environment(String)
    /// A file's content, without a trailing newline.
    case file(String)

    /// Parses `env:NAME`, `file:PATH` or a literal. A relative file path is taken from `baseDirectory`.
    public init(parsing value: String, baseDirectory: String?) {
        if value.hasPrefix("env:") {
            self = .environment(String(value.dropFirst(4)))
        } else if value.hasPrefix("file:") {
            let path = String(value.dropFirst(5))
            if let baseDirectory, !path.hasPrefix("/") {
                self = .file(baseDirectory + "/" + path)
            } else {
                self = .file(path)
            }
        } else {
            self = .literal(value)
        }
    }

    /// The secret. The file is read once; its trailing newline (`\n` or `\r\n`) is dropped.
    public func resolve(property: String, environment: [String: String]) throws(ConfigurationError) -> Secret {
        switch self {
        case .literal(let value):
            return Secret(value)
        case .environment(let name):
            guard !name.isEmpty else { throw ConfigurationError(property: property, "env: names no variable") }
            guard let value = environment[name] else {
                throw ConfigurationError(property: property, "environment variable \(name) is not set")
            }
            return Secret(value)
        case .file(let path):
            var bytes: [UInt8]
            do { bytes = try SafeFile.read(path, limit: 4096) } catch {
                throw ConfigurationError(property: property, "the password file \(path) \(error.reason)")
            }
            defer { _ = bytes.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) } }
            var end = bytes.count
            if end > 0, bytes[end - 1] == 0x0A { end -= 1 }
            if end > 0, bytes[end - 1] == 0x0D { end -= 1 }
            return Secret(bytes[..<end])
        }
    }

    /// Says where the secret comes from, never what it is.
    public var description: String {
        switch self {
        case .literal: "<literal, redacted>"
        case .environment(let name): "env:\(name)"
        case .file(let path): "file:\(path)"
        }
    }
}
