import KafkaCommon
import NIOCore

/// Fetch (key 1): read records from partition logs, for consumers (`replica_id = -1`) and for
/// follower replicas (`replica_id` = their broker id).
///
/// Supported: v0–v11 (Kafka 2.3). First flexible version: 12. v4 added the isolation level and
/// aborted transactions, v5 log start offsets, v7 fetch sessions (KIP-227), v9 the current
/// leader epoch (KIP-320), v11 the rack id and preferred read replica (KIP-392). Record sets in
/// the response are opaque slices (zero copy).
public enum Fetch: KafkaAPI {
    public static let key = ApiKey.fetch
    public static let versions: ClosedRange<Int16> = 0...11
    public static let firstFlexibleVersion: Int16? = 12

    /// ```
    /// replica_id int32                  (-1 for consumers)
    /// max_wait_ms int32
    /// min_bytes int32
    /// max_bytes int32                   (v3+, default 0x7fffffff)
    /// isolation_level int8              (v4+; 0 read_uncommitted, 1 read_committed)
    /// session_id int32                  (v7+, default 0)
    /// session_epoch int32               (v7+, default -1: no session)
    /// topics ARRAY of FetchTopic
    /// forgotten_topics_data ARRAY of ForgottenTopic   (v7+)
    /// rack_id STRING                    (v11+, default "")
    /// ```
    public struct Request: KafkaCodable {
        public var replicaId: BrokerId
        public var maxWaitMs: Int32
        public var minBytes: Int32
        public var maxBytes: Int32
        public var isolationLevel: Int8
        public var sessionId: Int32
        public var sessionEpoch: Int32
        public var topics: [FetchTopic]
        public var forgottenTopicsData: [ForgottenTopic]
        public var rackId: String

        public init(
            replicaId: BrokerId = .none, maxWaitMs: Int32, minBytes: Int32, maxBytes: Int32 = Int32.max,
            isolationLevel: Int8 = 0, sessionId: Int32 = 0, sessionEpoch: Int32 = -1, topics: [FetchTopic],
            forgottenTopicsData: [ForgottenTopic] = [], rackId: String = ""
        ) {
            self.replicaId = replicaId
            self.maxWaitMs = maxWaitMs
            self.minBytes = minBytes
            self.maxBytes = maxBytes
            self.isolationLevel = isolationLevel
            self.sessionId = sessionId
            self.sessionEpoch = sessionEpoch
            self.topics = topics
            self.forgottenTopicsData = forgottenTopicsData
            self.rackId = rackId
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try Fetch.checkVersion(version)
            replicaId = try buffer.readBrokerId("replica_id")
            maxWaitMs = try buffer.readInt32("max_wait_ms")
            minBytes = try buffer.readInt32("min_bytes")
            maxBytes = version >= 3 ? try buffer.readInt32("max_bytes") : Int32.max
            isolationLevel = version >= 4 ? try buffer.readInt8("isolation_level") : 0
            if version >= 7 {
                sessionId = try buffer.readInt32("session_id")
                sessionEpoch = try buffer.readInt32("session_epoch")
            } else {
                sessionId = 0
                sessionEpoch = -1
            }
            topics = try buffer.readArray(of: FetchTopic.self, version: version, "topics")
            forgottenTopicsData = version >= 7
                ? try buffer.readArray(of: ForgottenTopic.self, version: version, "forgotten_topics_data") : []
            rackId = version >= 11 ? try buffer.readKafkaString("rack_id") : ""
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeBrokerId(replicaId)
            buffer.writeInt32(maxWaitMs)
            buffer.writeInt32(minBytes)
            if version >= 3 { buffer.writeInt32(maxBytes) }
            if version >= 4 { buffer.writeInt8(isolationLevel) }
            if version >= 7 {
                buffer.writeInt32(sessionId)
                buffer.writeInt32(sessionEpoch)
            }
            buffer.writeArray(topics, version: version)
            if version >= 7 { buffer.writeArray(forgottenTopicsData, version: version) }
            if version >= 11 { buffer.writeKafkaString(rackId) }
        }
    }

    /// `topic STRING, partitions ARRAY of FetchPartition`.
    public struct FetchTopic: KafkaCodable {
        public var topic: String
        public var partitions: [FetchPartition]

