import Synchronization

/// Runs one delayed action at a time on an injectable clock (the part of Kafka's
/// `KafkaScheduler` the controller uses for `auto-leader-rebalance-task`). Scheduling replaces
/// what was scheduled; cancelling drops it. The action only enqueues a controller event: the
/// work itself runs on the event loop, one event at a time.
///
/// Isolation: a `Mutex` around the pending task; callable from any thread.
public final class ControllerScheduler: Sendable {
    private let clock: any Clock<Duration>
    private let pending = Mutex<Task<Void, Never>?>(nil)

    public init(clock: any Clock<Duration>) {
        self.clock = clock
    }

    /// Runs `action` once `delay` has passed on the clock, unless cancelled or replaced first.
    public func schedule(after delay: Duration, _ action: @escaping @Sendable () -> Void) {
        let clock = self.clock
        let task = Task {
            do {
                try await clock.sleep(for: delay)
            } catch {
                return
            }
            guard !Task.isCancelled else { return }
            action()
        }
        pending.withLock { pending in
            pending?.cancel()
            pending = task
        }
    }

    /// Drops the scheduled action, if any.
    public func cancel() {
        pending.withLock { pending in
            pending?.cancel()
            pending = nil
        }
    }
}
