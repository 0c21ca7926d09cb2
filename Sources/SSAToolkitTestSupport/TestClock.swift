import Foundation
import Synchronization

/// A clock a test moves by hand, for cache lifetimes and rate limits.
public final class TestClock: Sendable {
    private let current: Mutex<Date>

    /// A clock reading `start`.
    public init(_ start: Date = Fixtures.ssaInstant) { current = Mutex(start) }

    /// The time now.
    public var now: Date { current.withLock { $0 } }

    /// Moves the clock forward.
    public func advance(by seconds: TimeInterval) { current.withLock { $0.addTimeInterval(seconds) } }

    /// A closure reading this clock, for APIs that take `now: @Sendable () -> Date`.
    public var reader: @Sendable () -> Date { { self.now } }
}
