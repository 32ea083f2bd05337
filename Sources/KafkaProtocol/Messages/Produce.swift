import NIOCore

/// Produce (key 0): append record batches to partition logs.
///
/// Supported: v0–v7 (Kafka 2.3). First flexible version: 9. v3 brought the transactional id and
/// requires message format v2 batches; v7 is v6 with ZStandard allowed. The record set of each
/// partition stays an opaque slice of the request buffer; the codec never parses or copies it.
public enum Produce: KafkaAPI {
    public static let key = ApiKey.produce
    public static let versions: ClosedRange<Int16> = 0...7
    public static let firstFlexibleVersion: Int16? = 9

    /// ```
    /// transactional_id NULLABLE_STRING     (v3+)
    /// acks int16                           (0: no response, 1: leader, -1: all in-sync replicas)
    /// timeout_ms int32
    /// topic_data ARRAY of { name STRING, partition_data ARRAY of { index int32, records RECORDS } }
    /// ```
    public struct Request: KafkaCodable {
        public var transactionalId: String?
        public var acks: Int16
        public var timeoutMs: Int32
        public var topicData: [TopicData]

        public init(transactionalId: String? = nil, acks: Int16, timeoutMs: Int32, topicData: [TopicData]) {
            self.transactionalId = transactionalId
            self.acks = acks
            self.timeoutMs = timeoutMs
            self.topicData = topicData
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try Produce.checkVersion(version)
            transactionalId = version >= 3 ? try buffer.readNullableString("transactional_id") : nil
            acks = try buffer.readInt16("acks")
            timeoutMs = try buffer.readInt32("timeout_ms")
            topicData = try buffer.readArray(of: TopicData.self, version: version, "topic_data")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            if version >= 3 { buffer.writeNullableString(transactionalId) }
            buffer.writeInt16(acks)
            buffer.writeInt32(timeoutMs)
            buffer.writeArray(topicData, version: version)
        }
    }

    public struct TopicData: KafkaCodable {
        public var name: String
        public var partitionData: [PartitionData]

        public init(name: String, partitionData: [PartitionData]) {
            self.name = name
            self.partitionData = partitionData
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString("topic_data.name")
            partitionData = try buffer.readArray(of: PartitionData.self, version: version, "topic_data.partition_data")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(name)
            buffer.writeArray(partitionData, version: version)
        }
    }

    public struct PartitionData: KafkaCodable {
        public var index: Int32
        /// The record batches (or v0/v1 message set) exactly as sent: a slice, not a copy.
        public var records: ByteBuffer?

        public init(index: Int32, records: ByteBuffer?) {
            self.index = index
            self.records = records
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            index = try buffer.readInt32("partition_data.index")
            records = try buffer.readNullableBytes("partition_data.records")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeInt32(index)
            buffer.writeNullableBytes(records)
        }
    }

    /// ```
    /// responses ARRAY of { name STRING, partition_responses ARRAY of PartitionResponse }
    /// throttle_time_ms int32               (v1+)
    /// ```
    public struct Response: KafkaCodable {
        public var responses: [TopicResponse]
        public var throttleTimeMs: Int32

        public init(responses: [TopicResponse], throttleTimeMs: Int32 = 0) {
            self.responses = responses
            self.throttleTimeMs = throttleTimeMs
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try Produce.checkVersion(version)
            responses = try buffer.readArray(of: TopicResponse.self, version: version, "responses")
            throttleTimeMs = version >= 1 ? try buffer.readInt32("throttle_time_ms") : 0
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeArray(responses, version: version)
            if version >= 1 { buffer.writeInt32(throttleTimeMs) }
        }
    }

    public struct TopicResponse: KafkaCodable {
        public var name: String
        public var partitionResponses: [PartitionResponse]

        public init(name: String, partitionResponses: [PartitionResponse]) {
            self.name = name
            self.partitionResponses = partitionResponses
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString("responses.name")
            partitionResponses = try buffer.readArray(of: PartitionResponse.self, version: version, "responses.partition_responses")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(name)
            buffer.writeArray(partitionResponses, version: version)
        }
    }

    /// ```
    /// index int32, error_code int16, base_offset int64,
    /// log_append_time_ms int64 (v2+), log_start_offset int64 (v5+)
    /// ```
    public struct PartitionResponse: KafkaCodable {
        public var index: Int32
        public var errorCode: ErrorCode
        /// The offset given to the first record appended; `-1` on error.
        public var baseOffset: Int64
        /// The broker's append time when the topic uses LogAppendTime, else `-1`.
        public var logAppendTimeMs: Int64
        /// The partition's log start offset; `-1` on error.
        public var logStartOffset: Int64

        public init(index: Int32, errorCode: ErrorCode = .none, baseOffset: Int64, logAppendTimeMs: Int64 = -1, logStartOffset: Int64 = -1) {
            self.index = index
            self.errorCode = errorCode
            self.baseOffset = baseOffset
            self.logAppendTimeMs = logAppendTimeMs
            self.logStartOffset = logStartOffset
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            index = try buffer.readInt32("partition_responses.index")
            errorCode = try buffer.readErrorCode("partition_responses.error_code")
            baseOffset = try buffer.readInt64("partition_responses.base_offset")
            logAppendTimeMs = version >= 2 ? try buffer.readInt64("partition_responses.log_append_time_ms") : -1
            logStartOffset = version >= 5 ? try buffer.readInt64("partition_responses.log_start_offset") : -1
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeInt32(index)
            buffer.writeErrorCode(errorCode)
            buffer.writeInt64(baseOffset)
            if version >= 2 { buffer.writeInt64(logAppendTimeMs) }
            if version >= 5 { buffer.writeInt64(logStartOffset) }
        }
    }
}
