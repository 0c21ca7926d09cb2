import Crypto
import CryptoExtras
import SSAToolkit
import Testing

/// Keys made once for the suite (RSA generation is slow).
enum TestKeys {
    static let rsa = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    static let rsaOther = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    static let ec = P256.Signing.PrivateKey()

    static func jwks(_ entries: [[String: JSONValue]]) throws -> JWKS {
        try JWKS(parsing: Array(JSONValue.object(["keys": .array(entries.map { .object($0) })]).serialized().utf8))
    }
}

@Suite("JWS verification")
struct JWSVerifierTests {
    let payload: [String: JSONValue] = ["iss": "OpenBanking Ltd", "software_id": "abc"]

    func standardJWKS() throws -> JWKS {
        try TestKeys.jwks([
            try JWSSigner.Key.rsa(TestKeys.rsa).publicJWK(keyID: "rsa"),
            try JWSSigner.Key.ecP256(TestKeys.ec).publicJWK(keyID: "ec", algorithm: .ES256),
        ])
    }

    func verify(_ token: String, jwks: JWKS, policy: AlgorithmPolicy = .openBankingDefault) throws(JOSEError) -> JWK {
        try JWSVerifier(algorithms: policy).verify(try CompactJWS(parsing: token), using: jwks)
    }

    @Test("signs and verifies every supported algorithm", arguments: JWSAlgorithm.allCases)
    func roundTrip(_ alg: JWSAlgorithm) throws {
        let key: JWSSigner.Key = alg == .ES256 ? .ecP256(TestKeys.ec) : .rsa(TestKeys.rsa)
        let token = try JWSSigner(key: key, algorithm: alg, keyID: alg == .ES256 ? "ec" : "rsa").sign(payload: payload)
        let chosen = try verify(token, jwks: try standardJWKS(), policy: AlgorithmPolicy(allowed: Set(JWSAlgorithm.allCases)))
        #expect(chosen.keyID == (alg == .ES256 ? "ec" : "rsa"))
    }

    @Test("a supported algorithm off the allow-list is refused")
    func allowList() throws {
        let token = try JWSSigner(key: .rsa(TestKeys.rsa), algorithm: .RS256, keyID: "rsa").sign(payload: payload)
        #expect(throws: JOSEError(.algorithmNotAllowed, "")) { try verify(token, jwks: try standardJWKS()) }
        #expect(throws: Never.self) { try verify(token, jwks: try standardJWKS(), policy: AlgorithmPolicy(allowed: [.RS256])) }
    }

    @Test("a signature by another key is refused")
    func wrongKey() throws {
        let token = try JWSSigner(key: .rsa(TestKeys.rsaOther), algorithm: .PS256, keyID: "rsa").sign(payload: payload)
        #expect(throws: JOSEError(.invalidSignature, "")) { try verify(token, jwks: try standardJWKS()) }
    }

    @Test("a PKCS#1 v1.5 signature under a PS256 header is refused")
    func paddingConfusion() throws {
        let signed = try JWSSigner(key: .rsa(TestKeys.rsa), algorithm: .RS256, keyID: "rsa").sign(payload: payload)
        let parts = signed.split(separator: ".")
        let header = Base64URL.encode(JSONValue.object(["alg": "PS256", "kid": "rsa"]).serialized())
        let input = header + "." + parts[1]
        let pkcs1 = try JWSSigner(key: .rsa(TestKeys.rsa), algorithm: .RS256, keyID: nil).signature(for: Array(input.utf8))
        #expect(throws: JOSEError(.invalidSignature, "")) { try verify(input + "." + Base64URL.encode(pkcs1), jwks: try standardJWKS()) }
    }

