import Benchmark
import Foundation
import SSAToolkit

/// The committed fixtures, found from this file's path.
private let fixtures = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("certs-fixtures")

private func fixture(_ path: String) -> String {
    String(decoding: try! Data(contentsOf: fixtures.appendingPathComponent(path)), as: UTF8.self)
}

/// The instant the fixture SSAs are valid at.
private let instant = Date(timeIntervalSince1970: 1_767_229_200)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )

    let jwks = try! JWKS(parsing: Array(fixture("jose/directory.jwks.json").utf8))
    let verifier = SoftwareStatementVerifier(keys: JWKSProvider(source: .fixed(jwks)))

    for (name, file) in [("PS256", "jose/ssa/valid-ps256.jwt"), ("ES256", "jose/ssa/valid-es256.jwt")] {
        let token = fixture(file)
        // Full verification of a realistic SSA with a warm JWKS: framing, key, signature, policy.
        Benchmark("SSA verify \(name) (warm JWKS)") { benchmark in
            for _ in benchmark.scaledIterations {
                let result = await verifier.verify(token, at: instant)
                precondition(result.verdict == .valid, "the benchmark SSA must verify")
                blackHole(result)
            }
        }
        // Framing alone: split, base64url, strict JSON for header and claims.
        Benchmark("Compact JWS parse \(name)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try CompactJWS(parsing: token))
            }
        }
        // The signature alone, on a parsed token with its key chosen.
        Benchmark("Signature only \(name)") { benchmark in
            let jws = JWSVerifier()
            let parsed = try CompactJWS(parsing: token)
            let alg = try jws.checkAlgorithm(parsed.header)
            let key = try jws.selectKey(for: parsed.header, algorithm: alg, in: jwks)
            for _ in benchmark.scaledIterations {
                try jws.checkSignature(parsed, algorithm: alg, key: key)
            }
        }
        // The claim policy alone.
        Benchmark("Policy only \(name)") { benchmark in
            let claims = SoftwareStatementClaims(try CompactJWS(parsing: token).payload)
            let policy = SoftwareStatementPolicy()
            for _ in benchmark.scaledIterations {
                blackHole(policy.evaluate(claims, at: instant))
            }
        }
        // The JWS layer alone: parse and verify the signature.
        Benchmark("JWS verify \(name)") { benchmark in
            let jws = JWSVerifier()
            for _ in benchmark.scaledIterations {
                let parsed = try CompactJWS(parsing: token)
                blackHole(try jws.verify(parsed, using: jwks))
            }
        }
    }
}
