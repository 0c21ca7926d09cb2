import Foundation

/// A JWS signature algorithm this toolkit can verify and sign (RFC 7518).
///
/// `none` and the HMAC family are deliberately absent: a public-key verifier never accepts them.
public enum JWSAlgorithm: String, Sendable, Hashable, CaseIterable, Comparable {
    case RS256, RS384, RS512
    case PS256, PS384, PS512
    case ES256

    /// The kind of key the algorithm needs.
    public enum KeyType: String, Sendable {
        case rsa = "RSA"
        case ecP256 = "EC P-256"
    }

    /// The kind of key this algorithm needs.
    public var keyType: KeyType {
        switch self {
        case .RS256, .RS384, .RS512, .PS256, .PS384, .PS512: .rsa
        case .ES256: .ecP256
        }
    }

    public static func < (lhs: JWSAlgorithm, rhs: JWSAlgorithm) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Classifies a header `alg` value this toolkit refuses, for a precise message.
    static func refusalReason(for alg: String) -> String {
        if alg.lowercased() == "none" {
            return "alg \"none\" (an unsigned token) is never accepted"
        }
        if alg.hasPrefix("HS") {
            return "alg \(alg.quotedForReport()) is an HMAC algorithm, never accepted with a public-key JWKS"
        }
        return "alg \(alg.quotedForReport()) is not a supported JWS algorithm"
    }
}

/// Which algorithms are accepted for one use (here: software statements).
public struct AlgorithmPolicy: Sendable, Hashable {
    /// The accepted algorithms.
    public var allowed: Set<JWSAlgorithm> { didSet { listDescription = Self.describe(allowed) } }

    /// The allowed algorithms, sorted, comma-separated (kept with the list: every verification
    /// report names it).
    public private(set) var listDescription: String

    /// An allow-list of the given algorithms.
    public init(allowed: Set<JWSAlgorithm>) {
        self.allowed = allowed
        listDescription = Self.describe(allowed)
    }

    private static func describe(_ allowed: Set<JWSAlgorithm>) -> String { allowed.sorted().map(\.rawValue).joined(separator: ", ") }

    /// The Open Banking / FAPI default: PS256 and ES256.
    public static let openBankingDefault = AlgorithmPolicy(allowed: [.PS256, .ES256])

    /// Parses a comma-separated list such as `PS256,ES256,RS256`.
    ///
    /// - Throws: ``JOSEError`` `unsupportedAlgorithm` naming an entry that is not supported
    ///   (including `none` and HMAC algorithms, which can never be allowed).
    public init(parsing list: String) throws(JOSEError) {
        var allowed: Set<JWSAlgorithm> = []
        for item in list.split(separator: ",") {
            let name = item.trimmingCharacters(in: .whitespaces)
            guard let alg = JWSAlgorithm(rawValue: name) else {
                throw JOSEError(.unsupportedAlgorithm, JWSAlgorithm.refusalReason(for: name))
            }
            allowed.insert(alg)
        }
        guard !allowed.isEmpty else { throw JOSEError(.unsupportedAlgorithm, "the algorithm allow-list is empty") }
        self.init(allowed: allowed)
    }
}
