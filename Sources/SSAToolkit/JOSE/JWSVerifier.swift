import Crypto
import CryptoExtras
import Foundation

/// Verifies compact JWS signatures with an explicit binding of algorithm to key.
///
/// The key comes only from the JWKS given to it, chosen by `kid`; `jku`, `x5u`, `jwk` and `x5c`
/// in the header are never used to find or fetch a key. Each step is a separate method so a
/// caller can report them as individual checks; ``verify(_:using:)`` runs them all.
public struct JWSVerifier: Sendable {
    /// The accepted algorithms.
    public var algorithms: AlgorithmPolicy
    /// Accepted `typ` values, compared case-insensitively; a token without `typ` is accepted.
    public var acceptedTypes: Set<String>

    /// A verifier for the given allow-list.
    public init(algorithms: AlgorithmPolicy = .openBankingDefault, acceptedTypes: Set<String> = ["jwt", "application/jwt"]) {
        self.algorithms = algorithms
        self.acceptedTypes = acceptedTypes
    }

    /// Refuses header members whose processing this verifier does not implement.
    /// - Returns: a short description of the header, for a report.
    public func checkHeader(_ header: JOSEHeader) throws(JOSEError) -> String {
        if let crit = header.critical {
            throw JOSEError(.unsupportedHeader, "header lists critical extensions this verifier does not process: \(crit.prefix(8).map { $0.quotedForReport() }.joined(separator: ", "))")
        }
        if header.base64EncodedPayload == false {
            throw JOSEError(.unsupportedHeader, "header has \"b64\": false (unencoded payload), which is not accepted")
        }
        if let cty = header.contentType, cty.isByteIdenticalIgnoringASCIICase(to: "jwt") {
            throw JOSEError(.unsupportedHeader, "header has \"cty\": \(cty.quotedForReport()) (a nested JWT), which is not accepted")
        }
        if let typ = header.type, !acceptedTypes.contains(where: { $0.isByteIdenticalIgnoringASCIICase(to: typ) }) {
            throw JOSEError(.unsupportedHeader, "header has \"typ\": \(typ.quotedForReport()); expected \(acceptedTypes.sorted().joined(separator: " or "))")
        }
        let ignored = ["jku", "x5u", "jwk", "x5c"].filter { header.members[$0] != nil }
        var detail = header.type.map { "typ \($0.escapedForTerminal(limit: 64))" } ?? "no typ"
        detail += "; no critical extensions"
        if !ignored.isEmpty { detail += "; ignored for key selection: \(ignored.joined(separator: ", "))" }
        return detail
    }

    /// Checks `alg` against the supported algorithms and the allow-list.
    public func checkAlgorithm(_ header: JOSEHeader) throws(JOSEError) -> JWSAlgorithm {
        guard let alg = JWSAlgorithm(rawValue: header.algorithm) else {
            throw JOSEError(.unsupportedAlgorithm, JWSAlgorithm.refusalReason(for: header.algorithm))
        }
        guard algorithms.allowed.contains(alg) else {
            throw JOSEError(.algorithmNotAllowed, "\(alg.rawValue) is not on the allow-list (\(algorithms.listDescription))")
        }
        return alg
    }

    /// Chooses the key: by `kid` when the header has one; without one, only when exactly one
    /// key in the set fits the algorithm. The chosen key must fit `alg` (type, curve, size,
    /// the JWK's own `alg` and `use`).
    public func selectKey(for header: JOSEHeader, algorithm alg: JWSAlgorithm, in jwks: JWKS) throws(JOSEError) -> JWK {
        if let kid = header.keyID {
            let candidates = jwks.keys(withID: kid)
            guard !candidates.isEmpty else {
                throw JOSEError(.keyNotFound, "no key with kid \(kid.quotedForReport()) in the JWKS")
            }
            let fitting = candidates.filter { $0.mismatch(with: alg) == nil }
            if fitting.count == 1 { return fitting[0] }
            if fitting.count > 1 {
                throw JOSEError(.ambiguousKey, "\(fitting.count) keys with kid \(kid.quotedForReport()) fit \(alg.rawValue); none is chosen")
            }
            throw candidates[0].mismatch(with: alg)!
        }
        let fitting = jwks.keys.filter { $0.mismatch(with: alg) == nil }
        switch fitting.count {
        case 1: return fitting[0]
        case 0: throw JOSEError(.keyNotFound, "the token has no kid and no key in the JWKS fits \(alg.rawValue)")
        default:
            throw JOSEError(.ambiguousKey, "the token has no kid and \(fitting.count) keys in the JWKS fit \(alg.rawValue); none is chosen")
        }
    }

    /// Verifies the signature with the chosen key.
    public func checkSignature(_ jws: CompactJWS, algorithm alg: JWSAlgorithm, key: JWK) throws(JOSEError) {
        if let mismatch = key.mismatch(with: alg) { throw mismatch }
        guard !jws.signature.isEmpty else { throw JOSEError(.invalidSignature, "the signature part is empty") }
        let valid: Bool
        switch (alg, key.material) {
        case (.RS256, .rsa(_, let k?)), (.PS256, .rsa(_, let k?)):
            valid = k.isValidSignature(.init(rawRepresentation: jws.signature), for: SHA256.hash(data: jws.signingInput), padding: alg == .RS256 ? .insecurePKCS1v1_5 : .PSS)
        case (.RS384, .rsa(_, let k?)), (.PS384, .rsa(_, let k?)):
            valid = k.isValidSignature(.init(rawRepresentation: jws.signature), for: SHA384.hash(data: jws.signingInput), padding: alg == .RS384 ? .insecurePKCS1v1_5 : .PSS)
        case (.RS512, .rsa(_, let k?)), (.PS512, .rsa(_, let k?)):
            valid = k.isValidSignature(.init(rawRepresentation: jws.signature), for: SHA512.hash(data: jws.signingInput), padding: alg == .RS512 ? .insecurePKCS1v1_5 : .PSS)
        case (.ES256, .ecP256(let k)):
            guard jws.signature.count == 64 else {
                throw JOSEError(.invalidSignature, "ES256 signature is \(jws.signature.count) bytes; JWS needs 64 (raw r||s, not DER)")
            }
            guard let signature = try? P256.Signing.ECDSASignature(rawRepresentation: jws.signature) else {
                throw JOSEError(.invalidSignature, "ES256 signature is not a valid r||s pair")
            }
            valid = k.isValidSignature(signature, for: SHA256.hash(data: jws.signingInput))
        default:
            throw JOSEError(.keyMismatch, "the key does not fit \(alg.rawValue)")
        }
        guard valid else {
            let name = key.keyID.map { "key \($0.quotedForReport())" } ?? "the selected key"
            throw JOSEError(.invalidSignature, "the \(alg.rawValue) signature does not verify with \(name)")
        }
    }

    /// Runs every step: header, algorithm, key selection and signature.
    /// - Returns: the key that verified the signature.
    @discardableResult
    public func verify(_ jws: CompactJWS, using jwks: JWKS) throws(JOSEError) -> JWK {
        _ = try checkHeader(jws.header)
        let alg = try checkAlgorithm(jws.header)
        let key = try selectKey(for: jws.header, algorithm: alg, in: jwks)
        try checkSignature(jws, algorithm: alg, key: key)
        return key
    }
}
