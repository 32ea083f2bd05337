import NIOCore

/// JoinGroup (key 11): a consumer (or Connect worker…) joins a group, offering the protocols
/// (assignors) it supports with their metadata. When the round completes, every member learns
/// the generation and chosen protocol; the leader also gets all members' metadata to compute
/// the assignment it then sends with SyncGroup.
///
/// Supported: v0–v5 (Kafka 2.3). First flexible version: 6. v1 added the rebalance timeout,
/// v2 the throttle time, v4 the MEMBER_ID_REQUIRED handshake (KIP-394: a member joining with an
/// empty id gets error 79 and an id to join again with), v5 static membership (KIP-345).
public enum JoinGroup: KafkaAPI {
    public static let key = ApiKey.joinGroup
    public static let versions: ClosedRange<Int16> = 0...5
    public static let firstFlexibleVersion: Int16? = 6

    /// ```
    /// group_id STRING
    /// session_timeout_ms int32
    /// rebalance_timeout_ms int32                 (v1+; v0 uses the session timeout)
    /// member_id STRING                           ("" on first join)
    /// group_instance_id NULLABLE_STRING          (v5+)
    /// protocol_type STRING                       ("consumer" for consumers)
    /// protocols ARRAY of { name STRING, metadata BYTES }
    /// ```
    public struct Request: KafkaCodable {
        public var groupId: String
        public var sessionTimeoutMs: Int32
        public var rebalanceTimeoutMs: Int32
        public var memberId: String
        public var groupInstanceId: String?
        public var protocolType: String
        public var protocols: [RequestProtocol]

        public init(
            groupId: String, sessionTimeoutMs: Int32, rebalanceTimeoutMs: Int32 = -1, memberId: String,
            groupInstanceId: String? = nil, protocolType: String, protocols: [RequestProtocol]
        ) {
            self.groupId = groupId
            self.sessionTimeoutMs = sessionTimeoutMs
            self.rebalanceTimeoutMs = rebalanceTimeoutMs
            self.memberId = memberId
            self.groupInstanceId = groupInstanceId
            self.protocolType = protocolType
            self.protocols = protocols
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try JoinGroup.checkVersion(version)
            groupId = try buffer.readKafkaString("group_id")
            sessionTimeoutMs = try buffer.readInt32("session_timeout_ms")
            rebalanceTimeoutMs = version >= 1 ? try buffer.readInt32("rebalance_timeout_ms") : -1
            memberId = try buffer.readKafkaString("member_id")
            groupInstanceId = version >= 5 ? try buffer.readNullableString("group_instance_id") : nil
            protocolType = try buffer.readKafkaString("protocol_type")
            protocols = try buffer.readArray(of: RequestProtocol.self, version: version, "protocols")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(groupId)
            buffer.writeInt32(sessionTimeoutMs)
            if version >= 1 { buffer.writeInt32(rebalanceTimeoutMs) }
            buffer.writeKafkaString(memberId)
            if version >= 5 { buffer.writeNullableString(groupInstanceId) }
            buffer.writeKafkaString(protocolType)
            buffer.writeArray(protocols, version: version)
        }
    }

    /// A protocol the member supports, e.g. `range`, with its subscription metadata (opaque here).
    public struct RequestProtocol: KafkaCodable {
        public var name: String
        public var metadata: ByteBuffer

        public init(name: String, metadata: ByteBuffer) {
            self.name = name
            self.metadata = metadata
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            name = try buffer.readKafkaString("protocols.name")
            metadata = try buffer.readKafkaBytes("protocols.metadata")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(name)
            buffer.writeKafkaBytes(metadata)
        }
    }

    /// ```
    /// throttle_time_ms int32          (v2+)
    /// error_code int16
    /// generation_id int32             (-1 on error)
    /// protocol_name STRING            (the chosen protocol; "" on error)
    /// leader STRING                   (the leader's member id)
    /// member_id STRING                (the receiver's member id)
    /// members ARRAY of Member         (filled for the leader only)
    /// ```
    public struct Response: KafkaCodable {
        public var throttleTimeMs: Int32
        public var errorCode: ErrorCode
        public var generationId: Int32
        public var protocolName: String
        public var leader: String
        public var memberId: String
        public var members: [Member]

        public init(
            throttleTimeMs: Int32 = 0, errorCode: ErrorCode = .none, generationId: Int32, protocolName: String,
            leader: String, memberId: String, members: [Member] = []
        ) {
            self.throttleTimeMs = throttleTimeMs
            self.errorCode = errorCode
            self.generationId = generationId
            self.protocolName = protocolName
            self.leader = leader
            self.memberId = memberId
            self.members = members
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            try JoinGroup.checkVersion(version)
            throttleTimeMs = version >= 2 ? try buffer.readInt32("throttle_time_ms") : 0
            errorCode = try buffer.readErrorCode()
            generationId = try buffer.readInt32("generation_id")
            protocolName = try buffer.readKafkaString("protocol_name")
            leader = try buffer.readKafkaString("leader")
            memberId = try buffer.readKafkaString("member_id")
            members = try buffer.readArray(of: Member.self, version: version, "members")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            if version >= 2 { buffer.writeInt32(throttleTimeMs) }
            buffer.writeErrorCode(errorCode)
            buffer.writeInt32(generationId)
            buffer.writeKafkaString(protocolName)
            buffer.writeKafkaString(leader)
            buffer.writeKafkaString(memberId)
            buffer.writeArray(members, version: version)
        }
    }

    /// `member_id STRING, group_instance_id NULLABLE_STRING (v5+), metadata BYTES`.
    public struct Member: KafkaCodable {
        public var memberId: String
        public var groupInstanceId: String?
        public var metadata: ByteBuffer

        public init(memberId: String, groupInstanceId: String? = nil, metadata: ByteBuffer) {
            self.memberId = memberId
            self.groupInstanceId = groupInstanceId
            self.metadata = metadata
        }

        public init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
            memberId = try buffer.readKafkaString("members.member_id")
            groupInstanceId = version >= 5 ? try buffer.readNullableString("members.group_instance_id") : nil
            metadata = try buffer.readKafkaBytes("members.metadata")
        }

        public func write(into buffer: inout ByteBuffer, version: Int16) {
            buffer.writeKafkaString(memberId)
            if version >= 5 { buffer.writeNullableString(groupInstanceId) }
            buffer.writeKafkaBytes(metadata)
        }
    }
}
