import KafkaCommon
import KafkaProtocol
import KafkaStorage
import Synchronization

/// One partition hosted by this broker (Kafka's `Partition`): its log and its current role.
///
/// Locks: the role is behind the partition's `Mutex`; the log is used only inside its own
/// `Log.withLock` (which the LogManager's retention, flush and checkpoint tasks take too). Lock
/// order: the role lock is never held while the log lock is taken, and neither while calling the
/// LogManager.
///
/// High watermark: replication (fetchers, follower LEOs, ISR changes) is not there yet, so the
/// leader's high watermark is its log end offset — correct when the ISR is the leader alone, and
/// the reason acks=all with a larger ISR cannot complete yet (see `ProduceHandler`).
public final class Partition: Sendable {
    public let topicPartition: TopicPartition
    public let localBrokerId: BrokerId
    public let log: Log
    private let roleState: Mutex<ReplicaManager.PartitionRole>

    init(topicPartition: TopicPartition, localBrokerId: BrokerId, role: ReplicaManager.PartitionRole, log: Log) {
        self.topicPartition = topicPartition
        self.localBrokerId = localBrokerId
        self.log = log
        self.roleState = Mutex(role)
    }

    public var role: ReplicaManager.PartitionRole { roleState.withLock { $0 } }
    public var isLeader: Bool { role.leader == localBrokerId }

    func update(role: ReplicaManager.PartitionRole) {
        roleState.withLock { $0 = role }
    }

    /// Offsets a consumer can see, and the log's bounds.
    public var offsets: (logStartOffset: Int64, highWatermark: Int64, logEndOffset: Int64) {
        log.withLock { (log.logStartOffset, log.logEndOffset, log.logEndOffset) }
    }

    public enum AppendError: Error { case notLeader }

    /// Appends a producer's records as leader, with the current leader epoch.
    public func appendRecordsToLeader(_ records: MemoryRecords) throws -> (LogAppendResult, isr: [BrokerId]) {
        let role = self.role
        guard role.leader == localBrokerId else { throw AppendError.notLeader }
        let result = try log.withLock { try log.appendAsLeader(records, leaderEpoch: role.leaderEpoch.rawValue) }
        return (result, role.isr)
    }

    /// Reads for a consumer (up to the high watermark) or a replica (up to the log end offset):
    /// the records as a slice of a segment file, to be sent with sendfile — no record byte passes
    /// through memory.
    public func readSlice(offset: Int64, maxBytes: Int, minOneMessage: Bool, isolatedToHighWatermark: Bool)
        throws -> (records: FileSlice, highWatermark: Int64, logStartOffset: Int64)
    {
        try log.withLock {
            let highWatermark = log.logEndOffset
            let fetch = try log.read(startOffset: offset, maxLength: maxBytes,
                                     maxOffset: isolatedToHighWatermark ? highWatermark : nil, minOneMessage: minOneMessage)
            return (fetch.records, highWatermark, log.logStartOffset)
        }
    }

    /// ListOffsets: earliest (-2), latest (-1, the high watermark) or the first offset at or after
    /// a timestamp (through the time index).
    public func fetchOffset(forTimestamp timestamp: Int64) throws -> (timestamp: Int64, offset: Int64)? {
        try log.withLock { try log.fetchOffsetByTimestamp(timestamp) }
    }
}
