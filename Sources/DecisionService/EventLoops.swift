import NIOCore
import NIOPosix
import Synchronization

extension DecisionService {
    /// Event loop threads when ``Options/eventLoops`` is not set: half the cores, at least one.
    ///
    /// The event loops only move bytes and parse HTTP; the decisions themselves run on Swift's
    /// cooperative pool, which already has one thread per core. An event loop per core as well
    /// puts two busy threads on every core, and a decision's answer then often waits for a
    /// sleeping event loop to be woken. Measured with `Benchmarks/load-token-decisions.sh` on two
    /// cores: one event loop instead of two gave the same `/healthz` throughput, more token
    /// decisions per second and a lower p99 (Benchmarks/README.md).
    public static var defaultEventLoops: Int { max(1, System.coreCount / 2) }

    /// The event loop counts a service accepts (``Options/eventLoops``, `serve --event-loops`).
    public static let eventLoopRange = 1...256
}

/// The event loop groups the services of this process listen on: one per thread count, made on
/// first use and kept for the process's life (as NIO's own singleton group is), so services
/// started and stopped many times (the tests) share threads instead of leaking them.
enum EventLoops {
    private static let groups = Mutex<[Int: MultiThreadedEventLoopGroup]>([:])

    /// The group with `threads` event loops, brought into ``DecisionService/eventLoopRange``.
    static func group(threads: Int) -> MultiThreadedEventLoopGroup {
        let range = DecisionService.eventLoopRange
        let count = min(max(threads, range.lowerBound), range.upperBound)
        return groups.withLock { groups in
            if let group = groups[count] { return group }
            let group = MultiThreadedEventLoopGroup(numberOfThreads: count)
            groups[count] = group
            return group
        }
    }
}
