import KafkaProtocol

/// ListGroups (v0–2): the groups this broker coordinates, with their protocol type (Kafka's
/// `handleListGroupsRequest`); COORDINATOR_LOAD_IN_PROGRESS while a partition is still loading.
struct ListGroupsHandler: KafkaRequestHandler {
    let apiKey = ApiKey.listGroups
    let coordinator: GroupCoordinator

    func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction {
        var body = request.body
        _ = try ListGroups.decodeRequest(from: &body, version: request.header.apiVersion)
        let (error, groups) = coordinator.handleListGroups()
        let response = ListGroups.Response(
            errorCode: error, groups: groups.map { ListGroups.ListedGroup(groupId: $0.groupId, protocolType: $0.protocolType) })
        return ListGroups.responseFrame(response, to: request)
    }
}
