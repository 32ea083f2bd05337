import KafkaCommon
import NIOCore

/// CreateTopics (key 19): create topics with a partition count and replication factor, or an
/// explicit replica assignment, and topic-level configs. Must be sent to the controller.
///
/// Supported: v0–v3 (Kafka 2.3). First flexible version: 5. v1 added `validate_only` and error
/// messages, v2 the throttle time; v3 is v2 (throttling before the response).
public enum CreateTopics: KafkaAPI {
    public static let key = ApiKey.createTopics
    public static let versions: ClosedRange<Int16> = 0...3
    public static let firstFlexibleVersion: Int16? = 5

    /// ```
    /// topics ARRAY of CreatableTopic
    /// timeout_ms int32
    /// validate_only BOOLEAN             (v1+)
    /// ```
    public struct Request: KafkaCodable {
        public var topics: [CreatableTopic]
        public var timeoutMs: Int32
        public var validateOnly: Bool

        public init(topics: [CreatableTopic], timeoutMs: Int32, validateOnly: Bool = false) {
            self.topics = topics
            self.timeoutMs = timeoutMs
            self.validateOnly = validateOnly
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try CreateTopics.checkVersion(version)
            topics = try buffer.readArray(of: CreatableTopic.self, version: version, "topics")
            timeoutMs = try buffer.readInt32("timeout_ms")
            validateOnly = version >= 1 ? try buffer.readBoolean("validate_only") : false
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeArray(topics, version: version)
            buffer.writeInt32(timeoutMs)
            if version >= 1 { buffer.writeBoolean(validateOnly) }
        }
    }

    /// ```
    /// name STRING, num_partitions int32 (-1 with an assignment), replication_factor int16
    /// (-1 with an assignment), assignments ARRAY of { partition_index int32, broker_ids []int32 },
    /// configs ARRAY of { name STRING, value NULLABLE_STRING }
    /// ```
    public struct CreatableTopic: KafkaCodable {
        public var name: String
        public var numPartitions: Int32
        public var replicationFactor: Int16
        public var assignments: [ReplicaAssignment]
        public var configs: [Config]

        public init(name: String, numPartitions: Int32, replicationFactor: Int16, assignments: [ReplicaAssignment] = [], configs: [Config] = []) {
            self.name = name
            self.numPartitions = numPartitions
            self.replicationFactor = replicationFactor
            self.assignments = assignments
            self.configs = configs
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString("topics.name")
            numPartitions = try buffer.readInt32("topics.num_partitions")
            replicationFactor = try buffer.readInt16("topics.replication_factor")
            assignments = try buffer.readArray(of: ReplicaAssignment.self, version: version, "topics.assignments")
            configs = try buffer.readArray(of: Config.self, version: version, "topics.configs")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(name)
            buffer.writeInt32(numPartitions)
            buffer.writeInt16(replicationFactor)
            buffer.writeArray(assignments, version: version)
            buffer.writeArray(configs, version: version)
        }
    }

    /// The replicas of one partition of a topic created with an explicit assignment.
    public struct ReplicaAssignment: KafkaCodable {
        public var partitionIndex: Int32
        public var brokerIds: [BrokerId]

        public init(partitionIndex: Int32, brokerIds: [BrokerId]) {
            self.partitionIndex = partitionIndex
            self.brokerIds = brokerIds
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            partitionIndex = try buffer.readInt32("assignments.partition_index")
            brokerIds = try buffer.readBrokerIdArray("assignments.broker_ids")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeInt32(partitionIndex)
            buffer.writeBrokerIdArray(brokerIds)
        }
    }

    /// A topic config to set at creation; a null value means the broker default.
    public struct Config: KafkaCodable {
        public var name: String
        public var value: String?

        public init(name: String, value: String?) {
            self.name = name
            self.value = value
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString("configs.name")
            value = try buffer.readNullableString("configs.value")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(name)
            buffer.writeNullableString(value)
        }
    }

    /// ```
    /// throttle_time_ms int32            (v2+)
    /// topics ARRAY of { name STRING, error_code int16, error_message NULLABLE_STRING (v1+) }
    /// ```
    public struct Response: KafkaCodable {
        public var throttleTimeMs: Int32
        public var topics: [CreatableTopicResult]

        public init(throttleTimeMs: Int32 = 0, topics: [CreatableTopicResult]) {
            self.throttleTimeMs = throttleTimeMs
            self.topics = topics
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try CreateTopics.checkVersion(version)
            throttleTimeMs = version >= 2 ? try buffer.readInt32("throttle_time_ms") : 0
            topics = try buffer.readArray(of: CreatableTopicResult.self, version: version, "topics")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            if version >= 2 { buffer.writeInt32(throttleTimeMs) }
            buffer.writeArray(topics, version: version)
        }
    }

    public struct CreatableTopicResult: KafkaCodable {
        public var name: String
        public var errorCode: ErrorCode
        public var errorMessage: String?

        public init(name: String, errorCode: ErrorCode = .none, errorMessage: String? = nil) {
            self.name = name
            self.errorCode = errorCode
            self.errorMessage = errorMessage
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString("topics.name")
            errorCode = try buffer.readErrorCode("topics.error_code")
            errorMessage = version >= 1 ? try buffer.readNullableString("topics.error_message") : nil
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(name)
            buffer.writeErrorCode(errorCode)
            if version >= 1 { buffer.writeNullableString(errorMessage) }
        }
    }
}
