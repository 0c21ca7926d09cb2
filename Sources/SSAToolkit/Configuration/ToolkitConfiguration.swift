import Foundation

/// Everything the toolkit is configured with: the Janssen registration script's properties and
/// the toolkit's own.
///
/// Loaded from the Janssen custom-script JSON (the document posted with the config API, whose
/// `configurationProperties` is a list of `{value1: name, value2: value}`) or from a plain JSON
/// object with the same names. Relative paths are taken from the configuration file's folder.
public struct ToolkitConfiguration: Sendable {
    /// The directory properties given at the top level: the only trusted directory when
    /// ``trustedDirectories`` is absent, and what each of its entries starts from.
    public var directory = TrustedDirectorySettings()
    /// `allowedAlgorithms`: comma-separated JWS algorithms accepted for SSAs.
    public var algorithms: AlgorithmPolicy = .openBankingDefault
    /// `registrationAudience`: this authorization server's issuer identifier, which request JWTs
    /// must name in `aud`.
    public var registrationAudience: String?
    /// `clockSkewSeconds`: skew allowed on every time claim (default 120).
    public var clockSkew: TimeInterval = 120
    /// `maxSSAAgeSeconds`: oldest accepted SSA `iat` (default: no limit).
    public var maximumSSAAge: TimeInterval?
    /// `connectTimeoutSeconds` and `requestTimeoutSeconds`: limits of every HTTPS call
    /// (default 5 and 15).
    public var timeouts = TransportConfiguration.Timeouts()
    /// `jwksCacheMinSeconds`, `jwksCacheMaxSeconds`, `jwksCacheDefaultSeconds`: how long a JWKS
    /// (the directory's or a TPP's) is cached, within the bounds, when Cache-Control says.
    public var jwksCachePolicy = JWKSProvider.CachePolicy()
    /// The registration rules' properties.
    public var registration = RegistrationSettings()
    /// Token time's properties (status cache, subject, lifetimes, static claims, certificates).
    public var token = TokenSettings()
    /// The audit trail's properties (the log file, its durability and rotation, checkpoints).
    public var audit = AuditSettings()
    /// How callers' certificates' revocation and publication are checked, at both moments.
    public var revocation = RevocationSettings()
    /// `certificateExpiryWarningDays`: how long before the transport or signing certificate
    /// expires `/healthz` says `degraded` (default 30 days).
    public var certificateExpiryWarning: TimeInterval = 30 * 86_400
    /// The shared replay store and audit chain of several nodes (`stateStore`), when configured.
    public var stateStore: StateStoreSettings?
    /// `trustedDirectories`: every directory this server trusts, each the top-level
    /// ``directory`` properties with the entry's own values in place. Empty when the property is
    /// absent: ``directory`` is then the only one (see ``directories``).
    public var trustedDirectories: [TrustedDirectorySettings] = []
    /// The file it was loaded from.
    public var source: String?
    /// Property names present but not known to the toolkit (reported as warnings).
    public var unknownProperties: [String] = []

    /// An empty configuration.
    public init() {}

    /// The property names the toolkit reads.
    public static let knownProperties: Set<String> = Set<String>([
        "allowedAlgorithms", "registrationAudience", "certificateExpiryWarningDays", "clockSkewSeconds", "maxSSAAgeSeconds", "connectTimeoutSeconds", "requestTimeoutSeconds",
        "jwksCacheMinSeconds", "jwksCacheMaxSeconds", "jwksCacheDefaultSeconds",
        // Read by the Janssen scripts from the same script configuration, not by the toolkit.
        "ssaToolkitUrl", "timeoutSeconds",
        "updateTokenScriptDn", "trustedDirectories",
    ]).union(TrustedDirectorySettings.propertyNames).union(RegistrationSettings.propertyNames).union(TokenSettings.propertyNames).union(AuditSettings.propertyNames).union(StateStoreSettings.propertyNames)
        .union(RevocationSettings.propertyNames)

    /// The properties a `trustedDirectories` entry may set: what differs from one directory to
    /// the next (``TrustedDirectorySettings``). Every other property applies to all of them.
    public static var directoryProperties: Set<String> { TrustedDirectorySettings.propertyNames }

    /// The directories this configuration trusts, in order: ``trustedDirectories`` when the
    /// property is given, else ``directory`` as a list of one.
    public var directories: [TrustedDirectorySettings] { trustedDirectories.isEmpty ? [directory] : trustedDirectories }

    /// Properties that hold a password (`literal`, `env:NAME` or `file:PATH`).
    public static let passwordProperties: Set<String> = ["transportKeyStorePassword", "trustKeyStorePassword", "signingKeyPassword", "stateStorePassword"]

