import Hummingbird
import Synchronization

/// The admin listener's open `GET /events` answers: each is a `text/event-stream` body that
/// starts with the page's reconnect delay (`retry: 1000`) and then writes every event the hub
/// sends it, as it comes, until the client goes or the listener closes.
///
/// Invariants:
/// - A stream is subscribed to the hub exactly while its body is being written: it subscribes
///   when the body starts (a HEAD answer never does) and unsubscribes when the body ends, for
///   whatever reason (a failed write, the request's task cancelled, `finishAll`).
/// - A client that went away is noticed by the next failed write: every `heartbeat` the stream
///   writes an SSE comment line (`: keep-alive`, ignored by `EventSource`), so a gone page stops
///   the hub's snapshots within about two heartbeats even when the cluster does not change.
/// - After `finishAll`, every open stream ends (its response completes normally) and a new
///   request gets an empty stream at once: the listener's graceful shutdown never waits on a page.
/// - A slow reader loses the oldest of its unsent events (at most `bufferedEvents` wait), never
///   the broker's memory.
///
/// Isolation: one `Mutex` around the open streams and the closed flag; events are yielded into
/// each stream's `AsyncStream` from the hub's task and written from the request's task.
final class LiveViewEventStreams: Sendable {
    static let bufferedEvents = 64

    private struct State {
        var open: [Int: AsyncStream<String>.Continuation] = [:]
        var nextId = 0
        var closed = false
    }

    /// Nil: the live view has no ZooKeeper to watch, and `/events` says so (`event: off`) and ends.
    private let hub: LiveViewHub?
    private let heartbeat: Duration
    private let state = Mutex(State())

    init(hub: LiveViewHub?, heartbeat: Duration = .seconds(1)) {
        self.hub = hub
        self.heartbeat = heartbeat
    }

    /// The number of `/events` bodies being written.
    var openCount: Int { state.withLock { $0.open.count } }

    /// The answer to one `GET /events`.
    func response() -> Response {
        guard let hub else {
            return AdminListener.textResponse(.ok, contentType: "text/event-stream", "event: off\ndata: {}\n\n", noStore: true)
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            try await self.stream(from: hub, to: &writer)
        })
    }

    /// Ends every open stream and every later one (at listener shutdown).
    func finishAll() {
        let open = state.withLock { state -> [AsyncStream<String>.Continuation] in
            state.closed = true
            defer { state.open = [:] }
            return Array(state.open.values)
        }
        for continuation in open { continuation.finish() }
    }

    private func stream(from hub: LiveViewHub, to writer: inout any ResponseBodyWriter) async throws {
        let (events, continuation) = AsyncStream.makeStream(of: String.self,
                                                            bufferingPolicy: .bufferingNewest(Self.bufferedEvents))
        let id = state.withLock { state -> Int? in
            guard !state.closed else { return nil }
            let id = state.nextId
            state.nextId += 1
            state.open[id] = continuation
            return id
        }
        guard let id else { return try await writer.finish(nil) }
        let subscription = hub.subscribe { continuation.yield($0) }
        let interval = heartbeat
        let keepAlive = Task {
            while (try? await Task.sleep(for: interval)) != nil { continuation.yield(": keep-alive\n\n") }
        }
        defer {
            keepAlive.cancel()
            hub.unsubscribe(subscription)
            continuation.finish()
            _ = state.withLock { $0.open.removeValue(forKey: id) }
        }
        try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
        // Ends when the stream is finished (finishAll) or the request's task is cancelled; a
        // failed write (the client gone) throws out of it.
        for await event in events { try await writer.write(ByteBuffer(string: event)) }
        try await writer.finish(nil)
    }
}
