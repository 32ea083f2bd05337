import NIOCore

/// DeleteTopics (key 20): mark topics for deletion (the controller then deletes them through
/// `/admin/delete_topics`). Must be sent to the controller.
///
/// Supported: v0–v3 (Kafka 2.3). First flexible version: 4. v1 added the throttle time; v2 and
/// v3 only changed throttling and errors.
public enum DeleteTopics: KafkaAPI {
    public static let key = ApiKey.deleteTopics
    public static let versions: ClosedRange<Int16> = 0...3
    public static let firstFlexibleVersion: Int16? = 4

    /// `topic_names []STRING, timeout_ms int32`.
    public struct Request: KafkaCodable {
        public var topicNames: [String]
        public var timeoutMs: Int32

        public init(topicNames: [String], timeoutMs: Int32) {
            self.topicNames = topicNames
            self.timeoutMs = timeoutMs
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try DeleteTopics.checkVersion(version)
            topicNames = try buffer.readStringArray("topic_names")
            timeoutMs = try buffer.readInt32("timeout_ms")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeStringArray(topicNames)
            buffer.writeInt32(timeoutMs)
        }
    }

    /// ```
    /// throttle_time_ms int32            (v1+)
    /// responses ARRAY of { name STRING, error_code int16 }
    /// ```
    public struct Response: KafkaCodable {
        public var throttleTimeMs: Int32
        public var responses: [DeletableTopicResult]

        public init(throttleTimeMs: Int32 = 0, responses: [DeletableTopicResult]) {
            self.throttleTimeMs = throttleTimeMs
            self.responses = responses
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try DeleteTopics.checkVersion(version)
            throttleTimeMs = version >= 1 ? try buffer.readInt32("throttle_time_ms") : 0
            responses = try buffer.readArray(of: DeletableTopicResult.self, version: version, "responses")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            if version >= 1 { buffer.writeInt32(throttleTimeMs) }
            buffer.writeArray(responses, version: version)
        }
    }

    public struct DeletableTopicResult: KafkaCodable {
        public var name: String
        public var errorCode: ErrorCode

        public init(name: String, errorCode: ErrorCode = .none) {
            self.name = name
            self.errorCode = errorCode
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString("responses.name")
            errorCode = try buffer.readErrorCode("responses.error_code")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(name)
            buffer.writeErrorCode(errorCode)
        }
    }
}
