import Synchronization

/// A request whose answer must wait for something to happen, for at most `delayMs` (Kafka's
/// `DelayedOperation`): a produce waiting for the ISR to acknowledge, a fetch waiting for
/// `fetch.min.bytes`, a join waiting for the group's members. Subclass it and override
/// `tryComplete()`, `onComplete()` and `onExpiration()`; hand it to a `DelayedOperationPurgatory`.
///
/// Completion happens exactly once, in one of these ways:
///
/// 1. **Completable at once.** `tryCompleteElseWatch` calls `tryComplete()` before watching; the
///    condition already holds, `tryComplete()` calls `forceComplete()`, and the operation never
///    enters the purgatory.
/// 2. **Completed by an event.** Something changes for one of the operation's watch keys (records
///    appended, the high watermark moves, a member joins) and the code that changed it calls
///    `checkAndComplete(key)`. The purgatory calls `maybeTryComplete()` on the key's watched
///    operations; those whose condition now holds call `forceComplete()`.
/// 3. **Expired.** The delay passes first. The timer runs the operation (`run()`), which calls
///    `forceComplete()` and, if that call was the one that completed it, `onExpiration()`.
/// 4. **Races.** Any of the above may happen at the same time on different threads, and several
///    events may call `maybeTryComplete()` at once. `forceComplete()` decides with one atomic
///    compare-and-set: exactly one caller wins and runs `onComplete()`; every other caller gets
///    false and does nothing.
///
/// What the caller of each hook can rely on:
/// - `onComplete()` runs exactly once, on the thread that won `forceComplete()`: a purgatory
///   caller's thread for cases 1 and 2, the timer's executor for case 3. It sends the response.
/// - `onExpiration()` runs at most once, only in case 3, and *after* `onComplete()` (as in Kafka:
///   the response first, then the expiration bookkeeping such as metrics).
/// - `tryComplete()` never runs on two threads at once for one operation; it always runs holding
///   `lock` (see below). It may run after completion by another path; it must then do nothing
///   harmful — checking the condition and calling `forceComplete()`, which returns false, is fine.
///
/// Lock rules:
/// - `lock` is a re-entrant lock guarding `tryComplete()`. By default each operation has its own;
///   operations that must exclude each other (or the coordinator that owns their state) pass a
///   shared one.
/// - `maybeTryComplete()` only *tries* the lock. A thread that finds it held does not wait: it sets
///   the "try again" flag and leaves the attempt to the holder, who checks the flag after
///   releasing the lock and retries. No event is lost and no thread blocks behind a slow check.
/// - Lock order: operation lock → timer-task lock → bucket lock → entry lock (`forceComplete()`
///   cancels the timer task while the operation lock may be held). Purgatory locks are never held
///   while an operation's hooks run.
///
/// Isolation: `@unchecked Sendable` (from `TimerTask`): the completion flag and the try-again flag
/// are atomics; everything else is immutable or guarded by `lock`. Subclasses must guard their own
/// mutable state, usually with `lock` (which `tryComplete()` already holds).
open class DelayedOperation: TimerTask, @unchecked Sendable {
    private let completed = Atomic<Bool>(false)
    private let tryCompletePending = Atomic<Bool>(false)

    /// Held around every call of `tryComplete()`.
    public let lock: ReentrantLock

    /// - Parameters:
    ///   - delayMs: the longest the operation may wait before it expires.
    ///   - lock: a lock to share with other operations; a fresh one by default.
    public init(delayMs: Int64, lock: ReentrantLock? = nil) {
        self.lock = lock ?? ReentrantLock()
        super.init(delayMs: delayMs)
    }

    /// True once some caller has completed the operation (its `onComplete()` may still be running).
    public final var isCompleted: Bool {
        completed.load(ordering: .acquiring)
    }

    /// Completes the operation now if nobody has: cancels its timer task and runs `onComplete()`.
    /// True for exactly one caller over the operation's life — the one that completed it.
    ///
    /// Called from `tryComplete()` once the condition holds, and by the timer on expiry.
    @discardableResult
    public final func forceComplete() -> Bool {
        guard completed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return false }
        cancel()
        onComplete()
        return true
    }

    /// Checks whether the operation can complete now and, if so, calls `forceComplete()`. Returns
    /// what that call returned, or false when the condition does not hold yet.
    ///
    /// Subclasses must override it. It runs holding `lock`.
    open func tryComplete() -> Bool {
        // The three `fatalError`s mark abstract methods: a subclass that lacks one is a
        // programming error found by its first test, not something input can reach.
        fatalError("\(type(of: self)) must override DelayedOperation.tryComplete()")
    }

    /// The completion work — typically sending the response. Runs exactly once.
    ///
    /// Subclasses must override it.
    open func onComplete() {
        fatalError("\(type(of: self)) must override DelayedOperation.onComplete()")
    }

    /// Called once after `onComplete()` when the operation completed by expiring.
    ///
    /// Subclasses must override it.
    open func onExpiration() {
        fatalError("\(type(of: self)) must override DelayedOperation.onExpiration()")
    }

    /// Runs `tryComplete()` under `lock`, waiting for the lock if another thread holds it.
    /// For the first attempt, when no other thread can know the operation yet.
    final func tryCompleteHoldingLock() -> Bool {
        lock.withLock { tryComplete() }
    }

    /// A thread-safe `tryComplete()` that never waits for the lock. Returns true if this call
    /// completed the operation.
    ///
    /// Every call is followed by at least one run of `tryComplete()` that starts after the call
    /// began — on this thread or on the thread holding the lock — until the operation completes.
    /// The cases:
    /// 1. The lock is free: take it, clear the try-again flag, run `tryComplete()`, release. If the
    ///    flag was set meanwhile, another thread's attempt was handed to us: go round again.
    /// 2. The lock is held and the flag was clear: set it, then go round again ourselves — the
    ///    holder may already have checked the flag and be on its way out.
    /// 3. The lock is held and the flag was already set: someone's attempt is already promised to
    ///    the holder, who will see the flag after releasing and retry; leave.
    /// The loop also ends as soon as the operation is completed, by anyone.
    @discardableResult
    public final func maybeTryComplete() -> Bool {
        var completedByMe = false
        var retry = false
        repeat {
            if lock.tryLock() {
                tryCompletePending.store(false, ordering: .sequentiallyConsistent)
                completedByMe = tryComplete()
                lock.unlock()
                retry = tryCompletePending.load(ordering: .sequentiallyConsistent)
            } else {
                retry = !tryCompletePending.exchange(true, ordering: .sequentiallyConsistent)
            }
        } while !isCompleted && retry
        return completedByMe
    }

    /// The timer's expiry: completes the operation if it is still pending, then reports the
    /// expiration. Not for subclasses or callers.
    public final override func run() {
        if forceComplete() {
            onExpiration()
        }
    }
}
