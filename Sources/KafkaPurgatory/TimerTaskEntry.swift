import Synchronization

/// The link between a `TimerTask` and the bucket that holds it (Kafka's `TimerTaskEntry`): the
/// task, its absolute expiration on the timer's clock, and its neighbours in the bucket's list.
///
/// Invariants:
/// - `list` is the bucket the entry is linked into, or nil. It changes only under the lock of the
///   bucket it names or is about to name: a bucket links an entry by swapping `list` from nil to
///   itself (compare-and-exchange, so two buckets can never both claim one entry) and unlinks it
///   by storing nil while it still names itself.
/// - `next` and `prev` belong to the bucket: they are read and written only under the lock of the
///   bucket named by `list`, and are nil whenever `list` is nil, except during a flush, when the
///   flushing thread owns the detached chain of `next` links it walks (see `TimerTaskList.flush`).
/// - The expiration never changes; moving a task to a later time makes a new entry.
///
/// Ownership without `weak`: a bucket owns its entries through `head` and the `next` chain
/// (strong), so `prev` and the bucket's `tail` are `unowned(unsafe)`: they point only at entries
/// of the same chain, which are alive while linked. `list` is an unretained pointer: a bucket lives
/// as long as its wheel, i.e. its timer, and one that is deallocated with entries still linked
/// first unlinks them (`TimerTaskList.deinit`). Whoever follows `list` holds the timer's lock (a
/// wheel insert) or the task's lock (`cancel`, re-add), which that deinit also takes per entry.
final class TimerTaskEntry: @unchecked Sendable {
    let task: TimerTask
    /// Absolute due time in the timer's milliseconds (`delayMs` + the clock when added).
    let expirationMs: Int64

    /// Guarded by the lock of the bucket in `list` (see the type's invariants).
    var next: TimerTaskEntry?
    /// Guarded like `next`; the previous entry of the same chain, which owns this one.
    unowned(unsafe) var prev: TimerTaskEntry?

    /// The bucket this entry is linked into, as an unretained pointer; nil when in none.
    private let membership = Atomic<UnsafeMutableRawPointer?>(nil)

    /// Makes an entry for `task` and installs it as the task's current entry, retiring the task's
    /// previous entry if it had one.
    init(task: TimerTask, expirationMs: Int64) {
        self.task = task
        self.expirationMs = expirationMs
        task.setTimerTaskEntry(self)
    }

    /// True once the task was cancelled or re-added (it names another entry, or none, as current).
    var isCancelled: Bool {
        !task.isCurrent(self)
    }

    /// The bucket the entry is linked into, if any. For tests and diagnostics.
    var list: TimerTaskList? {
        membership.load(ordering: .acquiring).map { Unmanaged<TimerTaskList>.fromOpaque($0).takeUnretainedValue() }
    }

    /// True when the entry is linked into `bucket`. Stable while the caller holds that bucket's lock.
    func isLinked(into bucket: TimerTaskList) -> Bool {
        membership.load(ordering: .acquiring) == Self.pointer(to: bucket)
    }

    /// Names `bucket` as the entry's list if it names none. Caller holds `bucket`'s lock.
    func claimList(_ bucket: TimerTaskList) -> Bool {
        membership.compareExchange(
            expected: nil, desired: Self.pointer(to: bucket), ordering: .acquiringAndReleasing
        ).exchanged
    }

    /// Clears the entry's list. Caller holds the lock of the bucket it names.
    func clearList() {
        membership.store(nil, ordering: .releasing)
    }

    /// Unlinks the entry from its bucket, if it is in one.
    ///
    /// The bucket is read without its lock, so another thread may move the entry between reading
    /// `list` and locking that bucket; `TimerTaskList.remove` then finds the entry gone and we look
    /// again, until the entry is in no bucket. The bucket is used without retaining it (see the
    /// type's ownership note for why it is alive).
    func remove() {
        while let bucket = membership.load(ordering: .acquiring) {
            Unmanaged<TimerTaskList>.fromOpaque(bucket)._withUnsafeGuaranteedRef { $0.remove(self) }
        }
    }

    private static func pointer(to bucket: TimerTaskList) -> UnsafeMutableRawPointer {
        Unmanaged.passUnretained(bucket).toOpaque()
    }
}
