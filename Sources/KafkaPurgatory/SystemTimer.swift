import Dispatch
import KafkaCommon
import Synchronization

/// A timer that runs `TimerTask`s after their delay (Kafka's `Timer` trait). The purgatory expires
/// delayed operations through one; tests may substitute their own.
///
/// Named for its role in the purgatory (Kafka's `timeoutTimer`) rather than `Timer`, which would
/// clash with Foundation's.
public protocol TimeoutTimer: AnyObject, Sendable {
    /// Schedules `task` to run `task.delayMs` milliseconds from now.
    func add(_ task: TimerTask)

    /// Waits up to `timeoutMs` for the earliest bucket of tasks to fall due, then runs (or moves
    /// down the wheels) everything that is due. True if anything was due.
    @discardableResult
    func advanceClock(timeoutMs: Int64) -> Bool

    /// The number of tasks scheduled and neither run nor cancelled.
    var size: Int { get }

    /// Stops the timer. Tasks still scheduled never run; tasks already handed to the executor do.
    func shutdown()
}

/// The hierarchical-timing-wheel timer (Kafka's `SystemTimer`): a `TimingWheel` of `wheelSize`
/// buckets of `tickMs` (1 ms × 20 by default) with overflow wheels above it, a `DelayQueue` of the
/// buckets that hold tasks, and a serial executor that runs expired tasks.
///
/// Nothing here owns a thread that ticks: time moves only when someone calls
/// `advanceClock(timeoutMs:)` — the purgatory's expiration reaper, in a loop, or a test.
///
/// Time is injected. The timer's clock is `time.nanoseconds` in whole milliseconds (monotonic).
/// With a mock `Time`, a test moves the clock and calls `advanceClock(timeoutMs: 0)`, which never
/// sleeps; or, if a reaper thread is blocked in `advanceClock`, calls `wakeUp()` so that it looks
/// at the clock again. `drainExecutor()` then waits until the expired tasks have run.
///
/// Isolation: a reader-writer lock, as in Kafka. `add` holds the read side (adds run in parallel;
/// each takes only its bucket's lock), `advanceClock` holds the write side while it moves the wheels
/// and flushes due buckets, so no add sees a wheel mid-move. Expired tasks are *submitted* to the
/// executor under that lock but *run* on the executor's thread, never under any timer lock — they
/// may call `add` or `cancel` freely. Waiting in the delay queue happens before the write lock is
/// taken, so a waiting `advanceClock` does not block `add`. The tasks one `advanceClock` finds due
/// go to the executor in one batch, after the write lock is released: one hand-off per clock
/// advance rather than one per task, with the same order and the same "runs on the executor,
/// never under a timer lock" guarantee.
public final class SystemTimer: TimeoutTimer {
    public let executorName: String
    public let tickMs: Int64
    public let wheelSize: Int

    private let time: any Time
    private let taskCounter = TaskCounter()
    private let delayQueue: DelayQueue
    private let timingWheel: TimingWheel
    private let lock = ReadWriteLock()
    private let executor: DispatchQueue
    private let isShutdown = Atomic<Bool>(false)

    /// - Parameters:
    ///   - executorName: names the executor queue (`executor-<name>`), usually the purgatory's name.
    ///   - tickMs: the finest wheel's tick.
    ///   - wheelSize: buckets per wheel.
    ///   - startMs: the wheels' initial time on the timer's clock; by default, now.
    ///   - time: the clock; `SystemTime()` in production, a mock in tests.
    public init(
        executorName: String, tickMs: Int64 = 1, wheelSize: Int = 20, startMs: Int64? = nil,
        time: any Time = SystemTime()
    ) {
        self.executorName = executorName
        self.tickMs = tickMs
        self.wheelSize = wheelSize
        self.time = time
        self.delayQueue = DelayQueue(time: time)
        self.timingWheel = TimingWheel(
            tickMs: tickMs, wheelSize: wheelSize, startMs: startMs ?? time.monotonicMilliseconds,
            taskCounter: taskCounter, queue: delayQueue)
        self.executor = DispatchQueue(label: "executor-\(executorName)")
    }

