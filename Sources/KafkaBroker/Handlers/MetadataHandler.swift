import KafkaCommon
import KafkaProtocol

/// Metadata: the alive brokers as seen on the listener the request came in on, the cluster id,
/// the controller, and the requested topics (all of them when the list is null) from the
/// `MetadataCache`. A topic the cache does not know is UNKNOWN_TOPIC_OR_PARTITION.
/// Not yet: auto topic creation (`auto.create.topics.enable`) — it comes with CreateTopics.
struct MetadataHandler: KafkaRequestHandler {
    let apiKey = ApiKey.metadata
    let cache: MetadataCache
    let clusterId: String

    func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction {
        var body = request.body
        let version = request.header.apiVersion
        let metadata = try Metadata.decodeRequest(from: &body, version: version)
        let snapshot = cache.current
        // All topics: a null list, or (v0, which has no null) an empty one.
        let requested = version == 0 && metadata.topics?.isEmpty == true ? nil : metadata.topics
        let names = requested ?? snapshot.partitions.keys.sorted()
        let topics = names.map { name -> Metadata.Topic in
            guard let partitions = snapshot.partitions[name] else {
                return Metadata.Topic(errorCode: .unknownTopicOrPartition, name: name, isInternal: false, partitions: [],
                                      topicAuthorizedOperations: 0)
            }
            return Metadata.Topic(
                errorCode: .none, name: name, isInternal: name.hasPrefix("__"),
                partitions: partitions.keys.sorted().map { index in
                    let state = partitions[index]!
                    let leaderAlive = snapshot.aliveBrokers[state.leader] != nil
                    return Metadata.Partition(
                        errorCode: leaderAlive ? .none : .leaderNotAvailable, partitionIndex: index,
                        leaderId: state.leader, leaderEpoch: state.leaderEpoch, replicaNodes: state.replicas,
                        isrNodes: state.isr, offlineReplicas: state.offlineReplicas)
                },
                topicAuthorizedOperations: 0)
        }
        let response = Metadata.Response(
            throttleTimeMs: 0, brokers: cache.aliveBrokers(listenerName: request.listenerName), clusterId: clusterId,
            controllerId: snapshot.controllerId, topics: topics, clusterAuthorizedOperations: 0)
        return Metadata.responseFrame(response, to: request)
    }
}