    @Test("ES256 needs a raw 64-byte r||s signature")
    func ecdsaRaw() throws {
        let token = try JWSSigner(key: .ecP256(TestKeys.ec), algorithm: .ES256, keyID: "ec").sign(payload: payload)
        let parts = token.split(separator: ".").map(String.init)
        let raw = Base64URL.decode(parts[2])!
        let der = try P256.Signing.ECDSASignature(rawRepresentation: raw).derRepresentation
        let derToken = parts[0] + "." + parts[1] + "." + Base64URL.encode(der)
        #expect {
            try verify(derToken, jwks: try standardJWKS())
        } throws: { error in
            (error as? JOSEError)?.code == .invalidSignature && (error as? JOSEError)?.reason.contains("raw r||s") == true
        }
        var flipped = raw
        flipped[10] ^= 1
        #expect(throws: JOSEError(.invalidSignature, "")) {
            try verify(parts[0] + "." + parts[1] + "." + Base64URL.encode(flipped), jwks: try standardJWKS())
        }
    }

    @Test("none and HMAC are refused before any key is looked at", arguments: ["none", "None", "HS256", "HS512", "ES512", "ps256", "EdDSA"])
    func refusedAlgorithms(_ alg: String) throws {
        let header = Base64URL.encode(JSONValue.object(["alg": .string(alg), "kid": "rsa"]).serialized())
        let body = Base64URL.encode(JSONValue.object(payload).serialized())
        let token = header + "." + body + "." + Base64URL.encode([1, 2, 3])
        #expect(throws: JOSEError(.unsupportedAlgorithm, "")) { try verify(token, jwks: try standardJWKS()) }
    }

    @Test("key selection: by kid, else only when exactly one key fits")
    func keySelection() throws {
        let jwks = try standardJWKS()
        let noKid = try JWSSigner(key: .rsa(TestKeys.rsa), algorithm: .PS256, keyID: nil).sign(payload: payload)
        #expect(try verify(noKid, jwks: jwks).keyID == "rsa")  // one RSA key fits PS256
        let twoRSA = try TestKeys.jwks([
            try JWSSigner.Key.rsa(TestKeys.rsa).publicJWK(keyID: "a"),
            try JWSSigner.Key.rsa(TestKeys.rsaOther).publicJWK(keyID: "b"),
        ])
        #expect(throws: JOSEError(.ambiguousKey, "")) { try verify(noKid, jwks: twoRSA) }
        let unknown = try JWSSigner(key: .rsa(TestKeys.rsa), algorithm: .PS256, keyID: "zzz").sign(payload: payload)
        #expect(throws: JOSEError(.keyNotFound, "")) { try verify(unknown, jwks: jwks) }
        let ecKidWithPS = try JWSSigner(key: .rsa(TestKeys.rsa), algorithm: .PS256, keyID: "ec").sign(payload: payload)
        #expect(throws: JOSEError(.keyMismatch, "")) { try verify(ecKidWithPS, jwks: jwks) }
    }

    @Test("a JWK's own alg and use bind it")
    func jwkBinding() throws {
        let jwks = try TestKeys.jwks([
            try JWSSigner.Key.rsa(TestKeys.rsa).publicJWK(keyID: "ps", algorithm: .PS256),
            try JWSSigner.Key.rsa(TestKeys.rsa).publicJWK(keyID: "enc", use: "enc"),
        ])
        let all = AlgorithmPolicy(allowed: [.PS256, .RS256])
        let rs = try JWSSigner(key: .rsa(TestKeys.rsa), algorithm: .RS256, keyID: "ps").sign(payload: payload)
        #expect(throws: JOSEError(.keyMismatch, "")) { try verify(rs, jwks: jwks, policy: all) }
        let ps = try JWSSigner(key: .rsa(TestKeys.rsa), algorithm: .PS256, keyID: "ps").sign(payload: payload)
        #expect(throws: Never.self) { try verify(ps, jwks: jwks, policy: all) }
        let enc = try JWSSigner(key: .rsa(TestKeys.rsa), algorithm: .PS256, keyID: "enc").sign(payload: payload)
        #expect(throws: JOSEError(.keyMismatch, "")) { try verify(enc, jwks: jwks, policy: all) }
    }

    @Test("header members jwk, jku, x5u and x5c never select a key")
    func embeddedKeysIgnored() throws {
        let attackerJWK = try JWSSigner.Key.rsa(TestKeys.rsaOther).publicJWK(keyID: "rsa")
        let token = try JWSSigner(key: .rsa(TestKeys.rsaOther), algorithm: .PS256, keyID: "rsa").sign(
            payload: payload,
            extraHeader: ["jwk": .object(attackerJWK), "jku": "https://attacker.example/jwks", "x5u": "https://attacker.example/cert"]
        )
        #expect(throws: JOSEError(.invalidSignature, "")) { try verify(token, jwks: try standardJWKS()) }
    }

    @Test("crit, b64 false, cty JWT and a foreign typ are refused")
    func headerRules() throws {
        let signer = try JWSSigner(key: .rsa(TestKeys.rsa), algorithm: .PS256, keyID: "rsa")
        for extra: [String: JSONValue] in [["crit": ["exp"], "exp": 1], ["b64": false, "crit": ["b64"]], ["b64": false], ["cty": "JWT"], ["typ": "at+jwt"]] {
            let token = try signer.sign(payload: payload, extraHeader: extra)
            #expect(throws: JOSEError(.unsupportedHeader, "")) { try verify(token, jwks: try standardJWKS()) }
        }
        let lower = try signer.sign(payload: payload, extraHeader: ["typ": "jwt"])
        #expect(throws: Never.self) { try verify(lower, jwks: try standardJWKS()) }
    }
}

