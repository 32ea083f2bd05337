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
/// Ownership (no `weak` references, which cost Swift a side table and slow reference counting on
/// every access): the task holds its current entry strongly and the entry holds its task strongly.
/// That cycle exists exactly while the entry is current, and is broken at each of the four places
/// where an entry stops being current: `cancel()` clears it, re-adding replaces it, the executor
/// clears it (`claim`) just before running the task, and a bucket being deallocated with entries
/// still linked (its timer is gone) clears it for each of them (`TimerTaskList.deinit`).
///
/// Isolation: the current entry is guarded by the task's own lock. Lock order (outermost first):
/// task → bucket (`TimerTaskList`). Nothing takes a task's lock while holding a bucket's lock.
/// `currentIdentity` mirrors the current entry's identity so that `TimerTaskEntry.isCancelled`,
/// asked once per insertion into a wheel, can answer without the lock.
open class TimerTask: @unchecked Sendable {
    /// How long after being added the task is due, in milliseconds. Zero or less: due at once.
    public let delayMs: Int64

    /// The current entry. Written only under this lock, together with `currentIdentity`.
    private let current = Mutex<TimerTaskEntry?>(nil)
    /// `ObjectIdentifier` bits of the current entry, 0 for none. Stored under `current`'s lock,
    /// read without it. A reader holds the entry it compares, so the address cannot be reused.
    private let currentIdentity = Atomic<UInt>(0)

    public init(delayMs: Int64) {
        self.delayMs = delayMs
    }

    /// The work to do when the delay has passed. Runs on the timer's executor thread, never while a
    /// timer lock is held, at most once per `add`.
    open func run() {}

    /// Withdraws the task from its timer: unlinks its entry from whatever bucket holds it and
    /// retires the entry, so that it never runs. Safe from any thread; idempotent.
    ///
    /// The entry is unlinked while this task's lock is held; `TimerTaskList.deinit` takes the same
    /// lock for each entry it still holds, so the bucket read here cannot be freed under us.
    public final func cancel() {
        let retired: TimerTaskEntry? = current.withLock { current in
            guard let entry = current else { return nil }
            entry.remove()
            current = nil
            currentIdentity.store(0, ordering: .releasing)
            return entry
        }
        _ = retired  // released here, outside the lock
    }

    /// Makes `entry` the task's current entry, retiring (unlinking) the previous one if any.
    final func setTimerTaskEntry(_ entry: TimerTaskEntry) {
        let retired: TimerTaskEntry? = current.withLock { current in
            let old = current
            if let old, old !== entry { old.remove() }
            current = entry
            currentIdentity.store(Self.identity(of: entry), ordering: .releasing)
            return old
        }
        _ = retired
    }

    /// If `entry` is still current, clears it (breaking the task↔entry cycle) and returns true: the
    /// caller may run the task. False when the task was cancelled or re-added meanwhile. Called by
    /// the executor just before `run()`, and by a bucket's deinit (which ignores the answer).
    final func claim(_ entry: TimerTaskEntry) -> Bool {
        let claimed: TimerTaskEntry? = current.withLock { current in
            guard let owned = current, owned === entry else { return nil }
            current = nil
            currentIdentity.store(0, ordering: .releasing)
            return owned
        }
        return claimed != nil
    }

    /// True when `entry` is the task's current entry (a lock-free snapshot).
    final func isCurrent(_ entry: TimerTaskEntry) -> Bool {
        currentIdentity.load(ordering: .acquiring) == Self.identity(of: entry)
    }

    /// The task's current entry, or nil when it is not pending in any timer.
    final var timerTaskEntry: TimerTaskEntry? {
        current.withLock { $0 }
    }

    private static func identity(of entry: TimerTaskEntry) -> UInt {
        UInt(bitPattern: ObjectIdentifier(entry))
    }
}

/// The number of entries linked into any bucket of one timer: `SystemTimer.size`. Shared by all
/// the timer's buckets, at every wheel level.
final class TaskCounter: Sendable {
    private let count = Atomic<Int>(0)

    func increment() { count.add(1, ordering: .relaxed) }
    func decrement() { count.subtract(1, ordering: .relaxed) }
    func decrement(by amount: Int) { count.subtract(amount, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

extension Time {
    /// The monotonic clock in whole milliseconds: the timer's notion of "now" (Kafka's
    /// `hiResClockMs`). Wall-clock jumps do not move it.
    var monotonicMilliseconds: Int64 {
        Int64(nanoseconds / 1_000_000)
    }
}
