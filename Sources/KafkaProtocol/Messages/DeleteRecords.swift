import NIOCore

/// DeleteRecords (key 21): advance partitions' log start offsets, deleting every record before
/// the given offset (`-1` means up to the high watermark). Sent to each partition's leader.
///
/// Supported: v0–v1 (Kafka 2.3); v1 has v0's layout. First flexible version: 2.
public enum DeleteRecords: KafkaAPI {
    public static let key = ApiKey.deleteRecords
    public static let versions: ClosedRange<Int16> = 0...1
    public static let firstFlexibleVersion: Int16? = 2

    /// ```
    /// topics ARRAY of { name STRING, partitions ARRAY of { partition_index int32, offset int64 } }
    /// timeout_ms int32
    /// ```
    public struct Request: KafkaCodable {
        public var topics: [Topic]
        public var timeoutMs: Int32

        public init(topics: [Topic], timeoutMs: Int32) {
            self.topics = topics
            self.timeoutMs = timeoutMs
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try DeleteRecords.checkVersion(version)
            topics = try buffer.readArray(of: Topic.self, version: version, "topics")
            timeoutMs = try buffer.readInt32("timeout_ms")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeArray(topics, version: version)
            buffer.writeInt32(timeoutMs)
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

    public struct Partition: KafkaCodable {
        public var partitionIndex: Int32
        /// Records before this offset are deleted.
        public var offset: Int64

        public init(partitionIndex: Int32, offset: Int64) {
            self.partitionIndex = partitionIndex
            self.offset = offset
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            partitionIndex = try buffer.readInt32("partitions.partition_index")
            offset = try buffer.readInt64("partitions.offset")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeInt32(partitionIndex)
            buffer.writeInt64(offset)
        }
    }

    /// ```
    /// throttle_time_ms int32
    /// topics ARRAY of { name STRING,
    ///                   partitions ARRAY of { partition_index int32, low_watermark int64, error_code int16 } }
    /// ```
    public struct Response: KafkaCodable {
        public var throttleTimeMs: Int32
        public var topics: [TopicResult]

        public init(throttleTimeMs: Int32 = 0, topics: [TopicResult]) {
            self.throttleTimeMs = throttleTimeMs
            self.topics = topics
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try DeleteRecords.checkVersion(version)
            throttleTimeMs = try buffer.readInt32("throttle_time_ms")
            topics = try buffer.readArray(of: TopicResult.self, version: version, "topics")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeInt32(throttleTimeMs)
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
        /// The new log start offset; `-1` on error.
        public var lowWatermark: Int64
        public var errorCode: ErrorCode

        public init(partitionIndex: Int32, lowWatermark: Int64, errorCode: ErrorCode = .none) {
            self.partitionIndex = partitionIndex
            self.lowWatermark = lowWatermark
            self.errorCode = errorCode
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            partitionIndex = try buffer.readInt32("partitions.partition_index")
            lowWatermark = try buffer.readInt64("partitions.low_watermark")
            errorCode = try buffer.readErrorCode("partitions.error_code")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeInt32(partitionIndex)
            buffer.writeInt64(lowWatermark)
            buffer.writeErrorCode(errorCode)
        }
    }
}
