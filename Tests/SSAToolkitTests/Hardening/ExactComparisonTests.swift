import Foundation
@testable import SSAToolkit
import SSAToolkitTestSupport
import Testing
import X509

/// Unicode look-alikes, escape sequences and DN spellings: values compare by their bytes.
@Suite("Byte-exact comparisons and terminal-safe echoes")
struct ExactComparisonTests {
    @Test("Swift's == calls canonical equivalents equal; the toolkit's comparisons do not")
    func lookAlikes() {
        let semicolon = "https://tpp.example.com/cb;x"
        let greekQuestionMark = "https://tpp.example.com/cb\u{037E}x"
        let kelvin = "\u{212A}ey"
        #expect(semicolon == greekQuestionMark)  // the trap this suite is about
        #expect(!semicolon.isByteIdentical(to: greekQuestionMark))
        #expect(!["Key"].containsByteIdentical(kelvin))
        #expect(["Key"].containsByteIdentical("Key"))
        #expect(kelvin.asciiLowercased != "key" && "KEY".asciiLowercased == "key")
    }

    @Test("the SSA's iss and the organisation status: a canonically equivalent issuer is not the trusted one; Active matches in any ASCII case only")
    func issuerAndStatus() throws {
        let claims = try CompactJWS(parsing: try Fixtures.string("jose/ssa/valid-ps256.jwt")).payload
        var policy = SoftwareStatementRules()
        policy.maximumAge = nil
        func failed(_ changes: [String: JSONValue], issuer: String) -> Check.Name? {
            var changed = claims
            for (name, value) in changes { changed[name] = value }
            policy.issuer = issuer
            return policy.evaluate(SoftwareStatementClaims(changed), at: Fixtures.ssaInstant).checks.first { $0.outcome == .fail }?.name
        }
        // The passing side: the same bytes.
        #expect(failed(["iss": "Caf\u{E9} Directory"], issuer: "Caf\u{E9} Directory") == nil)
        // e + COMBINING ACUTE ACCENT is == to U+00E9 in Swift, but not the same issuer.
        #expect("Cafe\u{301} Directory" == "Caf\u{E9} Directory")
        #expect(failed(["iss": "Cafe\u{301} Directory"], issuer: "Caf\u{E9} Directory") == .issuer)
        #expect(failed(["org_status": "ACTIVE"], issuer: "OpenBanking Ltd") == nil)
        #expect(failed(["org_status": "Act\u{130}ve"], issuer: "OpenBanking Ltd") == .orgStatus)
    }

    @Test("DN values: identifiers (CN, OU, organizationIdentifier) keep their case; O and C ignore it; look-alikes never match")
    func distinguishedNames() throws {
        let certificate = try ComparableDistinguishedName(parsing: "CN=4ZUKbHjbA2ZqxCxTsQPkTY,OU=0015800001041REAAY,O=Acme Budgeting Ltd,C=GB")
        #expect(try ComparableDistinguishedName(parsing: "cn=4ZUKbHjbA2ZqxCxTsQPkTY, ou=0015800001041REAAY, o=ACME BUDGETING LTD, c=gb").matches(certificate))
        #expect(!(try ComparableDistinguishedName(parsing: "CN=4zukbhjba2zqxcxtspktY,OU=0015800001041REAAY,O=Acme Budgeting Ltd,C=GB").matches(certificate)))
        #expect(!(try ComparableDistinguishedName(parsing: "CN=4ZUKbHjbA2ZqxCxTsQPkTY,OU=0015800001041reaay,O=Acme Budgeting Ltd,C=GB").matches(certificate)))
        // KELVIN SIGN for K: canonically equivalent, and lower-cases to k; still not a match.
        #expect(!(try ComparableDistinguishedName(parsing: "CN=4ZU\u{212A}bHjbA2ZqxCxTsQPkTY,OU=0015800001041REAAY,O=Acme Budgeting Ltd,C=GB").matches(certificate)))
        #expect(!(try ComparableDistinguishedName(parsing: "CN=4ZUKbHjbA2ZqxCxTsQPkTY,OU=0015800001041REAAY,O=Acme Budgeting \u{212A}td,C=GB").matches(
            try ComparableDistinguishedName(parsing: "CN=4ZUKbHjbA2ZqxCxTsQPkTY,OU=0015800001041REAAY,O=Acme Budgeting Ktd,C=GB"))))
    }

    @Test("control characters are escaped and long values cut in everything a report echoes")
    func terminalEscapes() {
        let hostile = "kid\u{1B}[2K\r\u{1B}[1;32mVALID\u{07}\u{9B}31m\u{202E}"
        let escaped = hostile.escapedForTerminal()
        #expect(!escaped.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0.value == 0x202E })
        #expect(escaped.contains("\\u{1B}[2K\\u{D}"))
        let long = String(repeating: "a", count: 65_536).quotedForReport()
        #expect(long.count <= 64 + 3 && long.hasSuffix("…\""))
        #expect("plain kid-1".escapedForTerminal() == "plain kid-1")
        let error = JSONValue.string(hostile)
        _ = error
        #expect(JWSAlgorithm.refusalReason(for: hostile).unicodeScalars.allSatisfy { $0.value >= 0x20 })
    }

    @Test("the replay store: first use, replay, expiry, release, and a full store that refuses rather than forgets")
    func replayStore() async {
        let store = InMemoryReplayStore(capacity: 2)
        let now = Date(timeIntervalSince1970: 1_000_000)
        let later = now.addingTimeInterval(60)
        #expect(await store.claim(jti: "a", issuer: "tpp1", until: later, now: now) == .first)
        #expect(await store.claim(jti: "a", issuer: "tpp1", until: later, now: now) == .replay)
        // Ids are per issuer, and compared by their bytes.
        #expect(await store.claim(jti: "a", issuer: "tpp2", until: later, now: now) == .first)
        // Full of live entries: refused, never evicted (which would allow a replay).
        if case .unavailable = await store.claim(jti: "b", issuer: "tpp1", until: later, now: now) {} else { Issue.record("a full store must refuse") }
        #expect(await store.claim(jti: "a", issuer: "tpp1", until: later, now: now) == .replay)
        // Once they expire they are forgotten, and room is made.
        let afterwards = later.addingTimeInterval(1)
        #expect(await store.claim(jti: "b", issuer: "tpp1", until: afterwards.addingTimeInterval(60), now: afterwards) == .first)
        #expect(await store.claim(jti: "a", issuer: "tpp1", until: afterwards.addingTimeInterval(60), now: afterwards) == .first)
        // Released (an undecided registration): usable again.
        await store.release(jti: "a", issuer: "tpp1")
        #expect(await store.claim(jti: "a", issuer: "tpp1", until: afterwards.addingTimeInterval(60), now: afterwards) == .first)
        // Look-alike ids are different ids.
        let other = InMemoryReplayStore()
        #expect(await other.claim(jti: "id;1", issuer: "t", until: later, now: now) == .first)
        #expect(await other.claim(jti: "id\u{037E}1", issuer: "t", until: later, now: now) == .first)
    }
}
