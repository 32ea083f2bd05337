import GroupCoordinator
import KafkaCommon
import KafkaProtocol

/// OffsetFetch v0, as Kafka 2.3's `handleOffsetFetchRequest` served it: each partition's offset
/// is read from ZooKeeper (`/consumers/<group>/offsets/<topic>/<partition>`), without the group
/// coordinator. A partition the cluster does not know, or one without a node, answers offset -1,
/// no metadata and NONE (Kafka's `OffsetFetchResponse.UNKNOWN_PARTITION`); a ZooKeeper failure
/// offset -1 with UNKNOWN_SERVER_ERROR. Partitions are answered in the request's order.
extension OffsetFetchHandler {
    static func fetchFromZooKeeper(
        _ fetch: OffsetFetch.Request, zkOffsets: any ZkConsumerOffsets, cache: MetadataCache
    ) async -> OffsetFetch.Response {
        let known = cache.current.partitions
        var response = OffsetFetch.Response()
        for topic in fetch.topics ?? [] {
            var partitions: [OffsetFetch.PartitionResult] = []
            for index in topic.partitionIndexes {
                guard known[topic.name]?[index] != nil else {
                    partitions.append(partition(index, nil, error: .none))
                    continue
                }
                do {
                    let offset = try await zkOffsets.consumerOffset(group: fetch.groupId, topicPartition: TopicPartition(topic.name, index))
                    partitions.append(partition(index, offset.map { OffsetCommitValue(offset: $0, commitTimestamp: -1) }, error: .none))
                } catch {
                    partitions.append(partition(index, nil, error: .unknownServerError))
                }
            }
            response.topics.append(OffsetFetch.TopicResult(name: topic.name, partitions: partitions))
        }
        return response
    }
}
