import KafkaCommon
import NIOCore

/// ListOffsets (key 2): the offset of a partition for a timestamp: `-2` the earliest (log start
/// offset), `-1` the latest (high watermark, or last stable offset for read_committed), or else
/// the first offset whose timestamp is at least the one given.
///
/// Supported: v0–v5 (Kafka 2.3). First flexible version: 6. v0 returns a list of segment offsets
/// (`max_num_offsets`); v1 a single offset with its timestamp; v2 adds the isolation level;
/// v4 leader epochs (KIP-320).
public enum ListOffsets: KafkaAPI {
    public static let key = ApiKey.listOffsets
    public static let versions: ClosedRange<Int16> = 0...5
    public static let firstFlexibleVersion: Int16? = 6

    /// The timestamp that asks for the latest offset.
    public static let latestTimestamp: Int64 = -1
    /// The timestamp that asks for the earliest offset.
    public static let earliestTimestamp: Int64 = -2

    /// ```
    /// replica_id int32                  (-1 for consumers)
    /// isolation_level int8              (v2+)
    /// topics ARRAY of { name STRING, partitions ARRAY of Partition }
    /// ```
    public struct Request: KafkaCodable {
        public var replicaId: BrokerId
        public var isolationLevel: Int8
        public var topics: [Topic]

        public init(replicaId: BrokerId = .none, isolationLevel: Int8 = 0, topics: [Topic]) {
            self.replicaId = replicaId
            self.isolationLevel = isolationLevel
            self.topics = topics
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try ListOffsets.checkVersion(version)
            replicaId = try buffer.readBrokerId("replica_id")
            isolationLevel = version >= 2 ? try buffer.readInt8("isolation_level") : 0
            topics = try buffer.readArray(of: Topic.self, version: version, "topics")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeBrokerId(replicaId)
            if version >= 2 { buffer.writeInt8(isolationLevel) }
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
    /// partition_index int32, current_leader_epoch int32 (v4+, default -1), timestamp int64,
    /// max_num_offsets int32 (v0 only, default 1)
    /// ```
    public struct Partition: KafkaCodable {
        public var partitionIndex: Int32
        public var currentLeaderEpoch: LeaderEpoch
        public var timestamp: Int64
        public var maxNumOffsets: Int32

        public init(partitionIndex: Int32, currentLeaderEpoch: LeaderEpoch = -1, timestamp: Int64, maxNumOffsets: Int32 = 1) {
            self.partitionIndex = partitionIndex
            self.currentLeaderEpoch = currentLeaderEpoch
            self.timestamp = timestamp
            self.maxNumOffsets = maxNumOffsets
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            partitionIndex = try buffer.readInt32("partitions.partition_index")
            currentLeaderEpoch = version >= 4 ? try buffer.readLeaderEpoch("partitions.current_leader_epoch") : -1
            timestamp = try buffer.readInt64("partitions.timestamp")
            maxNumOffsets = version == 0 ? try buffer.readInt32("partitions.max_num_offsets") : 1
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeInt32(partitionIndex)
            if version >= 4 { buffer.writeLeaderEpoch(currentLeaderEpoch) }
            buffer.writeInt64(timestamp)
            if version == 0 { buffer.writeInt32(maxNumOffsets) }
        }
    }

    /// ```
    /// throttle_time_ms int32            (v2+)
    /// topics ARRAY of { name STRING, partitions ARRAY of PartitionResponse }
    /// ```
    public struct Response: KafkaCodable {
        public var throttleTimeMs: Int32
        public var topics: [TopicResponse]

        public init(throttleTimeMs: Int32 = 0, topics: [TopicResponse]) {
            self.throttleTimeMs = throttleTimeMs
            self.topics = topics
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try ListOffsets.checkVersion(version)
            throttleTimeMs = version >= 2 ? try buffer.readInt32("throttle_time_ms") : 0
            topics = try buffer.readArray(of: TopicResponse.self, version: version, "topics")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            if version >= 2 { buffer.writeInt32(throttleTimeMs) }
            buffer.writeArray(topics, version: version)
        }
    }

    public struct TopicResponse: KafkaCodable {
        public var name: String
        public var partitions: [PartitionResponse]

        public init(name: String, partitions: [PartitionResponse]) {
            self.name = name
            self.partitions = partitions
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString("topics.name")
            partitions = try buffer.readArray(of: PartitionResponse.self, version: version, "topics.partitions")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(name)
            buffer.writeArray(partitions, version: version)
        }
    }

    /// ```
    /// partition_index int32, error_code int16,
    /// old_style_offsets []int64 (v0 only),
    /// timestamp int64 (v1+, default -1), offset int64 (v1+, default -1),
    /// leader_epoch int32 (v4+, default -1)
    /// ```
    public struct PartitionResponse: KafkaCodable {
        public var partitionIndex: Int32
        public var errorCode: ErrorCode
        public var oldStyleOffsets: [Int64]
        public var timestamp: Int64
        public var offset: Int64
        public var leaderEpoch: LeaderEpoch

        public init(
            partitionIndex: Int32, errorCode: ErrorCode = .none, oldStyleOffsets: [Int64] = [], timestamp: Int64 = -1,
            offset: Int64 = -1, leaderEpoch: LeaderEpoch = -1
        ) {
            self.partitionIndex = partitionIndex
            self.errorCode = errorCode
            self.oldStyleOffsets = oldStyleOffsets
            self.timestamp = timestamp
            self.offset = offset
            self.leaderEpoch = leaderEpoch
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            partitionIndex = try buffer.readInt32("partitions.partition_index")
            errorCode = try buffer.readErrorCode("partitions.error_code")
            oldStyleOffsets = version == 0 ? try buffer.readInt64Array("partitions.old_style_offsets") : []
            if version >= 1 {
                timestamp = try buffer.readInt64("partitions.timestamp")
                offset = try buffer.readInt64("partitions.offset")
            } else {
                timestamp = -1
                offset = -1
            }
            leaderEpoch = version >= 4 ? try buffer.readLeaderEpoch("partitions.leader_epoch") : -1
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeInt32(partitionIndex)
            buffer.writeErrorCode(errorCode)
            if version == 0 { buffer.writeInt64Array(oldStyleOffsets) }
            if version >= 1 {
                buffer.writeInt64(timestamp)
                buffer.writeInt64(offset)
            }
            if version >= 4 { buffer.writeLeaderEpoch(leaderEpoch) }
        }
    }
}
