#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension StrictJSONParser {
    /// Parses a JSON object whose member names are all among `names`, each at most once and
    /// written without escapes (the usual call body): the values by the position of their name
    /// in `names` (`nil`: absent), with no dictionary built and no name hashed. Returns `nil` for
    /// anything else (another or a repeated name, an escaped name, not an object, not valid JSON
    /// within the bounds): the caller then parses the text with ``parseObject(_:)``, which names
    /// what is wrong. Where this answers, ``parseObject(_:)`` answers the same values.
    public func parseObject(_ buffer: [UInt8], knownNames names: KnownMemberNames) -> [JSONValue?]? {
        guard buffer.count <= maximumBytes, Self.isValidUTF8(buffer) else { return nil }
        var values = [JSONValue?](repeating: nil, count: names.count)
        var seen = [Bool](repeating: false, count: names.count)
        var cursor = Cursor(bytes: buffer, maximumDepth: maximumDepth)
        do {
            cursor.skipWhitespace()
            guard !cursor.atEnd, buffer[cursor.index] == UInt8(ascii: "{") else { return nil }
            guard try !cursor.openContainer(depth: 1, closing: UInt8(ascii: "}")) else {
                cursor.skipWhitespace()
                return cursor.atEnd ? values : nil
            }
            while true {
                cursor.skipWhitespace()
                guard let position = cursor.plainMemberName(among: names), !seen[position] else { return nil }
                seen[position] = true
                cursor.skipWhitespace()
                guard !cursor.atEnd, buffer[cursor.index] == UInt8(ascii: ":") else { return nil }
                cursor.index += 1
                cursor.skipWhitespace()
                values[position] = try cursor.parseValue(depth: 1)
                cursor.skipWhitespace()
                guard !cursor.atEnd else { return nil }
                if buffer[cursor.index] == UInt8(ascii: ",") { cursor.index += 1; continue }
                guard buffer[cursor.index] == UInt8(ascii: "}") else { return nil }
                cursor.index += 1
                cursor.skipWhitespace()
                return cursor.atEnd ? values : nil
            }
        } catch {
            return nil
        }
    }
}

/// Member names an object is expected to have, for ``StrictJSONParser/parseObject(_:knownNames:)``:
/// each name's bytes, looked up by length and then compared.
public struct KnownMemberNames: Sendable {
    /// The names, in the order their values are answered.
    public let names: [String]
    let bytes: [[UInt8]]
    /// The names to expect.
    public init(_ names: [String]) {
        self.names = names
        self.bytes = names.map { Array($0.utf8) }
    }
    /// How many names.
    public var count: Int { names.count }
}

extension Cursor {
    /// A member name at the cursor that is one of `names`, written without escapes: its
    /// position, the cursor after its closing quote; `nil` (cursor anywhere) for anything else.
    mutating func plainMemberName(among names: KnownMemberNames) -> Int? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        let start = index + 1
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 0x20 { end += 1 }
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { return nil }
        let length = end - start
        let found: Int? = bytes.withUnsafeBufferPointer { all in
            for (position, name) in names.bytes.enumerated() where name.count == length && length > 0 {
                let same = name.withUnsafeBufferPointer { memcmp($0.baseAddress!, all.baseAddress! + start, length) == 0 }
                if same { return position }
            }
            return nil
        }
        index = end + 1
        return found
    }
}
