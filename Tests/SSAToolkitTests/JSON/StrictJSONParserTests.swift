import SSAToolkit
import Testing

@Suite("Strict JSON parser")
struct StrictJSONParserTests {
    let parser = StrictJSONParser()

    func parse(_ text: String) throws -> JSONValue { try parser.parse(Array(text.utf8)) }

    @Test("parses every JSON type")
    func parsesTypes() throws {
        let value = try parse(#" {"a": [1, -2.5e2, true, false, null, "x\u00e9\ud83d\ude00\n"], "b": {}} "#)
        #expect(value == .object([
            "a": .array([1, .number(-250), true, false, .null, .string("xé😀\n")]),
            "b": .object([:]),
        ]))
    }

    @Test("refuses duplicate member names, naming the member", arguments: [
        #"{"iss":"a","iss":"b"}"#,
        #"{"a":{"k":1,"k":1}}"#,
        #"{"iss":"a","i\u0073s":"b"}"#,
    ])
    func refusesDuplicates(_ text: String) {
        #expect {
            try parse(text)
        } throws: { error in
            (error as? JSONParseError)?.reason.contains("duplicate member name") == true
        }
    }

    @Test("refuses malformed text", arguments: [
        "", "{", "}", "[1,]", "{\"a\":1,}", "{'a':1}", "01", "1.", ".5", "-", "1e", "tru", "nul",
        "\"abc", "\"\\x\"", "\"\\u12\"", "{\"a\" 1}", "[1 2]", "1 2", "\"\u{01}\"", "NaN", "Infinity", "1e400",
    ])
    func refusesMalformed(_ text: String) {
        #expect(throws: JSONParseError.self) { try parse(text) }
    }

    @Test("refuses unpaired surrogate escapes", arguments: [#""\ud800""#, #""\udc00""#, #""\ud800\u0041""#])
    func refusesLoneSurrogates(_ text: String) {
        #expect(throws: JSONParseError.self) { try parse(text) }
    }

    @Test("refuses invalid UTF-8")
    func refusesInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try parser.parse([0x22, 0xFF, 0x22]) }
        #expect(throws: JSONParseError.self) { try parser.parse([0x22, 0xC3, 0x22]) }
    }

    @Test("a byte that is not ASCII is seen at every offset of a long text: refused when invalid, read when valid (the 32- and 8-byte steps)")
    func nonASCIIAtEveryOffset() throws {
        for offset in 0..<100 {
            var invalid = [UInt8](repeating: UInt8(ascii: "a"), count: 100)
            invalid[offset] = 0xFF
            #expect(throws: JSONParseError.self, "0xFF at \(offset)") { try parser.parse([0x22] + invalid + [0x22]) }
            let valid = String(repeating: "a", count: offset) + "é" + String(repeating: "a", count: 99 - offset)
            #expect(try parse("\"" + valid + "\"") == .string(valid), "é at \(offset)")
        }
    }

    @Test("bounds nesting depth")
    func boundsDepth() throws {
        let shallow = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        #expect(throws: Never.self) { try parse(shallow) }
        let deep = String(repeating: "[", count: 33) + String(repeating: "]", count: 33)
        #expect(throws: JSONParseError.self) { try parse(deep) }
        let hostile = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParseError.self) { try parse(hostile) }
    }

    @Test("bounds size")
    func boundsSize() {
        let small = StrictJSONParser(maximumDepth: 4, maximumBytes: 10)
        #expect(throws: JSONParseError.self) { try small.parse(Array("\"0123456789\"".utf8)) }
    }

    @Test("parseObject refuses non-objects")
    func objectOnly() {
        #expect(throws: JSONParseError.self) { try parser.parseObject(Array("[1]".utf8)) }
        #expect(throws: JSONParseError.self) { try parser.parseObject(Array("\"s\"".utf8)) }
    }

    @Test("serialization round-trips, with escapes and stable member order")
    func roundTrip() throws {
        let value: JSONValue = ["b": [1, .number(2.5), "q\"\\\n\u{01}"], "a": .null, "c": ["x": false]]
        let text = value.serialized()
        #expect(text == #"{"a":null,"b":[1,2.5,"q\"\\\n\u0001"],"c":{"x":false}}"#)
        #expect(try parse(text) == value)
        #expect(try parse(value.prettySerialized()) == value)
    }
}
