import KafkaCommon
import KafkaProtocol
import KafkaRecords
import KafkaStorage

/// The follower's side of replication: what the replica fetcher does to the local log.
extension Partition {
    public enum FollowerError: Error, Equatable {
        /// The partition is no longer a follower of the leader the fetch was made from (a newer
        /// LeaderAndIsr arrived while the fetch was in flight); the fetched data is dropped.
        case noLongerFollowerOf(BrokerId, LeaderEpoch)
    }

    /// Appends the leader's batches unchanged — same offsets, same leader epochs, same bytes —
    /// then takes the leader's high watermark (capped at the local log end offset) and log start
    /// offset (Kafka's `processPartitionData`). Returns the new log end offset.
    public func appendRecordsAsFollower(
        _ records: MemoryRecords, leader: BrokerId, leaderEpoch: LeaderEpoch, leaderHighWatermark: Int64,
        leaderLogStartOffset: Int64
    ) throws -> Int64 {
        try log.withLock { log in
            let role = state.withLock { $0.role }
            guard role.leader == leader, role.leaderEpoch == leaderEpoch, leader != localBrokerId else {
                throw FollowerError.noLongerFollowerOf(leader, leaderEpoch)
            }
            if records.sizeInBytes > 0 { try log.appendAsFollower(records) }
            let logEndOffset = log.logEndOffset
            if leaderLogStartOffset > log.logStartOffset, leaderLogStartOffset <= logEndOffset {
                try log.maybeIncrementLogStartOffset(leaderLogStartOffset)
            }
            let highWatermark = min(leaderHighWatermark, logEndOffset)
            state.withLock { $0.highWatermark = highWatermark }
            log.onHighWatermarkIncremented(highWatermark)
            return logEndOffset
        }
    }

    /// The local log's end offset (where the fetcher asks from).
    public var logEndOffset: Int64 { log.withLock { log in log.logEndOffset } }

    /// The latest leader epoch the local log holds records of (nil when it has none).
    public var latestLocalLeaderEpoch: Int32? { log.withLock { log in log.latestLeaderEpoch } }

    /// The largest local epoch ≤ `epoch` and the offset where it ends (Kafka's `endOffsetForEpoch`).
    public func localEndOffset(forLeaderEpoch epoch: Int32) -> (epoch: Int32, endOffset: Int64) {
        log.withLock { log in log.endOffset(forLeaderEpoch: epoch) }
    }

    /// Truncates the local log to `offset` as a follower (never below the high watermark's
    /// meaning: the high watermark is capped to the new end). Only while follower.
    public func truncateAsFollower(to offset: Int64) throws {
        try log.withCleaningPaused(truncatingTo: offset) {
            try log.withLock { log in
                guard !state.withLock({ $0.isLeader }) else { return }
                try log.truncateTo(offset)
                let logEndOffset = log.logEndOffset
                state.withLock { $0.highWatermark = min($0.highWatermark, logEndOffset) }
            }
        }
    }

    /// Empties the local log and restarts it at `offset` (the leader's log start offset is above
    /// everything this follower has).
    public func truncateFullyAsFollower(startingAt offset: Int64) throws {
        try log.withCleaningPaused {
            try log.withLock { log in
                guard !state.withLock({ $0.isLeader }) else { return }
                try log.truncateFullyAndStartAt(offset)
                state.withLock { $0.highWatermark = offset }
            }
        }
    }
}
