import KafkaCommon
import NIOCore

/// OffsetForLeaderEpoch (key 23): for each partition, the end offset of a leader epoch in the
/// leader's log (the start offset of the next epoch it knows, or its log end offset for the
/// current one). A follower sends it after a leader change and truncates to the answer instead of
/// to its high watermark (KIP-101, KIP-279); consumers use it from v3 to detect log truncation
/// (KIP-320).
///
/// Supported: v0–v3 (Kafka 2.3). First flexible version: 4. v1 adds the epoch of the answer to
/// the response; v2 the request's current leader epoch (fencing) and the response's throttle
/// time; v3 the request's replica id (the request needs only Describe on the topic, not
/// ClusterAction).
public enum OffsetForLeaderEpoch: KafkaAPI {
    public static let key = ApiKey.offsetForLeaderEpoch
    public static let versions: ClosedRange<Int16> = 0...3
    public static let firstFlexibleVersion: Int16? = 4

    /// The replica id of a consumer (v3+).
    public static let consumerReplicaId = BrokerId(-1)
    /// The replica id a request before v3 is read with: a "debugging" replica, which Kafka also
    /// lets see offsets past the high watermark.
    public static let debuggingReplicaId = BrokerId(-2)
    /// Kafka's UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET: no epoch or end offset known.
    public static let undefinedEpoch = LeaderEpoch(-1)
    public static let undefinedEpochOffset: Int64 = -1

    /// ```
    /// replica_id int32                  (v3+; read as -2 before)
    /// topics ARRAY of { name STRING, partitions ARRAY of Partition }
    /// ```
    public struct Request: KafkaCodable {
        public var replicaId: BrokerId
        public var topics: [Topic]

        public init(replicaId: BrokerId = OffsetForLeaderEpoch.debuggingReplicaId, topics: [Topic]) {
            self.replicaId = replicaId
            self.topics = topics
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try OffsetForLeaderEpoch.checkVersion(version)
            replicaId = version >= 3 ? try buffer.readBrokerId("replica_id") : OffsetForLeaderEpoch.debuggingReplicaId
            topics = try buffer.readArray(of: Topic.self, version: version, "topics")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            if version >= 3 { buffer.writeBrokerId(replicaId) }
            buffer.writeArray(topics, version: version)
        }
    }

    public struct Topic: KafkaCodable {
        public var name: String
        public var partitions: [Partition]

        public init(name: String, partitions: [Partition]) {
            self.name = name
            self.partitions = partitions
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString("topics.name")
            partitions = try buffer.readArray(of: Partition.self, version: version, "topics.partitions")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(name)
            buffer.writeArray(partitions, version: version)
        }
    }

    /// ```
    /// partition int32
    /// current_leader_epoch int32        (v2+, default -1: the sender does not fence)
    /// leader_epoch int32                the epoch whose end offset is asked
    /// ```
    public struct Partition: KafkaCodable {
        public var partitionIndex: Int32
        /// The leader epoch the sender believes current: the leader answers FENCED_LEADER_EPOCH
        /// when it is older than its own, UNKNOWN_LEADER_EPOCH when newer.
        public var currentLeaderEpoch: LeaderEpoch
        public var leaderEpoch: LeaderEpoch

        public init(partitionIndex: Int32, currentLeaderEpoch: LeaderEpoch = -1, leaderEpoch: LeaderEpoch) {
            self.partitionIndex = partitionIndex
            self.currentLeaderEpoch = currentLeaderEpoch
            self.leaderEpoch = leaderEpoch
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            partitionIndex = try buffer.readInt32("partitions.partition")
            currentLeaderEpoch = version >= 2 ? try buffer.readLeaderEpoch("partitions.current_leader_epoch") : -1
            leaderEpoch = try buffer.readLeaderEpoch("partitions.leader_epoch")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeInt32(partitionIndex)
            if version >= 2 { buffer.writeLeaderEpoch(currentLeaderEpoch) }
            buffer.writeLeaderEpoch(leaderEpoch)
        }
    }

    /// ```
    /// throttle_time_ms int32            (v2+)
    /// topics ARRAY of { name STRING, partitions ARRAY of PartitionResult }
    /// ```
    public struct Response: KafkaCodable {
        public var throttleTimeMs: Int32
        public var topics: [TopicResult]

        public init(throttleTimeMs: Int32 = 0, topics: [TopicResult]) {
            self.throttleTimeMs = throttleTimeMs
            self.topics = topics
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try OffsetForLeaderEpoch.checkVersion(version)
            throttleTimeMs = version >= 2 ? try buffer.readInt32("throttle_time_ms") : 0
            topics = try buffer.readArray(of: TopicResult.self, version: version, "topics")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            if version >= 2 { buffer.writeInt32(throttleTimeMs) }
            buffer.writeArray(topics, version: version)
        }
    }

    public struct TopicResult: KafkaCodable {
        public var name: String
        public var partitions: [PartitionResult]

        public init(name: String, partitions: [PartitionResult]) {
            self.name = name
            self.partitions = partitions
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString("topics.name")
            partitions = try buffer.readArray(of: PartitionResult.self, version: version, "topics.partitions")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(name)
            buffer.writeArray(partitions, version: version)
        }
    }

    /// ```
    /// error_code int16
    /// partition int32
    /// leader_epoch int32                (v1+, default -1) the epoch the end offset belongs to
    /// end_offset int64                  -1 with an error or an unknown epoch
    /// ```
    public struct PartitionResult: KafkaCodable {
        public var errorCode: ErrorCode
        public var partitionIndex: Int32
        public var leaderEpoch: LeaderEpoch
        public var endOffset: Int64

        public init(
            errorCode: ErrorCode = .none, partitionIndex: Int32, leaderEpoch: LeaderEpoch = OffsetForLeaderEpoch.undefinedEpoch,
            endOffset: Int64 = OffsetForLeaderEpoch.undefinedEpochOffset
        ) {
            self.errorCode = errorCode
            self.partitionIndex = partitionIndex
            self.leaderEpoch = leaderEpoch
            self.endOffset = endOffset
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            errorCode = try buffer.readErrorCode("partitions.error_code")
            partitionIndex = try buffer.readInt32("partitions.partition")
            leaderEpoch = version >= 1 ? try buffer.readLeaderEpoch("partitions.leader_epoch") : OffsetForLeaderEpoch.undefinedEpoch
            endOffset = try buffer.readInt64("partitions.end_offset")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeErrorCode(errorCode)
            buffer.writeInt32(partitionIndex)
            if version >= 1 { buffer.writeLeaderEpoch(leaderEpoch) }
            buffer.writeInt64(endOffset)
        }
    }
}