    /// Loads a configuration file (Janssen script JSON or plain JSON); `overrides` (property
    /// name to value, e.g. from `--set NAME=VALUE`) replace the file's values.
    public static func load(path: String, overrides: [String: String] = [:]) throws(ConfigurationError) -> ToolkitConfiguration {
        let data: [UInt8]
        do { data = try SafeFile.read(path, limit: 1 << 20) } catch {
            throw ConfigurationError(property: nil, "the configuration file \(path) \(error.reason)")
        }
        for name in overrides.keys where !knownProperties.contains(name) {
            throw ConfigurationError(property: name, "is not a property the toolkit knows\(closestKnownProperty(to: name).map { "; did you mean \($0)?" } ?? "")")
        }
        let object: [String: JSONValue]
        do {
            object = try StrictJSONParser(maximumDepth: 16, maximumBytes: 1 << 20).parseObject(data)
        } catch {
            throw ConfigurationError(property: nil, "configuration file \(path) is not a JSON object: \(error)")
        }
        var properties: [String: String] = [:]
        if let list = object["configurationProperties"] {
            guard let entries = list.arrayValue else {
                throw ConfigurationError(property: "configurationProperties", "must be a list of {value1, value2} objects in \(path)")
            }
            for (index, entry) in entries.enumerated() {
                guard let name = entry.objectValue?["value1"]?.stringValue else {
                    throw ConfigurationError(property: "configurationProperties", "entry \(index) has no string value1 in \(path)")
                }
                guard let value = entry.objectValue?["value2"]?.stringValue else {
                    throw ConfigurationError(property: name, "has no string value2 in \(path)")
                }
                guard properties[name] == nil else {
                    throw ConfigurationError(property: name, "is given twice in \(path)")
                }
                properties[name] = value
            }
        } else {
            for (name, value) in object {
                switch value {
                case .string(let s): properties[name] = s
                case .array where name == "trustedDirectories":
                    properties[name] = value.serialized()
                case .array(let items) where name == "clientScopes" || name == "allowedAlgorithms":
                    guard let strings = value.stringArrayValue else {
                        throw ConfigurationError(property: name, "must be a string or a list of strings in \(path)")
                    }
                    properties[name] = strings.joined(separator: name == "clientScopes" ? " " : ",")
                    _ = items
                default:
                    throw ConfigurationError(property: name, "is \(value.typeDescription), not a string, in \(path)")
                }
            }
        }
        properties.merge(overrides) { _, override in override }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var configuration = try ToolkitConfiguration(properties: properties, baseDirectory: base)
        configuration.source = path
        return configuration
    }

    /// Whether a URL's text has user information (`user@` or `user:password@`) before its host:
    /// an `@` in the authority, that is before the first `/`, `?` or `#` after the scheme.
    static func carriesUserInfo(_ text: String) -> Bool {
        var authority = Substring(text)
        if let scheme = authority.range(of: "://") { authority = authority[scheme.upperBound...] }
        if let end = authority.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { authority = authority[..<end] }
        return authority.contains("@") || authority.contains("%40")
    }

    /// `path` as given when absolute (or without a base), else relative to `baseDirectory`.
    static func resolve(_ path: String, against baseDirectory: String?) -> String {
        guard let baseDirectory, !path.hasPrefix("/") else { return path }
        return URL(fileURLWithPath: baseDirectory + "/" + path).standardizedFileURL.path
    }

