import Foundation

/// A JSON value as parsed by ``StrictJSONParser``: untrusted input is never decoded through a
/// parser that tolerates duplicate member names or unbounded nesting.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// Every JSON number, as a double (exact for integers up to 2^53, which covers NumericDate).
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The string, when this is a string.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The number, when this is a number.
    public var numberValue: Double? {
        if case .number(let n) = self { return n }
        return nil
    }

    /// The Boolean, when this is a Boolean.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The elements, when this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The members, when this is an object.
    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The elements, when this is an array whose elements are all strings.
    public var stringArrayValue: [String]? {
        guard case .array(let a) = self else { return nil }
        var out: [String] = []
        out.reserveCapacity(a.count)
        for element in a {
            guard case .string(let s) = element else { return nil }
            out.append(s)
        }
        return out
    }

    /// A short name of the JSON type, for error messages ("a string", "an array", ...).
    public var typeDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a Boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension JSONValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
}

extension JSONValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSONValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

// MARK: - Serialization

extension JSONValue {
    /// Compact JSON text with object members sorted by name, so output is stable.
    public func serialized() -> String {
        String(decoding: serializedBytes(), as: UTF8.self)
    }

    /// ``serialized()`` as UTF-8 bytes, without building a `String` (what a server sends).
    public func serializedBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        write(to: &out, indent: nil, level: 0, leadingKeys: [:])
        return out
    }

    /// JSON text indented by two spaces per level. Members named in `leadingKeys` come first,
    /// in that order, at every level; the others follow sorted by name.
    public func prettySerialized(leadingKeys: [String] = []) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        let rank = Dictionary(leadingKeys.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        write(to: &out, indent: Array("  ".utf8), level: 0, leadingKeys: rank)
        return String(decoding: out, as: UTF8.self)
    }

    // Serialization writes bytes: appending to a `String` scalar by scalar cost most of a token
    // decision's time on the serve path (callgrind), and runs of plain bytes are copied at once.
    /// Appends the compact serialization to `out`.
    func write(to out: inout [UInt8]) {
        write(to: &out, indent: nil, level: 0, leadingKeys: [:])
    }

    private func write(to out: inout [UInt8], indent: [UInt8]?, level: Int, leadingKeys: [String: Int]) {
        switch self {
        case .null: out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(let b): out.append(contentsOf: b ? Array("true".utf8) : Array("false".utf8))
        case .number(let n): out.append(contentsOf: JSONValue.format(number: n).utf8)
        case .string(let s): JSONValue.writeQuoted(s, to: &out)
        case .array(let elements):
            if elements.isEmpty { out.append(contentsOf: [0x5B, 0x5D]); return }
            out.append(0x5B)
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(0x2C) }
                if let indent { JSONValue.newline(&out, indent, level + 1) }
                element.write(to: &out, indent: indent, level: level + 1, leadingKeys: leadingKeys)
            }
            if let indent { JSONValue.newline(&out, indent, level) }
            out.append(0x5D)
        case .object(let members):
            if members.isEmpty { out.append(contentsOf: [0x7B, 0x7D]); return }
            out.append(0x7B)
            let sorted: [(key: String, value: JSONValue)]
            if leadingKeys.isEmpty {
                // Compact output (every answer): by bytes, no ranks to build.
                sorted = members.sorted { JSONValue.utf8Precedes($0.key, $1.key) }
            } else {
                // Each member's place among the leading keys is looked up once, not per comparison.
                let ranked = members.map { member in (rank: leadingKeys[member.key] ?? Int.max, member: member) }
                sorted = ranked.sorted { a, b in
                    a.rank != b.rank ? a.rank < b.rank : JSONValue.utf8Precedes(a.member.key, b.member.key)
                }.map(\.member)
            }
            for (i, member) in sorted.enumerated() {
                if i > 0 { out.append(0x2C) }
                if let indent { JSONValue.newline(&out, indent, level + 1) }
                JSONValue.writeQuoted(member.key, to: &out)
                out.append(0x3A)
                if indent != nil { out.append(0x20) }
                member.value.write(to: &out, indent: indent, level: level + 1, leadingKeys: leadingKeys)
            }
            if let indent { JSONValue.newline(&out, indent, level) }
            out.append(0x7D)
        }
    }

    /// Member order: by UTF-8 bytes (the same as `<` for ASCII names, and much cheaper).
    private static func utf8Precedes(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let common = Swift.min(x.count, y.count)
                let order = common == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, common)
                return order != 0 ? order < 0 : x.count < y.count
            }
        }
    }

    private static func newline(_ out: inout [UInt8], _ indent: [UInt8], _ level: Int) {
        out.append(0x0A)
        for _ in 0..<level { out.append(contentsOf: indent) }
    }

    private static func format(number n: Double) -> String {
        guard n.isFinite else { return "null" }
        if n == n.rounded(), abs(n) < 9.007_199_254_740_992e15 {
            return String(Int64(n))
        }
        return "\(n)"
    }

    /// The offset of the first byte at or after `start` that a JSON string cannot hold as it
    /// is (below 0x20, `"` or `\\`), or `raw.count`: eight bytes at a time, then one. (Swift's
    /// `SIMD16` comparisons and `any` compiled to a per-element loop here: 1.5 times the
    /// instructions of a whole token decision's parse, callgrind.)
    @inline(__always)
    static func firstEscapable(in raw: UnsafeRawBufferPointer, from start: Int) -> Int {
        var i = start
        while i + 8 <= raw.count, !needsEscaping(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) { i += 8 }
        while i < raw.count {
            let b = raw[i]
            if b < 0x20 || b == 0x22 || b == 0x5C { return i }
            i += 1
        }
        return i
    }

    /// Whether one of the eight bytes in `word` is below 0x20, `"` or `\\` (the classic
    /// "has a byte less than n" and "has a zero byte" word tests; exact about whether, not where).
    @inline(__always)
    static func needsEscaping(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let below20 = (word &- ones &* 0x20) & ~word & highs
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let quotes = (quote &- ones) & ~quote & highs
        let backslashes = (backslash &- ones) & ~backslash & highs
        return below20 | quotes | backslashes != 0
    }

    /// `strings` as a JSON array of strings, written directly (no `JSONValue` per element):
    /// the same bytes as `JSONValue.array(strings.map { .string($0) })`.
    static func writeStringArray(_ strings: [String], to out: inout [UInt8]) {
        writeList(strings, open: 0x5B, separator: 0x2C, close: 0x5D, quoted: true, to: &out)
    }

    /// `strings` joined by single spaces as one JSON string (an OAuth scope), written directly:
    /// the same bytes as `.string(strings.joined(separator: " "))`.
    static func writeSpaceJoined(_ strings: [String], to out: inout [UInt8]) {
        writeList(strings, open: 0x22, separator: 0x20, close: 0x22, quoted: false, to: &out)
    }

    /// `strings` between `open` and `close`, `separator` between them, each escaped (and
    /// `quoted`, or not: the pieces of one string).
    private static func writeList(_ strings: [String], open: UInt8, separator: UInt8, close: UInt8, quoted: Bool, to out: inout [UInt8]) {
        out.append(open)
        for (i, string) in strings.enumerated() {
            if i > 0 { out.append(separator) }
            if quoted { writeQuoted(string, to: &out) } else { writeEscaped(string, to: &out) }
        }
        out.append(close)
    }

    /// A JSON string: `"` and `\\` escaped, control characters as `\\n`, `\\t`, ... or `\\u00XX`;
    /// every other byte (all of UTF-8 above U+001F) copied as it is, runs at a time.
    static func writeQuoted(_ s: String, to out: inout [UInt8]) {
        out.append(0x22)
        writeEscaped(s, to: &out)
        out.append(0x22)
    }

    /// `s` escaped, without quotes. A native string lends its bytes without a copy (no retain
    /// and release per value).
    private static func writeEscaped(_ s: String, to out: inout [UInt8]) {
        if s.utf8.withContiguousStorageIfAvailable({ writeEscaped($0, to: &out) }) == nil {
            var s = s
            s.withUTF8 { writeEscaped($0, to: &out) }
        }
    }

    /// `bytes` with what JSON must escape escaped, appended to `out` (without quotes).
    private static func writeEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        let raw = UnsafeRawBufferPointer(bytes)
        var runStart = 0
        while true {
            let i = firstEscapable(in: raw, from: runStart)
            if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i])) }
            guard i < bytes.count else { return }
            let b = bytes[i]
            runStart = i + 1
            switch b {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: out.append(contentsOf: [0x5C, 0x72])
            case 0x09: out.append(contentsOf: [0x5C, 0x74])
            case 0x08: out.append(contentsOf: [0x5C, 0x62])
            case 0x0C: out.append(contentsOf: [0x5C, 0x66])
            default:
                let digits: [UInt8] = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, digits[Int(b >> 4)], digits[Int(b & 0x0F)]])
            }
        }
    }
}

extension Array where Element == UInt8 {
    /// Appends a literal's UTF-8 bytes at once: a JSON fragment written by this code (member
    /// names, punctuation), known to need no escaping.
    @inline(__always)
    mutating func appendStatic(_ literal: StaticString) {
        literal.withUTF8Buffer { append(contentsOf: $0) }
    }
}
