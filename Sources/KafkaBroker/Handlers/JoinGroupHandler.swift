import GroupCoordinator
import KafkaProtocol

/// JoinGroup (v0–5): a member asks to join a group, or to rejoin during a rebalance (Kafka's
/// `handleJoinGroupRequest`). The request waits, holding no request handler, until the group's
/// rebalance completes (up to the longest rebalance timeout of its members); the
/// `GroupCoordinator` answers it. v0 has no rebalance timeout: the session timeout stands for it.
/// The member's client host is the connection's address as Java prints it (`/127.0.0.1`).
struct JoinGroupHandler: KafkaDelayingRequestHandler {
    let apiKey = ApiKey.joinGroup
    let coordinator: GroupCoordinator

    func handle(_ request: KafkaRequest, respond: @escaping @Sendable (KafkaResponseAction) -> Void) async throws {
        var body = request.body
        let version = request.header.apiVersion
        let join = try JoinGroup.decodeRequest(from: &body, version: version)
        let parameters = JoinGroupParameters(
            memberId: join.memberId, groupInstanceId: join.groupInstanceId, clientId: request.header.clientId ?? "",
            clientHost: request.clientHost,
            rebalanceTimeoutMs: version == 0 ? join.sessionTimeoutMs : join.rebalanceTimeoutMs,
            sessionTimeoutMs: join.sessionTimeoutMs, protocolType: join.protocolType,
            protocols: join.protocols.map { GroupProtocol(name: $0.name, metadata: $0.metadata) }, apiVersion: version)
        coordinator.handleJoinGroup(groupId: join.groupId, parameters) { result in
            let response = JoinGroup.Response(
                errorCode: result.errorCode, generationId: result.generationId, protocolName: result.protocolName,
                leader: result.leaderId, memberId: result.memberId,
                members: result.members.map {
                    JoinGroup.Member(memberId: $0.memberId, groupInstanceId: $0.groupInstanceId, metadata: $0.metadata)
                })
            respond(JoinGroup.responseFrame(response, to: request))
        }
    }
}
