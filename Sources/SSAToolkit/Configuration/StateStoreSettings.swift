import Foundation

/// Where several `serve` nodes keep their shared state (the replay store and the audit chain):
/// the `stateStore` properties. Absent, each process keeps an in-memory replay cache and the
/// `auditLog` file, which is right for one node.
///
/// | property | value |
/// | --- | --- |
/// | `stateStore` | `postgres://USER@HOST[:PORT]/DATABASE[?sslmode=verify-full\|require\|disable&sslrootcert=PATH]`; never a password in the URL |
/// | `stateStorePassword` | the database password: literal, `env:NAME` or `file:PATH` |
/// | `stateStoreNode` | this node's name, which names its audit chain (default: the host name); unique per process |
/// | `stateStoreTimeoutMillis` | the longest a decision waits for the database (default 2000, 50 to 30000) |
///
/// `sslmode` defaults to `verify-full` (TLS, the server's certificate checked against
/// `sslrootcert` or the system's anchors, and its name against the host).
public struct StateStoreSettings: Sendable, Hashable {
    /// Property names read here.
    public static let propertyNames: Set<String> = ["stateStore", "stateStorePassword", "stateStoreNode", "stateStoreTimeoutMillis"]

    /// TLS to the database.
    public enum TLSMode: String, Sendable, Hashable {
        /// No TLS (a database on the same host or a trusted network only).
        case disable
        /// TLS, without checking the server's certificate.
        case require
        /// TLS; the certificate chains to the anchors and names the host.
        case verifyFull = "verify-full"
    }

    /// The database host.
    public var host: String
    /// Its port.
    public var port: Int
    /// The database user.
    public var user: String
    /// The database.
    public var database: String
    /// TLS to it.
    public var tls: TLSMode
    /// The PEM anchors for `verify-full`; `nil`: the system's.
    public var rootCertificatePath: String?
    /// The password, as configured (resolved when connecting).
    public var password: SecretReference?
    /// This node's name: its audit chain.
    public var node: String
    /// The longest a decision waits for the database.
    public var timeout: Duration

    /// The database named without secrets, for logs and `/healthz`.
    public var displayName: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    /// Reads the properties; `nil` when `stateStore` is absent or empty.
    public init?(properties: [String: String], baseDirectory: String?, hostName: String = ProcessInfo.processInfo.hostName) throws(ConfigurationError) {
        guard let text = properties["stateStore"], !text.isEmpty else {
            for name in Self.propertyNames where name != "stateStore" && properties[name] != nil {
                throw ConfigurationError(property: name, "is set but stateStore is not")
            }
            return nil
        }
        let property = "stateStore"
        // The text itself is never echoed: a malformed URL may still carry a password.
        guard let url = URLComponents(string: text), url.scheme == "postgres" || url.scheme == "postgresql" else {
            throw ConfigurationError(property: property, "is not a postgres:// URL (postgres://USER@HOST[:PORT]/DATABASE)")
        }
        guard url.password == nil else {
            throw ConfigurationError(property: property, "carries a password; give it as stateStorePassword (env:NAME or file:PATH) instead")
        }
        guard let host = url.host, !host.isEmpty else { throw ConfigurationError(property: property, "names no host") }
        guard let user = url.user, !user.isEmpty else { throw ConfigurationError(property: property, "names no user (postgres://USER@HOST/DATABASE)") }
        let database = String(url.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw ConfigurationError(property: property, "names no database (postgres://USER@HOST/DATABASE)") }
        self.host = host
        self.port = url.port ?? 5432
        guard (1...65535).contains(port) else { throw ConfigurationError(property: property, "port \(port) is out of range") }
        self.user = user
        self.database = database
        var mode = TLSMode.verifyFull
        var root: String?
        for item in url.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let parsed = TLSMode(rawValue: value) else {
                    throw ConfigurationError(property: property, "sslmode \((item.value ?? "").quotedForReport()) is not verify-full, require or disable")
                }
                mode = parsed
            case "sslrootcert":
                guard let value = item.value, !value.isEmpty else { throw ConfigurationError(property: property, "sslrootcert is empty") }
                root = ToolkitConfiguration.resolve(value, against: baseDirectory)
            default:
                throw ConfigurationError(property: property, "parameter \(item.name.quotedForReport()) is not known (sslmode, sslrootcert)")
            }
        }
        if root != nil, mode != .verifyFull {
            throw ConfigurationError(property: property, "sslrootcert is only used with sslmode=verify-full")
        }
        tls = mode
        rootCertificatePath = root
        password = properties["stateStorePassword"].map { SecretReference(parsing: $0, baseDirectory: baseDirectory) }
        node = properties["stateStoreNode"].flatMap { $0.isEmpty ? nil : $0 } ?? hostName
        guard !node.isEmpty, node.utf8.count <= 128, node.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw ConfigurationError(property: "stateStoreNode", "must be 1 to 128 printable ASCII characters without spaces")
        }
        var milliseconds = 2000
        if let value = properties["stateStoreTimeoutMillis"], !value.isEmpty {
            guard let parsed = Int(value), (50...30_000).contains(parsed) else {
                throw ConfigurationError(property: "stateStoreTimeoutMillis", "\(value.quotedForReport(limit: 32)) is not a whole number of milliseconds between 50 and 30000")
            }
            milliseconds = parsed
        }
        timeout = .milliseconds(milliseconds)
    }
}
