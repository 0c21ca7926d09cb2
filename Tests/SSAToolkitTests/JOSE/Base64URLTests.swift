import SSAToolkit
import Testing

@Suite("Base64URL")
struct Base64URLTests {
    @Test("encodes RFC 4648 vectors without padding", arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
    ])
    func vectors(_ plain: String, _ encoded: String) {
        #expect(Base64URL.encode(plain) == encoded)
        #expect(Base64URL.decode(encoded) == Array(plain.utf8))
    }

    @Test("uses the URL-safe alphabet")
    func urlAlphabet() {
        #expect(Base64URL.encode([0xFB, 0xFF, 0xBF]) == "-_-_")
        #expect(Base64URL.decode("-_-_") == [0xFB, 0xFF, 0xBF])
    }

    @Test("refuses padding, white space, the standard alphabet, bad lengths and non-canonical bits", arguments: [
        "Zg==", "Zm8=", "Zm 9v", "Zm9v\n", "+/+/", "Z", "Zm9vY", "Zh", "Zm9", "Zm-",
    ])
    func refuses(_ text: String) {
        #expect(Base64URL.decode(text) == nil)
    }

    @Test("round-trips every byte value")
    func roundTrip() {
        let bytes = (0...255).map { UInt8($0) }
        for length in 0..<bytes.count {
            let slice = Array(bytes[0..<length])
            #expect(Base64URL.decode(Base64URL.encode(slice)) == slice)
        }
    }

    @Test("long inputs: every position of a foreign character or bad length is refused, every length round-trips")
    func longInputs() {
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 2, 3, 47, 48, 49, 1_900, 1_901, 1_902] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = Array(Base64URL.encode(bytes).utf8)
            #expect(Base64URL.decode(encoded) == bytes, "length \(length)")
            #expect(Base64URL.decode(encoded[...]) == bytes, "length \(length), as a slice")
            for position in Set([0, 1, 2, 3, encoded.count / 2, encoded.count - 1]) where position >= 0 && position < encoded.count {
                for foreign in Array("=+/ .\n\u{0}".utf8) + [0x80, 0xFF] {
                    var corrupted = encoded
                    corrupted[position] = foreign
                    #expect(Base64URL.decode(corrupted) == nil, "length \(length), byte \(foreign) at \(position)")
                }
            }
            #expect(Base64URL.decode(encoded + Array("A".utf8)) == nil || (encoded.count + 1) % 4 != 1)
        }
    }

    @Test("trailing bits that are not zero are refused in the last group")
    func nonCanonicalTail() {
        // "AB" decodes to one byte with 4 unused bits (B = 1): not canonical; "AQ" is.
        #expect(Base64URL.decode(String(repeating: "AAAA", count: 10) + "AB") == nil)
        #expect(Base64URL.decode(String(repeating: "AAAA", count: 10) + "AQ") == Array(repeating: 0, count: 30) + [1])
        #expect(Base64URL.decode(String(repeating: "AAAA", count: 10) + "AAB") == nil)
        #expect(Base64URL.decode(String(repeating: "AAAA", count: 10) + "AAE") == Array(repeating: 0, count: 30) + [0, 1])
    }
}
