/// The producer state operations of a `Log` that take the log's lock for themselves (see
/// `LocalLog+ProducerState.swift`). Never call these inside `withLock`.
extension Log {
    /// Forgets the producers idle longer than `transactional.id.expiration.ms` (Kafka's
    /// `PeriodicProducerExpirationCheck`). Returns how many.
    @discardableResult
    public func removeExpiredProducers(now: Int64) -> Int {
        withLock { log in log.removeExpiredProducers(now: now) }
    }

    /// Deletes the producer snapshots no longer needed after a recovery point checkpoint.
    public func deleteSnapshotsAfterRecoveryPointCheckpoint() throws {
        try withLock { log in _ = try log.deleteSnapshotsAfterRecoveryPointCheckpoint() }
    }

    /// The first offset of the oldest transaction not yet stable (see `LocalLog.firstUnstableOffset`).
    public var firstUnstableOffset: Int64? { withLock { log in log.firstUnstableOffset } }

    /// The producer state's entries, by producer id.
    public var activeProducers: [Int64: ProducerStateEntry] { withLock { log in log.activeProducers } }

    public func onHighWatermarkIncremented(_ highWatermark: Int64) {
        withLock { log in log.onHighWatermarkIncremented(highWatermark) }
    }
}
