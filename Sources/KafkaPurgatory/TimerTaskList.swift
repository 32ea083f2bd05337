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
///    under this bucket's lock, with the entry's lock taken inside it.
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
/// Isolation: the list is guarded by the bucket's own mutex; the expiration is an atomic read
/// without any lock (by the delay queue's ordering and by `TimingWheel.add`). Lock order: task →
/// bucket → entry; `flush` calls its closure after releasing the bucket lock, so the closure may
/// take any lock (another bucket's, a task's).
final class TimerTaskList: Sendable {
    private struct Links {
        var head: TimerTaskEntry?
        weak var tail: TimerTaskEntry?
    }

    private let links = Mutex(Links())
    private let expiration = Atomic<Int64>(-1)
    private let taskCounter: TaskCounter

    init(taskCounter: TaskCounter) {
        self.taskCounter = taskCounter
    }

    /// The start of the tick this bucket holds, in the timer's milliseconds; -1 when unused.
    var expirationMs: Int64 {
        expiration.load(ordering: .acquiring)
    }

    /// Sets the bucket's expiration. True when the value changed, i.e. this is the first add of a
    /// new rotation and the caller must queue the bucket (invariant 4).
    func setExpiration(_ expirationMs: Int64) -> Bool {
        expiration.exchange(expirationMs, ordering: .acquiringAndReleasing) != expirationMs
    }

    /// Links `entry` at the tail. If the entry is in another bucket it is unlinked from there
    /// first (outside this bucket's lock, so two buckets' locks are never held together); if some
    /// other thread links it somewhere in between, we unlink and try again.
    func add(_ entry: TimerTaskEntry) {
        var linked = false
        while !linked {
            entry.remove()
            linked = links.withLock { links in
                entry.withList { list in
                    guard list == nil else { return false }
                    entry.next = nil
                    entry.prev = links.tail
                    if let tail = links.tail {
                        tail.next = entry
                    } else {
                        links.head = entry
                    }
                    links.tail = entry
                    list = self
                    taskCounter.increment()
                    return true
                }
            }
        }
    }

    /// Unlinks `entry` if it is linked here; does nothing if it is not (it may have moved on).
    func remove(_ entry: TimerTaskEntry) {
        links.withLock { links in
            entry.withList { list in
                guard list === self else { return }
                unlink(entry, from: &links)
                list = nil
            }
        }
    }

    /// Empties the bucket and resets its expiration to -1, then hands each entry that was linked
    /// (in insertion order) to `body`. `SystemTimer` passes a closure that re-inserts the entry
    /// into the wheels, where it lands in a finer bucket or, if due, goes to the executor.
    ///
    /// The entries are taken out under the lock and `body` runs after it is released, so `body` may
    /// link them into other buckets or look at their tasks without nesting locks. In between, the
    /// entries are in no bucket: a concurrent `cancel()` finds nothing to unlink and just retires
    /// the entry, which the re-insertion then sees as cancelled.
    func flush(_ body: (TimerTaskEntry) -> Void) {
        let drained: [TimerTaskEntry] = links.withLock { links in
            var drained: [TimerTaskEntry] = []
            while let head = links.head {
                head.withList { list in
                    unlink(head, from: &links)
                    list = nil
                }
                drained.append(head)
            }
            expiration.store(-1, ordering: .releasing)
            return drained
        }
        for entry in drained { body(entry) }
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

    /// Unlinks `entry`, known to be linked here. Caller holds the bucket lock and the entry lock.
    private func unlink(_ entry: TimerTaskEntry, from links: inout Links) {
        let previous = entry.prev
        let following = entry.next
        if let previous {
            previous.next = following
        } else {
            links.head = following
        }
        if let following {
            following.prev = previous
        } else {
            links.tail = previous
        }
        entry.next = nil
        entry.prev = nil
        taskCounter.decrement()
    }
}
