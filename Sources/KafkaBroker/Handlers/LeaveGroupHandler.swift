import KafkaProtocol

/// LeaveGroup (v0–2): a member leaves at once instead of waiting for its session to time out,
/// and the others rebalance (Kafka's `handleLeaveGroupRequest`). Answered at once.
struct LeaveGroupHandler: KafkaDelayingRequestHandler {
    let apiKey = ApiKey.leaveGroup
    let coordinator: GroupCoordinator

    func handle(_ request: KafkaRequest, respond: @escaping @Sendable (KafkaResponseAction) -> Void) async throws {
        var body = request.body
        let leave = try LeaveGroup.decodeRequest(from: &body, version: request.header.apiVersion)
        coordinator.handleLeaveGroup(groupId: leave.groupId, memberId: leave.memberId) { error in
            respond(LeaveGroup.responseFrame(LeaveGroup.Response(errorCode: error), to: request))
        }
    }
}