        public init(topic: String, partitions: [FetchPartition]) {
            self.topic = topic
            self.partitions = partitions
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            topic = try buffer.readKafkaString("topics.topic")
            partitions = try buffer.readArray(of: FetchPartition.self, version: version, "topics.partitions")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(topic)
            buffer.writeArray(partitions, version: version)
        }
    }

    /// ```
    /// partition int32, current_leader_epoch int32 (v9+, default -1), fetch_offset int64,
    /// log_start_offset int64 (v5+, default -1; followers only), partition_max_bytes int32
    /// ```
    public struct FetchPartition: KafkaCodable {
        public var partition: Int32
        public var currentLeaderEpoch: LeaderEpoch
        public var fetchOffset: Int64
        public var logStartOffset: Int64
        public var partitionMaxBytes: Int32

        public init(partition: Int32, currentLeaderEpoch: LeaderEpoch = -1, fetchOffset: Int64, logStartOffset: Int64 = -1, partitionMaxBytes: Int32) {
            self.partition = partition
            self.currentLeaderEpoch = currentLeaderEpoch
            self.fetchOffset = fetchOffset
            self.logStartOffset = logStartOffset
            self.partitionMaxBytes = partitionMaxBytes
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            partition = try buffer.readInt32("partitions.partition")
            currentLeaderEpoch = version >= 9 ? try buffer.readLeaderEpoch("partitions.current_leader_epoch") : -1
            fetchOffset = try buffer.readInt64("partitions.fetch_offset")
            logStartOffset = version >= 5 ? try buffer.readInt64("partitions.log_start_offset") : -1
            partitionMaxBytes = try buffer.readInt32("partitions.partition_max_bytes")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeInt32(partition)
            if version >= 9 { buffer.writeLeaderEpoch(currentLeaderEpoch) }
            buffer.writeInt64(fetchOffset)
            if version >= 5 { buffer.writeInt64(logStartOffset) }
            buffer.writeInt32(partitionMaxBytes)
        }
    }

    /// Partitions an incremental fetch removes from its session (v7+):
    /// `topic STRING, partitions []int32`.
    public struct ForgottenTopic: KafkaCodable {
        public var topic: String
        public var partitions: [Int32]

        public init(topic: String, partitions: [Int32]) {
            self.topic = topic
            self.partitions = partitions
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            topic = try buffer.readKafkaString("forgotten_topics_data.topic")
            partitions = try buffer.readInt32Array("forgotten_topics_data.partitions")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(topic)
            buffer.writeInt32Array(partitions)
        }
    }

    /// ```
    /// throttle_time_ms int32         (v1+)
    /// error_code int16               (v7+; session-level errors)
    /// session_id int32               (v7+; 0 when not in a session)
    /// responses ARRAY of FetchableTopicResponse
    /// ```
    public struct Response: KafkaCodable {
        public var throttleTimeMs: Int32
        public var errorCode: ErrorCode
        public var sessionId: Int32
        public var responses: [FetchableTopicResponse]

        public init(throttleTimeMs: Int32 = 0, errorCode: ErrorCode = .none, sessionId: Int32 = 0, responses: [FetchableTopicResponse]) {
            self.throttleTimeMs = throttleTimeMs
            self.errorCode = errorCode
            self.sessionId = sessionId
            self.responses = responses
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try Fetch.checkVersion(version)
            throttleTimeMs = version >= 1 ? try buffer.readInt32("throttle_time_ms") : 0
            if version >= 7 {
                errorCode = try buffer.readErrorCode()
                sessionId = try buffer.readInt32("session_id")
            } else {
                errorCode = .none
                sessionId = 0
            }
            responses = try buffer.readArray(of: FetchableTopicResponse.self, version: version, "responses")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            if version >= 1 { buffer.writeInt32(throttleTimeMs) }
            if version >= 7 {
                buffer.writeErrorCode(errorCode)
                buffer.writeInt32(sessionId)
            }
            buffer.writeArray(responses, version: version)
        }
    }

    /// `topic STRING, partitions ARRAY of PartitionData`.
    public struct FetchableTopicResponse: KafkaCodable {
        public var topic: String
        public var partitions: [PartitionData]

