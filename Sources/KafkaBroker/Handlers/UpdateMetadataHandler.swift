import KafkaCommon
import KafkaProtocol
import KafkaPurgatory

/// UpdateMetadata from the controller: refreshes the `MetadataCache`. A request for an older
/// incarnation of this broker (its broker epoch below the current registration's) gets
/// STALE_BROKER_EPOCH; one from a superseded controller STALE_CONTROLLER_EPOCH.
struct UpdateMetadataHandler: KafkaRequestHandler {
    let apiKey = ApiKey.updateMetadata
    let cache: MetadataCache
    /// Waiting CreateTopics requests, completed when their topics' leaders arrive.
    let createTopicsPurgatory: DelayedOperationPurgatory<DelayedCreatePartitions>
    /// Waiting DeleteTopics requests, completed when their topics leave the cache.
    let deleteTopicsPurgatory: DelayedOperationPurgatory<DelayedDeleteTopics>
    /// The czxid of this broker's current registration.
    let currentBrokerEpoch: @Sendable () async -> Int64
    /// Waiting ElectPreferredLeaders requests, completed when their partitions' new leaders arrive.
    var electPreferredLeaderPurgatory: DelayedOperationPurgatory<DelayedElectPreferredLeader>? = nil

    func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction {
        var body = request.body
        let update = try UpdateMetadata.decodeRequest(from: &body, version: request.header.apiVersion)
        let errorCode: ErrorCode
        if update.brokerEpoch != -1, update.brokerEpoch < (await currentBrokerEpoch()) {
            errorCode = .staleBrokerEpoch
        } else {
            errorCode = cache.update(update)
            if errorCode == .none {
                for topic in update.partitionStatesByTopic {
                    createTopicsPurgatory.checkAndComplete(topic.topicName)
                    deleteTopicsPurgatory.checkAndComplete(topic.topicName)
                    if let electPreferredLeaderPurgatory {
                        for state in topic.partitionStates {
                            electPreferredLeaderPurgatory.checkAndComplete(TopicPartition(topic.topicName, state.partitionIndex))
                        }
                    }
                }
            }
        }
        return UpdateMetadata.responseFrame(UpdateMetadata.Response(errorCode: errorCode), to: request)
    }
}
