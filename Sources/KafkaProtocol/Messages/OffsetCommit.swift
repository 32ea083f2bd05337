import KafkaCommon
import NIOCore

/// OffsetCommit (key 8): a group member stores its consumed positions in `__consumer_offsets`.
///
/// Supported: v0–v7 (Kafka 2.3). First flexible version: 8. v0 commits to ZooKeeper-era storage
/// without a generation; v1 added the generation, member id and a per-partition commit
/// timestamp (v1 only); v2–v4 a group-wide retention time instead; v3 the throttle time;
/// v6 the leader epoch; v7 `group_instance_id`.
public enum OffsetCommit: KafkaAPI {
    public static let key = ApiKey.offsetCommit
    public static let versions: ClosedRange<Int16> = 0...7
    public static let firstFlexibleVersion: Int16? = 8

    /// ```
    /// group_id STRING
    /// generation_id int32                  (v1+, default -1)
    /// member_id STRING                     (v1+, default "")
    /// group_instance_id NULLABLE_STRING    (v7+)
    /// retention_time_ms int64              (v2–v4, default -1: the broker's retention)
    /// topics ARRAY of { name STRING, partitions ARRAY of Partition }
    /// ```
    public struct Request: KafkaCodable {
        public var groupId: String
        public var generationId: Int32
        public var memberId: String
        public var groupInstanceId: String?
        public var retentionTimeMs: Int64
        public var topics: [Topic]

        public init(
            groupId: String, generationId: Int32 = -1, memberId: String = "", groupInstanceId: String? = nil,
            retentionTimeMs: Int64 = -1, topics: [Topic]
        ) {
            self.groupId = groupId
            self.generationId = generationId
            self.memberId = memberId
            self.groupInstanceId = groupInstanceId
            self.retentionTimeMs = retentionTimeMs
            self.topics = topics
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try OffsetCommit.checkVersion(version)
            groupId = try buffer.readKafkaString("group_id")
            if version >= 1 {
                generationId = try buffer.readInt32("generation_id")
                memberId = try buffer.readKafkaString("member_id")
            } else {
                generationId = -1
                memberId = ""
            }
            groupInstanceId = version >= 7 ? try buffer.readNullableString("group_instance_id") : nil
            retentionTimeMs = (2...4).contains(version) ? try buffer.readInt64("retention_time_ms") : -1
            topics = try buffer.readArray(of: Topic.self, version: version, "topics")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(groupId)
            if version >= 1 {
                buffer.writeInt32(generationId)
                buffer.writeKafkaString(memberId)
            }
            if version >= 7 { buffer.writeNullableString(groupInstanceId) }
            if (2...4).contains(version) { buffer.writeInt64(retentionTimeMs) }
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
    /// partition_index int32, committed_offset int64,
    /// committed_leader_epoch int32 (v6+, default -1), commit_timestamp int64 (v1 only, default -1),
    /// committed_metadata NULLABLE_STRING
    /// ```
    public struct Partition: KafkaCodable {
        public var partitionIndex: Int32
        public var committedOffset: Int64
        public var committedLeaderEpoch: LeaderEpoch
        public var commitTimestamp: Int64
        public var committedMetadata: String?

        public init(
            partitionIndex: Int32, committedOffset: Int64, committedLeaderEpoch: LeaderEpoch = -1,
            commitTimestamp: Int64 = -1, committedMetadata: String? = ""
        ) {
            self.partitionIndex = partitionIndex
            self.committedOffset = committedOffset
            self.committedLeaderEpoch = committedLeaderEpoch
            self.commitTimestamp = commitTimestamp
            self.committedMetadata = committedMetadata
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            partitionIndex = try buffer.readInt32("partitions.partition_index")
            committedOffset = try buffer.readInt64("partitions.committed_offset")
            committedLeaderEpoch = version >= 6 ? try buffer.readLeaderEpoch("partitions.committed_leader_epoch") : -1
            commitTimestamp = version == 1 ? try buffer.readInt64("partitions.commit_timestamp") : -1
            committedMetadata = try buffer.readNullableString("partitions.committed_metadata")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeInt32(partitionIndex)
            buffer.writeInt64(committedOffset)
            if version >= 6 { buffer.writeLeaderEpoch(committedLeaderEpoch) }
            if version == 1 { buffer.writeInt64(commitTimestamp) }
            buffer.writeNullableString(committedMetadata)
        }
    }

    /// ```
    /// throttle_time_ms int32               (v3+)
    /// topics ARRAY of { name STRING, partitions ARRAY of { partition_index int32, error_code int16 } }
    /// ```
    public struct Response: KafkaCodable {
        public var throttleTimeMs: Int32
        public var topics: [TopicResult]

        public init(throttleTimeMs: Int32 = 0, topics: [TopicResult]) {
            self.throttleTimeMs = throttleTimeMs
            self.topics = topics
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try OffsetCommit.checkVersion(version)
            throttleTimeMs = version >= 3 ? try buffer.readInt32("throttle_time_ms") : 0
            topics = try buffer.readArray(of: TopicResult.self, version: version, "topics")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            if version >= 3 { buffer.writeInt32(throttleTimeMs) }
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

    public struct PartitionResult: KafkaCodable {
        public var partitionIndex: Int32
        public var errorCode: ErrorCode

        public init(partitionIndex: Int32, errorCode: ErrorCode = .none) {
            self.partitionIndex = partitionIndex
            self.errorCode = errorCode
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            partitionIndex = try buffer.readInt32("partitions.partition_index")
            errorCode = try buffer.readErrorCode("partitions.error_code")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeInt32(partitionIndex)
            buffer.writeErrorCode(errorCode)
        }
    }
}
