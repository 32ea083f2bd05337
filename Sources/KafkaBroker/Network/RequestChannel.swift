import KafkaProtocol
import KafkaStorage
import NIOCore
import Synchronization

/// One request on its way from a connection to a request handler (Kafka's `RequestChannel.Request`).
public struct KafkaRequest: Sendable {
    public let header: RequestHeader
    /// The request body, after the header (a slice of the frame; never copied).
    public var body: ByteBuffer
    /// Who sent it, for logs and quotas.
    public let connectionId: String
    /// The listener it came in on (Metadata answers with that listener's endpoints).
    public let listenerName: String
    /// Monotonic time it was received, for request metrics.
    public let receivedNanos: UInt64
    /// The client's address as Java prints an `InetAddress` (`/127.0.0.1`): what group members'
    /// `client_host` shows.
    public var clientHost: String = ""
    /// Hands the outcome back to the connection, on its event loop (wrapped by the request
    /// metrics' `RequestTiming` when they are on).
    var complete: @Sendable (KafkaResponseAction) -> Void
}

/// What a connection does with a handled request.
public enum KafkaResponseAction: Sendable {
    /// Write this frame (size prefix included) and go on with the next request.
    case send(ByteBuffer)
    /// Write these parts, in order, as one frame (its size prefix is in the first part): bytes
    /// from memory and byte ranges of files, sent with sendfile (zero copy: Fetch's records).
    case sendParts([ResponsePart])
    /// Send nothing (Produce with acks=0) and go on with the next request.
    case noResponse
    /// Close the connection (a request that cannot be parsed or an API this broker lacks).
    case close(reason: String)
}

/// A piece of a response frame.
public enum ResponsePart: Sendable {
    case bytes(ByteBuffer)
    /// A segment file's bytes, sent with sendfile from the file the slice holds open (not by
    /// name: a segment renamed or deleted since the read still sends the bytes read).
    case file(FileSlice)
}

/// The queue between the network threads and the request handler pool (Kafka's
/// `RequestChannel`): connections put parsed requests, handlers take them.
///
/// Bounded by `queued.max.requests`. A request that finds the queue full is refused (`.full`) and
/// its connection stays muted; the channel keeps the connection's waker and calls it once, when
/// a handler takes a request (there is room again) or the channel closes, and the connection
/// sends again. Where Kafka's processor thread blocks in `put` until there is room, here only the
/// one connection waits, and it waits without polling.
///
/// Wake-ups: each time a handler becomes free for a request — it takes one from the queue, or
/// finds the queue empty and waits — the connection that has waited longest is woken, so as many
/// connections are woken as places have freed. A woken connection that no longer has a
/// request to send (it closed meanwhile) passes its wake-up on with `wakeNextWaiter()`, so a
/// freed place is never left with connections waiting for it. A woken connection may find the
/// queue full again (a new connection's request took the place); it then waits again.
///
/// Isolation: one `Mutex`; waiting takers (continuations) and wakers are called outside it, on
/// the calling thread (a handler's, or a network event loop's for `wakeNextWaiter`); a waker
/// hands itself over to its connection's event loop.
public final class RequestChannel: Sendable {
    /// Called once to tell a muted connection that the queue may have room.
    public typealias Waker = @Sendable () -> Void

    private struct State {
        var queue: [KafkaRequest] = []
        var head = 0
        var takers: [CheckedContinuation<KafkaRequest?, Never>] = []
        /// Connections whose request found the queue full, longest waiting first.
        var waiters = CircularBuffer<Waker>()
        var isClosed = false

        var queued: Int { queue.count - head }

        mutating func dequeue() -> KafkaRequest {
            let request = queue[head]
            head += 1
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            } else if head > 1024, head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            return request
        }

        mutating func nextWaiter() -> Waker? {
            waiters.popFirst()
        }
    }

    public let capacity: Int
    private let state = Mutex(State())
    /// The request metrics (Kafka's `RequestChannel.metrics`); nil when metrics are off.
    public let requestMetrics: RequestMetrics?

    public init(capacity: Int, requestMetrics: RequestMetrics? = nil) {
        self.capacity = max(1, capacity)
        self.requestMetrics = requestMetrics
    }

    public enum SendResult: Sendable, Equatable { case accepted, full, closed }

    /// Enqueues a request (or hands it straight to a waiting handler). `.full`: the queue holds
    /// `capacity` requests; `waker` is kept and called once, when a handler takes a request or the
    /// channel closes — send again then. `.closed`: the broker is shutting down.
    public func send(_ request: KafkaRequest, waker: @escaping Waker) -> SendResult {
        let outcome: (SendResult, CheckedContinuation<KafkaRequest?, Never>?) = state.withLock { state in
            guard !state.isClosed else { return (.closed, nil) }
            if !state.takers.isEmpty { return (.accepted, state.takers.removeFirst()) }
            guard state.queued < capacity else {
                state.waiters.append(waker)
                return (.full, nil)
            }
            state.queue.append(request)
            return (.accepted, nil)
        }
        outcome.1?.resume(returning: request)
        return outcome.0
    }

    /// Waits for the next request; nil once closed. Taking a request from the queue, or starting
    /// to wait for one, wakes the longest-waiting connection, if any.
    public func receive() async -> KafkaRequest? {
        await withCheckedContinuation { continuation in
            let (ready, waker): (KafkaRequest??, Waker?) = state.withLock { state in
                if state.queued > 0 {
                    return (.some(state.dequeue()), state.nextWaiter())
                }
                if state.isClosed { return (.some(nil), nil) }
                state.takers.append(continuation)
                return (nil, state.nextWaiter())
            }
            waker?()
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Wakes the longest-waiting connection if the queue has room: for a woken connection that
    /// will not send, so that the place it was woken for goes to another.
    public func wakeNextWaiter() {
        let waker = state.withLock { state in
            state.queued < capacity ? state.nextWaiter() : nil
        }
        waker?()
    }

    public var queueSize: Int { state.withLock { $0.queued } }

    /// Request handlers waiting in `receive`.
    public var waitingHandlers: Int { state.withLock { $0.takers.count } }

    /// Connections waiting for room.
    public var waitingConnections: Int { state.withLock { $0.waiters.count } }

    /// Refuses new requests (`.closed`) and wakes every waiting connection (whose next send is
    /// `.closed`) and every waiting handler (with nil). Requests already queued are still taken;
    /// then `receive` answers nil.
    public func close() {
        let (takers, waiters) = state.withLock { state in
            state.isClosed = true
            defer {
                state.takers.removeAll()
                state.waiters.removeAll()
            }
            return (state.takers, state.waiters)
        }
        for taker in takers { taker.resume(returning: nil) }
        for waiter in waiters { waiter() }
    }
}
