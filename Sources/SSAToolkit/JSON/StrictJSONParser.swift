/// Why a JSON text was refused by ``StrictJSONParser``.
public struct JSONParseError: Error, Hashable, CustomStringConvertible {
    /// What is wrong, for a person.
    public var reason: String
    /// Byte offset in the input where the problem was found.
    public var offset: Int

    public var description: String { "\(reason) (at byte \(offset))" }
}

/// An RFC 8259 JSON parser for untrusted input.
///
/// Stricter than Foundation's: duplicate member names are an error (parsers disagree on which
/// one wins, which is an attack surface for signed tokens), nesting and size are bounded,
/// input must be valid UTF-8 and escaped surrogates must pair.
public struct StrictJSONParser: Sendable {
    /// Deepest nesting of arrays and objects accepted.
    public var maximumDepth: Int
    /// Largest input accepted, in bytes.
    public var maximumBytes: Int

    /// A parser with the given bounds (defaults suit JOSE headers, claims and JWKS documents).
    public init(maximumDepth: Int = 32, maximumBytes: Int = 1 << 20) {
        self.maximumDepth = maximumDepth
        self.maximumBytes = maximumBytes
    }

    /// Parses one JSON value that spans the whole input (white space around it allowed).
    public func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        let buffer = Array(bytes)
        guard buffer.count <= maximumBytes else {
            throw JSONParseError(reason: "JSON text is \(buffer.count) bytes, more than the \(maximumBytes) allowed", offset: 0)
        }
        guard Self.isValidUTF8(buffer) else {
            throw JSONParseError(reason: "JSON text is not valid UTF-8", offset: 0)
        }
        var cursor = Cursor(bytes: buffer, maximumDepth: maximumDepth)
        cursor.skipWhitespace()
        let value = try cursor.parseValue(depth: 0)
        cursor.skipWhitespace()
        guard cursor.atEnd else { throw cursor.error("unexpected content after the JSON value") }
        return value
    }

    /// Whether `buffer` is valid UTF-8. Most JSON here is ASCII, checked eight bytes at a time
    /// without building a `String`; anything else goes to the standard library's validation.
    static func isValidUTF8(_ buffer: [UInt8]) -> Bool {
        let ascii = buffer.withUnsafeBytes { raw -> Bool in
            var i = 0
            var high: UInt64 = 0
            // Four words a step (a token call is a few kilobytes), then one, then bytes.
            while i + 32 <= raw.count {
                high |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) | raw.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
                    | raw.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self) | raw.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)
                i += 32
            }
            while i + 8 <= raw.count {
                high |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                i += 8
            }
            while i < raw.count {
                high |= UInt64(raw[i])
                i += 1
            }
            return high & 0x8080_8080_8080_8080 == 0
        }
        return ascii || String(validating: buffer, as: UTF8.self) != nil
    }

    /// Parses a JSON text that must be an object.
    public func parseObject(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> [String: JSONValue] {
        let value = try parse(bytes)
        guard case .object(let members) = value else {
            throw JSONParseError(reason: "expected a JSON object, found \(value.typeDescription)", offset: 0)
        }
        return members
    }
}

/// The parser's position in one JSON text (the whole text is valid UTF-8 and within bounds).
struct Cursor {
    let bytes: [UInt8]
    let maximumDepth: Int
    var index = 0

    init(bytes: [UInt8], maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    var atEnd: Bool { index >= bytes.count }

    func error(_ reason: String) -> JSONParseError { JSONParseError(reason: reason, offset: index) }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of JSON text") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("unexpected character in JSON text")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("unexpected end of JSON text") }
        let matches = literal.withUTF8Buffer { lit in
            (0..<count).allSatisfy { bytes[index + $0] == lit[$0] }
        }
        guard matches else { throw error("invalid literal") }
        index += count
    }