    /// Schedules `task` to run `task.delayMs` from now on the timer's clock. If the task was already
    /// scheduled, its old schedule is dropped. A task that is due at once (delay zero or less, or an
    /// expiration the wheels have already passed) goes straight to the executor. After `shutdown()`
    /// the task is ignored.
    public func add(_ task: TimerTask) {
        guard !isShutdown.load(ordering: .acquiring) else { return }
        lock.withReadLock {
            let now = time.monotonicMilliseconds
            let (sum, overflow) = now.addingReportingOverflow(task.delayMs)
            let entry = TimerTaskEntry(task: task, expirationMs: overflow ? Int64.max : sum)
            if entry.expirationMs <= now {
                submit(entry)
            } else {
                addTimerTaskEntry(entry)
            }
        }
    }

    /// Waits up to `timeoutMs` (0: not at all) for a bucket to fall due; then, under the write
    /// lock, advances the wheels to each due bucket in turn and flushes it, re-inserting its tasks
    /// — which lands them in a finer wheel or, when due, on the executor. Returns whether any bucket
    /// was due. Returns false at once after `shutdown()`.
    @discardableResult
    public func advanceClock(timeoutMs: Int64) -> Bool {
        guard !isShutdown.load(ordering: .acquiring) else { return false }
        guard var bucket = delayQueue.poll(timeoutMs: timeoutMs) else { return false }
        var expired: [TimerTaskEntry] = []
        lock.withWriteLock {
            while true {
                timingWheel.advanceClock(to: bucket.expirationMs)
                bucket.flush { entry in
                    if !timingWheel.add(entry) { expired.append(entry) }
                }
                guard let next = delayQueue.poll() else { break }
                bucket = next
            }
        }
        submit(expired)
        return true
    }

    /// The number of tasks linked into the wheels: scheduled, not yet handed to the executor, not
    /// cancelled.
    public var size: Int {
        taskCounter.value
    }

    /// Stops the timer: later `add`s are ignored, `advanceClock` returns false, and a thread
    /// waiting in `advanceClock` returns at once. Tasks still in the wheels never run; tasks already
    /// handed to the executor still do.
    public func shutdown() {
        isShutdown.store(true, ordering: .releasing)
        delayQueue.close()
    }

    /// How many threads are blocked in `advanceClock(timeoutMs:)` waiting for a bucket to fall due
    /// (for tests: a waiter that has looked at the clock and found nothing due).
    var waitingAdvancers: Int {
        delayQueue.waitingPollers
    }

    /// Makes a thread waiting in `advanceClock(timeoutMs:)` look at the clock again. Only needed
    /// with a mock clock, after moving it; the real clock wakes the waiter by itself.
    public func wakeUp() {
        delayQueue.wakeUp()
    }

    /// Returns once every task handed to the executor before the call has finished running.
    public func drainExecutor() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            executor.async { continuation.resume() }
        }
    }

    /// The wheel levels created so far, finest first. For tests.
    var wheels: [TimingWheel] {
        var wheels = [timingWheel]
        while let above = wheels.last?.overflowWheel { wheels.append(above) }
        return wheels
    }

    /// The number of buckets in the delay queue. For tests.
    var queuedBuckets: Int {
        delayQueue.count
    }

    /// Inserts into the wheels, or hands to the executor if already due. Caller holds the read or
    /// the write lock.
    private func addTimerTaskEntry(_ entry: TimerTaskEntry) {
        if !timingWheel.add(entry) && !entry.isCancelled {
            submit(entry)
        }
    }

    /// Runs the entry's task on the executor unless it has been cancelled (or re-added) by then.
    private func submit(_ entry: TimerTaskEntry) {
        executor.async {
            if entry.task.claim(entry) { entry.task.run() }
        }
    }

    /// Hands the entries that one `advanceClock` found due to the executor in one hand-off, in the
    /// order they fell due. Each runs unless its task was cancelled (or re-added) by the time the
    /// executor reaches it: `claim` decides that under the task's lock, so a task either runs or
    /// is cancelled, never both. Entries cancelled while still in the wheels may be among them;
    /// `claim` drops those too.
    private func submit(_ entries: [TimerTaskEntry]) {
        guard !entries.isEmpty else { return }
        executor.async {
            for entry in entries where entry.task.claim(entry) {
                entry.task.run()
            }
        }
    }
}
