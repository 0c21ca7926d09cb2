import Foundation

/// Locates the committed test PKI and JOSE fixtures in `certs-fixtures/`.
///
/// Fixtures live outside `Tests/` (they are shared by tests, benchmarks and the demo), so they
/// cannot be package resources; they are found from this file's path.
public enum Fixtures {
    /// The repository root.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // SSAToolkitTestSupport
        .deletingLastPathComponent()  // Sources
        .deletingLastPathComponent()

    /// `certs-fixtures/`.
    public static let root: URL = packageRoot.appendingPathComponent("certs-fixtures")

    /// A file below `certs-fixtures/`, e.g. `url("jose/ssa/valid-ps256.jwt")`.
    public static func url(_ relativePath: String) -> URL { root.appendingPathComponent(relativePath) }

    /// The bytes of a fixture file.
    public static func data(_ relativePath: String) throws -> Data { try Data(contentsOf: url(relativePath)) }

    /// The text of a fixture file.
    public static func string(_ relativePath: String) throws -> String {
        try String(decoding: data(relativePath), as: UTF8.self)
    }

    /// The fixture evaluation instant for SSAs: 2026-01-01T01:00:00Z (one hour after their `iat`).
    public static let ssaInstant = Date(timeIntervalSince1970: 1_767_229_200)
}