        public init(topic: String, partitions: [PartitionData]) {
            self.topic = topic
            self.partitions = partitions
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            topic = try buffer.readKafkaString("responses.topic")
            partitions = try buffer.readArray(of: PartitionData.self, version: version, "responses.partitions")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(topic)
            buffer.writeArray(partitions, version: version)
        }
    }

    /// ```
    /// partition_index int32, error_code int16, high_watermark int64,
    /// last_stable_offset int64 (v4+, default -1), log_start_offset int64 (v5+, default -1),
    /// aborted_transactions nullable ARRAY of { producer_id int64, first_offset int64 } (v4+),
    /// preferred_read_replica int32 (v11+, default -1), records RECORDS
    /// ```
    /// `aborted_transactions` is null for read_uncommitted fetches and an array (maybe empty)
    /// for read_committed ones; clients tell the two apart, so nil and `[]` both round-trip.
    public struct PartitionData: KafkaCodable {
        public var partitionIndex: Int32
        public var errorCode: ErrorCode
        public var highWatermark: Int64
        public var lastStableOffset: Int64
        public var logStartOffset: Int64
        public var abortedTransactions: [AbortedTransaction]?
        public var preferredReadReplica: BrokerId
        /// Record batches exactly as stored in the log: a slice, never parsed here.
        public var records: ByteBuffer?

        public init(
            partitionIndex: Int32, errorCode: ErrorCode = .none, highWatermark: Int64, lastStableOffset: Int64 = -1,
            logStartOffset: Int64 = -1, abortedTransactions: [AbortedTransaction]? = nil,
            preferredReadReplica: BrokerId = .none, records: ByteBuffer?
        ) {
            self.partitionIndex = partitionIndex
            self.errorCode = errorCode
            self.highWatermark = highWatermark
            self.lastStableOffset = lastStableOffset
            self.logStartOffset = logStartOffset
            self.abortedTransactions = abortedTransactions
            self.preferredReadReplica = preferredReadReplica
            self.records = records
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            partitionIndex = try buffer.readInt32("partitions.partition_index")
            errorCode = try buffer.readErrorCode("partitions.error_code")
            highWatermark = try buffer.readInt64("partitions.high_watermark")
            lastStableOffset = version >= 4 ? try buffer.readInt64("partitions.last_stable_offset") : -1
            logStartOffset = version >= 5 ? try buffer.readInt64("partitions.log_start_offset") : -1
            abortedTransactions = version >= 4
                ? try buffer.readNullableArray(of: AbortedTransaction.self, version: version, "partitions.aborted_transactions") : nil
            preferredReadReplica = version >= 11 ? try buffer.readBrokerId("partitions.preferred_read_replica") : .none
            records = try buffer.readNullableBytes("partitions.records")
        }

        /// Every field but `records`, which is the last one: a sender can put the records' bytes
        /// there itself (from a file, without copying them; see `Fetch.Response.writeSplicingRecords`).
        public func writeFieldsBeforeRecords(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeInt32(partitionIndex)
            buffer.writeErrorCode(errorCode)
            buffer.writeInt64(highWatermark)
            if version >= 4 { buffer.writeInt64(lastStableOffset) }
            if version >= 5 { buffer.writeInt64(logStartOffset) }
            if version >= 4 { buffer.writeNullableArray(abortedTransactions, version: version) }
            if version >= 11 { buffer.writeBrokerId(preferredReadReplica) }
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            writeFieldsBeforeRecords(into: &buffer, version: version)
            buffer.writeNullableBytes(records)
        }
    }

    /// A transaction of `producer_id` aborted from `first_offset` on, so that a read_committed
    /// consumer can drop its records.
    public struct AbortedTransaction: KafkaCodable {
        public var producerId: Int64
        public var firstOffset: Int64

        public init(producerId: Int64, firstOffset: Int64) {
            self.producerId = producerId
            self.firstOffset = firstOffset
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            producerId = try buffer.readInt64("aborted_transactions.producer_id")
            firstOffset = try buffer.readInt64("aborted_transactions.first_offset")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeInt64(producerId)
            buffer.writeInt64(firstOffset)
        }
    }
}
