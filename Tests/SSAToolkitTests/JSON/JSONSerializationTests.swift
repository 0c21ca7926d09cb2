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
}
