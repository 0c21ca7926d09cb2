import Foundation
@testable import SSAToolkit
import SSAToolkitTestSupport
import Testing

/// A PEM text decoded once is reused only for exactly the same escaped bytes: every near miss
/// (another certificate of the same length, one byte changed, a string that goes on, a broken
/// escape) is decoded afresh and comes out as a full decode would.
@Suite("PEM texts decoded once")
struct PEMTextMemoTests {
    static func body(_ pemJSON: String, after: String = "") -> [UInt8] {
        Array(#"{"client_certificate":"# .utf8) + Array(pemJSON.utf8) + Array(#","other":"x"\#(after)}"#.utf8)
    }

    /// The PEM as a JSON string, quotes included.
    static func json(_ pem: String) -> String { JSONValue.string(pem).serialized() }

    static func parsed(_ bytes: [UInt8]) throws -> String? {
        try StrictJSONParser(maximumDepth: 8).parseObject(bytes)["client_certificate"]?.stringValue
    }

    @Test("the same escaped text gives the same string, shared; a changed byte, a longer string and another certificate are decoded afresh")
    func reuse() throws {
        let pem = try Fixtures.string("registration/tpp-transport.pem")
        #expect(try Self.parsed(Self.body(Self.json(pem))) == pem)
        let memo = PEMTextMemo.shared
        #expect(memo.count >= 1)
        // Remembered: the same bytes give a string equal byte for byte, from the memo.
        let again = try #require(try Self.parsed(Self.body(Self.json(pem))))
        #expect(again.utf8.elementsEqual(pem.utf8))
        let escaped = Array(Self.json(pem).utf8.dropFirst().dropLast())
        let hit = escaped.withUnsafeBufferPointer { escapedBytes in
            (Array(escapedBytes) + [UInt8(ascii: "\"")]).withUnsafeBufferPointer { memo.text(in: $0, start: 0) }
        }
        #expect(hit?.0.utf8.elementsEqual(pem.utf8) == true)
        #expect(hit?.end == escaped.count + 1)

        // One byte changed inside the base64 (same length): its own text.
        var changed = pem
        let target = try #require(changed.firstIndex(of: "Q"))
        changed.replaceSubrange(target...target, with: "R")
        #expect(try Self.parsed(Self.body(Self.json(changed))) == changed)
        #expect(try Self.parsed(Self.body(Self.json(pem))) == pem)

        // The remembered bytes followed by more of the string (no quote where the memo's ended).
        let longer = pem + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
        #expect(try Self.parsed(Self.body(Self.json(longer))) == longer)

        // A second certificate, and an escape the memo does not take a shortcut through (\u).
        let other = try Fixtures.string("registration/tpp-other.pem")
        #expect(try Self.parsed(Self.body(Self.json(other))) == other)
        let unicodeEscaped = Self.json(pem).replacingOccurrences(of: "\\n", with: "\\u000a")
        #expect(try Self.parsed(Self.body(unicodeEscaped)) == pem)
    }

    @Test("a PEM-like string that does not decode is refused as before, also after its valid twin was remembered")
    func refusals() throws {
        let pem = try Fixtures.string("registration/tpp-transport.pem")
        #expect(try Self.parsed(Self.body(Self.json(pem))) == pem)
        let valid = Self.json(pem)
        // A bad escape where the valid twin had \n, and the string cut short of its quote.
        let badEscape = valid.replacingOccurrences(of: "-----\\n", with: "-----\\x")
        #expect(throws: JSONParseError.self) { try Self.parsed(Self.body(badEscape)) }
        let unterminated = Array(#"{"client_certificate":"# .utf8) + Array(valid.utf8.dropLast())
        #expect(throws: JSONParseError.self) { try Self.parsed(unterminated) }
        // An unescaped control character in place of an escape.
        let control = valid.replacingOccurrences(of: "-----\\n", with: "-----\n")
        #expect(throws: JSONParseError.self) { try Self.parsed(Self.body(control)) }
    }

    @Test("a private key in PEM is decoded as any string and never kept")
    func keysAreNotKept() throws {
        let key = try Fixtures.string("registration/tpp-transport.key.pem")
        #expect(key.hasPrefix("-----BEGIN "))
        #expect(try Self.parsed(Self.body(Self.json(key))) == key)
        #expect(try Self.parsed(Self.body(Self.json(key))) == key)
        let escapedWithQuote = Array(Self.json(key).utf8.dropFirst())
        #expect(escapedWithQuote.withUnsafeBufferPointer { PEMTextMemo.shared.text(in: $0, start: 0) } == nil)
        // Its certificate twin is kept, so the lookup above could have found one.
        let pem = try Fixtures.string("registration/tpp-transport.pem")
        #expect(try Self.parsed(Self.body(Self.json(pem))) == pem)
        let certificateWithQuote = Array(Self.json(pem).utf8.dropFirst())
        #expect(certificateWithQuote.withUnsafeBufferPointer { PEMTextMemo.shared.text(in: $0, start: 0) }?.0 == pem)
    }

    @Test("bounded: the most recent texts, none longer than the limit")
    func bounded() throws {
        let memo = PEMTextMemo()
        for number in 0..<(PEMTextMemo.capacity + 10) {
            let text = "-----BEGIN X-----\n\(number)\n-----END X-----\n"
            let escaped = Array(Self.json(text).utf8.dropFirst().dropLast())
            escaped.withUnsafeBufferPointer { memo.remember($0, text: text) }
        }
        #expect(memo.count == PEMTextMemo.capacity)
        let oldest = Array(Self.json("-----BEGIN X-----\n0\n-----END X-----\n").utf8.dropFirst()) // with its closing quote
        #expect(oldest.withUnsafeBufferPointer { memo.text(in: $0, start: 0) } == nil)
        let newest = Array(Self.json("-----BEGIN X-----\n\(PEMTextMemo.capacity + 9)\n-----END X-----\n").utf8.dropFirst())
        #expect(newest.withUnsafeBufferPointer { memo.text(in: $0, start: 0) }?.0 == "-----BEGIN X-----\n\(PEMTextMemo.capacity + 9)\n-----END X-----\n")
        let huge = [UInt8](repeating: UInt8(ascii: "A"), count: PEMTextMemo.longest + 1)
        huge.withUnsafeBufferPointer { memo.remember($0, text: "huge") }
        #expect(memo.count == PEMTextMemo.capacity)
        #expect(memo.text(in: UnsafeBufferPointer(start: nil, count: 0), start: 0) == nil)
    }
}
