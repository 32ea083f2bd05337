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
    /// Told, after the roles are applied, which partitions this broker now leads and which it
    /// follows (every partition the request set without error): the group coordinator loads and unloads
    /// its `__consumer_offsets` partitions from it (Kafka's `onLeadershipChange`).
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
        let response = replicaManager.becomeLeaderOrFollower(leaderAndIsr, configs: configs)
        if let onLeadershipChange, response.errorCode == .none {
            let failed = Set(response.partitionErrors.filter { $0.errorCode != .none }.map {
                TopicPartition($0.topicName, $0.partitionIndex)
            })
            var leaders: [TopicPartition] = []
            var followers: [TopicPartition] = []
            for topic in leaderAndIsr.partitionStatesByTopic {
                for state in topic.partitionStates {
                    let tp = TopicPartition(topic.topicName, state.partitionIndex)
                    guard !failed.contains(tp) else { continue }
                    if state.leader == replicaManager.brokerId { leaders.append(tp) } else { followers.append(tp) }
                }
            }
            onLeadershipChange(leaders, followers)
        }
        return LeaderAndIsr.responseFrame(response, to: request)
    }
}
