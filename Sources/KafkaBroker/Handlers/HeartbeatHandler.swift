import KafkaProtocol

/// Heartbeat (v0–3): a member proves it is alive and learns whether a rebalance started
/// (REBALANCE_IN_PROGRESS) (Kafka's `handleHeartbeatRequest`). Answered at once.
struct HeartbeatHandler: KafkaDelayingRequestHandler {
    let apiKey = ApiKey.heartbeat
    let coordinator: GroupCoordinator

    func handle(_ request: KafkaRequest, respond: @escaping @Sendable (KafkaResponseAction) -> Void) async throws {
        var body = request.body
        let heartbeat = try Heartbeat.decodeRequest(from: &body, version: request.header.apiVersion)
        coordinator.handleHeartbeat(
            groupId: heartbeat.groupId, memberId: heartbeat.memberId, groupInstanceId: heartbeat.groupInstanceId,
            generationId: heartbeat.generationId
        ) { error in
            respond(Heartbeat.responseFrame(Heartbeat.Response(errorCode: error), to: request))
        }
    }
}
