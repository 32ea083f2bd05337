/// The fields of a JoinGroup request the coordinator decides on, with what the broker adds: the
/// client id and host from the request header and connection, and the request's API version.
public struct JoinGroupParameters: Sendable, Equatable {
    /// Empty (``GroupMetadata/unknownMemberId``) on a member's first JoinGroup.
    public var memberId: String
    /// `group.instance.id` (JoinGroup v5+), nil for a dynamic member.
    public var groupInstanceId: String?
    public var clientId: String
    public var clientHost: String
    /// JoinGroup v0 has no rebalance timeout; the broker passes the session timeout for it.
    public var rebalanceTimeoutMs: Int32
    public var sessionTimeoutMs: Int32
    public var protocolType: String
    public var protocols: [GroupProtocol]
    /// The JoinGroup version: from v4 a dynamic member without a member id is first given one with
    /// MEMBER_ID_REQUIRED and must join again with it (KIP-394).
    public var apiVersion: Int16

    public init(
        memberId: String = GroupMetadata.unknownMemberId, groupInstanceId: String? = nil,
        clientId: String, clientHost: String, rebalanceTimeoutMs: Int32, sessionTimeoutMs: Int32,
        protocolType: String, protocols: [GroupProtocol], apiVersion: Int16
    ) {
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
        self.clientId = clientId
        self.clientHost = clientHost
        self.rebalanceTimeoutMs = rebalanceTimeoutMs
        self.sessionTimeoutMs = sessionTimeoutMs
        self.protocolType = protocolType
        self.protocols = protocols
        self.apiVersion = apiVersion
    }

    /// Whether a member without a member id must fetch one first (Kafka's `requireKnownMemberId`):
    /// JoinGroup v4+ from a dynamic member. A static member is identified by its instance id.
    public var requiresKnownMemberId: Bool { apiVersion >= 4 && groupInstanceId == nil }

    var isUnknownMember: Bool { memberId == GroupMetadata.unknownMemberId }
}
