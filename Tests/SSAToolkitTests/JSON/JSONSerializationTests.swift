import Foundation
import SSAToolkit
import Testing

/// The byte-level serializer: exact escapes, stable member order, and a round trip through the
/// strict parser for every kind of string.
@Suite("JSON serialization")
struct JSONSerializationTests {
    @Test("escapes quotes, backslashes and control characters; copies everything else, non-ASCII included")
    func escapes() throws {
        let value: JSONValue = ["b": .string("q\"b\\n\nr\rt\tx\u{08}f\u{0C}u\u{01}\u{1F}é€😀\u{2028}"), "a": [1, .number(2.5), true, .null], "c": [:]]
        #expect(value.serialized() == #"{"a":[1,2.5,true,null],"b":"q\"b\\n\nr\rt\tx\bf\fu\u0001\u001fé€😀"# + "\u{2028}" + #"","c":{}}"#)
        #expect(value.serializedBytes() == Array(value.serialized().utf8))
        #expect(JSONValue.object(["k": "v", "a": ["x": [1]]]).prettySerialized(leadingKeys: ["k"]) == "{\n  \"k\": \"v\",\n  \"a\": {\n    \"x\": [\n      1\n    ]\n  }\n}")
    }

    @Test("round trip through the strict parser")
    func roundTrip() throws {
        var strings = ["", "plain", "\u{0}", String(repeating: "\\\"", count: 100)]
        for scalar in [0x00, 0x1F, 0x22, 0x5C, 0x7F, 0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF] {
            strings.append("a\(Unicode.Scalar(UInt32(scalar)).map { String($0) } ?? "")b")
        }
        for text in strings {
            let value: JSONValue = ["s": .string(text), "list": [.string(text), .number(-0.5), .number(1e21)]]
            let parsed = try StrictJSONParser(maximumDepth: 8).parseObject(value.serializedBytes())
            #expect(parsed["s"]?.stringValue?.utf8.elementsEqual(text.utf8) == true, "\(text.debugDescription)")
        }
    }

    @Test("a character needing an escape is found at every offset of a long string (the eight-byte skip)")
    func escapeAtEveryOffset() {
        func reference(_ text: String) -> [UInt8] {
            var out: [UInt8] = [0x22]
            for b in text.utf8 {
                switch b {
                case 0x22: out += [0x5C, 0x22]
                case 0x5C: out += [0x5C, 0x5C]
                case 0x0A: out += [0x5C, 0x6E]
                case 0x0D: out += [0x5C, 0x72]
                case 0x09: out += [0x5C, 0x74]
                case 0x08: out += [0x5C, 0x62]
                case 0x0C: out += [0x5C, 0x66]
                case 0..<0x20: out += Array(String(format: "\\u%04x", b).utf8)
                default: out.append(b)
                }
            }
            return out + [0x22]
        }
        for special in ["\"", "\\", "\u{0}", "\u{1F}", "\n", "é", "\u{7F}", "!", "#", "[", "]"] {
            for offset in 0..<26 {
                let text = String(repeating: "a", count: offset) + special + String(repeating: "z", count: 25 - offset)
                #expect(JSONValue.string(text).serializedBytes() == reference(text), "\(special.debugDescription) at \(offset)")
            }
        }
    }

    @Test("integers are read exactly, other numbers as before", arguments: [
        "0", "-0", "7", "-7", "123456789012345", "-123456789012345", "1234567890123456", "99999999999999999999", "1.5", "-2.25e3", "1E2", "4e-2",
    ])
    func numbers(_ text: String) throws {
        let parsed = try StrictJSONParser().parse(Array("[\(text)]".utf8))
        guard case .array(let elements) = parsed, case .number(let value)? = elements.first else {
            Issue.record("\(text) did not parse as a number")
            return
        }
        #expect(value == Double(text)!)
        #expect(value.sign == Double(text)!.sign)
    }

    @Test("numbers JSON does not allow are refused", arguments: ["01", "-", "+1", "1.", ".5", "1e", "--1", "0x10", "1-2"])
    func badNumbers(_ text: String) {
        #expect(throws: JSONParseError.self) { try StrictJSONParser().parse(Array("[\(text)]".utf8)) }
    }

    @Test("the parser finds an escape, a closing quote or a raw control character at every offset (the eight-byte skip)")
    func parserAtEveryOffset() throws {
        for offset in 0..<26 {
            let prefix = String(repeating: "p", count: offset), suffix = String(repeating: "s", count: 25 - offset)
            for special in ["\\\"", "\\\\", "\\n", "\\u00e9", "\\ud83d\\ude00", "é"] {
                let text = "[\"\(prefix)\(special)\(suffix)\"]"
                let parsed = try StrictJSONParser().parse(Array(text.utf8))
                let expected = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String]
                #expect(parsed.arrayValue?.first?.stringValue?.utf8.elementsEqual(expected?.first?.utf8 ?? "".utf8) == true, "\(special) at \(offset)")
                // A second escape after a run of plain bytes (a PEM's lines), decoded in the same pass.
                let twice = "[\"\(prefix)\(special)\(suffix)\(special)\(prefix)\"]"
                let parsedTwice = try StrictJSONParser().parse(Array(twice.utf8))
                let expectedTwice = try JSONSerialization.jsonObject(with: Data(twice.utf8)) as? [String]
                #expect(parsedTwice.arrayValue?.first?.stringValue?.utf8.elementsEqual(expectedTwice?.first?.utf8 ?? "".utf8) == true, "\(special) twice at \(offset)")
            }
            // After an escape: a raw control character, the end of the input, a cut or bad \u escape.
            for broken in ["\(prefix)\\n\u{01}\"]", "\(prefix)\\n\(suffix)", "\(prefix)\\n\\u00", "\(prefix)\\n\\u00g1\"]", "\(prefix)\\n\\ud800x\"]", "\(prefix)\\n\\q\"]"] {
                #expect(throws: JSONParseError.self, "\(broken)") { try StrictJSONParser().parse(Array("[\"\(broken)".utf8)) }
            }
            #expect(throws: JSONParseError.self) { try StrictJSONParser().parse(Array("[\"\(prefix)\u{01}\(suffix)\"]".utf8)) }
            #expect(try StrictJSONParser().parse(Array("[\"\(prefix)\"]".utf8)).arrayValue?.first?.stringValue == prefix)
        }
    }
}
