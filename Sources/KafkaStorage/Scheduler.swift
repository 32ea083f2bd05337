import Dispatch

/// Runs background work later (Kafka's `Scheduler`/`KafkaScheduler`): the removal of `.deleted`
/// files after `file.delete.delay.ms`, the flush of a rolled segment, `LogManager`'s periodic
/// tasks. Injected so that tests run it when they choose.
///
/// Tasks must be `@Sendable` and self-contained: they run on another thread, outside the log's
/// lock, so they capture file paths or a (weak) `Log`, which they call like any other thread
/// does; never a `LocalLog` or `LogSegment` (the compiler refuses: those are not `Sendable`).
public protocol Scheduler: Sendable {
    func schedule(name: String, delayMs: Int64, _ task: @escaping @Sendable () -> Void)
}

/// A `Scheduler` on a Dispatch queue.
public struct DispatchScheduler: Scheduler {
    let queue: DispatchQueue

    public init(label: String = "kafka-scheduler") {
        queue = DispatchQueue(label: label)
    }

    public func schedule(name: String, delayMs: Int64, _ task: @escaping @Sendable () -> Void) {
        queue.asyncAfter(deadline: .now() + .milliseconds(Int(clamping: max(0, delayMs))), execute: task)
    }
}
