import Foundation

/// RFC 7519 NumericDate, range-checked before anything converts it.
///
/// A JSON number may be `1e300`, negative, or fractional; converting such a value to an
/// integer type traps. Every `iat`, `exp` and `nbf` the toolkit reads, and every instant a
/// person passes with `--at`, goes through ``date(_:)`` first: a finite number from 1970-01-01
/// to 9999-12-31T23:59:59Z, anything else is refused with ``problem(with:)``.
public enum NumericDate {
    /// 9999-12-31T23:59:59Z.
    public static let latest: Double = 253_402_300_799

    /// The instant `seconds` since 1970, or `nil` when it is not finite or outside 1970 to 9999.
    public static func date(_ seconds: Double) -> Date? {
        problem(with: seconds) == nil ? Date(timeIntervalSince1970: seconds) : nil
    }

    /// Why `seconds` is not an acceptable NumericDate, or `nil` when it is.
    public static func problem(with seconds: Double) -> String? {
        guard seconds.isFinite else { return "is not a finite number" }
        guard seconds >= 0 else { return "is before 1970" }
        guard seconds <= latest else { return "is after the year 9999" }
        return nil
    }

    /// `2026-01-01T00:00:00Z`, built by hand (Foundation's formatters are slow on the hot path).
    /// Never traps: an instant outside 1970 to 9999 is written as its number of seconds.
    public static func format(_ date: Date) -> String {
        let value = date.timeIntervalSince1970
        guard problem(with: value) == nil else { return value.isFinite ? "\(value) s since 1970" : "an invalid instant" }
        var seconds = time_t(value.rounded(.down))
        var parts = tm()
        guard gmtime_r(&seconds, &parts) != nil else { return "\(value) s since 1970" }
        // Written as bytes (every SSA report formats two instants: interpolating a dozen small
        // strings showed in the verifier's profile). The year is 1970 to 9999: four digits.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20)
        func digits(_ n: Int32, _ count: Int) {
            var divisor: Int32 = count == 4 ? 1000 : 10
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8((n / divisor) % 10))
                divisor /= 10
            }
        }
        digits(parts.tm_year + 1900, 4); bytes.append(UInt8(ascii: "-"))
        digits(parts.tm_mon + 1, 2); bytes.append(UInt8(ascii: "-"))
        digits(parts.tm_mday, 2); bytes.append(UInt8(ascii: "T"))
        digits(parts.tm_hour, 2); bytes.append(UInt8(ascii: ":"))
        digits(parts.tm_min, 2); bytes.append(UInt8(ascii: ":"))
        digits(parts.tm_sec, 2); bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A duration for people (`3 days`, `5 hours`, `12 minutes`, `40 s`); never traps.
    public static func formatDuration(_ seconds: TimeInterval) -> String {
        guard seconds.isFinite, abs(seconds) < 1e15 else { return "an unbounded time" }
        let s = Int(seconds)
        if s >= 2 * 86_400 { return "\(s / 86_400) days" }
        if s >= 2 * 3_600 { return "\(s / 3_600) hours" }
        if s >= 120 { return "\(s / 60) minutes" }
        return "\(s) s"
    }

    /// A whole number of seconds for a report; never traps.
    static func wholeSeconds(_ seconds: TimeInterval) -> String {
        guard seconds.isFinite, abs(seconds) < 1e15 else { return "\(seconds)" }
        return String(Int(seconds))
    }
}
