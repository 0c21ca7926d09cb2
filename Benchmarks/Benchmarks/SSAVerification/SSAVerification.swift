import Benchmark
import Crypto
import CryptoExtras
import Foundation
import SSAToolkit

// SSA verification benchmarks. Everything a benchmark needs besides the work it measures (fixture
// files, the parsed JWKS, a parsed token, the chosen key) is prepared once, here, when the suite
// is registered: package-benchmark calls a benchmark's closure once per sample, so setup written
// inside the closure would be measured with every sample.

/// The committed fixtures, found from this file's path
/// (Benchmarks/Benchmarks/SSAVerification/SSAVerification.swift → repository root).
private let fixtures = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("certs-fixtures")

private func fixtureBytes(_ path: String) -> [UInt8] {
    let url = fixtures.appendingPathComponent(path)
    guard let data = try? Data(contentsOf: url) else { fatalError("cannot read fixture \(url.path)") }
    return Array(data)
}

/// The instant the fixture SSAs are valid at.
private let instant = Date(timeIntervalSince1970: 1_767_229_200)

/// One fixture SSA with everything derived from it ahead of time.
private struct Fixture {
    let name: String
    let token: String
    let parsed: CompactJWS
    let algorithm: JWSAlgorithm
    let key: JWK
    let claims: SoftwareStatementClaims

    init(name: String, file: String, jwks: JWKS) {
        self.name = name
        token = String(decoding: fixtureBytes(file), as: UTF8.self)
        let jws = JWSVerifier()
        do {
            parsed = try CompactJWS(parsing: token)
            algorithm = try jws.checkAlgorithm(parsed.header)
            precondition(algorithm.rawValue == name, "\(file) is \(algorithm.rawValue), not \(name)")
            key = try jws.selectKey(for: parsed.header, algorithm: algorithm, in: jwks)
            try jws.checkSignature(parsed, algorithm: algorithm, key: key)
        } catch {
            fatalError("\(file) does not verify against the fixture JWKS: \(error)")
        }
        claims = SoftwareStatementClaims(parsed.payload)
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        warmupIterations: 100,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )

    let jwks: JWKS
    do {
        jwks = try JWKS(parsing: fixtureBytes("jose/directory.jwks.json"))
    } catch {
        fatalError("the fixture JWKS does not parse: \(error)")
    }
    let verifier = SoftwareStatementVerifier(keys: JWKSProvider(source: .fixed(jwks)), algorithms: .openBankingDefault)
    let jws = JWSVerifier()
    let rules = SoftwareStatementRules()

    for fixture in [
        Fixture(name: "PS256", file: "jose/ssa/valid-ps256.jwt", jwks: jwks),
        Fixture(name: "ES256", file: "jose/ssa/valid-es256.jwt", jwks: jwks),
    ] {
        let name = fixture.name
        let token = fixture.token
        let expectedKeyID = fixture.key.keyID

        // The whole SoftwareStatementVerifier.verify with a warm JWKS (the provider already holds
        // the set): framing, header, algorithm, key, signature and every claim rule.
        Benchmark("SSA verify \(name) (warm JWKS)") { benchmark in
            for _ in benchmark.scaledIterations {
                let result = await verifier.verify(token, at: instant)
                precondition(result.verdict == .valid, "SSA verify \(name): verdict \(result.verdict): \(result.errorDescription ?? "")")
                blackHole(result)
            }
        }

        // The same, 1000 SSAs per sample: package-benchmark starts every sample as a new Task
        // from a dispatch queue, which on a 2-core machine costs as much as the work; a server
        // verifies back to back, so this is the figure to set against `openssl speed`.
        Benchmark("SSA verify batch \(name) (warm JWKS, 1000 per sample)", configuration: .init(
            metrics: [.throughput, .wallClock], warmupIterations: 2, maxDuration: .seconds(3), maxIterations: 1_000
        )) { benchmark in
            for _ in 0..<1_000 {
                let result = await verifier.verify(token, at: instant)
                precondition(result.verdict == .valid, "SSA verify \(name): verdict \(result.verdict): \(result.errorDescription ?? "")")
                blackHole(result)
            }
        }

        // The JWS layer alone: compact parsing, header, algorithm, key selection, signature.
        Benchmark("JWS verify \(name)") { benchmark in
            for _ in benchmark.scaledIterations {
                let key: JWK
                do {
                    key = try jws.verify(CompactJWS(parsing: token), using: jwks)
                } catch {
                    preconditionFailure("JWS verify \(name): \(error)")
                }
                precondition(key.keyID == expectedKeyID, "JWS verify \(name): verified with an unexpected key")
                blackHole(key)
            }
        }

        // Framing alone: split, strict base64url, strict JSON of header and claims.
        Benchmark("Compact JWS parse \(name)") { benchmark in
            for _ in benchmark.scaledIterations {
                do {
                    blackHole(try CompactJWS(parsing: token))
                } catch {
                    preconditionFailure("Compact JWS parse \(name): \(error)")
                }
            }
        }

        // JWSVerifier.checkSignature on an already parsed token with its key chosen:
        // SHA-256 of the signing input plus the swift-crypto verification.
        let parsed = fixture.parsed
        let algorithm = fixture.algorithm
        let key = fixture.key
        Benchmark("Signature only \(name)") { benchmark in
            for _ in benchmark.scaledIterations {
                do {
                    try jws.checkSignature(parsed, algorithm: algorithm, key: key)
                } catch {
                    preconditionFailure("Signature only \(name): \(error)")
                }
                blackHole(parsed)
            }
        }

        // The swift-crypto primitive alone on a precomputed SHA-256 digest: what `openssl speed`
        // measures (RSA-2048 / P-256 verify of a digest).
        let digest = SHA256.hash(data: parsed.signingInput)
        switch key.material {
        case .rsa(_, let publicKey?):
            let signature = _RSA.Signing.RSASignature(rawRepresentation: parsed.signature)
            Benchmark("Primitive verify \(name) (swift-crypto, digest given)") { benchmark in
                for _ in benchmark.scaledIterations {
                    let valid = publicKey.isValidSignature(signature, for: digest, padding: .PSS)
                    precondition(valid, "Primitive verify \(name): signature does not verify")
                    blackHole(valid)
                }
            }
        case .ecP256(let publicKey):
            let signature = try! P256.Signing.ECDSASignature(rawRepresentation: parsed.signature)
            Benchmark("Primitive verify \(name) (swift-crypto, digest given)") { benchmark in
                for _ in benchmark.scaledIterations {
                    let valid = publicKey.isValidSignature(signature, for: digest)
                    precondition(valid, "Primitive verify \(name): signature does not verify")
                    blackHole(valid)
                }
            }
        default:
            fatalError("unexpected key type for \(name)")
        }

        // The claim rules alone, on claims taken from the parsed token.
        let claims = fixture.claims
        Benchmark("Policy only \(name)") { benchmark in
            for _ in benchmark.scaledIterations {
                let evaluation = rules.evaluate(claims, at: instant)
                precondition(evaluation.failure == nil, "Policy only \(name): \(evaluation.failure?.description ?? "")")
                blackHole(evaluation)
            }
        }
    }
}
