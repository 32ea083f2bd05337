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
    /// Hands the outcome back to the connection, on its event loop.
    let complete: @Sendable (KafkaResponseAction) -> Void
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
/// Bounded by `queued.max.requests`: a connection's request waits (its connection stays muted)
/// while the queue is full. Isolation: one `Mutex`; waiting takers are continuations resumed
/// outside the lock.
public final class RequestChannel: Sendable {
    private struct State {
        var queue: [KafkaRequest] = []
        var head = 0
        var takers: [CheckedContinuation<KafkaRequest?, Never>] = []
        var isClosed = false
    }

    public let capacity: Int
    private let state = Mutex(State())

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    public enum SendResult: Sendable { case accepted, full, closed }

    /// Enqueues a request. `.full`: the queue holds `capacity` requests; the connection stays
    /// muted and tries again shortly. `.closed`: the broker is shutting down.
    public func send(_ request: KafkaRequest) -> SendResult {
        let outcome: (SendResult, CheckedContinuation<KafkaRequest?, Never>?) = state.withLock { state in
            guard !state.isClosed else { return (.closed, nil) }
            if !state.takers.isEmpty { return (.accepted, state.takers.removeFirst()) }
            guard state.queue.count - state.head < capacity else { return (.full, nil) }
            state.queue.append(request)
            return (.accepted, nil)
        }
        outcome.1?.resume(returning: request)
        return outcome.0
    }

    /// Waits for the next request; nil once closed.
    public func receive() async -> KafkaRequest? {
        await withCheckedContinuation { continuation in
            let ready: KafkaRequest?? = state.withLock { state in
                if state.head < state.queue.count {
                    let request = state.queue[state.head]
                    state.head += 1
                    if state.head > 1024, state.head * 2 > state.queue.count {
                        state.queue.removeFirst(state.head)
                        state.head = 0
                    }
                    return .some(request)
                }
                if state.isClosed { return .some(nil) }
                state.takers.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    public var queueSize: Int { state.withLock { $0.queue.count - $0.head } }

    /// Wakes every waiting handler with nil; queued requests are dropped.
    public func close() {
        let takers = state.withLock { state in
            state.isClosed = true
            defer { state.takers.removeAll() }
            return state.takers
        }
        for taker in takers { taker.resume(returning: nil) }
    }
}
