import GroupCoordinator
import KafkaCommon
import KafkaProtocol

/// OffsetCommit (v0–7): a consumer stores its position in each partition (Kafka's
/// `handleOffsetCommitRequest`). Partitions of topics the cluster does not know are
/// UNKNOWN_TOPIC_OR_PARTITION; the rest go to the `GroupCoordinator`, and the request waits,
/// holding no request handler, until the commit is written to `__consumer_offsets` and
/// acknowledged. The commit time is v1's per-partition timestamp when given, else now; v2–v4's
/// retention time, when not -1, gives the commit an expiry time; v6+ carries the leader epoch.
///
/// A v0 commit goes to ZooKeeper instead, as in Kafka 2.3 (`zkOffsets`, see
/// `OffsetCommitHandler+ZooKeeper`); without a ZooKeeper store it goes to the coordinator too.
struct OffsetCommitHandler: KafkaDelayingRequestHandler {
    let apiKey = ApiKey.offsetCommit
    let coordinator: GroupCoordinator
    let cache: MetadataCache
    let time: any Time
    /// Where v0 commits are kept (`/consumers/<group>/offsets/...`).
    var zkOffsets: (any ZkConsumerOffsets)? = nil

    func handle(_ request: KafkaRequest, respond: @escaping @Sendable (KafkaResponseAction) -> Void) async throws {
        var body = request.body
        let commit = try OffsetCommit.decodeRequest(from: &body, version: request.header.apiVersion)
        let now = time.milliseconds
        let known = cache.current.partitions
        var errors: [TopicPartition: ErrorCode] = [:]
        var offsets: [TopicPartition: OffsetCommitValue] = [:]
        for topic in commit.topics {
            for partition in topic.partitions {
                let tp = TopicPartition(topic.name, partition.partitionIndex)
                guard known[topic.name]?[partition.partitionIndex] != nil else {
                    errors[tp] = .unknownTopicOrPartition
                    continue
                }
                offsets[tp] = OffsetCommitValue(
                    offset: partition.committedOffset, leaderEpoch: partition.committedLeaderEpoch,
                    metadata: partition.committedMetadata ?? "",
                    commitTimestamp: partition.commitTimestamp == -1 ? now : partition.commitTimestamp,
                    expireTimestamp: commit.retentionTimeMs == -1 ? -1 : now + commit.retentionTimeMs)
            }
        }
        let unknown = errors
        let answer: @Sendable ([TopicPartition: ErrorCode]) -> Void = { stored in
            let all = unknown.merging(stored) { $1 }
            let topics = commit.topics.map { topic in
                OffsetCommit.TopicResult(name: topic.name, partitions: topic.partitions.map {
                    OffsetCommit.PartitionResult(
                        partitionIndex: $0.partitionIndex,
                        errorCode: all[TopicPartition(topic.name, $0.partitionIndex)] ?? .none)
                })
            }
            respond(OffsetCommit.responseFrame(OffsetCommit.Response(topics: topics), to: request))
        }
        if offsets.isEmpty { return answer([:]) }
        if request.header.apiVersion == 0, let zkOffsets {
            return answer(await Self.commitToZooKeeper(
                group: commit.groupId, offsets: offsets, zkOffsets: zkOffsets,
                metadataMaxBytes: Int(coordinator.offsetMetadataMaxBytes)))
        }
        coordinator.handleCommitOffsets(
            groupId: commit.groupId, memberId: commit.memberId, groupInstanceId: commit.groupInstanceId,
            generationId: commit.generationId, offsets: offsets, respond: answer)
    }
}
