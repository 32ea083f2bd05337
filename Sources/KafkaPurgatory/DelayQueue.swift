import KafkaCommon

/// The queue of wheel buckets waiting for their tick, ordered by expiration: this project's
/// stand-in for the `java.util.concurrent.DelayQueue` that Kafka's `SystemTimer` polls.
///
/// A binary min-heap keyed by each bucket's expiration as it was when the bucket was offered.
/// (`TimerTaskList` invariant 4 guarantees that a queued bucket's expiration does not change until
/// it has been polled and flushed, so the key stays true.) The head is *due* when its expiration is
/// at or before the injected clock's now. `poll()` takes a due head or returns nil at once;
/// `poll(timeoutMs:)` waits for one.
///
/// Time is injected: whether a bucket is due is always judged by the `Time` given at init, while
/// the wait itself is a real condition-variable wait, bounded by the timeout. With `SystemTime`
/// the two agree and `poll(timeoutMs:)` sleeps exactly until the head is due. With a mock clock
/// that a test moves by hand, a waiting thread notices the move at its next wake-up: call
/// `wakeUp()` after moving the clock, or poll with a zero timeout, which never sleeps.
///
/// Isolation: every member is guarded by one `ConditionLock`. Lock order: this queue's lock may be
/// taken while a `SystemTimer` lock is held, and the injected `Time` is read while holding it.
final class DelayQueue: @unchecked Sendable {
    private struct Item {
        let expirationMs: Int64
        let bucket: TimerTaskList
    }

    private let time: any Time
    private let lock = ConditionLock()
    /// Guarded by `lock`.
    private var heap: [Item] = []
    /// Guarded by `lock`. Once closed, polls return nil at once and waiters are woken.
    private var isClosed = false
    /// Guarded by `lock`. Threads blocked in `poll(timeoutMs:)` right now.
    private var waiters = 0

    init(time: any Time) {
        self.time = time
    }

    /// The number of buckets queued, due or not.
    var count: Int {
        lock.withLock { heap.count }
    }

    /// How many threads are blocked in `poll(timeoutMs:)`, having found nothing due. Tests wait
    /// for it to know that a poller has looked at the clock and is waiting, instead of sleeping.
    var waitingPollers: Int {
        lock.withLock { waiters }
    }

    /// Queues `bucket` under its current expiration. Wakes a waiting poller if the new bucket is the
    /// earliest, since the poller's sleep was computed for the previous head.
    func offer(_ bucket: TimerTaskList) {
        let item = Item(expirationMs: bucket.expirationMs, bucket: bucket)
        lock.withLock {
            heap.append(item)
            siftUp(from: heap.count - 1)
            if heap[0].bucket === bucket { lock.broadcast() }
        }
    }

    /// Takes the head if it is due; never waits.
    func poll() -> TimerTaskList? {
        lock.withLock { takeDueHead(now: time.monotonicMilliseconds) }
    }

    /// Takes the head as soon as it is due, waiting up to `timeoutMs` milliseconds of real time for
    /// that. Nil when nothing fell due in time or the queue is closed.
    func poll(timeoutMs: Int64) -> TimerTaskList? {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .milliseconds(max(0, min(timeoutMs, Int64(Int32.max)))))
        return lock.withLock {
            while !isClosed {
                let now = time.monotonicMilliseconds
                if let due = takeDueHead(now: now) { return due }
                let remaining = clock.now.duration(to: deadline)
                guard remaining > .zero else { return nil }
                var waitNanoseconds = Self.nanoseconds(remaining)
                if let head = heap.first, head.expirationMs - now < waitNanoseconds / 1_000_000 {
                    waitNanoseconds = (head.expirationMs - now) * 1_000_000  // no overflow: bounded above
                }
                waiters += 1
                lock.wait(timeoutNanoseconds: waitNanoseconds)
                waiters -= 1
            }
            return nil
        }
    }

    /// Wakes every thread waiting in `poll(timeoutMs:)` so that it looks at the clock again. Tests
    /// that move a mock clock call it; so does `close()`.
    func wakeUp() {
        lock.withLock { lock.broadcast() }
    }

    /// Makes every current and future `poll(timeoutMs:)` return nil at once. Queued buckets stay.
    func close() {
        lock.withLock {
            isClosed = true
            lock.broadcast()
        }
    }

    // MARK: - Heap (caller holds `lock`)

    private func takeDueHead(now: Int64) -> TimerTaskList? {
        guard let head = heap.first, head.expirationMs <= now else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(from: 0)
        }
        return head.bucket
    }

    private func siftUp(from index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].expirationMs < heap[parent].expirationMs else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private func siftDown(from index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].expirationMs < heap[smallest].expirationMs { smallest = left }
            if right < heap.count, heap[right].expirationMs < heap[smallest].expirationMs { smallest = right }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
