import KafkaCommon
import NIOCore

/// OffsetFetch (key 9): the offsets a group has committed, for some partitions or (v2+, with
/// `topics = null`) for every partition it has committed to.
///
/// Supported: v0–v5 (Kafka 2.3). First flexible version: 6. v1 reads from Kafka storage instead
/// of ZooKeeper (same layout), v2 added the null topic list and the top-level error code, v3
/// the throttle time, v5 the leader epoch.
public enum OffsetFetch: KafkaAPI {
    public static let key = ApiKey.offsetFetch
    public static let versions: ClosedRange<Int16> = 0...5
    public static let firstFlexibleVersion: Int16? = 6

    /// ```
    /// group_id STRING
    /// topics ARRAY of { name STRING, partition_indexes []int32 }   (nullable in v2+: all topics)
    /// ```
    public struct Request: KafkaCodable {
        public var groupId: String
        public var topics: [Topic]?

        public init(groupId: String, topics: [Topic]?) {
            self.groupId = groupId
            self.topics = topics
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try OffsetFetch.checkVersion(version)
            groupId = try buffer.readKafkaString("group_id")
            topics = version >= 2
                ? try buffer.readNullableArray(of: Topic.self, version: version, "topics")
                : try buffer.readArray(of: Topic.self, version: version, "topics")
        }

        /// A nil topic list is written as `[]` before v2, which cannot express "all".
        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(groupId)
            if version >= 2 {
                buffer.writeNullableArray(topics, version: version)
            } else {
                buffer.writeArray(topics ?? [], version: version)
            }
        }
    }

    public struct Topic: KafkaCodable {
        public var name: String
        public var partitionIndexes: [Int32]

        public init(name: String, partitionIndexes: [Int32]) {
            self.name = name
            self.partitionIndexes = partitionIndexes
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString("topics.name")
            partitionIndexes = try buffer.readInt32Array("topics.partition_indexes")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(name)
            buffer.writeInt32Array(partitionIndexes)
        }
    }

    /// ```
    /// throttle_time_ms int32               (v3+)
    /// topics ARRAY of { name STRING, partitions ARRAY of PartitionResult }
    /// error_code int16                     (v2+)
    /// ```
    public struct Response: KafkaCodable {
        public var throttleTimeMs: Int32
        public var topics: [TopicResult]
        public var errorCode: ErrorCode

        public init(throttleTimeMs: Int32 = 0, topics: [TopicResult], errorCode: ErrorCode = .none) {
            self.throttleTimeMs = throttleTimeMs
            self.topics = topics
            self.errorCode = errorCode
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try OffsetFetch.checkVersion(version)
            throttleTimeMs = version >= 3 ? try buffer.readInt32("throttle_time_ms") : 0
            topics = try buffer.readArray(of: TopicResult.self, version: version, "topics")
            errorCode = version >= 2 ? try buffer.readErrorCode() : .none
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            if version >= 3 { buffer.writeInt32(throttleTimeMs) }
            buffer.writeArray(topics, version: version)
            if version >= 2 { buffer.writeErrorCode(errorCode) }
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
    /// partition_index int32, committed_offset int64 (-1: none committed),
    /// committed_leader_epoch int32 (v5+, default -1), metadata NULLABLE_STRING, error_code int16
    /// ```
    public struct PartitionResult: KafkaCodable {
        public var partitionIndex: Int32
        public var committedOffset: Int64
        public var committedLeaderEpoch: LeaderEpoch
        public var metadata: String?
        public var errorCode: ErrorCode

        public init(
            partitionIndex: Int32, committedOffset: Int64, committedLeaderEpoch: LeaderEpoch = -1, metadata: String? = "",
            errorCode: ErrorCode = .none
        ) {
            self.partitionIndex = partitionIndex
            self.committedOffset = committedOffset
            self.committedLeaderEpoch = committedLeaderEpoch
            self.metadata = metadata
            self.errorCode = errorCode
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            partitionIndex = try buffer.readInt32("partitions.partition_index")
            committedOffset = try buffer.readInt64("partitions.committed_offset")
            committedLeaderEpoch = version >= 5 ? try buffer.readLeaderEpoch("partitions.committed_leader_epoch") : -1
            metadata = try buffer.readNullableString("partitions.metadata")
            errorCode = try buffer.readErrorCode("partitions.error_code")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeInt32(partitionIndex)
            buffer.writeInt64(committedOffset)
            if version >= 5 { buffer.writeLeaderEpoch(committedLeaderEpoch) }
            buffer.writeNullableString(metadata)
            buffer.writeErrorCode(errorCode)
        }
    }
}