@Suite("Compact JWS framing")
struct CompactJWSTests {
    let header = Base64URL.encode(#"{"alg":"PS256","kid":"k"}"#)
    let body = Base64URL.encode(#"{"iss":"x"}"#)

    @Test("refuses malformed framing", arguments: [
        "", "a", "a.b", "a.b.c.d", "a.b.c.d.e", ".b.c", "a..c",
    ])
    func framing(_ token: String) {
        #expect(throws: JOSEError(.malformedToken, "")) { try CompactJWS(parsing: token) }
    }

    @Test("refuses padding, white space and foreign characters in any part")
    func encoding() {
        for token in [
            header + "=." + body + ".AAAA", header + "." + body + ".AA==", header + " ." + body + ".AAAA",
            header + "." + body + ".AA+/", header + "." + body + "\n.AAAA",
        ] {
            #expect(throws: JOSEError(.malformedToken, "")) { try CompactJWS(parsing: token) }
        }
    }

    @Test("header and payload must be JSON objects without duplicate members")
    func json() {
        for (h, p) in [
            (#"[]"#, #"{}"#), (#"{"alg":"PS256"}"#, "[1]"), (#"{"alg":"PS256"}"#, "not json"),
            (#"{"alg":"PS256","alg":"none"}"#, "{}"), (#"{"alg":"PS256"}"#, #"{"a":1,"a":2}"#),
            (#"{"alg":1}"#, "{}"), (#"{"kid":"x"}"#, "{}"), (#"{"alg":"PS256","kid":7}"#, "{}"),
            (#"{"alg":"PS256","crit":"b64"}"#, "{}"), (#"{"alg":"PS256","b64":"false"}"#, "{}"),
        ] {
            let token = Base64URL.encode(h) + "." + Base64URL.encode(p) + ".AAAA"
            #expect(throws: JOSEError(.malformedToken, ""), "header \(h) payload \(p)") { try CompactJWS(parsing: token) }
        }
    }

    @Test("token size is bounded")
    func size() {
        let big = Base64URL.encode(#"{"pad":""# + String(repeating: "x", count: 70_000) + #""}"#)
        #expect(throws: JOSEError(.tokenTooLarge, "")) { try CompactJWS(parsing: header + "." + big + ".AAAA") }
        var limits = JOSELimits()
        limits.maximumTokenBytes = 128 * 1024
        #expect(throws: Never.self) { try CompactJWS(parsing: header + "." + big + ".AAAA", limits: limits) }
    }

    @Test("keeps the exact signing input")
    func signingInput() throws {
        let jws = try CompactJWS(parsing: header + "." + body + ".AAAA")
        #expect(jws.signingInput == Array((header + "." + body).utf8))
        #expect(jws.signature == [0, 0, 0])
        #expect(jws.header.keyID == "k")
    }
}

@Suite("JWK and JWKS parsing")
struct JWKTests {
    @Test("skips unusable entries with a warning, keeps the rest")
    func skipsBadEntries() throws {
        let good = try JWSSigner.Key.ecP256(TestKeys.ec).publicJWK(keyID: "good")
        let document: JSONValue = ["keys": [
            .object(good),
            ["kty": "RSA", "kid": "bad-n", "n": "@@", "e": "AQAB"],
            ["kty": "OKP", "kid": "okp", "crv": "Ed25519", "x": "AAAA"],
            ["kty": "EC", "kid": "off-curve", "crv": "P-256", "x": .string(Base64URL.encode([UInt8](repeating: 1, count: 32))), "y": .string(Base64URL.encode([UInt8](repeating: 2, count: 32)))],
            .object(good.merging(["kid": "private", "d": "AAAA"]) { _, new in new }),
            "not an object",
        ]]
        let jwks = try JWKS(parsing: Array(document.serialized().utf8))
        #expect(jwks.keys.map(\.keyID) == ["good"])
        #expect(jwks.warnings.count == 5)
        #expect(jwks.warnings.contains { $0.contains("bad-n") && $0.contains("base64url") })
        #expect(jwks.warnings.contains { $0.contains("private key material") })
    }

    @Test("refuses documents that are not a JWKS", arguments: ["[]", "{}", #"{"keys":{}}"#, "nope", #"{"keys":[],"keys":[]}"#])
    func refusesDocuments(_ text: String) {
        #expect(throws: JOSEError(.malformedJWKS, "")) { try JWKS(parsing: Array(text.utf8)) }
    }

    @Test("an RSA key below 2048 bits is kept but never verifies")
    func weakRSA() throws {
        let n = [UInt8](repeating: 0xC3, count: 128)  // 1024-bit modulus
        let jwk = try JWK(members: ["kty": "RSA", "kid": "weak", "n": .string(Base64URL.encode(n)), "e": "AQAB"])
        #expect(jwk.keyDescription == "RSA 1024 bits")
        #expect(jwk.mismatch(with: .PS256)?.code == .weakKey)
    }
}
