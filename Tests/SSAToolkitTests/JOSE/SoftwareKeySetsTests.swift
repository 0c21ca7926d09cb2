import Foundation
import SSAToolkit
import SSAToolkitTestSupport
import Testing

@Suite("Software key sets: one shared provider per endpoint, bounded, read without waiting")
struct SoftwareKeySetsTests {
    func directoryKeys() throws -> JWKS {
        try JWKS(parsing: Array(Fixtures.string("jose/directory.jwks.json").utf8))
    }

    @Test("many tasks asking for one endpoint get the same provider, so one cache; another endpoint gets its own")
    func shared() async throws {
        let jwks = try directoryKeys()
        let sets = SoftwareKeySets(source: .fixed(["https://a.example/set": jwks, "https://b.example/set": jwks]))
        let providers = await withTaskGroup(of: JWKSProvider.self) { group in
            for _ in 0..<64 { group.addTask { try! sets.provider(for: "https://a.example/set") } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(providers.count == 64)
        #expect(providers.allSatisfy { $0 === providers[0] })
        #expect(try sets.provider(for: "https://b.example/set") !== providers[0])
        // The set is read without entering the provider's actor, and it is the configured one.
        let keys = try await providers[0].keys()
        #expect(keys.keys.count == jwks.keys.count && !keys.keys.isEmpty)
    }

    @Test("an endpoint with no configured set is refused, naming it; the oldest endpoint is forgotten beyond the bound")
    func boundsAndRefusal() throws {
        let jwks = try directoryKeys()
        let sets = SoftwareKeySets(source: .fixed(["https://a.example/set": jwks, "https://b.example/set": jwks, "https://c.example/set": jwks]), maximumEntries: 2)
        #expect {
            try sets.provider(for: "https://missing.example/set")
        } throws: { error in
            (error as? JWKSUnavailableError)?.source == "https://missing.example/set"
        }
        let first = try sets.provider(for: "https://a.example/set")
        #expect(try sets.provider(for: "https://a.example/set") === first)
        _ = try sets.provider(for: "https://b.example/set")
        _ = try sets.provider(for: "https://c.example/set")  // a is the oldest: forgotten
        #expect(try sets.provider(for: "https://a.example/set") !== first)
    }
}
