import Synchronization

/// One level of a hierarchical timing wheel (Kafka's `TimingWheel`): `wheelSize` buckets of
/// `tickMs` each, covering `interval = tickMs × wheelSize` milliseconds ahead of `currentTime`.
///
/// Why a wheel: a purgatory holds many thousands of delayed requests, and most complete long before
/// they time out. A heap of tasks pays O(log n) to add and to cancel each one; a wheel pays O(1)
/// for both (link into a bucket, unlink from it), and the heap (`DelayQueue`) only ever holds the
/// buckets — at most `wheelSize` per level — not the tasks.
///
/// Why levels: one wheel only reaches `interval` ahead. A task due later goes to the *overflow
/// wheel*, created on first need, whose tick is this wheel's whole interval; that wheel overflows in
/// turn. With tick 1 ms and 20 slots the levels are:
///
///     level  tick       interval (reach)   a bucket holds
///     0      1 ms       20 ms              one millisecond
///     1      20 ms      400 ms             20 ms
///     2      400 ms     8 s                400 ms
///     3      8 s        160 s              8 s
///     4      160 s      3200 s             160 s      (and so on, made only when needed)
///
/// When a coarse bucket's tick arrives, its tasks are not run but *re-inserted*: by then they are
/// close enough to land in a finer wheel. Only level 0 runs tasks, so every task runs in the very
/// millisecond it is due (to the granularity of level 0's tick).
///
/// Worked example (tick 1 ms, 20 slots, all clocks at 0, a task added with delay 1234 ms, so it
/// expires at 1234):
///
/// 1. Add at time 0. Level 0 reaches to 19, level 1 to 399: too short. Level 2 (tick 400) reaches
///    to 7999, so the task goes there: virtual tick 1234 / 400 = 3, slot 3 % 20 = 3. The bucket's
///    expiration becomes 3 × 400 = 1200; it was unused, so it is queued in the `DelayQueue`.
/// 2. At time 1200 the queue yields that bucket. The timer advances every wheel to 1200 (each
///    rounds down to its own tick: level 0 → 1200, level 1 → 1200, level 2 → 1200) and flushes the
///    bucket. Re-inserted, the task (1234) is beyond level 0's reach (1200…1219) but within level
///    1's (1200…1599): virtual tick 1234 / 20 = 61, slot 1, bucket expiration 1220, queued.
/// 3. At time 1220 that bucket is due. Level 0 → 1220, level 1 → 1220; level 2 stays at 1200,
///    since 1220 is less than one of its ticks past 1200. Re-inserted, the task now fits level 0
///    (1220…1239): slot 1234 % 20 = 14, bucket expiration exactly 1234.
/// 4. At time 1234 level 0's bucket is due; re-inserting finds the task expired (1234 < 1234 + 1),
///    so the timer hands it to the executor. Total work: three inserts and three bucket flushes,
///    none of which scanned the other tasks of the wheel.
///
/// The first bucket of a new overflow wheel is never used: its range starts at the lower wheel's
/// current time and is covered by the lower wheel. That costs a slot, not correctness.
///
/// Rules:
/// - `add` returns false when the entry is cancelled or already due (it expires before
///   `currentTime + tickMs`); the caller then runs it, or drops it if cancelled.
/// - `currentTime` is always a multiple of `tickMs` and only moves forward.
/// - An overflow wheel starts at the `currentTime` of the wheel below and is advanced by it.
///
/// Isolation: not thread-safe on its own. `SystemTimer` calls `add` under the read side of its
/// reader-writer lock (many adds at once are safe: each touches one bucket under that bucket's lock,
/// and the lazily created overflow wheel is guarded by a mutex) and `advanceClock` under the write
/// side (no add runs while `currentTime` moves).
final class TimingWheel: @unchecked Sendable {
    let tickMs: Int64
    let wheelSize: Int
    /// How far ahead of `currentTime` this wheel reaches: `tickMs × wheelSize` (saturating).
    let interval: Int64

    private let buckets: [TimerTaskList]
    private let taskCounter: TaskCounter
    private let queue: DelayQueue
    /// The overflow wheel, created on first need under this mutex and never replaced; the mutex's
    /// value is what keeps it alive.
    private let overflow = Mutex<TimingWheel?>(nil)
    /// The same wheel as an unretained pointer, published once it exists, so that the many inserts
    /// that pass through this level to a coarser one read it without taking the mutex.
    private let overflowPointer = Atomic<UnsafeMutableRawPointer?>(nil)

    /// The start of the current tick. Written only under the timer's write lock.
    private(set) var currentTime: Int64

    init(tickMs: Int64, wheelSize: Int, startMs: Int64, taskCounter: TaskCounter, queue: DelayQueue) {
        // Invariants, not input: `SystemTimer` passes constants and its clock's time.
        precondition(tickMs > 0 && wheelSize > 0, "tick and wheel size must be positive")
        precondition(startMs >= 0, "the timer's clock must not be negative")
        self.tickMs = tickMs
        self.wheelSize = wheelSize
        let (interval, overflow) = tickMs.multipliedReportingOverflow(by: Int64(wheelSize))
        self.interval = overflow ? Int64.max : interval
        self.taskCounter = taskCounter
        self.queue = queue
        self.buckets = (0..<wheelSize).map { _ in TimerTaskList(taskCounter: taskCounter) }
        self.currentTime = startMs - startMs % tickMs
    }

    /// The next coarser wheel, if one has been needed yet.
    var overflowWheel: TimingWheel? {
        overflow.withLock { $0 }
    }

    /// Links `entry` into the bucket of the finest wheel that reaches its expiration, queueing
    /// that bucket if this is the first add of its rotation. False when the entry is cancelled or
    /// already due, in which case nothing was linked.
    func add(_ entry: TimerTaskEntry) -> Bool {
        let expiration = entry.expirationMs
        if entry.isCancelled {
            return false
        }
        // Distances rather than sums, so that far-future expirations cannot overflow.
        let ahead = expiration - currentTime
        if ahead < tickMs {
            return false
        }
        if ahead < interval || interval == Int64.max {
            let virtualTick = expiration / tickMs
            let bucket = buckets[Int(virtualTick % Int64(wheelSize))]
            bucket.add(entry)
            if bucket.setExpiration(virtualTick * tickMs) {
                queue.offer(bucket)
            }
            return true
        }
        return overflowWheelCreatingIfNeeded().add(entry)
    }

    /// Moves this wheel (and the wheels above it) to the tick containing `timeMs`, if that is at
    /// least one tick ahead. Called with the expiration of each bucket the delay queue yields.
    func advanceClock(to timeMs: Int64) {
        guard timeMs - currentTime >= tickMs else { return }
        currentTime = timeMs - timeMs % tickMs
        overflowWheel?.advanceClock(to: currentTime)
    }

    /// The bucket for `slot`. For tests.
    func bucket(atSlot slot: Int) -> TimerTaskList {
        buckets[slot]
    }

    private func overflowWheelCreatingIfNeeded() -> TimingWheel {
        if let published = overflowPointer.load(ordering: .acquiring) {
            return Unmanaged<TimingWheel>.fromOpaque(published).takeUnretainedValue()
        }
        return overflow.withLock { wheel in
            if let wheel { return wheel }
            let created = TimingWheel(
                tickMs: interval, wheelSize: wheelSize, startMs: currentTime,
                taskCounter: taskCounter, queue: queue)
            wheel = created
            overflowPointer.store(Unmanaged.passUnretained(created).toOpaque(), ordering: .releasing)
            return created
        }
    }
}
