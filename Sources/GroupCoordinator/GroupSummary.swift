import NIOCore

/// What DescribeGroups reports for a group (Kafka's `GroupSummary`).
///
/// Only a Stable group shows its protocol and its members' metadata and assignments; in any other
/// state they are empty, because they belong to a generation that is not settled. A group the
/// coordinator does not know is reported as ``dead``; a request the coordinator refuses (not the
/// coordinator, loading) carries ``noGroup`` beside the error.
public struct GroupSummary: Sendable, Equatable {
    /// One member as DescribeGroups shows it (Kafka's `MemberSummary`).
    public struct Member: Sendable, Equatable {
        public var memberId: String
        public var groupInstanceId: String?
        public var clientId: String
        public var clientHost: String
        /// The member's metadata for the chosen protocol (for a consumer, its subscription).
        public var metadata: ByteBuffer
        public var assignment: ByteBuffer
    }

    /// Kafka's state name (`Stable` …), or empty in ``noGroup``.
    public var state: String
    public var protocolType: String
    public var protocolName: String
    public var members: [Member]

    /// A group the coordinator does not know (`GroupCoordinator.DeadGroup`).
    public static let dead = GroupSummary(state: GroupState.dead.rawValue, protocolType: "", protocolName: "", members: [])
    /// Beside an error (`GroupCoordinator.EmptyGroup`).
    public static let noGroup = GroupSummary(state: "", protocolType: "", protocolName: "", members: [])
}

/// What ListGroups reports for a group (Kafka's `GroupOverview`).
public struct GroupOverview: Sendable, Equatable {
    public var groupId: String
    public var protocolType: String
}

extension GroupMetadata {
    /// The group as DescribeGroups reports it, members in join order.
    public var summary: GroupSummary {
        if state == .stable, let protocolName {
            return GroupSummary(
                state: state.rawValue, protocolType: protocolType ?? "", protocolName: protocolName,
                members: allMembers.map {
                    GroupSummary.Member(
                        memberId: $0.memberId, groupInstanceId: $0.groupInstanceId, clientId: $0.clientId,
                        clientHost: $0.clientHost, metadata: $0.metadata(for: protocolName) ?? ByteBuffer(),
                        assignment: $0.assignment)
                })
        }
        return GroupSummary(
            state: state.rawValue, protocolType: protocolType ?? "", protocolName: "",
            members: allMembers.map {
                GroupSummary.Member(
                    memberId: $0.memberId, groupInstanceId: $0.groupInstanceId, clientId: $0.clientId,
                    clientHost: $0.clientHost, metadata: ByteBuffer(), assignment: ByteBuffer())
            })
    }

    /// The group as ListGroups reports it.
    public var overview: GroupOverview { GroupOverview(groupId: groupId, protocolType: protocolType ?? "") }
}
