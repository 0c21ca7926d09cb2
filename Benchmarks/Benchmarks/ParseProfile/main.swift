import Foundation
import SSAToolkit

// A plain loop for callgrind: `valgrind --tool=callgrind .build/release/ParseProfile parse|verify|policy N`.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let token = try String(contentsOf: root.appendingPathComponent("certs-fixtures/jose/ssa/valid-ps256.jwt"), encoding: .utf8)
let jwks = try JWKS(parsing: Array(try Data(contentsOf: root.appendingPathComponent("certs-fixtures/jose/directory.jwks.json"))))
let instant = Date(timeIntervalSince1970: 1_767_229_200)
let mode = CommandLine.arguments.dropFirst().first ?? "parse"
let count = Int(CommandLine.arguments.dropFirst(2).first ?? "1000") ?? 1000
let verifier = SoftwareStatementVerifier(keys: JWKSProvider(source: .fixed(jwks)))
let claims = SoftwareStatementClaims(try CompactJWS(parsing: token).payload)
var sink = 0
for _ in 0..<count {
    switch mode {
    case "parse": sink &+= try CompactJWS(parsing: token).byteCount
    case "policy": sink &+= SoftwareStatementRules().evaluate(claims, at: instant).checks.count
    default: sink &+= await verifier.verify(token, at: instant).checks.count
    }
}
print(sink)
