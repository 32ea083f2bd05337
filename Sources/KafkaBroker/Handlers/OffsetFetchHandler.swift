import GroupCoordinator
import KafkaCommon
import KafkaProtocol

/// OffsetFetch (v0–5): a group's committed offsets for the partitions named, or (v2+, a null
/// topic list) for every partition it has committed (Kafka's `handleOffsetFetchRequest`). A
/// partition without a commit answers offset -1 with no metadata. An error of the whole request
/// (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS) is the top-level error from v2, and each
/// partition's before. A v0 fetch reads ZooKeeper instead, as in Kafka 2.3 (`zkOffsets`, see
/// `OffsetFetchHandler+ZooKeeper`).
struct OffsetFetchHandler: KafkaRequestHandler {
    let apiKey = ApiKey.offsetFetch
    let coordinator: GroupCoordinator
    /// Where v0 commits are kept, and the partitions that exist (for v0's unknown partitions).
    var zkOffsets: (any ZkConsumerOffsets)? = nil
    var cache: MetadataCache? = nil

    func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction {
        var body = request.body
        let version = request.header.apiVersion
        let fetch = try OffsetFetch.decodeRequest(from: &body, version: version)
        if version == 0, let zkOffsets, let cache {
            let response = await Self.fetchFromZooKeeper(fetch, zkOffsets: zkOffsets, cache: cache)
            return OffsetFetch.responseFrame(response, to: request)
        }
        let requested = fetch.topics.map { topics in
            topics.flatMap { topic in topic.partitionIndexes.map { TopicPartition(topic.name, $0) } }
        }
        let (error, offsets) = coordinator.handleFetchOffsets(groupId: fetch.groupId, partitions: requested)
        var response = OffsetFetch.Response()
        if error != .none {
            if version >= 2 {
                response.errorCode = error
            } else {
                response.topics = (fetch.topics ?? []).map { topic in
                    OffsetFetch.TopicResult(name: topic.name, partitions: topic.partitionIndexes.map {
                        Self.partition($0, nil, error: error)
                    })
                }
            }
            return OffsetFetch.responseFrame(response, to: request)
        }
        var order: [String] = []
        var byTopic: [String: [OffsetFetch.PartitionResult]] = [:]
        for (tp, value) in offsets {
            if byTopic[tp.topic] == nil { order.append(tp.topic) }
            byTopic[tp.topic, default: []].append(Self.partition(tp.partition, value, error: .none))
        }
        response.topics = order.map { OffsetFetch.TopicResult(name: $0, partitions: byTopic[$0] ?? []) }
        return OffsetFetch.responseFrame(response, to: request)
    }

    static func partition(_ index: Int32, _ value: OffsetCommitValue?, error: ErrorCode) -> OffsetFetch.PartitionResult {
        OffsetFetch.PartitionResult(
            partitionIndex: index, committedOffset: value?.offset ?? -1,
            committedLeaderEpoch: value?.leaderEpoch ?? LeaderEpoch(rawValue: -1), metadata: value?.metadata ?? "",
            errorCode: error)
    }
}
