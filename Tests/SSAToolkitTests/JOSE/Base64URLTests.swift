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
}
