import KafkaCommon
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
    /// Told, after the roles are applied, which partitions this broker became leader of (not those
    /// it led already: a new leader epoch for a partition it leads changes nothing here, as in
    /// Kafka 2.3, whose `makeLeaders` skips them) and which it follows (every follower the request
    /// set without error): the group coordinator loads and unloads its `__consumer_offsets`
    /// partitions from it (Kafka's `onLeadershipChange`).
    var onLeadershipChange: (@Sendable (_ leaders: [TopicPartition], _ followers: [TopicPartition]) -> Void)? = nil

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
        let response: LeaderAndIsr.Response
        if let onLeadershipChange {
            response = replicaManager.becomeLeaderOrFollower(leaderAndIsr, configs: configs, onLeadershipChange: onLeadershipChange)
        } else {
            response = replicaManager.becomeLeaderOrFollower(leaderAndIsr, configs: configs)
        }
        return LeaderAndIsr.responseFrame(response, to: request)
    }
}
