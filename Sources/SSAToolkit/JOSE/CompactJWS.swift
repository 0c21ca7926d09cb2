#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The protected header of a JWS, with the members this toolkit acts on typed.
public struct JOSEHeader: Sendable {
    /// Every member, as parsed.
    public var members: [String: JSONValue]
    /// `alg`, as written (validated later against the allow-list).
    public var algorithm: String
    /// `kid`, when present.
    public var keyID: String?
    /// `typ`, when present.
    public var type: String?
    /// `cty`, when present.
    public var contentType: String?
    /// `crit`, when present.
    public var critical: [String]?
    /// `b64`, when present.
    public var base64EncodedPayload: Bool?

    /// Types the header members; a member of the wrong JSON type is a malformed token.
    public init(members: [String: JSONValue]) throws(JOSEError) {
        self.members = members
        func optionalString(_ name: String) throws(JOSEError) -> String? {
            guard let value = members[name] else { return nil }
            guard let s = value.stringValue else {
                throw JOSEError(.malformedToken, "header member \"\(name)\" is \(value.typeDescription), not a string")
            }
            return s
        }
        guard let alg = try optionalString("alg") else { throw JOSEError(.malformedToken, "header has no \"alg\"") }
        algorithm = alg
        keyID = try optionalString("kid")
        type = try optionalString("typ")
        contentType = try optionalString("cty")
        if let crit = members["crit"] {
            guard let list = crit.stringArrayValue, !list.isEmpty else {
                throw JOSEError(.malformedToken, "header member \"crit\" must be a non-empty array of strings")
            }
            critical = list
        }
        if let b64 = members["b64"] {
            guard let flag = b64.boolValue else {
                throw JOSEError(.malformedToken, "header member \"b64\" is \(b64.typeDescription), not a Boolean")
            }
            base64EncodedPayload = flag
        }
    }
}

/// Bounds applied to untrusted compact JWS input.
public struct JOSELimits: Sendable, Hashable {
    /// Largest token accepted, in bytes (64 KiB by default).
    public var maximumTokenBytes: Int = 64 * 1024
    /// Deepest JSON nesting accepted in header and payload.
    public var maximumJSONDepth: Int = 16

    /// Default bounds.
    public init() {}
}

/// A JWS in compact serialization (RFC 7515 section 7.1) whose payload is a JSON object (a JWT),
/// parsed but not yet verified.
public struct CompactJWS: Sendable {
    /// The protected header.
    public var header: JOSEHeader
    /// The payload's members (unverified until a signature check passes).
    public var payload: [String: JSONValue]
    /// The bytes the signature covers: `BASE64URL(header) '.' BASE64URL(payload)`.
    public var signingInput: [UInt8]
    /// The signature bytes (possibly empty: refused later by the algorithm check).
    public var signature: [UInt8]
    /// Size of the token in bytes.
    public var byteCount: Int

    /// Parses a compact JWS strictly: exactly three base64url parts without padding or white
    /// space; header and payload are JSON objects without duplicate member names.
    ///
    /// - Throws: ``JOSEError`` `tokenTooLarge` or `malformedToken`, saying what is wrong.
    public init(parsing token: some StringProtocol, limits: JOSELimits = JOSELimits()) throws(JOSEError) {
        let bytes = Array(token.utf8)
        guard bytes.count <= limits.maximumTokenBytes else {
            throw JOSEError(.tokenTooLarge, "token is \(bytes.count) bytes, more than the \(limits.maximumTokenBytes) allowed")
        }
        guard !bytes.isEmpty else { throw JOSEError(.malformedToken, "token is empty") }
        // The dots, found with memchr (a generic split compared every byte through a closure).
        var dots: [Int] = []
        bytes.withUnsafeBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count, dots.count < 5, let found = memchr(buffer.baseAddress! + offset, Int32(UInt8(ascii: ".")), buffer.count - offset) {
                let index = buffer.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
                dots.append(index)
                offset = index + 1
            }
        }
        let parts: [ArraySlice<UInt8>] = dots.count == 2
            ? [bytes[..<dots[0]], bytes[(dots[0] + 1)..<dots[1]], bytes[(dots[1] + 1)...]]
            : bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)  // only to report the count
        guard parts.count == 3 else {
            let hint = parts.count == 5 ? " (a JWE? only signed compact JWS is accepted)" : ""
            throw JOSEError(.malformedToken, "token has \(parts.count) dot-separated parts, not 3\(hint)")
        }
        let names = ["header", "payload", "signature"]
        var decoded: [[UInt8]] = []
        for (i, part) in parts.enumerated() {
            if i < 2, part.isEmpty { throw JOSEError(.malformedToken, "the \(names[i]) part is empty") }
            guard let raw = Base64URL.decode(part) else {
                let detail = part.contains(UInt8(ascii: "=")) ? "padding '=' is not allowed" : "not strict base64url"
                throw JOSEError(.malformedToken, "the \(names[i]) part is \(detail)")
            }
            decoded.append(raw)
        }
        let parser = StrictJSONParser(maximumDepth: limits.maximumJSONDepth, maximumBytes: limits.maximumTokenBytes)
        let headerMembers: [String: JSONValue]
        do {
            headerMembers = try parser.parseObject(decoded[0])
        } catch {
            throw JOSEError(.malformedToken, "header: \(error.reason)")
        }
        do {
            payload = try parser.parseObject(decoded[1])
        } catch {
            throw JOSEError(.malformedToken, "payload: \(error.reason)")
        }
        header = try JOSEHeader(members: headerMembers)
        signingInput = Array(bytes[..<(parts[0].count + 1 + parts[1].count)])
        signature = decoded[2]
        byteCount = bytes.count
    }
}
