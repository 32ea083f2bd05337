import KafkaProtocol

/// DeleteGroups (v0–1): removes Empty groups and their committed offsets, writing tombstones to
/// `__consumer_offsets` (Kafka's `handleDeleteGroupsRequest`). The request waits, holding no
/// request handler, until the tombstones are written; results follow the request's order.
struct DeleteGroupsHandler: KafkaDelayingRequestHandler {
    let apiKey = ApiKey.deleteGroups
    let coordinator: GroupCoordinator

    func handle(_ request: KafkaRequest, respond: @escaping @Sendable (KafkaResponseAction) -> Void) async throws {
        var body = request.body
        let delete = try DeleteGroups.decodeRequest(from: &body, version: request.header.apiVersion)
        let groups = delete.groupsNames
        coordinator.handleDeleteGroups(groups) { results in
            let response = DeleteGroups.Response(results: groups.map {
                DeleteGroups.DeletableGroupResult(groupId: $0, errorCode: results[$0] ?? .none)
            })
            respond(DeleteGroups.responseFrame(response, to: request))
        }
    }
}
