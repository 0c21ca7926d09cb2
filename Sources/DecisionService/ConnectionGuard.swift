import NIOHTTPTypes
import HummingbirdCore
import NIOCore
import Synchronization

/// Limits of the decision service's connections, so that clients that open connections and
/// never finish a request cannot hold the service.
public struct ConnectionLimits: Sendable {
    /// Most connections open at once; one more is closed as soon as it is accepted.
    public var maximumConnections = 128
    /// Time from the connection (or the end of the previous response) to a complete request head.
    public var headerTimeout: TimeAmount = .seconds(10)
    /// Time from the request head to the end of its body.
    public var bodyTimeout: TimeAmount = .seconds(10)
    /// Time a kept-alive connection may sit idle between requests.
    public var idleTimeout: TimeAmount = .seconds(30)

    /// The defaults: 128 connections, 10 s for the head, 10 s for the body, 30 s idle.
    public init() {}
}

/// Counts the service's open connections.
final class ConnectionCounter: Sendable {
    private let open = Atomic<Int>(0)

    /// Counts one more; `false` (and nothing counted) when `limit` are already open.
    func admit(limit: Int) -> Bool {
        var current = open.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = open.compareExchange(expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
        return false
    }

    func release() { open.subtract(1, ordering: .acquiringAndReleasing) }

    var count: Int { open.load(ordering: .relaxed) }
}

/// Sits after the HTTP/1 decoder of every connection: admits it under the connection cap and
/// closes it when a request head or body does not arrive in time.
///
/// The head deadline starts when the connection opens and again after each response; the body
/// deadline runs from the head to the body's end. A client that trickles header bytes never
/// produces a head, so the head deadline closes it; the idle timeout alone would not.
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limits: ConnectionLimits
    private let counter: ConnectionCounter
    private var admitted = false
    private var deadline: Scheduled<Void>?

    init(limits: ConnectionLimits, counter: ConnectionCounter) {
        self.limits = limits
        self.counter = counter
    }

    func handlerAdded(context: ChannelHandlerContext) {
        guard counter.admit(limit: limits.maximumConnections) else {
            context.close(promise: nil)
            return
        }
        admitted = true
        arm(limits.headerTimeout, context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        leave()
    }

    func channelInactive(context: ChannelHandlerContext) {
        leave()
        context.fireChannelInactive()
    }

    /// Stops the deadline and gives the connection's place back (once, whichever comes first).
    private func leave() {
        deadline?.cancel()
        deadline = nil
        if admitted {
            admitted = false
            counter.release()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: arm(limits.bodyTimeout, context: context)
        case .body: break
        case .end:
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            // Between requests the head deadline runs again; the idle timeout bounds it too.
            arm(min(limits.headerTimeout, limits.idleTimeout), context: context)
        }
        context.write(data, promise: promise)
    }

    private func arm(_ timeout: TimeAmount, context: ChannelHandlerContext) {
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: timeout) {
            channel.close(promise: nil)
        }
    }
}
