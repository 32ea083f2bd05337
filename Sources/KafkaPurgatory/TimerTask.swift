import KafkaCommon
import Synchronization

/// Something to run once a delay has passed (Kafka's `TimerTask`): subclass it, override `run()`,
/// hand it to a `TimeoutTimer`. `DelayedOperation` is the subclass the purgatory uses.
///
/// Lifecycle: a task is *pending* from `SystemTimer.add(_:)` until it either runs (once, on the
/// timer's executor, after `delayMs`) or is cancelled. `cancel()` may be called from any thread at
/// any time, also before `add` or after the task ran; a cancelled task does not run.
///
/// Invariant: a task belongs to at most one `TimerTaskEntry` at a time, its *current entry*. Adding
/// the task to a timer again makes a new entry and retires the old one (which is unlinked from its
/// bucket and, if already on its way to the executor, is dropped there). An entry whose task no
/// longer names it as current is *cancelled*.
///
/// Isolation: the current entry is guarded by the task's own lock. Lock order (outermost first):
/// task → bucket (`TimerTaskList`) → entry. Nothing takes a task's lock while holding a bucket's or
/// an entry's lock.
open class TimerTask: @unchecked Sendable {
    /// How long after being added the task is due, in milliseconds. Zero or less: due at once.
    public let delayMs: Int64

    /// The entry that currently represents this task in a timer. Weak: the bucket that links the
    /// entry, or the executor closure that is about to run it, keeps it alive; once it is neither
    /// linked nor queued it is of no further use.
    private struct CurrentEntry { weak var entry: TimerTaskEntry? }
    private let current = Mutex(CurrentEntry())

    public init(delayMs: Int64) {
        self.delayMs = delayMs
    }

    /// The work to do when the delay has passed. Runs on the timer's executor thread, never while a
    /// timer lock is held, at most once per `add`.
    open func run() {}

    /// Withdraws the task from its timer: unlinks its entry from whatever bucket holds it and
    /// retires the entry, so that it never runs. Safe from any thread; idempotent.
    public final func cancel() {
        current.withLock { current in
            current.entry?.remove()
            current.entry = nil
        }
    }

    /// Makes `entry` the task's current entry, retiring (unlinking) the previous one if any.
    final func setTimerTaskEntry(_ entry: TimerTaskEntry) {
        current.withLock { current in
            if let old = current.entry, old !== entry { old.remove() }
            current.entry = entry
        }
    }

    /// The task's current entry, or nil when it is not pending in any timer.
    final var timerTaskEntry: TimerTaskEntry? {
        current.withLock { $0.entry }
    }
}

/// The link between a `TimerTask` and the bucket that holds it (Kafka's `TimerTaskEntry`): the
/// task, its absolute expiration on the timer's clock, and its neighbours in the bucket's list.
///
/// Invariants:
/// - `list` is the bucket the entry is linked into, or nil. It changes only while that bucket's
///   lock *and* the entry's own lock are held, so holding either one gives a stable answer to "am I
///   in this bucket?".
/// - `next` and `prev` belong to the bucket: they are read and written only under the lock of the
///   bucket named by `list`, and are nil whenever `list` is nil.
/// - The expiration never changes; moving a task to a later time makes a new entry.
final class TimerTaskEntry: @unchecked Sendable {
    let task: TimerTask
    /// Absolute due time in the timer's milliseconds (`delayMs` + the clock when added).
    let expirationMs: Int64

    /// Guarded by the lock of the bucket in `list` (see the type's invariants).
    var next: TimerTaskEntry?
    weak var prev: TimerTaskEntry?

    private struct Membership { weak var list: TimerTaskList? }
    private let membership = Mutex(Membership())

    /// Makes an entry for `task` and installs it as the task's current entry, retiring the task's
    /// previous entry if it had one.
    init(task: TimerTask, expirationMs: Int64) {
        self.task = task
        self.expirationMs = expirationMs
        task.setTimerTaskEntry(self)
    }

    /// True once the task was cancelled or re-added (it names another entry, or none, as current).
    var isCancelled: Bool {
        task.timerTaskEntry !== self
    }

    /// The bucket the entry is linked into, if any.
    var list: TimerTaskList? {
        membership.withLock { $0.list }
    }

    /// Runs `body` holding the entry's lock, with `list` to read or change. `TimerTaskList` changes
    /// it only while also holding its own lock (bucket lock first, then this one).
    func withList<Result>(_ body: (inout TimerTaskList?) -> Result) -> Result {
        membership.withLock { body(&$0.list) }
    }

    /// Unlinks the entry from its bucket, if it is in one.
    ///
    /// The bucket is read without its lock, so another thread may move the entry between reading
    /// `list` and locking that bucket; `TimerTaskList.remove` then finds the entry gone and we look
    /// again, until the entry is in no bucket.
    func remove() {
        var bucket = list
        while let current = bucket {
            current.remove(self)
            bucket = list
        }
    }
}

/// The number of entries linked into any bucket of one timer: `SystemTimer.size`. Shared by all
/// the timer's buckets, at every wheel level.
final class TaskCounter: Sendable {
    private let count = Atomic<Int>(0)

    func increment() { count.add(1, ordering: .relaxed) }
    func decrement() { count.subtract(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

extension Time {
    /// The monotonic clock in whole milliseconds: the timer's notion of "now" (Kafka's
    /// `hiResClockMs`). Wall-clock jumps do not move it.
    var monotonicMilliseconds: Int64 {
        Int64(nanoseconds / 1_000_000)
    }
}
