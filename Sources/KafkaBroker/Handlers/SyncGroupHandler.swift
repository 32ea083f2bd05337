import KafkaProtocol
import NIOCore

/// SyncGroup (v0–3): after a rebalance, the leader sends the assignment it computed and every
/// member receives its share (Kafka's `handleSyncGroupRequest`). A follower's request waits,
/// holding no request handler, until the leader's assignment is written to `__consumer_offsets`.
struct SyncGroupHandler: KafkaDelayingRequestHandler {
    let apiKey = ApiKey.syncGroup
    let coordinator: GroupCoordinator

    func handle(_ request: KafkaRequest, respond: @escaping @Sendable (KafkaResponseAction) -> Void) async throws {
        var body = request.body
        let sync = try SyncGroup.decodeRequest(from: &body, version: request.header.apiVersion)
        var assignment: [String: ByteBuffer] = [:]
        for entry in sync.assignments { assignment[entry.memberId] = entry.assignment }
        coordinator.handleSyncGroup(
            groupId: sync.groupId, memberId: sync.memberId, groupInstanceId: sync.groupInstanceId,
            generationId: sync.generationId, assignment: assignment
        ) { result in
            respond(SyncGroup.responseFrame(SyncGroup.Response(errorCode: result.errorCode, assignment: result.assignment), to: request))
        }
    }
}
