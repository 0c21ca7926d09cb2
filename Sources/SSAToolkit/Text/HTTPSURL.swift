import Foundation

/// Validation of URLs that must be absolute https URLs, without Foundation's URL parser (on the
/// hot path of every verification): `https://`, a host of letters, digits, `-`, `.`, an optional
/// port, then a path, query and (where allowed) fragment of printable ASCII.
public enum HTTPSURL {
    /// Why `text` is not an acceptable https URL, or `nil` when it is.
    public static func problem(with text: String, allowFragment: Bool) -> String? {
        let bytes = Array(text.utf8)
        let scheme = Array("https://".utf8)
        guard bytes.count > scheme.count else { return bytes.starts(with: Array("http".utf8)) || bytes.isEmpty ? "is not an https URL" : "is not a URL" }
        let prefix = bytes[0..<scheme.count].map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
        guard prefix.elementsEqual(scheme) else {
            return bytes.contains(UInt8(ascii: ":")) ? "is not an https URL" : "is not a URL"
        }
        var index = scheme.count
        let authorityStart = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "/"), bytes[index] != UInt8(ascii: "?"), bytes[index] != UInt8(ascii: "#") {
            index += 1
        }
        let authority = bytes[authorityStart..<index]
        if authority.contains(UInt8(ascii: "@")) { return "carries user information" }
        var host = authority[...]
        if let colon = authority.lastIndex(of: UInt8(ascii: ":")) {
            let port = authority[(colon + 1)...]
            guard !port.isEmpty, port.count <= 5, port.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let number = Int(String(decoding: port, as: UTF8.self)), (1...65_535).contains(number) else { return "has an invalid port" }
            host = authority[..<colon]
        }
        guard !host.isEmpty else { return "has no host" }
        let hostOK = host.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x2E
        }
        guard hostOK, host.first != UInt8(ascii: "."), host.first != UInt8(ascii: "-") else { return "has an invalid host" }
        let rest = bytes[index...]
        guard rest.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") }) else {
            return "has characters a URL may not carry unencoded"
        }
        if !allowFragment, rest.contains(UInt8(ascii: "#")) { return "has a fragment" }
        return nil
    }
}
