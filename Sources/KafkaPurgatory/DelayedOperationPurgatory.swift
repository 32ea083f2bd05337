import Foundation
import KafkaCommon
import Logging
import Synchronization

/// Where delayed operations wait (Kafka's `DelayedOperationPurgatory`): each operation is watched
/// under one or more keys, so that an event on a key can complete it, and is scheduled on a
/// `TimeoutTimer`, so that it expires if no event does. One purgatory per kind of operation
/// (Produce, Fetch, Rebalance, Heartbeat, DeleteRecords), as in Kafka.
///
/// How an operation gets through (see `DelayedOperation` for the completion cases):
/// - `tryCompleteElseWatch(op, watchKeys:)` tries it, watches it under every key, tries again, and
///   only then schedules its expiry. The second try closes the race with an event that fires while
///   the keys are being registered: whatever happened before the operation was watched is seen by
///   the second try, whatever happens after finds it watched.
/// - `checkAndComplete(key)`, called by whoever changed something for `key`, tries the operations
///   watched under it and drops the completed ones.
/// - The expiration reaper — a background thread — calls `advanceClock(timeoutMs: 200)` in a loop;
///   the timer runs expired operations on its executor.
///
/// Bookkeeping: an operation completed through one key, or by expiry, stays in the watcher lists
/// of its other keys until something cleans them. The purgatory counts operations it started
/// watching; when that count exceeds the operations still in the timer by more than
/// `purgeInterval` (Kafka's `*.purgatory.purge.interval.requests`, a count of operations, not a
/// time), the next `advanceClock` sweeps every list and drops completed operations.
///
/// Isolation: the key → watchers map is split into shards, each under its own mutex; each key's
/// list has its own mutex; counters are atomics. No purgatory lock is held while an operation's
/// `tryComplete()`, `onComplete()` or `onExpiration()` runs, so those may call back into the
/// purgatory (e.g. `checkAndComplete` for another key). Lock order: shard → watchers, and
/// operation → timer locks; the two chains never nest in each other.
public final class DelayedOperationPurgatory<Operation: DelayedOperation>: Sendable {
    /// Kafka's shard count for the watcher map.
    static var shardCount: Int { 512 }

    public let purgatoryName: String
    public let brokerId: BrokerId
    /// Completed-but-still-watched operations tolerated before a purge.
    public let purgeInterval: Int

    private let timeoutTimer: any TimeoutTimer
    private let timerEnabled: Bool
    private let shards: [WatcherShard<Operation>]
    private let watchedCount: WatchedCount
    /// Operations watched since the last purge, completed or not (an estimate, as in Kafka).
    private let estimatedTotalOperations = Atomic<Int>(0)
    private let reaper: ExpirationReaper?
    private let logger: Logger

    /// A purgatory with its own `SystemTimer` (tick 1 ms, 20 slots).
    ///
    /// - Parameters:
    ///   - purgatoryName: "Produce", "Fetch", "Rebalance", …; names the reaper thread and the
    ///     timer's executor.
    ///   - brokerId: for the reaper thread's name and log metadata.
    ///   - purgeInterval: see the type's documentation. Kafka's default is 1000.
    ///   - reaperEnabled: start the expiration reaper thread. Tests with a mock clock usually turn
    ///     it off and call `advanceClock(timeoutMs: 0)` themselves.
    ///   - timerEnabled: schedule expiry at all. Off, operations only complete through events.
    ///   - time: the clock for the timer.
    ///   - logger: where to log; discarded if nil.
    public convenience init(
        purgatoryName: String, brokerId: BrokerId = 0, purgeInterval: Int = 1000,
        reaperEnabled: Bool = true, timerEnabled: Bool = true, time: any Time = SystemTime(),
        logger: Logger? = nil
    ) {
        self.init(
            purgatoryName: purgatoryName, timeoutTimer: SystemTimer(executorName: purgatoryName, time: time),
            brokerId: brokerId, purgeInterval: purgeInterval, reaperEnabled: reaperEnabled,
            timerEnabled: timerEnabled, logger: logger)
    }

