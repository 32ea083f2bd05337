import NIOCore

/// DescribeLogDirs (key 35): the log directories of the broker it is sent to, and the size and
/// lag of each partition replica in them.
///
/// Supported: v0–v1 (Kafka 2.3); v1 has v0's layout. First flexible version: 2.
public enum DescribeLogDirs: KafkaAPI {
    public static let key = ApiKey.describeLogDirs
    public static let versions: ClosedRange<Int16> = 0...1
    public static let firstFlexibleVersion: Int16? = 2

    /// `topics nullable ARRAY of { topic STRING, partitions []int32 }` (null = every partition).
    public struct Request: KafkaCodable {
        public var topics: [Topic]?

        public init(topics: [Topic]?) { self.topics = topics }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try DescribeLogDirs.checkVersion(version)
            topics = try buffer.readNullableArray(of: Topic.self, version: version, "topics")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeNullableArray(topics, version: version)
        }
    }

    public struct Topic: KafkaCodable {
        public var topic: String
        public var partitions: [Int32]

        public init(topic: String, partitions: [Int32]) {
            self.topic = topic
            self.partitions = partitions
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            topic = try buffer.readKafkaString("topics.topic")
            partitions = try buffer.readInt32Array("topics.partitions")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(topic)
            buffer.writeInt32Array(partitions)
        }
    }

    /// ```
    /// throttle_time_ms int32
    /// results ARRAY of { error_code int16, log_dir STRING, topics ARRAY of TopicResult }
    /// ```
    public struct Response: KafkaCodable {
        public var throttleTimeMs: Int32
        public var results: [Result]

        public init(throttleTimeMs: Int32 = 0, results: [Result]) {
            self.throttleTimeMs = throttleTimeMs
            self.results = results
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try DescribeLogDirs.checkVersion(version)
            throttleTimeMs = try buffer.readInt32("throttle_time_ms")
            results = try buffer.readArray(of: Result.self, version: version, "results")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeInt32(throttleTimeMs)
            buffer.writeArray(results, version: version)
        }
    }

    /// One log directory; KAFKA_STORAGE_ERROR when it is offline.
    public struct Result: KafkaCodable {
        public var errorCode: ErrorCode
        public var logDir: String
        public var topics: [TopicResult]

        public init(errorCode: ErrorCode = .none, logDir: String, topics: [TopicResult]) {
            self.errorCode = errorCode
            self.logDir = logDir
            self.topics = topics
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            errorCode = try buffer.readErrorCode("results.error_code")
            logDir = try buffer.readKafkaString("results.log_dir")
            topics = try buffer.readArray(of: TopicResult.self, version: version, "results.topics")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeErrorCode(errorCode)
            buffer.writeKafkaString(logDir)
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
    /// partition_index int32, partition_size int64, offset_lag int64, is_future_key BOOLEAN
    /// ```
    /// `offset_lag` is how far a future replica (one being moved between directories) trails the
    /// current one; `is_future_key` marks such a replica.
    public struct PartitionResult: KafkaCodable {
        public var partitionIndex: Int32
        public var partitionSize: Int64
        public var offsetLag: Int64
        public var isFutureKey: Bool

        public init(partitionIndex: Int32, partitionSize: Int64, offsetLag: Int64 = 0, isFutureKey: Bool = false) {
            self.partitionIndex = partitionIndex
            self.partitionSize = partitionSize
            self.offsetLag = offsetLag
            self.isFutureKey = isFutureKey
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            partitionIndex = try buffer.readInt32("partitions.partition_index")
            partitionSize = try buffer.readInt64("partitions.partition_size")
            offsetLag = try buffer.readInt64("partitions.offset_lag")
            isFutureKey = try buffer.readBoolean("partitions.is_future_key")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeInt32(partitionIndex)
            buffer.writeInt64(partitionSize)
            buffer.writeInt64(offsetLag)
            buffer.writeBoolean(isFutureKey)
        }
    }
}
