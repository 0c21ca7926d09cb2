#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-exact text comparison.
///
/// Swift's `==` on `String` compares *canonical equivalence*: `"a;b" == "a\u{037E}b"` (GREEK
/// QUESTION MARK) and `"K" == "\u{212A}"` (KELVIN SIGN) are both true, and `Set<String>` and
/// `Dictionary<String, _>` hash the same way. An allow-list checked with `==` therefore accepts a
/// value that is not the one on the list, and the look-alike is then registered as sent. Every
/// comparison of a value from the outside (redirect URIs, issuers, audiences, identifiers, DN
/// values) uses these instead: equal means the same UTF-8 bytes.
extension String {
    /// Whether both strings have the same UTF-8 bytes (compared with `memcmp`: this is on the
    /// token endpoint's hot path, and iterating two `UTF8View`s byte by byte showed in profiles).
    public func isByteIdentical(to other: String) -> Bool {
        withSameLengthUTF8(other) { a, b in a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 }
    }

    /// `body` over both strings' contiguous UTF-8 bytes when they have the same length; `false`
    /// (without calling it) when they do not.
    private func withSameLengthUTF8(_ other: String, _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Bool) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        // Native strings lend their bytes without a copy of either string (no retain, no
        // release: this runs dozens of times per token decision); others are made contiguous.
        if let result = utf8.withContiguousStorageIfAvailable({ a in other.utf8.withContiguousStorageIfAvailable { b in body(a, b) } }), let result {
            return result
        }
        var lhs = self
        var rhs = other
        return lhs.withUTF8 { a in rhs.withUTF8 { b in body(a, b) } }
    }

    /// Whether every UTF-8 byte of the string satisfies `predicate`: read in place from a native
    /// string's storage (iterating a `UTF8View` byte by byte costs several times as much, and the
    /// token call's identifiers are checked on every decision).
    @inline(__always)
    func allUTF8(_ predicate: (UInt8) -> Bool) -> Bool {
        if let result = utf8.withContiguousStorageIfAvailable({ $0.allSatisfy(predicate) }) { return result }
        return utf8.allSatisfy(predicate)
    }

    /// ASCII-only case folding (`A`-`Z` to `a`-`z`); every other byte is kept, so no Unicode
    /// look-alike (KELVIN SIGN lower-cases to `k`) can fold into an ASCII letter.
    public var asciiLowercased: String {
        String(decoding: utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// The string without leading and trailing ASCII white space (space, tab, CR, LF, and with
    /// `spacesOnly` just the space). Unlike Foundation's `trimmingCharacters(in:)` it leaves
    /// Unicode spaces alone (a request that starts with U+00A0 stays malformed) and works on
    /// bytes: Foundation's goes through UTF-16 and showed as a third of a registration decision
    /// in profiles.
    public func trimmingASCIIWhitespace(spacesOnly: Bool = false) -> String {
        let isSpace = { (b: UInt8) in b == 0x20 || (!spacesOnly && (b == 0x09 || b == 0x0A || b == 0x0D)) }
        let bytes = utf8
        guard let first = bytes.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = bytes.lastIndex(where: { !isSpace($0) })!
        if first == bytes.startIndex, last == bytes.index(before: bytes.endIndex) { return self }
        return String(Substring(bytes[first...last]))
    }

    /// Whether both strings have the same UTF-8 bytes once `A`-`Z` are folded to `a`-`z` (and
    /// nothing else is folded): `asciiLowercased` on both sides, without building either.
    public func isByteIdenticalIgnoringASCIICase(to other: String) -> Bool {
        withSameLengthUTF8(other) { a, b in
            for i in 0..<a.count where a[i] != b[i] {
                let x = a[i] >= 0x41 && a[i] <= 0x5A ? a[i] | 0x20 : a[i]
                let y = b[i] >= 0x41 && b[i] <= 0x5A ? b[i] | 0x20 : b[i]
                if x != y { return false }
            }
            return true
        }
    }
}

extension Sequence where Element == String {
    /// Whether an element has exactly the UTF-8 bytes of `value`.
    public func containsByteIdentical(_ value: String) -> Bool {
        contains { $0.isByteIdentical(to: value) }
    }
}
