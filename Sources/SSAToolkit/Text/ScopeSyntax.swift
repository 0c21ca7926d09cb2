import Foundation

/// Scope syntax of RFC 6749 section 3.3: scope tokens of the characters `%x21 / %x23-5B /
/// %x5D-7E`, separated by single spaces. Scopes are matched byte for byte afterwards, so a tab,
/// a NUL or a full-width letter never reaches a comparison.
public enum ScopeSyntax {
    /// Where a scope string or token breaks the syntax.
    public struct Problem: Error, Hashable, Sendable, CustomStringConvertible {
        /// The byte offset (from 0) of the offending byte.
        public var offset: Int
        /// What is wrong there.
        public var reason: String
        public var description: String { "\(reason) at byte \(offset)" }
    }

    /// Whether `byte` may appear in a scope token.
    @inline(__always)
    static func allowed(_ byte: UInt8) -> Bool { byte == 0x21 || (byte >= 0x23 && byte <= 0x5B) || (byte >= 0x5D && byte <= 0x7E) }

    /// The scope tokens of `text` (leading and trailing spaces trimmed; empty when nothing is left).
    public static func split(_ text: String) throws(Problem) -> [String] {
        // Read in place (every token decision splits its scope): no copy of the bytes, and the
        // list sized once.
        var text = text
        let result: Result<[String], Problem> = text.withUTF8 { bytes in
            do throws(Problem) { return .success(try split(bytes)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    private static func split(_ bytes: UnsafeBufferPointer<UInt8>) throws(Problem) -> [String] {
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 0x20 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 { end -= 1 }
        guard start < end else { return [] }
        var scopes: [String] = []
        scopes.reserveCapacity(1 + bytes[start..<end].count { $0 == 0x20 })
        var tokenStart = start
        var index = start
        while index <= end {
            if index == end || bytes[index] == 0x20 {
                guard index > tokenStart else { throw Problem(offset: index, reason: "has two spaces in a row (scope tokens are separated by one space)") }
                scopes.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[tokenStart..<index]), as: UTF8.self))
                tokenStart = index + 1
            } else if !allowed(bytes[index]) {
                throw Problem(offset: index, reason: Self.describe(bytes[index]))
            }
            index += 1
        }
        return scopes
    }

    /// Why `token` is not one scope token, or `nil`.
    public static func problem(with token: String) -> Problem? {
        guard !token.isEmpty else { return Problem(offset: 0, reason: "is empty") }
        // Every requested scope is checked on every token decision: a well-formed one is read in
        // place (`allUTF8`); only a refused one is walked again, to name the position.
        if token.allUTF8(allowed) { return nil }
        for (offset, byte) in token.utf8.enumerated() where !allowed(byte) {
            return Problem(offset: offset, reason: byte == 0x20 ? "has a space (a list entry is one scope token)" : Self.describe(byte))
        }
        return nil
    }

    private static func describe(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        return "has byte 0x\(byte < 0x10 ? "0" : "")\(hex), which RFC 6749 does not allow in a scope token"
    }
}
