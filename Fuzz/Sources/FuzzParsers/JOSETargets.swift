import FuzzSupport
import SSAToolkit

/// `StrictJSONParser` with its defaults (depth 32, 1 MiB), then properties of what it returns.
enum JSONTarget {
    static let parser = StrictJSONParser()
    /// The same bounds, but no size limit: a serialization may be longer than its input.
    static let reparser = StrictJSONParser(maximumDepth: 32, maximumBytes: .max)

    static func run(_ bytes: [UInt8]) {
        let value: JSONValue
        do { value = try parser.parse(bytes) } catch { return }
        _ = try? parser.parseObject(bytes)
        // What the library writes (audit records, decisions) must read back as the same value.
        guard let compact = try? reparser.parse(value.serializedBytes()), compact == value else {
            FuzzDriver.violated("serializedBytes() does not parse back to the value parsed", input: bytes)
        }
        guard let pretty = try? reparser.parse(Array(value.prettySerialized(leadingKeys: ["kid", "alg"]).utf8)), pretty == value else {
            FuzzDriver.violated("prettySerialized() does not parse back to the value parsed", input: bytes)
        }
        visitStrings(value) { text in
            // Every echoed value goes through these before it reaches a terminal or a log.
            let escaped = text.escapedForTerminal(limit: 64)
            if escaped.unicodeScalars.contains(where: isTerminalControl) {
                FuzzDriver.violated("escapedForTerminal left a control character in \(escaped.debugDescription)", input: bytes)
            }
            _ = text.quotedForReport()
            _ = text.asciiLowercased
            _ = Identifier.problem(with: text)
            _ = HTTPSURL.problem(with: text, allowFragment: false)
        }
        _ = value.typeDescription
        _ = value.stringArrayValue
    }

    static func visitStrings(_ value: JSONValue, _ body: (String) -> Void) {
        switch value {
        case .string(let text): body(text)
        case .array(let elements): for element in elements { visitStrings(element, body) }
        case .object(let members):
            for (name, member) in members {
                body(name)
                visitStrings(member, body)
            }
        default: break
        }
    }

    /// The scalars `escapedForTerminal` documents that it escapes (tabs included).
    static func isTerminalControl(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029
            || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F
    }
}

/// Strict base64url: whatever decodes must be the one canonical encoding of its bytes.
enum Base64URLTarget {
    static func run(_ bytes: [UInt8]) {
        if let decoded = Base64URL.decode(bytes) {
            guard Array(Base64URL.encode(decoded).utf8) == bytes else {
                FuzzDriver.violated("Base64URL.decode accepted a text that is not the canonical encoding of its bytes", input: bytes)
            }
        }
        guard Base64URL.decode(Base64URL.encode(bytes)) == bytes else {
            FuzzDriver.violated("Base64URL.decode(encode(x)) is not x", input: bytes)
        }
    }
}

/// A compact JWS as an SSA or a request JWT arrives: framing, then every check the verifier
/// makes before and including the signature, against the fixture directory JWKS; then the SSA
/// claims policy on the (unverified) payload, which a genuine directory signature would reach.
enum JWSTarget {
    static func run(_ bytes: [UInt8]) {
        check(String(decoding: bytes, as: UTF8.self))
    }

    static func check(_ token: String) {
        let jws: CompactJWS
        do { jws = try CompactJWS(parsing: token) } catch { return }
        _ = (jws.header.algorithm, jws.header.keyID, jws.header.type, jws.header.contentType, jws.header.critical, jws.header.base64EncodedPayload)
        for verifier in Fixtures.verifiers {
            do {
                _ = try verifier.checkHeader(jws.header)
                let alg = try verifier.checkAlgorithm(jws.header)
                let key = try verifier.selectKey(for: jws.header, algorithm: alg, in: Fixtures.directoryJWKS)
                try verifier.checkSignature(jws, algorithm: alg, key: key)
            } catch {
                _ = error.reason
            }
            _ = try? verifier.verify(jws, using: Fixtures.directoryJWKS)
        }
        claims(jws.payload)
    }

    /// What happens to an SSA's claims once its signature verified.
    static func claims(_ payload: [String: JSONValue]) {
        let claims = SoftwareStatementClaims(payload)
        let evaluation = SoftwareStatementRules().evaluate(claims, at: Fixtures.now)
        for check in evaluation.checks { _ = check.detail.escapedForTerminal() }
        _ = claims.summary
        _ = (claims.issuer, claims.issuedAt, claims.expiresAt, claims.softwareVersion, claims.softwareRoles, claims.softwareRedirectURIs)
    }
}

/// A JWKS document (the directory's, or a TPP's `software_jwks_endpoint`), and a single JWK.
enum JWKSTarget {
    static let parser = StrictJSONParser(maximumDepth: 8, maximumBytes: 512 * 1024)

    static func run(_ bytes: [UInt8]) {
        if let jwks = try? JWKS(parsing: bytes) {
            for key in jwks.keys {
                _ = key.keyDescription
                for alg in JWSAlgorithm.allCases { _ = key.mismatch(with: alg) }
                if let kid = key.keyID { _ = jwks.keys(withID: kid) }
            }
            for warning in jwks.warnings { _ = warning.escapedForTerminal() }
        }
        if let members = try? parser.parseObject(bytes), let key = try? JWK(members: members) {
            for alg in JWSAlgorithm.allCases { _ = key.mismatch(with: alg) }
        }
    }
}
