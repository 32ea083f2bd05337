import Synchronization

/// A key under which delayed operations are watched (Kafka's `DelayedOperationKey`): a
/// topic-partition for produce and fetch, a group id for joins, a member for heartbeats. Any
/// `Hashable & Sendable` value, type-erased so that one purgatory can mix key types.
///
/// Two keys are equal when their wrapped values are (`AnyHashable` equality; note that it treats
/// equal numbers of different integer types as equal). Wrapping a `DelayedOperationKey` again
/// returns it unchanged.
public struct DelayedOperationKey: Hashable, @unchecked Sendable, CustomStringConvertible {
    // @unchecked: `AnyHashable` is not `Sendable` in general, but the only initializer accepts
    // `Sendable` values, so what it wraps always is.
    private let value: AnyHashable

    public init<Key: Hashable & Sendable>(_ key: Key) {
        if let key = key as? DelayedOperationKey {
            self = key
        } else {
            value = AnyHashable(key)
        }
    }

    /// The wrapped key.
    public var base: any Hashable & Sendable {
        // Invariant: `value` is only ever built from a `Hashable & Sendable` key (the initialiser).
        value.base as! any Hashable & Sendable
    }

    public var description: String {
        String(describing: value.base)
    }
}

/// The operations watched under one key (Kafka's `Watchers`). An operation watched under several
/// keys sits in several of these lists; completing it through one key leaves it in the others
/// until they are checked or purged.
///
/// Isolation: the list is guarded by its own mutex, which is never held while an operation's hook
/// runs: `tryCompleteWatched` takes a snapshot, tries each operation without the lock, then removes
/// the completed ones under the lock. Lock order: shard → watchers.
///
/// Invariant: every change to the list's length is added to `watched` (the purgatory's total)
/// under the list's lock, so `watched` is the sum of every list's length whenever no change is
/// in progress.
final class Watchers<Operation: DelayedOperation>: Sendable {
    let key: DelayedOperationKey
    private let operations = Mutex<[Operation]>([])
    private let watched: WatchedCount

    init(key: DelayedOperationKey, watched: WatchedCount) {
        self.key = key
        self.watched = watched
    }

    /// The number of operations in the list, completed ones included.
    var count: Int {
        operations.withLock { $0.count }
    }

    var isEmpty: Bool {
        operations.withLock { $0.isEmpty }
    }

    func watch(_ operation: Operation) {
        operations.withLock { operations in
            operations.append(operation)
            watched.add(1)
        }
    }

    /// Tries every operation still pending; drops completed ones. Returns how many this call
    /// completed.
    func tryCompleteWatched() -> Int {
        let snapshot = operations.withLock { $0 }
        var completedByUs = 0
        for operation in snapshot where !operation.isCompleted {
            if operation.maybeTryComplete() { completedByUs += 1 }
        }
        removeCompleted()
        return completedByUs
    }

    /// Drops operations that were completed (through another key, or by expiry). Returns how many.
    @discardableResult
    func removeCompleted() -> Int {
        operations.withLock { operations in
            let before = operations.count
            operations.removeAll { $0.isCompleted }
            let removed = before - operations.count
            if removed > 0 { watched.add(-removed) }
            return removed
        }
    }

    /// Empties the list and cancels each operation's timer task, without completing it.
    func cancelAll() -> [Operation] {
        let cancelled = operations.withLock { operations in
            let all = operations
            operations.removeAll()
            watched.add(-all.count)
            return all
        }
        for operation in cancelled { operation.cancel() }
        return cancelled
    }
}

/// One shard of the purgatory's key → watchers map, with its own lock to spread contention
/// (Kafka's `WatcherList`).
///
/// Invariant: a key's watchers are removed from the map only while empty, and operations are added
/// to a key's watchers only while holding the shard lock, so an operation is never added to a list
/// that has just been dropped from the map.
final class WatcherShard<Operation: DelayedOperation>: Sendable {
    private let watchersByKey = Mutex<[DelayedOperationKey: Watchers<Operation>]>([:])
    private let watched: WatchedCount

    init(watched: WatchedCount) {
        self.watched = watched
    }

    /// Adds `operation` to the watchers of `key`, creating them if needed.
    func watch(_ operation: Operation, under key: DelayedOperationKey) {
        watchersByKey.withLock { map in
            let watchers: Watchers<Operation>
            if let existing = map[key] {
                watchers = existing
            } else {
                watchers = Watchers(key: key, watched: watched)
                map[key] = watchers
            }
            watchers.watch(operation)
        }
    }

    func watchers(for key: DelayedOperationKey) -> Watchers<Operation>? {
        watchersByKey.withLock { $0[key] }
    }

    /// Every key's watchers at this moment; other threads may add or drop some right after.
    var allWatchers: [Watchers<Operation>] {
        watchersByKey.withLock { Array($0.values) }
    }

    /// Drops `watchers` from the map if they are still the ones for their key and are empty.
    func removeIfEmpty(_ watchers: Watchers<Operation>) {
        watchersByKey.withLock { map in
            guard let current = map[watchers.key], current === watchers, watchers.isEmpty else { return }
            map[watchers.key] = nil
        }
    }

    /// Drops the watchers of `key` from the map and returns them.
    func removeWatchers(for key: DelayedOperationKey) -> Watchers<Operation>? {
        watchersByKey.withLock { $0.removeValue(forKey: key) }
    }
}

/// The total length of a purgatory's watcher lists (Kafka's `PurgatorySize`), kept as the lists
/// change so that reading it (at every metrics scrape) is one atomic load instead of a walk over
/// every shard and list under their locks.
final class WatchedCount: Sendable {
    private let value = Atomic<Int>(0)

    func add(_ delta: Int) {
        value.wrappingAdd(delta, ordering: .relaxed)
    }

    var current: Int { value.load(ordering: .relaxed) }
}
