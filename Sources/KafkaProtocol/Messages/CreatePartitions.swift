import KafkaCommon
import NIOCore

/// CreatePartitions (key 37): raise the partition count of existing topics, optionally with
/// the replicas of each new partition. Must be sent to the controller.
///
/// Supported: v0–v1 (Kafka 2.3); v1 has v0's layout (it only throttles before responding).
/// First flexible version: 2.
public enum CreatePartitions: KafkaAPI {
    public static let key = ApiKey.createPartitions
    public static let versions: ClosedRange<Int16> = 0...1
    public static let firstFlexibleVersion: Int16? = 2

    /// ```
    /// topics ARRAY of { name STRING, count int32,
    ///                   assignments nullable ARRAY of { broker_ids []int32 } }
    /// timeout_ms int32
    /// validate_only BOOLEAN
    /// ```
    public struct Request: KafkaCodable {
        public var topics: [Topic]
        public var timeoutMs: Int32
        public var validateOnly: Bool

        public init(topics: [Topic], timeoutMs: Int32, validateOnly: Bool = false) {
            self.topics = topics
            self.timeoutMs = timeoutMs
            self.validateOnly = validateOnly
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try CreatePartitions.checkVersion(version)
            topics = try buffer.readArray(of: Topic.self, version: version, "topics")
            timeoutMs = try buffer.readInt32("timeout_ms")
            validateOnly = try buffer.readBoolean("validate_only")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeArray(topics, version: version)
            buffer.writeInt32(timeoutMs)
            buffer.writeBoolean(validateOnly)
        }
    }

    /// One topic: its new total partition `count` and, unless null, the replicas of each new
    /// partition (one entry per added partition).
    public struct Topic: KafkaCodable {
        public var name: String
        public var count: Int32
        public var assignments: [Assignment]?

        public init(name: String, count: Int32, assignments: [Assignment]? = nil) {
            self.name = name
            self.count = count
            self.assignments = assignments
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString("topics.name")
            count = try buffer.readInt32("topics.count")
            assignments = try buffer.readNullableArray(of: Assignment.self, version: version, "topics.assignments")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(name)
            buffer.writeInt32(count)
            buffer.writeNullableArray(assignments, version: version)
        }
    }

    public struct Assignment: KafkaCodable {
        public var brokerIds: [BrokerId]

        public init(brokerIds: [BrokerId]) { self.brokerIds = brokerIds }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            brokerIds = try buffer.readBrokerIdArray("assignments.broker_ids")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeBrokerIdArray(brokerIds)
        }
    }

    /// ```
    /// throttle_time_ms int32
    /// results ARRAY of { name STRING, error_code int16, error_message NULLABLE_STRING }
    /// ```
    public struct Response: KafkaCodable {
        public var throttleTimeMs: Int32
        public var results: [Result]

        public init(throttleTimeMs: Int32 = 0, results: [Result]) {
            self.throttleTimeMs = throttleTimeMs
            self.results = results
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try CreatePartitions.checkVersion(version)
            throttleTimeMs = try buffer.readInt32("throttle_time_ms")
            results = try buffer.readArray(of: Result.self, version: version, "results")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeInt32(throttleTimeMs)
            buffer.writeArray(results, version: version)
        }
    }

    public struct Result: KafkaCodable {
        public var name: String
        public var errorCode: ErrorCode
        public var errorMessage: String?

        public init(name: String, errorCode: ErrorCode = .none, errorMessage: String? = nil) {
            self.name = name
            self.errorCode = errorCode
            self.errorMessage = errorMessage
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString("results.name")
            errorCode = try buffer.readErrorCode("results.error_code")
            errorMessage = try buffer.readNullableString("results.error_message")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(name)
            buffer.writeErrorCode(errorCode)
            buffer.writeNullableString(errorMessage)
        }
    }
}
