import NIOCore

/// Heartbeat (key 12): a group member tells the coordinator it is alive; the answer
/// REBALANCE_IN_PROGRESS tells it to rejoin.
///
/// Supported: v0–v3 (Kafka 2.3). First flexible version: 4. v1 added the throttle time,
/// v3 the static member's `group_instance_id` (KIP-345).
public enum Heartbeat: KafkaAPI {
    public static let key = ApiKey.heartbeat
    public static let versions: ClosedRange<Int16> = 0...3
    public static let firstFlexibleVersion: Int16? = 4

    /// `group_id STRING, generation_id int32, member_id STRING, group_instance_id NULLABLE_STRING (v3+)`.
    public struct Request: KafkaCodable {
        public var groupId: String
        public var generationId: Int32
        public var memberId: String
        public var groupInstanceId: String?

        public init(groupId: String, generationId: Int32, memberId: String, groupInstanceId: String? = nil) {
            self.groupId = groupId
            self.generationId = generationId
            self.memberId = memberId
            self.groupInstanceId = groupInstanceId
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try Heartbeat.checkVersion(version)
            groupId = try buffer.readKafkaString("group_id")
            generationId = try buffer.readInt32("generation_id")
            memberId = try buffer.readKafkaString("member_id")
            groupInstanceId = version >= 3 ? try buffer.readNullableString("group_instance_id") : nil
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(groupId)
            buffer.writeInt32(generationId)
            buffer.writeKafkaString(memberId)
            if version >= 3 { buffer.writeNullableString(groupInstanceId) }
        }
    }

    /// `throttle_time_ms int32 (v1+), error_code int16`.
    public struct Response: KafkaCodable {
        public var throttleTimeMs: Int32
        public var errorCode: ErrorCode

        public init(throttleTimeMs: Int32 = 0, errorCode: ErrorCode = .none) {
            self.throttleTimeMs = throttleTimeMs
            self.errorCode = errorCode
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try Heartbeat.checkVersion(version)
            throttleTimeMs = version >= 1 ? try buffer.readInt32("throttle_time_ms") : 0
            errorCode = try buffer.readErrorCode()
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            if version >= 1 { buffer.writeInt32(throttleTimeMs) }
            buffer.writeErrorCode(errorCode)
        }
    }
}
