import COpenSSL
import Crypto

/// Secret bytes (a password, a private key in transit) kept out of every `description` and
/// cleansed with `OPENSSL_cleanse` when released.
///
/// `@unchecked Sendable`: the bytes are written once in `init` and only read afterwards.
public final class Secret: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The bytes plus a trailing NUL, so C APIs can take them as a C string.
    private let storage: UnsafeMutableBufferPointer<UInt8>

    /// Copies `bytes` into cleansable storage. The caller should wipe its own copy.
    public init(_ bytes: some Collection<UInt8>) {
        storage = .allocate(capacity: bytes.count + 1)
        _ = storage.initialize(from: bytes)
        storage[bytes.count] = 0
    }

    /// The UTF-8 bytes of a string (a password from configuration or the environment).
    public convenience init(_ string: String) { self.init(Array(string.utf8)) }

    deinit {
        OPENSSL_cleanse(storage.baseAddress, storage.count)
        storage.deallocate()
    }

    /// How many bytes.
    public var count: Int { storage.count - 1 }

    /// Lends the bytes (without the trailing NUL).
    public func withBytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        try body(UnsafeBufferPointer(rebasing: storage[..<count]))
    }

    /// Lends the bytes as a NUL-terminated C string and its length.
    func withCString<R, E: Error>(_ body: (UnsafePointer<CChar>, Int32) throws(E) -> R) throws(E) -> R {
        let pointer = UnsafeRawPointer(storage.baseAddress!).assumingMemoryBound(to: CChar.self)
        return try body(pointer, Int32(count))
    }

    /// Whether `candidate` is this secret, compared in time that does not depend on where the
    /// two first differ (both are hashed with SHA-256 and the digests compared in full).
    public func matches(_ candidate: some Collection<UInt8>) -> Bool {
        let expected = withBytes { SHA256.hash(data: $0) }
        let given = SHA256.hash(data: Array(candidate))
        var difference: UInt8 = 0
        for (a, b) in zip(expected, given) { difference |= a ^ b }
        return difference == 0
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
