import KafkaCommon
import KafkaProtocol
import Logging

/// Creates Kafka's internal topics on first use (Kafka 2.3's `KafkaApis.createInternalTopic`),
/// through the same admin path as CreateTopics (`TopicCreator`). Used by FindCoordinator and by
/// a Metadata request that names `__consumer_offsets`.
///
/// `__consumer_offsets` gets `offsets.topic.num.partitions` partitions,
/// `offsets.topic.replication.factor` replicas and `GroupCoordinatorConfig.offsetsTopicConfigs`
/// (cleanup.policy=compact, segment.bytes=`offsets.topic.segment.bytes`,
/// compression.type=producer). With fewer alive brokers than that replication factor it is not
/// created at all (rather than created with fewer replicas): the error log says why, and the
/// caller answers COORDINATOR_NOT_AVAILABLE until enough brokers have registered.
///
/// `__transaction_state` is created the same way (`InternalTopicCreator+TransactionState.swift`),
/// from the `transaction.state.log.*` keys.
///
/// Isolation: immutable; concurrent calls may race to create the topic, and all but one get
/// TOPIC_ALREADY_EXISTS from ZooKeeper, which counts as created.
struct InternalTopicCreator: Sendable {
    let config: GroupCoordinatorConfig
    /// Writes a topic through `TopicCreator.create`: name, partitions, replication factor,
    /// configs. Throws `TopicCreationError`.
    let createTopic: @Sendable (String, Int32, Int16, [String: String]) async throws -> Void
    let logger: Logger

    /// Creates `__consumer_offsets` (given how many brokers the metadata cache has alive) and
    /// returns the error its topic metadata carries afterwards, as Kafka's does:
    /// COORDINATOR_NOT_AVAILABLE when too few brokers are alive, LEADER_NOT_AVAILABLE once
    /// written (or already there), or the creation's error.
    func createOffsetsTopic(aliveBrokers: Int) async -> ErrorCode {
        let topic = GroupCoordinatorConfig.offsetsTopicName
        guard aliveBrokers >= Int(config.offsetsTopicReplicationFactor) else {
            logger.error("Number of alive brokers '\(aliveBrokers)' does not meet the required replication factor '\(config.offsetsTopicReplicationFactor)' for the offsets topic (configured via 'offsets.topic.replication.factor'). This error can be ignored if the cluster is starting up and not all brokers are up yet.")
            return .coordinatorNotAvailable
        }
        return await create(topic, partitions: config.offsetsTopicNumPartitions,
                            replicationFactor: config.offsetsTopicReplicationFactor, configs: config.offsetsTopicConfigs)
    }

    /// Writes `topic` and returns the error its topic metadata carries afterwards:
    /// LEADER_NOT_AVAILABLE once written or already there (a racing creation won), else the
    /// creation's error.
    func create(_ topic: String, partitions: Int32, replicationFactor: Int16, configs: [String: String]) async -> ErrorCode {
        do {
            try await createTopic(topic, partitions, replicationFactor, configs)
            logger.info("Topic creation of \(topic) with \(partitions) partitions and replication factor \(replicationFactor) is successful")
            return .leaderNotAvailable
        } catch let error as TopicCreationError {
            if error.code == .topicAlreadyExists { return .leaderNotAvailable }
            logger.error("Error while creating topic \(topic): \(error.message)")
            return error.code
        } catch {
            logger.error("Error while creating topic \(topic): \(error)")
            return .unknownServerError
        }
    }
}