    /// The property `name` as a number of seconds within `range`; `nil` when absent or empty.
    static func seconds(_ properties: [String: String], _ name: String, range: ClosedRange<Double>) throws(ConfigurationError) -> Double? {
        guard let text = properties[name], !text.isEmpty else { return nil }
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            throw ConfigurationError(property: name, "\"\(text)\" is not a number of seconds between \(Int(range.lowerBound)) and \(Int(range.upperBound))")
        }
        return value
    }

    /// The known property closest to `name` (edit distance, case-insensitive), when close enough
    /// to be a likely misspelling.
    public static func closestKnownProperty(to name: String) -> String? {
        func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
            var previous = Array(0...b.count)
            for (i, x) in a.enumerated() {
                var current = [i + 1] + Array(repeating: 0, count: b.count)
                for (j, y) in b.enumerated() {
                    current[j + 1] = Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
                }
                previous = current
            }
            return previous[b.count]
        }
        let target = Array(name.asciiLowercased.utf8.prefix(64))
        let scored = knownProperties.map { ($0, distance(target, Array($0.asciiLowercased.utf8))) }
        guard let best = scored.min(by: { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }) else { return nil }
        return best.1 <= Swift.max(3, target.count / 2) ? best.0 : nil
    }

    /// The files that hold secrets (key stores, the signing key, password files), each with
    /// what it is, for permission checks.
    public var secretFiles: [(path: String, what: String)] {
        var files = directory.secretFiles
        if case .file(let path)? = stateStore?.password { files.append((path, "stateStorePassword")) }
        for directory in trustedDirectories {
            for file in directory.secretFiles where !files.contains(where: { $0.path == file.path }) { files.append(file) }
        }
        return files
    }

    /// Warnings an operator should see when this configuration is loaded: unknown properties,
    /// secret files others may read or change.
    public var loadWarnings: [String] {
        var warnings = unknownProperties.sorted().map { name in
            "configuration property \(name) is not known to the toolkit; ignored\(Self.closestKnownProperty(to: name).map { " (did you mean \($0)?)" } ?? "")"
        }
        for (path, what) in secretFiles { warnings += SafeFile.permissionWarnings(path, what: what) }
        return warnings
    }

    /// Builds a configuration from property values; relative paths are resolved against
    /// `baseDirectory`.
    public init(properties: [String: String], baseDirectory: String?) throws(ConfigurationError) {
        directory = try TrustedDirectorySettings(properties: properties, baseDirectory: baseDirectory)
        if let list = properties["allowedAlgorithms"] {
            do { algorithms = try AlgorithmPolicy(parsing: list) } catch {
                throw ConfigurationError(property: "allowedAlgorithms", error.reason)
            }
        }
        registrationAudience = properties["registrationAudience"].flatMap { $0.isEmpty ? nil : $0 }
        func seconds(_ name: String, range: ClosedRange<Double>) throws(ConfigurationError) -> Double? {
            try Self.seconds(properties, name, range: range)
        }
        if let skew = try seconds("clockSkewSeconds", range: 0...600) { clockSkew = skew }
        maximumSSAAge = try seconds("maxSSAAgeSeconds", range: 1...(86_400 * 3650))
        if let connect = try seconds("connectTimeoutSeconds", range: 1...120) { timeouts.connect = .milliseconds(Int(connect * 1000)) }
        if let total = try seconds("requestTimeoutSeconds", range: 1...300) { timeouts.total = .milliseconds(Int(total * 1000)) }
        if timeouts.connect > timeouts.total {
            throw ConfigurationError(property: "connectTimeoutSeconds", "is longer than requestTimeoutSeconds, which includes the connection")
        }
        if let minimum = try seconds("jwksCacheMinSeconds", range: 0...86_400) { jwksCachePolicy.minimumLifetime = minimum }
        if let maximum = try seconds("jwksCacheMaxSeconds", range: 1...(86_400 * 7)) { jwksCachePolicy.maximumLifetime = maximum }
        if let standard = try seconds("jwksCacheDefaultSeconds", range: 1...(86_400 * 7)) { jwksCachePolicy.defaultLifetime = standard }
        if jwksCachePolicy.minimumLifetime > jwksCachePolicy.maximumLifetime {
            throw ConfigurationError(property: "jwksCacheMinSeconds", "is greater than jwksCacheMaxSeconds")
        }
        registration = try RegistrationSettings(properties: properties)
        token = try TokenSettings(properties: properties, baseDirectory: baseDirectory)
        audit = try AuditSettings(properties: properties, baseDirectory: baseDirectory)
        revocation = try RevocationSettings(properties: properties)
        if let days = try seconds("certificateExpiryWarningDays", range: 0...36_500) { certificateExpiryWarning = days * 86_400 }
        stateStore = try StateStoreSettings(properties: properties, baseDirectory: baseDirectory)
        if stateStore != nil, audit.logPath != nil {
            throw ConfigurationError(property: "auditLog", "and stateStore both name where the audit chain goes; with stateStore it is kept in the database")
        }
        if let list = properties["trustedDirectories"], !list.isEmpty {
            trustedDirectories = try Self.directories(list, shared: properties, baseDirectory: baseDirectory)
        }
        if let named = token.defaultTokenDirectory, !directories.contains(where: { $0.issuer.isByteIdentical(to: named) }) {
            throw ConfigurationError(property: "defaultTokenDirectory", "\(named.quotedForReport()) is not the issuer of a trusted directory (trusted: \(directories.map { $0.issuer.quotedForReport() }.joined(separator: ", ")))")
        }
        unknownProperties = properties.keys.filter { !Self.knownProperties.contains($0) }.sorted()
    }
}
