/// Makes text from the outside safe to print on a terminal.
///
/// Header values, claims and error details may come from an attacker; printed raw, an escape
/// sequence could move the cursor and paint a fake `VALID` over a `REJECTED` line. Every text
/// report passes each echoed value through ``escapedForTerminal(limit:)``.
extension String {
    /// The text with C0 and C1 control characters, DEL and Unicode line and bidirectional
    /// controls written as `\u{XX}` escapes (tab kept when `keepTabs`), cut to `limit` characters
    /// with a trailing `…` when longer.
    public func escapedForTerminal(limit: Int = 400, keepTabs: Bool = false) -> String {
        // Printable ASCII within the limit (a URL, an identifier) is already safe: itself.
        if utf8.count <= limit, allUTF8({ ($0 >= 0x20 && $0 < 0x7F) || (keepTabs && $0 == 0x09) }) { return self }
        var out = ""
        var count = 0
        for scalar in unicodeScalars {
            if count >= limit {
                out += "…"
                break
            }
            let v = scalar.value
            let isControl = v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029
                || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F
            if isControl && !(keepTabs && v == 0x09) {
                out += "\\u{" + String(v, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return out
    }
}

extension String {
    /// The value in double quotes, control characters escaped and cut to `limit` characters:
    /// how a message echoes a value it has not verified (a `kid`, an `alg`, a `typ`).
    public func quotedForReport(limit: Int = 64) -> String {
        "\"" + escapedForTerminal(limit: limit) + "\""
    }
}
