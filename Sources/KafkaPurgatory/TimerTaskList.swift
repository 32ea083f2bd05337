import Synchronization

/// One bucket of a `TimingWheel` (Kafka's `TimerTaskList`): a doubly linked list of timer-task
/// entries that all fall due in the same tick of the same wheel, plus the bucket's expiration.
///
/// A wheel of `wheelSize` buckets reuses each bucket once per rotation: the bucket in slot `s` holds
/// the tick `[e, e + tickMs)` with `e / tickMs ≡ s (mod wheelSize)`, and after that tick has been
/// flushed it is empty and can take the tick one rotation later, `e + tickMs × wheelSize`.
///
/// Invariants:
/// 1. An entry is linked here exactly when its `list` is this bucket. Linking and unlinking happen
///    under this bucket's lock (the entry's `list` is swapped atomically inside it).
/// 2. The timer's `TaskCounter` goes up by one for every link and down by one for every unlink, so
///    it always equals the number of entries linked into all buckets of the timer.
/// 3. Every linked entry expires within `[expirationMs, expirationMs + tickMs)` of its wheel.
/// 4. Queued once per rotation: `expirationMs` is -1 while the bucket is unused; the first add of a
///    rotation sets it with an atomic exchange, and only the caller that *changed* the value puts
///    the bucket in the `DelayQueue`. Later adds of the same rotation store the same value, see no
///    change, and do not queue it again. `flush` resets it to -1 after taking the entries out, so
///    the next rotation queues the bucket anew.
/// 5. An empty bucket may still be in the delay queue (its entries were cancelled); flushing it is
///    harmless and merely advances the clock.
///
/// 6. Ownership: `head` and the entries' `next` links hold the entries strongly; `tail` and the
///    entries' `prev` are `unowned(unsafe)` into that same chain (no `weak` reference, whose side
///    table would make every access slow). A bucket deallocated with entries still linked (its
///    timer is gone) unlinks them and clears each from its task, so that no task keeps a dead
///    entry's bucket pointer or a task↔entry cycle alive.
///
/// Isolation: the list is guarded by the bucket's own mutex; the expiration is an atomic read
/// without any lock (by the delay queue's ordering and by `TimingWheel.add`). Lock order: task →
/// bucket; `flush` calls its closure after releasing the bucket lock, so the closure may take any
/// lock (another bucket's, a task's).
final class TimerTaskList: @unchecked Sendable {
    private struct Links {
        var head: TimerTaskEntry?
        unowned(unsafe) var tail: TimerTaskEntry?
    }

    private let links = Mutex(Links())
    private let expiration = Atomic<Int64>(-1)
    private let taskCounter: TaskCounter

    init(taskCounter: TaskCounter) {
        self.taskCounter = taskCounter
    }

    /// Unlinks whatever is still linked and retires it from its task (invariant 6). Tasks still
    /// naming such an entry as current see it cleared; a concurrent `cancel()` that read this bucket
    /// from the entry holds the task's lock, which `claim` waits for, so the bucket outlives it.
    deinit {
        flush { entry in _ = entry.task.claim(entry) }
    }

    /// The start of the tick this bucket holds, in the timer's milliseconds; -1 when unused.
    var expirationMs: Int64 {
        expiration.load(ordering: .acquiring)
    }

    /// Sets the bucket's expiration. True when the value changed, i.e. this is the first add of a
    /// new rotation and the caller must queue the bucket (invariant 4). Every add of a rotation
    /// calls it; all but the first find the value already set and need no read-modify-write.
    func setExpiration(_ expirationMs: Int64) -> Bool {
        if expiration.load(ordering: .acquiring) == expirationMs { return false }
        return expiration.exchange(expirationMs, ordering: .acquiringAndReleasing) != expirationMs
    }

    /// Links `entry` at the tail. If the entry is in another bucket it is unlinked from there
    /// first (outside this bucket's lock, so two buckets' locks are never held together); if some
    /// other thread links it somewhere in between, we unlink and try again.
    func add(_ entry: TimerTaskEntry) {
        var linked = false
        while !linked {
            entry.remove()
            linked = links.withLock { links in
                guard entry.claimList(self) else { return false }
                entry.next = nil
                entry.prev = links.tail
                if let tail = links.tail {
                    tail.next = entry
                } else {
                    links.head = entry
                }
                links.tail = entry
                taskCounter.increment()
                return true
            }
        }
    }

    /// Unlinks `entry` if it is linked here; does nothing if it is not (it may have moved on).
    func remove(_ entry: TimerTaskEntry) {
        links.withLock { links in
            guard entry.isLinked(into: self) else { return }
            unlink(entry, from: &links)
            entry.clearList()
        }
    }

    /// Empties the bucket and resets its expiration to -1, then hands each entry that was linked
    /// (in insertion order) to `body`. `SystemTimer` passes a closure that re-inserts the entry
    /// into the wheels, where it lands in a finer bucket or, if due, goes to the executor.
    ///
    /// Under the lock every entry is marked as in no bucket (`list` and `prev` cleared) and the
    /// chain is detached whole, keeping its `next` links: no array is built. `body` runs after the
    /// lock is released, so it may link the entries into other buckets or look at their tasks
    /// without nesting locks. The detached `next` links belong to this call: no other thread
    /// touches them, since an entry in no bucket is only ever linked by the flush's own `body`,
    /// and each entry's `next` is read before `body` gets it. In between, a concurrent `cancel()`
    /// finds no bucket to unlink from and just retires the entry, which the re-insertion then sees
    /// as cancelled.
    func flush(_ body: (TimerTaskEntry) -> Void) {
        var cursor: TimerTaskEntry? = links.withLock { links in
            let first = links.head
            var count = 0
            var walker = first
            while let entry = walker {
                entry.clearList()
                entry.prev = nil
                count += 1
                walker = entry.next
            }
            links.head = nil
            links.tail = nil
            if count > 0 { taskCounter.decrement(by: count) }
            expiration.store(-1, ordering: .releasing)
            return first
        }
        while let entry = cursor {
            cursor = entry.next
            entry.next = nil
            body(entry)
        }
    }

    /// The tasks of the entries linked here that are not cancelled, head first. For tests and
    /// diagnostics: the answer may be stale as soon as it is returned.
    var tasks: [TimerTask] {
        let entries: [TimerTaskEntry] = links.withLock { links in
            var entries: [TimerTaskEntry] = []
            var cursor = links.head
            while let entry = cursor {
                entries.append(entry)
                cursor = entry.next
            }
            return entries
        }
        return entries.filter { !$0.isCancelled }.map(\.task)
    }

    /// Unlinks `entry`, known to be linked here. Caller holds the bucket lock.
    private func unlink(_ entry: TimerTaskEntry, from links: inout Links) {
        // Keep the entry alive until its neighbours no longer point at it.
        withExtendedLifetime(entry) {
            let previous = entry.prev
            let following = entry.next
            if let following {
                following.prev = previous
            } else {
                links.tail = previous
            }
            if let previous {
                previous.next = following
            } else {
                links.head = following
            }
            entry.next = nil
            entry.prev = nil
        }
        taskCounter.decrement()
    }
}
