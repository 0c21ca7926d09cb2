import Foundation

/// `certs-fixtures/jose/ssa/manifest.json`: every fixture SSA with the verdict, error and
/// failing check it must produce at the fixture instant.
public struct SSAManifest: Decodable, Sendable {
    /// The evaluation instant (Unix seconds).
    public var at: Double
    /// The trusted issuer every case assumes.
    public var issuer: String
    /// The cases.
    public var cases: [Case]

    public struct Case: Decodable, Sendable {
        public var name: String
        /// Relative to `jose/ssa/`.
        public var file: String
        /// Relative to `jose/`.
        public var jwks: String
        public var allowAlg: [String]
        public var maxAge: Double?
        public var signer: String
        public var expect: Expectation
        public var why: String

        /// The SSA file's path.
        public var tokenPath: String { Fixtures.url("jose/ssa/" + file).path }
        /// The JWKS file's path.
        public var jwksPath: String { Fixtures.url("jose/" + jwks).path }

        enum CodingKeys: String, CodingKey {
            case name, file, jwks, allowAlg = "allow_alg", maxAge = "max_age", signer, expect, why
        }
    }

    public struct Expectation: Decodable, Sendable {
        /// `valid` or `rejected`.
        public var verdict: String
        /// The RFC 7591 error, when rejected.
        public var error: String?
        /// The first failing check, when rejected.
        public var check: String?
    }

    /// Loads the manifest.
    public static func load() throws -> SSAManifest {
        try JSONDecoder().decode(SSAManifest.self, from: Fixtures.data("jose/ssa/manifest.json"))
    }

    /// The cases, or none if the manifest cannot be read (the loading test then fails).
    public static var allCases: [Case] { (try? load().cases) ?? [] }
}
