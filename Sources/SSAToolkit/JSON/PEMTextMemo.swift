import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// PEM certificates already decoded from JSON, by their escaped form: a client sends the same
/// certificate, with the same `\n` escapes, on every token call, and decoding its few kilobytes
/// again was the largest part of reading the call (callgrind: about 20 k instructions of a token
/// decision's 380 k).
///
/// A text is reused only when the input holds exactly the escaped bytes it was decoded from,
/// followed by the string's closing quote: a successfully decoded string's bytes contain no
/// unescaped quote, so the same bytes then a quote are the same string, decoded to the same
/// text. Anything else (a new certificate, one byte changed, a string that goes on) is decoded
/// as before and, when it decodes, remembered. Bounded: the most recent ``capacity`` texts, each
/// of at most ``longest`` bytes.
final class PEMTextMemo: Sendable {
    private struct Entry {
        /// The string's bytes between its quotes, as the JSON text had them.
        var escaped: [UInt8]
        var text: String
    }

    /// The one the parser uses.
    static let shared = PEMTextMemo()
    /// Texts remembered; the oldest goes first.
    static let capacity = 64
    /// The longest escaped form remembered.
    static let longest = 16 * 1024

    private let entries = Mutex<[Entry]>([])

    /// Whether the string starting at `start` (after its opening quote) is a PEM text worth
    /// looking up: it begins `-----BEGIN CERTIFICATE-----`. Certificates only: they are public
    /// and are what repeats on every call; a private key that some JSON might carry is never
    /// kept for the life of the process.
    static func isPEM(_ input: UnsafeBufferPointer<UInt8>, start: Int) -> Bool {
        let marker: StaticString = "-----BEGIN CERTIFICATE-----"
        guard start + marker.utf8CodeUnitCount <= input.count else { return false }
        return memcmp(input.baseAddress! + start, marker.utf8Start, marker.utf8CodeUnitCount) == 0
    }

    /// The text of the string starting at `start` (after its opening quote) and the position
    /// after its closing quote, when the input holds a remembered escaped form there.
    func text(in input: UnsafeBufferPointer<UInt8>, start: Int) -> (String, end: Int)? {
        entries.withLock { entries in
            var index = entries.count
            while index > 0 {
                index -= 1
                let count = entries[index].escaped.count
                guard start + count < input.count, input[start + count] == UInt8(ascii: "\"") else { continue }
                let same = entries[index].escaped.withUnsafeBufferPointer { memcmp($0.baseAddress!, input.baseAddress! + start, count) == 0 }
                if same { return (entries[index].text, start + count + 1) }
            }
            return nil
        }
    }

    /// Remembers `text`, decoded from `escaped` (the bytes between the quotes).
    func remember(_ escaped: UnsafeBufferPointer<UInt8>, text: String) {
        guard !escaped.isEmpty, escaped.count <= Self.longest else { return }
        let entry = Entry(escaped: Array(escaped), text: text)
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeFirst() }
            entries.append(entry)
        }
    }

    /// How many texts are remembered (for tests).
    var count: Int { entries.withLock { $0.count } }
}
