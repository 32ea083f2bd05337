import NIOCore

/// LeaveGroup (key 13): a member leaves its group at once instead of waiting for its session to
/// time out, which starts a rebalance for the others.
///
/// Supported: v0–v2 (Kafka 2.3). First flexible version: 4. v1 added the throttle time; v2 has
/// v1's layout. (v3 replaced the single member with a list of members.)
public enum LeaveGroup: KafkaAPI {
    public static let key = ApiKey.leaveGroup
    public static let versions: ClosedRange<Int16> = 0...2
    public static let firstFlexibleVersion: Int16? = 4

    /// `group_id STRING, member_id STRING`.
    public struct Request: KafkaCodable {
        public var groupId: String
        public var memberId: String

        public init(groupId: String, memberId: String) {
            self.groupId = groupId
            self.memberId = memberId
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try LeaveGroup.checkVersion(version)
            groupId = try buffer.readKafkaString("group_id")
            memberId = try buffer.readKafkaString("member_id")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(groupId)
            buffer.writeKafkaString(memberId)
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
            try LeaveGroup.checkVersion(version)
            throttleTimeMs = version >= 1 ? try buffer.readInt32("throttle_time_ms") : 0
            errorCode = try buffer.readErrorCode()
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            if version >= 1 { buffer.writeInt32(throttleTimeMs) }
            buffer.writeErrorCode(errorCode)
        }
    }
}
