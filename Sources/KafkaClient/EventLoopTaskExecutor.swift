import NIOCore

/// A `TaskExecutor` that runs every job on one NIO event loop.
///
/// A task started with this executor as its preference (`Task(executorPreference:)`) runs its
/// nonisolated code, and the code of default actors it calls (such as `BrokerConnection`), on
/// the event loop's thread. When that task talks to a channel of the same event loop, a write
/// needs no hand-off to the loop and a response resumes the task without waking another thread:
/// one thread does the whole round trip, as a Kafka fetcher thread does with its own selector.
///
/// Whatever such a task does synchronously (disk writes, locks) holds up the event loop's other
/// channels: give it a loop of its own.
///
/// Isolation: immutable. Jobs run in the order they are enqueued, one at a time (the event
/// loop's task queue).
public final class EventLoopTaskExecutor: TaskExecutor {
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
