import Logging
import Synchronization

/// The controller's single event queue, drained by one task (Kafka's `ControllerEventManager`).
///
/// Isolation: `put` and `clearAndPut` may be called from any thread (ZooKeeper callbacks do); the
/// processor runs events strictly one after another, so the controller never sees two events at
/// once. `clearAndPut` drops everything still queued (those events are never processed) and
/// returns once its own event has been processed — session expiry uses it, so the controller has
/// resigned before the client creates a new session.
public final class ControllerEventManager: Sendable {
    public typealias Processor = @Sendable (ControllerEvent) async -> Void

    private struct Queued: Sendable {
        let event: ControllerEvent
        let generation: UInt64
        let done: CheckedContinuation<Void, Never>?
    }

    private struct State {
        var generation: UInt64 = 0
        var continuation: AsyncStream<Queued>.Continuation?
        var currentState: ControllerState = .idle
        var processed: UInt64 = 0
    }

    private let state: Mutex<State>
    private let stream: AsyncStream<Queued>
    private let task: Mutex<Task<Void, Never>?> = Mutex(nil)
    private let logger: Logger

    public init(logger: Logger) {
        let (stream, continuation) = AsyncStream<Queued>.makeStream()
        self.stream = stream
        self.state = Mutex(State(continuation: continuation))
        self.logger = logger
    }

    /// Starts the processing task. Events put before `start` wait in the queue.
    public func start(_ process: @escaping Processor) {
        let stream = self.stream
        let newTask = Task { [self] in
            for await queued in stream {
                let current = state.withLock { $0.generation }
                if queued.generation == current {
                    state.withLock { $0.currentState = queued.event.state }
                    await process(queued.event)
                    state.withLock {
                        $0.currentState = .idle
                        $0.processed += 1
                    }
                }
                queued.done?.resume()
            }
        }
        task.withLock { $0 = newTask }
    }

    public func put(_ event: ControllerEvent) {
        state.withLock { state in
            _ = state.continuation?.yield(Queued(event: event, generation: state.generation, done: nil))
        }
    }

    /// Drops the queued events, enqueues `event` and waits until it has been processed.
    public func clearAndPut(_ event: ControllerEvent) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let accepted = state.withLock { state -> Bool in
                guard let continuation = state.continuation else { return false }
                state.generation += 1
                if case .enqueued = continuation.yield(Queued(event: event, generation: state.generation, done: done)) {
                    return true
                }
                return false
            }
            if !accepted { done.resume() }
        }
    }

    /// The state of the event being processed (`.idle` between events).
    public var currentState: ControllerState { state.withLock { $0.currentState } }

    /// How many times the queue was cleared (by `clearAndPut` or `close`).
    public var clearedCount: UInt64 { state.withLock { $0.generation } }

    /// How many events have been processed so far.
    public var processedCount: UInt64 { state.withLock { $0.processed } }

    /// Stops taking events, lets the processor finish the one in hand and drops the rest.
    public func close() async {
        let continuation = state.withLock { state in
            state.generation += 1
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.finish()
        let running = task.withLock { $0 }
        await running?.value
    }
}
