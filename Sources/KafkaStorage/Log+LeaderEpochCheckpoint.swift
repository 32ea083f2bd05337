extension Log {
    /// Writes the leader epoch checkpoint if an append changed it (the deferred write of
    /// `LocalLog+LeaderEpoch.swift`): the entries are taken under the lock, written and fsynced
    /// without it, and the cache is told once the write has returned. A write that finds the
    /// log closed does nothing (the close wrote what was pending). A failed write leaves the
    /// cache dirty: the next flush or close writes it under the lock and fails loudly there.
    public func writeLeaderEpochCheckpoint() throws {
        guard let (pending, writer) = withLock({ log -> ((entries: [EpochEntry], version: UInt64), LeaderEpochCheckpointWriter)? in
            log.leaderEpochWriteScheduled = false
            guard let pending = log.leaderEpochCache.pendingWrite else { return nil }
            return (pending, log.leaderEpochCache.writer)
        }) else { return }
        do {
            try writer.write(pending.entries, version: pending.version)
        } catch let error as StorageError {
            if withLock({ log in log.isClosed }) { return }
            throw error
        }
        withLock { log in log.leaderEpochCache.markWritten(version: pending.version) }
    }
}
