import KafkaCommon
import KafkaProtocol
import KafkaRecords
import KafkaStorage
import Synchronization

/// One partition hosted by this broker (Kafka's `Partition`): its log, its role as the controller
/// last set it, and its replication state (`PartitionReplicationState`: high watermark, and
/// while leader every follower's progress).
///
/// Locks: the log's own lock (`Log.withLock`) and the replication state's `Mutex`. Lock order:
/// the log lock, then the state lock — never the other way. Role changes take both, so an append
/// as leader (which checks the role inside the log lock) never interleaves with becoming
/// follower, and a follower's append never lands after the partition became leader. Neither lock
/// is held while calling out (ZooKeeper, purgatories, the LogManager).
public final class Partition: Sendable {
    public let topicPartition: TopicPartition
    public let localBrokerId: BrokerId
    public let log: Log
    let time: any Time
    let state: Mutex<PartitionReplicationState>

    init(topicPartition: TopicPartition, localBrokerId: BrokerId, role: ReplicaManager.PartitionRole, log: Log,
         highWatermark: Int64, time: any Time) {
        self.topicPartition = topicPartition
        self.localBrokerId = localBrokerId
        self.log = log
        self.time = time
        let logEndOffset = log.withLock { log in log.logEndOffset }
        let initialHighWatermark = min(max(highWatermark, 0), logEndOffset)
        self.state = Mutex(PartitionReplicationState(role: role, localBrokerId: localBrokerId,
                                                     highWatermark: initialHighWatermark))
        log.onHighWatermarkIncremented(initialHighWatermark)
    }

    public var role: ReplicaManager.PartitionRole { state.withLock { $0.role } }
    public var isLeader: Bool { state.withLock { $0.isLeader } }
    public var highWatermark: Int64 { state.withLock { $0.highWatermark } }

    /// Offsets a consumer can see, and the log's bounds.
    public var offsets: (logStartOffset: Int64, highWatermark: Int64, logEndOffset: Int64) {
        log.withLock { log in (log.logStartOffset, state.withLock { $0.highWatermark }, log.logEndOffset) }
    }

    /// Checks a request's `current_leader_epoch` against this partition's (−1: no check):
    /// older is FENCED_LEADER_EPOCH, newer UNKNOWN_LEADER_EPOCH (this broker has not heard of it).
    public func checkLeaderEpoch(_ requested: LeaderEpoch) -> ErrorCode {
        guard requested.rawValue >= 0 else { return .none }
        let current = role.leaderEpoch
        if requested < current { return .fencedLeaderEpoch }
        if requested > current { return .unknownLeaderEpoch }
        return .none
    }

    // MARK: Role changes (LeaderAndIsr)

    /// Becomes leader with `role`. Returns false when it already was leader in this epoch.
    @discardableResult
    func makeLeader(_ role: ReplicaManager.PartitionRole) -> Bool {
        log.withLock { log in
            let logEndOffset = log.logEndOffset
            return state.withLock { state in
                let isNewLeader = !state.isLeader || state.role.leaderEpoch != role.leaderEpoch
                state.makeLeader(role, leaderLogEndOffset: logEndOffset, nowMs: time.milliseconds)
                return isNewLeader
            }
        }
    }

    /// Becomes follower of `role.leader`. Returns false when nothing changed (same leader and
    /// epoch), in which case the fetcher keeps going as it is.
    @discardableResult
    func makeFollower(_ role: ReplicaManager.PartitionRole) -> Bool {
        log.withLock { _ in
            state.withLock { state in
                let changed = state.isLeader || state.role.leader != role.leader || state.role.leaderEpoch != role.leaderEpoch
                state.makeFollower(role)
                return changed
            }
        }
    }

    // MARK: Reads

    /// Reads for a consumer (up to the high watermark) or a replica (up to the log end offset):
    /// the records as a slice of a segment file, to be sent with sendfile — no record byte passes
    /// through memory.
    public func readSlice(offset: Int64, maxBytes: Int, minOneMessage: Bool, isolatedToHighWatermark: Bool)
        throws -> (records: FileSlice, highWatermark: Int64, logStartOffset: Int64, logEndOffset: Int64)
    {
        try log.withLock { log in
            let highWatermark = state.withLock { $0.highWatermark }
            let fetch = try log.read(startOffset: offset, maxLength: maxBytes,
                                     maxOffset: isolatedToHighWatermark ? highWatermark : nil, minOneMessage: minOneMessage)
            return (fetch.records, highWatermark, log.logStartOffset, log.logEndOffset)
        }
    }

    /// ListOffsets: earliest (-2, the log start offset), latest (-1: the high watermark for a
    /// consumer, the log end offset for a replica) or the first offset at or after a timestamp
    /// (through the time index; for a consumer only offsets below the high watermark), with the
    /// leader epoch ListOffsets v4+ answers, as Kafka 2.3 picks it (KIP-320, KAFKA-7568):
    ///
    /// - earliest: the epoch of the earliest leader-epoch entry when it starts at or below the
    ///   log start offset, else −1 (records of an older format carry no epoch);
    /// - latest: the partition's current leader epoch (Kafka chose it for "latest", which names
    ///   the offset the next record gets, not a record);
    /// - a timestamp: the epoch of the record found, from the leader epoch cache (the epoch of the
    ///   last entry starting at or below it; −1 if none).
    ///
    /// A `readCommitted` consumer (ListOffsets v2+) sees the last stable offset where another sees
    /// the high watermark.
    public func fetchOffset(forTimestamp timestamp: Int64, isFromConsumer: Bool, readCommitted: Bool = false) throws
        -> (timestamp: Int64, offset: Int64, leaderEpoch: Int32)?
    {
        try log.withLock { log in
            let (lastFetchable, currentEpoch) = state.withLock { state in
                (readCommitted ? log.lastStableOffset(highWatermark: state.highWatermark) : state.highWatermark,
                 state.role.leaderEpoch.rawValue)
            }
            guard let found = try log.fetchOffsetByTimestamp(timestamp) else { return nil }
            switch timestamp {
            case Log.latestTimestamp:
                return (found.timestamp, isFromConsumer ? lastFetchable : found.offset, currentEpoch)
            case Log.earliestTimestamp:
                let earliest = log.leaderEpochCache.earliestEntry.flatMap { $0.startOffset <= found.offset ? $0.epoch.rawValue : nil }
                return (found.timestamp, found.offset, earliest ?? LeaderEpochFileCache.undefinedEpoch)
            default:
                if isFromConsumer, timestamp >= 0, found.offset >= lastFetchable { return nil }
                let epoch = log.leaderEpochCache.epoch(forOffset: found.offset) ?? LeaderEpochFileCache.undefinedEpoch
                return (found.timestamp, found.offset, epoch)
            }
        }
    }
}