    /// A purgatory over a given timer (a `SystemTimer` the caller keeps, or a test's timer).
    public init(
        purgatoryName: String, timeoutTimer: any TimeoutTimer, brokerId: BrokerId = 0,
        purgeInterval: Int = 1000, reaperEnabled: Bool = true, timerEnabled: Bool = true,
        logger: Logger? = nil
    ) {
        self.purgatoryName = purgatoryName
        self.brokerId = brokerId
        self.purgeInterval = purgeInterval
        self.timeoutTimer = timeoutTimer
        self.timerEnabled = timerEnabled
        let watchedCount = WatchedCount()
        self.watchedCount = watchedCount
        self.shards = (0..<Self.shardCount).map { _ in WatcherShard(watched: watchedCount) }
        var logger = logger ?? Logger(label: "kafka.purgatory", factory: { _ in SwiftLogNoOpLogHandler() })
        logger[metadataKey: "purgatory"] = "\(purgatoryName)"
        logger[metadataKey: "broker.id"] = "\(brokerId)"
        self.logger = logger
        self.reaper = reaperEnabled ? ExpirationReaper(name: "ExpirationReaper-\(brokerId)-\(purgatoryName)") : nil
        reaper?.start { [weak self] in
            guard let self else { return false }
            self.advanceClock(timeoutMs: 200)
            return true
        }
    }

    /// Completes `operation` now if it can; otherwise watches it under every key in `watchKeys` and
    /// schedules its expiry. True only if this call completed it.
    ///
    /// Steps: (1) `tryComplete()` under the operation's lock — nobody else knows the operation yet;
    /// (2) watch it under each key, stopping early if it completes meanwhile; (3) try again with
    /// `maybeTryComplete()`, catching an event that came between (1) and (2); (4) add it to the
    /// timer, and cancel that again if it completed in the meantime.
    ///
    /// With no watch keys no event could ever complete the operation, so it is not kept waiting:
    /// if step (1) does not complete it, it is force-completed at once (its `onComplete()` answers
    /// with what there is) and this returns true. A request with nothing to wait for — a Fetch
    /// naming no partition, such as an incremental fetch of an unchanged session — must not trap.
    @discardableResult
    public func tryCompleteElseWatch<Key: Hashable & Sendable>(_ operation: Operation, watchKeys: [Key]) -> Bool {
        if operation.tryCompleteHoldingLock() {
            return true
        }
        guard !watchKeys.isEmpty else {
            return operation.forceComplete()
        }
        var watchCreated = false
        for key in watchKeys {
            if operation.isCompleted { return false }
            let key = DelayedOperationKey(key)
            shard(for: key).watch(operation, under: key)
            if !watchCreated {
                watchCreated = true
                estimatedTotalOperations.add(1, ordering: .relaxed)
            }
        }
        if operation.maybeTryComplete() {
            return true
        }
        if !operation.isCompleted {
            if timerEnabled { timeoutTimer.add(operation) }
            // forceComplete() cancels the timer task, but if it ran before the add there was
            // nothing to cancel yet.
            if operation.isCompleted { operation.cancel() }
        }
        return false
    }

    /// Tries to complete the operations watched under `key` and drops the completed ones from its
    /// list. Returns how many this call completed. Call it after changing anything an operation
    /// waits for under this key.
    @discardableResult
    public func checkAndComplete<Key: Hashable & Sendable>(_ key: Key) -> Int {
        let key = DelayedOperationKey(key)
        let shard = shard(for: key)
        guard let watchers = shard.watchers(for: key) else { return 0 }
        let completed = watchers.tryCompleteWatched()
        shard.removeIfEmpty(watchers)
        return completed
    }

    /// The total length of all watcher lists (Kafka's `PurgatorySize` gauge). An operation watched
    /// under n keys counts n times, and completed operations count until they are dropped, so this
    /// may exceed the number of operations actually waiting. One atomic load (`WatchedCount`).
    public var watched: Int {
        watchedCount.current
    }

    /// The number of operations waiting in the timer (Kafka's `NumDelayedOperations` gauge).
    public var numDelayed: Int {
        timeoutTimer.size
    }

