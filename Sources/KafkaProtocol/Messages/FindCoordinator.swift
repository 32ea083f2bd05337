import KafkaCommon
import NIOCore

/// FindCoordinator (key 10): which broker coordinates a consumer group (`key_type` 0, key = the
/// group id) or a transactional id (`key_type` 1): the leader of the group's (or id's)
/// partition of `__consumer_offsets` (or `__transaction_state`).
///
/// Supported: v0–v2 (Kafka 2.3). First flexible version: 3. v1 added the key type, throttle
/// time and error message.
public enum FindCoordinator: KafkaAPI {
    public static let key = ApiKey.findCoordinator
    public static let versions: ClosedRange<Int16> = 0...2
    public static let firstFlexibleVersion: Int16? = 3

    /// `key_type` values.
    public enum KeyType {
        public static let group: Int8 = 0
        public static let transaction: Int8 = 1
    }

    /// `key STRING, key_type int8 (v1+, default 0 = group)`.
    public struct Request: KafkaCodable {
        public var key: String
        public var keyType: Int8

        public init(key: String, keyType: Int8 = KeyType.group) {
            self.key = key
            self.keyType = keyType
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try FindCoordinator.checkVersion(version)
            key = try buffer.readKafkaString("key")
            keyType = version >= 1 ? try buffer.readInt8("key_type") : KeyType.group
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(key)
            if version >= 1 { buffer.writeInt8(keyType) }
        }
    }

    /// ```
    /// throttle_time_ms int32 (v1+), error_code int16, error_message NULLABLE_STRING (v1+),
    /// node_id int32, host STRING, port int32
    /// ```
    /// Kafka 2.3 puts the error's name in `error_message` even on success (`"NONE"`).
    public struct Response: KafkaCodable {
        public var throttleTimeMs: Int32
        public var errorCode: ErrorCode
        public var errorMessage: String?
        public var nodeId: BrokerId
        public var host: String
        public var port: Int32

        public init(
            throttleTimeMs: Int32 = 0, errorCode: ErrorCode = .none, errorMessage: String? = nil, nodeId: BrokerId,
            host: String, port: Int32
        ) {
            self.throttleTimeMs = throttleTimeMs
            self.errorCode = errorCode
            self.errorMessage = errorMessage
            self.nodeId = nodeId
            self.host = host
            self.port = port
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try FindCoordinator.checkVersion(version)
            throttleTimeMs = version >= 1 ? try buffer.readInt32("throttle_time_ms") : 0
            errorCode = try buffer.readErrorCode()
            errorMessage = version >= 1 ? try buffer.readNullableString("error_message") : nil
            nodeId = try buffer.readBrokerId("node_id")
            host = try buffer.readKafkaString("host")
            port = try buffer.readInt32("port")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            if version >= 1 { buffer.writeInt32(throttleTimeMs) }
            buffer.writeErrorCode(errorCode)
            if version >= 1 { buffer.writeNullableString(errorMessage) }
            buffer.writeBrokerId(nodeId)
            buffer.writeKafkaString(host)
            buffer.writeInt32(port)
        }
    }
}
