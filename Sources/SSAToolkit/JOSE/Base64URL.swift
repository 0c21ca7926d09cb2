/// Strict base64url (RFC 4648 section 5) as JOSE uses it: no padding, no white space, and
/// canonical: unused trailing bits must be zero, so one byte string has exactly one encoding.
public enum Base64URL {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()

    /// Encodes bytes without padding.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var out = [UInt8]()
        out.reserveCapacity((input.count * 4 + 2) / 3)
        var i = 0
        while i + 3 <= input.count {
            let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            out.append(alphabet[Int(n & 63)])
            i += 3
        }
        let rest = input.count - i
        if rest == 1 {
            let n = UInt32(input[i]) << 16
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
        } else if rest == 2 {
            let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Encodes the UTF-8 bytes of a string.
    public static func encode(_ string: String) -> String { encode(Array(string.utf8)) }

    /// Decodes strict base64url; `nil` for padding, white space, characters outside the
    /// alphabet, an impossible length or non-zero trailing bits.
    public static func decode(_ text: some Collection<UInt8>) -> [UInt8]? {
        if let decoded = text.withContiguousStorageIfAvailable({ decode(buffer: $0) }) { return decoded }
        return Array(text).withUnsafeBufferPointer { decode(buffer: $0) }
    }

    /// Four characters at a time into three bytes, straight into the result's storage (this is
    /// on every token's path: a 2.5 KB software statement is 1.9 KB of base64url).
    private static func decode(buffer input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let rest = input.count % 4
        if rest == 1 { return nil }
        let outputCount = input.count / 4 * 3 + (rest == 0 ? 0 : rest - 1)
        return decodeTable.withUnsafeBufferPointer { table -> [UInt8]? in
            var valid = true
            let out = [UInt8](unsafeUninitializedCapacity: outputCount) { out, initialized in
                var i = 0
                var o = 0
                // Characters outside the alphabet map to 0xFF: any of them sets bit 7 of the OR.
                while i + 4 <= input.count {
                    let a = table[Int(input[i])], b = table[Int(input[i + 1])], c = table[Int(input[i + 2])], d = table[Int(input[i + 3])]
                    guard (a | b | c | d) & 0x80 == 0 else { valid = false; initialized = o; return }
                    let n = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                    out[o] = UInt8(truncatingIfNeeded: n >> 16)
                    out[o + 1] = UInt8(truncatingIfNeeded: n >> 8)
                    out[o + 2] = UInt8(truncatingIfNeeded: n)
                    i += 4
                    o += 3
                }
                // Two or three characters left: their unused low bits (4 or 2) must be zero, so
                // one byte string has exactly one encoding.
                if rest == 2 {
                    let a = table[Int(input[i])], b = table[Int(input[i + 1])]
                    guard (a | b) & 0x80 == 0, b & 0x0F == 0 else { valid = false; initialized = o; return }
                    out[o] = a << 2 | b >> 4
                    o += 1
                } else if rest == 3 {
                    let a = table[Int(input[i])], b = table[Int(input[i + 1])], c = table[Int(input[i + 2])]
                    guard (a | b | c) & 0x80 == 0, c & 0x03 == 0 else { valid = false; initialized = o; return }
                    out[o] = a << 2 | b >> 4
                    out[o + 1] = (b & 0x0F) << 4 | c >> 2
                    o += 2
                }
                initialized = o
            }
            return valid ? out : nil
        }
    }

    /// Decodes the UTF-8 bytes of a string.
    public static func decode(_ text: String) -> [UInt8]? { decode(Array(text.utf8)) }
}
