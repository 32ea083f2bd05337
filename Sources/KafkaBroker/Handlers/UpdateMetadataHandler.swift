import KafkaCommon
import KafkaProtocol
import KafkaPurgatory
import KafkaZk

/// UpdateMetadata from the controller: refreshes the `MetadataCache`. A request for an older
/// incarnation of this broker (its broker epoch below the current registration's) gets
/// STALE_BROKER_EPOCH; one from a superseded controller STALE_CONTROLLER_EPOCH. Partitions it marks
/// deleted (leader -2) are handed to `onDeletedPartitions` once it is applied (Kafka 2.3 hands
/// them to the group coordinator, which removes their committed offsets).
struct UpdateMetadataHandler: KafkaRequestHandler {
    let apiKey = ApiKey.updateMetadata
    let cache: MetadataCache
    /// Waiting CreateTopics requests, completed when their topics' leaders arrive.
    let createTopicsPurgatory: DelayedOperationPurgatory<DelayedCreatePartitions>
    /// Waiting DeleteTopics requests, completed when their topics leave the cache.
    let deleteTopicsPurgatory: DelayedOperationPurgatory<DelayedDeleteTopics>
    /// The czxid of this broker's current registration.
    let currentBrokerEpoch: @Sendable () async -> Int64
    /// Told the partitions an applied request marked deleted, if any.
    var onDeletedPartitions: (@Sendable ([TopicPartition]) -> Void)? = nil
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
                let deleted = update.partitionStatesByTopic.flatMap { topic in
                    topic.partitionStates.filter { $0.leader == KafkaZk.LeaderAndIsr.leaderDuringDelete }
                        .map { TopicPartition(topic.topicName, $0.partitionIndex) }
                }
                if let onDeletedPartitions, !deleted.isEmpty { onDeletedPartitions(deleted) }
            }
        }
        return UpdateMetadata.responseFrame(UpdateMetadata.Response(errorCode: errorCode), to: request)
    }
}