    /// Stops watching every operation under `key` and cancels their expiry, without completing
    /// them; returns them. For a partition that leaves this broker: whoever calls it answers the
    /// returned operations itself.
    public func cancel<Key: Hashable & Sendable>(forKey key: Key) -> [Operation] {
        let key = DelayedOperationKey(key)
        return shard(for: key).removeWatchers(for: key)?.cancelAll() ?? []
    }

    /// Stops watching every operation under every key and cancels their expiry, without
    /// completing them; returns each operation once, however many keys it was watched under. For
    /// shutdown: the caller answers them (`forceComplete`), so that no request is left waiting
    /// for a completion that will never come.
    public func cancelAll() -> [Operation] {
        var seen = Set<ObjectIdentifier>()
        var cancelled: [Operation] = []
        for shard in shards {
            for watchers in shard.allWatchers {
                for operation in shard.removeWatchers(for: watchers.key)?.cancelAll() ?? []
                where seen.insert(ObjectIdentifier(operation)).inserted {
                    cancelled.append(operation)
                }
            }
        }
        return cancelled
    }

    /// One step of the expiration reaper: advance the timer, waiting up to `timeoutMs` for
    /// something to expire, then purge the watcher lists if enough completed operations have piled
    /// up. Tests with a mock clock call it directly with a zero timeout.
    public func advanceClock(timeoutMs: Int64) {
        timeoutTimer.advanceClock(timeoutMs: timeoutMs)
        let delayed = numDelayed
        guard estimatedTotalOperations.load(ordering: .relaxed) - delayed > purgeInterval else { return }
        // Reset before sweeping; operations completed during the sweep may be counted twice,
        // which only brings the next purge a little early.
        estimatedTotalOperations.store(delayed, ordering: .relaxed)
        logger.debug("Begin purging watch lists")
        let purged = purgeCompleted()
        logger.debug("Purged \(purged) elements from watch lists")
    }

    /// Stops the reaper and the timer. Operations still waiting are left as they are: neither
    /// completed nor expired.
    public func shutdown() {
        reaper?.initiateShutdown()
        timeoutTimer.shutdown()
        reaper?.awaitShutdown()
    }

    /// Drops completed operations from every watcher list, and empty lists from the map. Returns
    /// how many operations were dropped.
    @discardableResult
    func purgeCompleted() -> Int {
        var purged = 0
        for shard in shards {
            for watchers in shard.allWatchers {
                purged += watchers.removeCompleted()
                shard.removeIfEmpty(watchers)
            }
        }
        return purged
    }

    private func shard(for key: DelayedOperationKey) -> WatcherShard<Operation> {
        shards[Int(UInt(bitPattern: key.hashValue) % UInt(shards.count))]
    }
}

/// The purgatory's background thread (Kafka's `ExpiredOperationReaper`, a shutdownable thread):
/// runs `step` in a loop until asked to stop or until `step` returns false.
///
/// A dedicated thread, not a Swift task: each step blocks in the timer's delay queue for up to
/// 200 ms, which must not tie up a thread of the cooperative pool.
///
/// Isolation: the stop flag is an atomic; the exit is signalled through a condition lock.
final class ExpirationReaper: Sendable {
    let name: String
    private let stopRequested = Atomic<Bool>(false)
    private let exitLock = ConditionLock()
    /// Guarded by `exitLock`.
    private nonisolated(unsafe) var hasExited = false
    private let started = Atomic<Bool>(false)

    init(name: String) {
        self.name = name
    }

    /// Starts the thread. `step` runs repeatedly; returning false ends the loop.
    func start(_ step: @escaping @Sendable () -> Bool) {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let thread = Thread { [self] in
            while !stopRequested.load(ordering: .acquiring) {
                if !step() { break }
            }
            exitLock.withLock {
                hasExited = true
                exitLock.broadcast()
            }
        }
        thread.name = name
        thread.start()
    }

    /// Asks the loop to stop after the current step.
    func initiateShutdown() {
        stopRequested.store(true, ordering: .releasing)
    }

    /// Blocks until the thread has left its loop (at once if it never started).
    func awaitShutdown() {
        guard started.load(ordering: .acquiring) else { return }
        exitLock.withLock {
            while !hasExited { exitLock.wait(timeoutNanoseconds: 100_000_000) }
        }
    }
}
