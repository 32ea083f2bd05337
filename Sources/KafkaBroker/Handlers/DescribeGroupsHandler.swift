import KafkaProtocol

/// DescribeGroups (v0–3): each group's state, protocol and members (Kafka's
/// `handleDescribeGroupsRequest`); a group this broker coordinates but does not know is Dead,
/// one it does not coordinate NOT_COORDINATOR. Member metadata and assignments are reported only
/// for a Stable group. Authorized operations are not computed (no authorizer): always
/// `Int32.min`, Kafka's "not requested" value.
struct DescribeGroupsHandler: KafkaRequestHandler {
    let apiKey = ApiKey.describeGroups
    let coordinator: GroupCoordinator

    func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction {
        var body = request.body
        let describe = try DescribeGroups.decodeRequest(from: &body, version: request.header.apiVersion)
        let groups = describe.groups.map { groupId in
            let (error, summary) = coordinator.handleDescribeGroup(groupId)
            return DescribeGroups.DescribedGroup(
                errorCode: error, groupId: groupId, groupState: summary.state, protocolType: summary.protocolType,
                protocolData: summary.protocolName,
                members: summary.members.map {
                    DescribeGroups.DescribedGroupMember(
                        memberId: $0.memberId, clientId: $0.clientId, clientHost: $0.clientHost,
                        memberMetadata: $0.metadata, memberAssignment: $0.assignment)
                },
                authorizedOperations: Int32.min)
        }
        return DescribeGroups.responseFrame(DescribeGroups.Response(groups: groups), to: request)
    }
}
