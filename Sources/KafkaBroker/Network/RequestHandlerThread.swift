import Foundation

/// One request handler thread (the thread of Kafka's `KafkaRequestHandler` runnable), as a
/// `TaskExecutor`: a thread of its own that runs the jobs of the tasks preferring it
/// (`Task(executorPreference:)`), one at a time, in the order they were enqueued.
///
/// A job that blocks — a `pwrite`, an index read, a wait on a log lock held across an fsync —
/// blocks this thread and the task running on it, and nothing else: not the Swift runtime's
/// cooperative pool, not a network event loop.
///
/// Lifecycle: the thread starts in `init` and ends after `stop()`, once its queue is empty. A job
/// enqueued after that (a task that outlived the pool) runs on the global concurrent executor
/// rather than never.
///
/// Isolation: `jobs`, `isStopped`, `isIdle` and `threadId` are guarded by `condition`'s lock; only
/// the thread runs jobs.
final class RequestHandlerThread: TaskExecutor, @unchecked Sendable {
    let name: String
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var isStopped = false
    private var isIdle = false
    private var threadId: pthread_t?

    init(name: String) {
        self.name = name
        Thread { [self] in run() }.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        guard !isStopped else {
            condition.unlock()
            return globalConcurrentExecutor.enqueue(job)
        }
        jobs.append(job)
        let wake = isIdle
        condition.unlock()
        if wake { condition.signal() }
    }

    /// Lets the thread end once the jobs already enqueued have run. Call it after the tasks that
    /// prefer this executor have finished.
    func stop() {
        condition.lock()
        isStopped = true
        condition.unlock()
        condition.signal()
    }

    /// Whether the caller runs on this thread.
    var isCurrent: Bool {
        condition.lock()
        defer { condition.unlock() }
        return threadId.map { pthread_equal($0, pthread_self()) != 0 } ?? false
    }

    private func run() {
        condition.lock()
        threadId = pthread_self()
        condition.unlock()
        var batch: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty, !isStopped {
                isIdle = true
                condition.wait()
                isIdle = false
            }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            swap(&batch, &jobs)
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