    /// Steps over a container's opening bracket (within the depth bound) and says whether the
    /// container is empty (its closing bracket, also stepped over, follows at once).
    @inline(__always)
    mutating func openContainer(depth: Int, closing: UInt8) throws(JSONParseError) -> Bool {
        guard depth <= maximumDepth else { throw error("JSON nesting deeper than \(maximumDepth) levels") }
        index += 1  // { or [
        skipWhitespace()
        guard index < bytes.count, bytes[index] == closing else { return false }
        index += 1
        return true
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        if try openContainer(depth: depth, closing: UInt8(ascii: "}")) { return .object([:]) }
        // Room for a few members at once: most objects are small, and a table that grows rehashes.
        var members = [String: JSONValue](minimumCapacity: 4)
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error("expected a member name in JSON object")
            }
            let nameOffset = index
            let name = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' in JSON object") }
            index += 1
            skipWhitespace()
            // One hash per member: insert, and refuse the object if the name was already there.
            guard members.updateValue(try parseValue(depth: depth), forKey: name) == nil else {
                throw JSONParseError(reason: "duplicate member name \"\(name)\" in JSON object", offset: nameOffset)
            }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of JSON text") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            throw error("expected ',' or '}' in JSON object")
        }
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        var elements: [JSONValue] = []
        if try openContainer(depth: depth, closing: UInt8(ascii: "]")) { return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of JSON text") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
            throw error("expected ',' or ']' in JSON array")
        }
    }

    mutating func parseNumber() throws(JSONParseError) -> Double {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { throw error("invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if isDigit(bytes[index]) {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        } else {
            throw error("invalid number")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        // Integers of up to 15 digits (times, lifetimes) are exact in a Double: add them up
        // instead of going through a String and strtod.
        let digits = bytes[start] == UInt8(ascii: "-") ? index - start - 1 : index - start
        if digits <= 15, bytes[start..<index].allSatisfy({ isDigit($0) || $0 == UInt8(ascii: "-") }) {
            var magnitude: Int64 = 0
            for b in bytes[start..<index] where b != UInt8(ascii: "-") { magnitude = magnitude * 10 + Int64(b - UInt8(ascii: "0")) }
            return bytes[start] == UInt8(ascii: "-") ? -Double(magnitude) : Double(magnitude)
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw JSONParseError(reason: "number out of range", offset: start)
        }
        return value
    }

    func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    mutating func parseString() throws(JSONParseError) -> String {
        let start = index + 1  // after the opening quote
        // The string is read by static functions over the input's pointer, with the position in
        // a local: nothing mutable is captured (a captured variable would be boxed and checked
        // for exclusive access at every byte), and the cursor's position is written once.
        let (result, end) = bytes.withUnsafeBufferPointer { input in Self.readString(input, start: start) }
        index = end
        return try result.get()
    }

    /// The string whose first byte is at `start` (after its opening quote): the string and the
    /// position after its closing quote, or why it is not one and where.
    static func readString(_ input: UnsafeBufferPointer<UInt8>, start: Int) -> (Result<String, JSONParseError>, Int) {
        // A PEM text (a client certificate, sent on every call) decoded before is reused when
        // exactly the same escaped bytes are there (PEMTextMemo says why that is exact).
        guard start < input.count, input[start] == UInt8(ascii: "-"), PEMTextMemo.isPEM(input, start: start) else {
            return decodeString(input, start: start)
        }
        if let (text, end) = PEMTextMemo.shared.text(in: input, start: start) { return (.success(text), end) }
        let (result, end) = decodeString(input, start: start)
        if case .success(let text) = result { PEMTextMemo.shared.remember(UnsafeBufferPointer(rebasing: input[start..<(end - 1)]), text: text) }
        return (result, end)
    }

    /// ``readString(_:start:)``, decoding every byte.
    static func decodeString(_ input: UnsafeBufferPointer<UInt8>, start: Int) -> (Result<String, JSONParseError>, Int) {
        // Fast path: most strings have no escapes and become one String at once. The whole
        // input was validated as UTF-8, so any run between quotes decodes exactly.
        let stop = JSONValue.firstEscapable(in: UnsafeRawBufferPointer(input), from: start)
        if stop < input.count {
            if input[stop] == UInt8(ascii: "\"") {
                return (.success(String(decoding: UnsafeBufferPointer(rebasing: input[start..<stop]), as: UTF8.self)), stop + 1)
            }
            if input[stop] < 0x20 { return (.failure(JSONParseError(reason: "unescaped control character in string", offset: stop)), stop) }
        }
        return readEscapedString(input, start: start, from: stop)
    }

    /// ``readString(_:start:)`` from the first escape at `from` (a PEM's \n between its lines):
    /// the rest of the string decoded in one pass, runs of plain bytes appended at once.
    static func readEscapedString(_ input: UnsafeBufferPointer<UInt8>, start: Int, from: Int) -> (Result<String, JSONParseError>, Int) {
        let raw = UnsafeRawBufferPointer(input)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(Swift.min(input.count - start, 64 * 1024))
        var index = from
        var run = start
        func failure(_ reason: String, _ at: Int) -> (Result<String, JSONParseError>, Int) { (.failure(JSONParseError(reason: reason, offset: at)), at) }
        while true {
            index = JSONValue.firstEscapable(in: raw, from: index)
            if index > run { buffer.append(contentsOf: UnsafeBufferPointer(rebasing: input[run..<index])) }
            guard index < input.count else { return failure("unterminated string", index) }
            let stop = input[index]
            if stop == UInt8(ascii: "\"") {
                return (.success(String(decoding: buffer, as: UTF8.self)), index + 1)
            }
            if stop < 0x20 { return failure("unescaped control character in string", index) }
            index += 1
            guard index < input.count else { return failure("unterminated escape in string", index) }
            let e = input[index]
            index += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(e)
            case UInt8(ascii: "b"): buffer.append(0x08)
            case UInt8(ascii: "f"): buffer.append(0x0C)
            case UInt8(ascii: "n"): buffer.append(0x0A)
            case UInt8(ascii: "r"): buffer.append(0x0D)
            case UInt8(ascii: "t"): buffer.append(0x09)
            case UInt8(ascii: "u"):
                let scalar: Unicode.Scalar
                let unit: UInt16
                switch hex4(input, at: &index) {
                case .success(let value): unit = value
                case .failure(let problem): return (.failure(problem), index)
                }
                if (0xD800...0xDBFF).contains(unit) {
                    guard index + 1 < input.count, input[index] == UInt8(ascii: "\\"), input[index + 1] == UInt8(ascii: "u") else {
                        return failure("unpaired surrogate escape in string", index)
                    }
                    index += 2
                    let low: UInt16
                    switch hex4(input, at: &index) {
                    case .success(let value): low = value
                    case .failure(let problem): return (.failure(problem), index)
                    }
                    guard (0xDC00...0xDFFF).contains(low) else { return failure("unpaired surrogate escape in string", index) }
                    scalar = Unicode.Scalar(0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00))!
                } else if (0xDC00...0xDFFF).contains(unit) {
                    return failure("unpaired surrogate escape in string", index)
                } else {
                    scalar = Unicode.Scalar(unit)!
                }
                if scalar.isASCII { buffer.append(UInt8(scalar.value)) } else { buffer.append(contentsOf: Array(String(scalar).utf8)) }
            default:
                return failure("invalid escape in string", index)
            }
            run = index
        }
    }

    /// The four hex digits of a `\u` escape at `index` (moved past them).
    static func hex4(_ input: UnsafeBufferPointer<UInt8>, at index: inout Int) -> Result<UInt16, JSONParseError> {
        guard index + 4 <= input.count else { return .failure(JSONParseError(reason: "truncated \\u escape", offset: index)) }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let b = input[index]
            let digit: UInt16
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt16(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt16(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt16(b - UInt8(ascii: "A") + 10)
            default: return .failure(JSONParseError(reason: "invalid \\u escape", offset: index))
            }
            value = value << 4 | digit
            index += 1
        }
        return .success(value)
    }
}
