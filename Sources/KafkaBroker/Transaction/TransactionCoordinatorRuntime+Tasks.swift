import Synchronization
import TransactionCoordinator

extension TransactionCoordinatorRuntime {
    /// Runs leadership changes one after another, in the order they were enqueued.
    final class LeadershipQueue: Sendable {
        private let last = Mutex<Task<Void, Never>?>(nil)

        func enqueue(_ work: @escaping @Sendable () async -> Void) {
            last.withLock { last in
                let previous = last
                last = Task {
                    await previous?.value
                    await work()
                }
            }
        }
    }

    /// The two periodic sweeps, each a task that sleeps its interval and runs once, until stopped.
    final class SweepTasks: Sendable {
        private let tasks = Mutex<[Task<Void, Never>]>([])

        func start(abortEveryMs: Int64, expireEveryMs: Int64, coordinator: TransactionCoordinator) {
            let abort = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(abortEveryMs))
                    if Task.isCancelled { return }
                    await coordinator.abortTimedOutTransactions()
                }
            }
            let expire = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(expireEveryMs))
                    if Task.isCancelled { return }
                    _ = await coordinator.removeExpiredTransactionalIds()
                }
            }
            tasks.withLock { $0 = [abort, expire] }
        }

        func stop() {
            for task in tasks.withLock({ $0 }) { task.cancel() }
        }
    }
}
