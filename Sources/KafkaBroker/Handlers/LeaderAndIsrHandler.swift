import KafkaProtocol

/// LeaderAndIsr from the controller: this broker becomes leader or follower of the listed
/// partitions (see `ReplicaManager`). Requests for an older incarnation of this broker are
/// STALE_BROKER_EPOCH.
struct LeaderAndIsrHandler: KafkaRequestHandler {
    let apiKey = ApiKey.leaderAndIsr
    let replicaManager: ReplicaManager
    let currentBrokerEpoch: @Sendable () async -> Int64

    func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction {
        var body = request.body
        let leaderAndIsr = try LeaderAndIsr.decodeRequest(from: &body, version: request.header.apiVersion)
        if leaderAndIsr.brokerEpoch != -1, leaderAndIsr.brokerEpoch < (await currentBrokerEpoch()) {
            return LeaderAndIsr.responseFrame(LeaderAndIsr.Response(errorCode: .staleBrokerEpoch, partitionErrors: []), to: request)
        }
        return LeaderAndIsr.responseFrame(replicaManager.becomeLeaderOrFollower(leaderAndIsr), to: request)
    }
}
