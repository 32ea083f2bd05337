import KafkaCommon
import KafkaProtocol

/// Metadata: the alive brokers as seen on the listener the request came in on, the cluster id,
/// the controller, and the requested topics (all of them when the list is null) from the
/// `MetadataCache`. A topic the cache does not know is UNKNOWN_TOPIC_OR_PARTITION.
/// With `auto.create.topics.enable` and a request that allows it, an unknown topic is created
/// (`num.partitions`, `default.replication.factor`) and answered LEADER_NOT_AVAILABLE until the
/// controller has elected its leaders, as Kafka does. A request naming `__consumer_offsets`
/// before it exists creates it as FindCoordinator does (`InternalTopicCreator`), whatever the
/// auto-creation settings; too few alive brokers for its replication factor read as
/// INVALID_REPLICATION_FACTOR. `is_internal` is true for Kafka's internal topics only,
/// `__consumer_offsets` and `__transaction_state` (Kafka's `Topic.isInternal`), not for any other
/// name that starts with `__`.
struct MetadataHandler: KafkaRequestHandler {
    let apiKey = ApiKey.metadata
    let cache: MetadataCache
    let clusterId: String
    /// Set when `auto.create.topics.enable` is true: creates a topic with the broker defaults.
    let autoCreate: (@Sendable (String) async -> ErrorCode)?
    /// Creates `__consumer_offsets` when a request names it, whatever `allow_auto_topic_creation`
    /// and `auto.create.topics.enable` say (Kafka's `createInternalTopic`); nil: no such creation.
    var internalTopicCreator: InternalTopicCreator? = nil

    func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction {
        var body = request.body
        let version = request.header.apiVersion
        let metadata = try Metadata.decodeRequest(from: &body, version: version)
        let snapshot = cache.current
        // All topics: a null list, or (v0, which has no null) an empty one.
        let requested = metadata.topicNames(version: version)
        let names = requested ?? snapshot.partitions.keys.sorted()
        var topics: [Metadata.Topic] = []
        for name in names {
            guard let partitions = snapshot.partitions[name] else {
                var errorCode = ErrorCode.unknownTopicOrPartition
                var isInternal = false
                if name == GroupCoordinatorConfig.offsetsTopicName, let internalTopicCreator, requested != nil {
                    // Too few brokers for the offsets topic reads as its replication factor.
                    errorCode = await internalTopicCreator.createOffsetsTopic(aliveBrokers: snapshot.aliveBrokers.count)
                    if errorCode == .coordinatorNotAvailable { errorCode = .invalidReplicationFactor }
                    isInternal = true
                } else if let autoCreate, metadata.allowAutoTopicCreation, requested != nil {
                    errorCode = await autoCreate(name)
                }
                topics.append(Metadata.Topic(errorCode: errorCode, name: name, isInternal: isInternal, partitions: [],
                                             topicAuthorizedOperations: 0))
                continue
            }
            topics.append(Metadata.Topic(
                errorCode: .none, name: name, isInternal: ReplicaManager.internalTopics.contains(name),
                partitions: partitions.sorted { $0.key < $1.key }.map { index, state in
                    let leaderAlive = snapshot.aliveBrokers[state.leader] != nil
                    return Metadata.Partition(
                        errorCode: leaderAlive ? .none : .leaderNotAvailable, partitionIndex: index,
                        leaderId: state.leader, leaderEpoch: state.leaderEpoch, replicaNodes: state.replicas,
                        isrNodes: state.isr, offlineReplicas: state.offlineReplicas)
                },
                topicAuthorizedOperations: 0))
        }
        let response = Metadata.Response(
            throttleTimeMs: 0, brokers: cache.aliveBrokers(listenerName: request.listenerName), clusterId: clusterId,
            controllerId: snapshot.controllerId, topics: topics, clusterAuthorizedOperations: 0)
        return Metadata.responseFrame(response, to: request)
    }
}
