import Foundation
import Logging
import X509

extension RegistrationDecider {
    enum SignatureFailure: Error {
        case refused(String)
        case unavailable(String)
    }

    /// Verifies the request JWT with the key its `kid` names in the software's JWKS.
    func checkRequestSignature(_ jws: CompactJWS, claims: SoftwareStatementClaims, softwareKeys: SoftwareKeySets) async -> Result<String, SignatureFailure> {
        let jose = JWSVerifier(algorithms: rules.signingAlgorithms)
        let alg: JWSAlgorithm
        do {
            _ = try jose.checkHeader(jws.header)
            alg = try jose.checkAlgorithm(jws.header)
        } catch {
            return .failure(.refused("request JWT: \(error.reason)"))
        }
        guard let endpoint = claims.softwareJWKSEndpoint else {
            return .failure(.refused("the software statement has no \(claims.names.softwareJWKS) to verify the request JWT with"))
        }
        let keys: JWKSProvider
        let current: JWKS
        do {
            keys = try softwareKeys.provider(for: endpoint)
            current = try await keys.keys()
        } catch {
            return .failure(.unavailable("the software's key set is unavailable: \(error.description)"))
        }
        var key: JWK
        do {
            key = try jose.selectKey(for: jws.header, algorithm: alg, in: current)
        } catch where error.code == .keyNotFound && jws.header.keyID != nil {
            do {
                guard let refreshed = try await keys.refreshForUnknownKey() else { return .failure(.refused("request JWT: \(error.reason)")) }
                key = try jose.selectKey(for: jws.header, algorithm: alg, in: refreshed)
            } catch let failure as JWKSUnavailableError {
                return .failure(.unavailable("the software's key set is unavailable: \(failure.description)"))
            } catch let failure as JOSEError {
                return .failure(.refused("request JWT: \(failure.reason)"))
            } catch {
                return .failure(.refused("request JWT: \(error)"))
            }
        } catch {
            return .failure(.refused("request JWT: \(error.reason)"))
        }
        do {
            try jose.checkSignature(jws, algorithm: alg, key: key)
        } catch {
            return .failure(.refused("request JWT: \(error.reason)"))
        }
        return .success("\(alg.rawValue) signature verifies with kid \(key.keyID ?? "-") from \(endpoint)")
    }
}
