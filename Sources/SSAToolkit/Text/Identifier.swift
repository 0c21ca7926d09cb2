import Foundation

/// Directory identifiers (software statement and organisation ids): alphanumerics, `-` and `_`,
/// 1 to 128 characters. Only such values may be placed in a SCIM filter.
public enum Identifier {
    /// Why `value` is not a safe identifier, or `nil` when it is.
    public static func problem(with value: String) -> String? {
        if value.isEmpty { return "is empty" }
        if value.utf8.count > 128 { return "is longer than 128 characters" }
        let ok = value.allUTF8 { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F
        }
        return ok ? nil : "has characters other than letters, digits, '-' and '_'"
    }
}
