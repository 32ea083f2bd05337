import GroupCoordinator
import KafkaCommon
import KafkaProtocol

/// TxnOffsetCommit (v0–2): a transactional producer commits a group's consumed offsets inside its
/// transaction (`send_offsets_to_transaction`, after AddOffsetsToTxn added the group's
/// `__consumer_offsets` partition to the transaction), as Kafka 2.3's
/// `handleTxnOffsetCommitRequest` does. Sent to the group's coordinator: partitions of topics the
/// cluster does not know are UNKNOWN_TOPIC_OR_PARTITION, the rest go to the `GroupCoordinator`,
/// which answers NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS … as for OffsetCommit, or writes
/// them as pending offsets of the transaction; the request waits, holding no request handler,
/// until they are written. They are served by OffsetFetch only once the transaction's COMMIT
/// marker reaches the group's partition.
///
/// Each offset is stamped with the commit time now and no expiry time; v2 carries the leader
/// epoch of the last consumed record.
struct TxnOffsetCommitHandler: KafkaDelayingRequestHandler {
    let apiKey = ApiKey.txnOffsetCommit
    let coordinator: GroupCoordinator
    let cache: MetadataCache
    let time: any Time

    func handle(_ request: KafkaRequest, respond: @escaping @Sendable (KafkaResponseAction) -> Void) async throws {
        var body = request.body
        let commit = try TxnOffsetCommit.decodeRequest(from: &body, version: request.header.apiVersion)
        let now = time.milliseconds
        let known = cache.current.partitions
        var errors: [TopicPartition: ErrorCode] = [:]
        var offsets: [TopicPartition: OffsetCommitValue] = [:]
        for topic in commit.topics {
            for partition in topic.partitions {
                let tp = TopicPartition(topic.topic, partition.partition)
                guard known[topic.topic]?[partition.partition] != nil else {
                    errors[tp] = .unknownTopicOrPartition
                    continue
                }
                offsets[tp] = OffsetCommitValue(
                    offset: partition.offset, leaderEpoch: partition.leaderEpoch, metadata: partition.metadata ?? "",
                    commitTimestamp: now, expireTimestamp: -1)
            }
        }
        let unknown = errors
        let answer: @Sendable ([TopicPartition: ErrorCode]) -> Void = { stored in
            let all = unknown.merging(stored) { $1 }
            let topics = commit.topics.map { topic in
                TxnOffsetCommit.TopicResult(topic: topic.topic, partitions: topic.partitions.map {
                    TxnOffsetCommit.PartitionResult(
                        partition: $0.partition, errorCode: all[TopicPartition(topic.topic, $0.partition)] ?? .none)
                })
            }
            respond(TxnOffsetCommit.responseFrame(TxnOffsetCommit.Response(throttleTimeMs: 0, topics: topics), to: request))
        }
        if offsets.isEmpty { return answer([:]) }
        coordinator.handleTxnCommitOffsets(
            groupId: commit.groupId, producerId: commit.producerId, producerEpoch: commit.producerEpoch, offsets: offsets,
            respond: answer)
    }
}
