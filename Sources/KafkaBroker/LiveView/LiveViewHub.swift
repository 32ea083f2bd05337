import Foundation
import KafkaLiveView
import Logging
import Synchronization

/// The server side of the live page: while at least one page is subscribed to `/events`, takes a
/// `ClusterSnapshot` every `interval` (ZooKeeper and every broker's `/internals.json`) and, when
/// its content differs from the last one, pushes it with the changes named
/// (`ClusterSnapshot.changes(since:)`) to every subscriber as one server-sent event:
///
///     event: snapshot
///     data: {"snapshot":{…},"changes":[…]}
///
/// A new subscriber gets the last snapshot at once (no changes). Nothing runs while no page is
/// open: the loop starts with the first subscriber and stops after the last one leaves.
///
/// Isolation: one `Mutex` around the subscribers, the last snapshot and the loop's task; sends
/// happen outside it, and a subscriber must not block (the admin listener's `/events` streams
/// only queue the text for their own request's task, `LiveViewEventStreams`).
public final class LiveViewHub: Sendable {
    /// Receives one complete server-sent event's text.
    public typealias Subscriber = @Sendable (String) -> Void

    public struct Message: Codable, Sendable, Equatable {
        public var snapshot: ClusterSnapshot
        public var changes: [ClusterChange]
    }

    private struct State {
        var subscribers: [Int: Subscriber] = [:]
        var nextId = 0
        var last: ClusterSnapshot?
        var loop: Task<Void, Never>?
        var closed = false
    }

    private let takeSnapshot: @Sendable () async throws -> ClusterSnapshot
    private let interval: Duration
    private let logger: Logger
    private let state = Mutex(State())

    public init(interval: Duration = .milliseconds(250), logger: Logger,
                takeSnapshot: @escaping @Sendable () async throws -> ClusterSnapshot) {
        self.interval = interval
        self.logger = logger
        self.takeSnapshot = takeSnapshot
    }

    /// Adds a subscriber (sent the last snapshot at once, when there is one); returns its id for
    /// `unsubscribe`.
    public func subscribe(_ subscriber: @escaping Subscriber) -> Int {
        let (id, last) = state.withLock { state -> (Int, ClusterSnapshot?) in
            let id = state.nextId
            state.nextId += 1
            state.subscribers[id] = subscriber
            if state.loop == nil, !state.closed {
                state.loop = Task { [weak self] in await self?.run() }
            }
            return (id, state.last)
        }
        if let last { subscriber(Self.event(Message(snapshot: last, changes: []))) }
        return id
    }

    public func unsubscribe(_ id: Int) {
        state.withLock { state in
            state.subscribers[id] = nil
            if state.subscribers.isEmpty {
                state.loop?.cancel()
                state.loop = nil
                // The next page starts from a fresh snapshot, not one taken long ago.
                state.last = nil
            }
        }
    }

    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    public func close() {
        state.withLock { state in
            state.closed = true
            state.loop?.cancel()
            state.loop = nil
            state.subscribers = [:]
        }
    }

    private func run() async {
        while !Task.isCancelled {
            do {
                publish(try await takeSnapshot())
            } catch {
                logger.debug("Live view: no snapshot this round: \(error)")
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// Sends `snapshot` to every subscriber when its content differs from the last one.
    func publish(_ snapshot: ClusterSnapshot) {
        let delivery = state.withLock { state -> ([Subscriber], Message)? in
            if let last = state.last, last.hasSameContent(as: snapshot) { return nil }
            let changes = state.last.map { snapshot.changes(since: $0) } ?? []
            state.last = snapshot
            return (Array(state.subscribers.values), Message(snapshot: snapshot, changes: changes))
        }
        guard let (subscribers, message) = delivery else { return }
        let text = Self.event(message)
        for subscriber in subscribers { subscriber(text) }
    }

    /// One server-sent event (`event: snapshot`, the message as one line of JSON).
    static func event(_ message: Message) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? encoder.encode(message)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return "event: snapshot\ndata: \(json)\n\n"
    }
}
