import NIOCore

/// SyncGroup (key 14): after a JoinGroup round, the group leader sends the partition
/// assignment of every member; every member (leader included) gets its own assignment back.
/// The assignment bytes are opaque to the broker (the consumer protocol's encoding).
///
/// Supported: v0–v3 (Kafka 2.3). First flexible version: 4. v1 added the throttle time,
/// v3 `group_instance_id` (KIP-345).
public enum SyncGroup: KafkaAPI {
    public static let key = ApiKey.syncGroup
    public static let versions: ClosedRange<Int16> = 0...3
    public static let firstFlexibleVersion: Int16? = 4

    /// ```
    /// group_id STRING, generation_id int32, member_id STRING,
    /// group_instance_id NULLABLE_STRING (v3+),
    /// assignments ARRAY of { member_id STRING, assignment BYTES }   (only the leader's is non-empty)
    /// ```
    public struct Request: KafkaCodable {
        public var groupId: String
        public var generationId: Int32
        public var memberId: String
        public var groupInstanceId: String?
        public var assignments: [Assignment]

        public init(groupId: String, generationId: Int32, memberId: String, groupInstanceId: String? = nil, assignments: [Assignment]) {
            self.groupId = groupId
            self.generationId = generationId
            self.memberId = memberId
            self.groupInstanceId = groupInstanceId
            self.assignments = assignments
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try SyncGroup.checkVersion(version)
            groupId = try buffer.readKafkaString("group_id")
            generationId = try buffer.readInt32("generation_id")
            memberId = try buffer.readKafkaString("member_id")
            groupInstanceId = version >= 3 ? try buffer.readNullableString("group_instance_id") : nil
            assignments = try buffer.readArray(of: Assignment.self, version: version, "assignments")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(groupId)
            buffer.writeInt32(generationId)
            buffer.writeKafkaString(memberId)
            if version >= 3 { buffer.writeNullableString(groupInstanceId) }
            buffer.writeArray(assignments, version: version)
        }
    }

    public struct Assignment: KafkaCodable {
        public var memberId: String
        public var assignment: ByteBuffer

        public init(memberId: String, assignment: ByteBuffer) {
            self.memberId = memberId
            self.assignment = assignment
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            memberId = try buffer.readKafkaString("assignments.member_id")
            assignment = try buffer.readKafkaBytes("assignments.assignment")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(memberId)
            buffer.writeKafkaBytes(assignment)
        }
    }

    /// `throttle_time_ms int32 (v1+), error_code int16, assignment BYTES`.
    public struct Response: KafkaCodable {
        public var throttleTimeMs: Int32
        public var errorCode: ErrorCode
        public var assignment: ByteBuffer

        public init(throttleTimeMs: Int32 = 0, errorCode: ErrorCode = .none, assignment: ByteBuffer) {
            self.throttleTimeMs = throttleTimeMs
            self.errorCode = errorCode
            self.assignment = assignment
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try SyncGroup.checkVersion(version)
            throttleTimeMs = version >= 1 ? try buffer.readInt32("throttle_time_ms") : 0
            errorCode = try buffer.readErrorCode()
            assignment = try buffer.readKafkaBytes("assignment")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            if version >= 1 { buffer.writeInt32(throttleTimeMs) }
            buffer.writeErrorCode(errorCode)
            buffer.writeKafkaBytes(assignment)
        }
    }
}
