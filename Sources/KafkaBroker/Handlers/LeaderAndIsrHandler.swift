import KafkaProtocol
import KafkaStorage

/// LeaderAndIsr from the controller: this broker becomes leader or follower of the listed
/// partitions (see `ReplicaManager.becomeLeaderOrFollower`: leaders track their followers,
/// followers start fetching), creating their logs with their topics' configs (broker defaults +
/// `/config/topics/<t>`). Requests for an older incarnation of this broker are
/// STALE_BROKER_EPOCH.
struct LeaderAndIsrHandler: KafkaRequestHandler {
    let apiKey = ApiKey.leaderAndIsr
    let replicaManager: ReplicaManager
    let currentBrokerEpoch: @Sendable () async -> Int64
    /// A topic's log config: the broker's defaults with the topic's overrides applied.
    let topicConfig: @Sendable (String) async -> LogConfig

    func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction {
        var body = request.body
        let leaderAndIsr = try LeaderAndIsr.decodeRequest(from: &body, version: request.header.apiVersion)
        if leaderAndIsr.brokerEpoch != -1, leaderAndIsr.brokerEpoch < (await currentBrokerEpoch()) {
            return LeaderAndIsr.responseFrame(LeaderAndIsr.Response(errorCode: .staleBrokerEpoch, partitionErrors: []), to: request)
        }
        var configs: [String: LogConfig] = [:]
        for topic in leaderAndIsr.partitionStatesByTopic where configs[topic.topicName] == nil {
            configs[topic.topicName] = await topicConfig(topic.topicName)
        }
        return LeaderAndIsr.responseFrame(replicaManager.becomeLeaderOrFollower(leaderAndIsr, configs: configs), to: request)
    }
}
