import KafkaCommon
import KafkaProtocol

/// OffsetForLeaderEpoch, asked of a leader by its followers (and by clients detecting log
/// truncation): for each partition and epoch E, the largest epoch ≤ E in the leader's log and
/// the offset where it ends — the log end offset for the current epoch, else the start offset of
/// the next epoch (KIP-101). A `current_leader_epoch` (v2+) other than the partition's is
/// FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH; a non-leader answers NOT_LEADER_FOR_PARTITION.
struct OffsetForLeaderEpochHandler: KafkaRequestHandler {
    let apiKey = ApiKey.offsetForLeaderEpoch
    let replicaManager: ReplicaManager

    func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction {
        var body = request.body
        let asked = try OffsetForLeaderEpoch.decodeRequest(from: &body, version: request.header.apiVersion)
        let topics = asked.topics.map { topic in
            OffsetForLeaderEpoch.TopicResult(name: topic.name, partitions: topic.partitions.map { requested in
                let tp = TopicPartition(topic.name, requested.partitionIndex)
                func failed(_ code: ErrorCode) -> OffsetForLeaderEpoch.PartitionResult {
                    OffsetForLeaderEpoch.PartitionResult(errorCode: code, partitionIndex: requested.partitionIndex, leaderEpoch: -1, endOffset: -1)
                }
                guard let partition = replicaManager.partition(tp) else { return failed(.unknownTopicOrPartition) }
                let epochCheck = partition.checkLeaderEpoch(requested.currentLeaderEpoch)
                guard epochCheck == .none else { return failed(epochCheck) }
                guard partition.isLeader else { return failed(.notLeaderForPartition) }
                let end = partition.localEndOffset(forLeaderEpoch: requested.leaderEpoch.rawValue)
                return OffsetForLeaderEpoch.PartitionResult(errorCode: .none, partitionIndex: requested.partitionIndex,
                                                            leaderEpoch: LeaderEpoch(end.epoch), endOffset: end.endOffset)
            })
        }
        return OffsetForLeaderEpoch.responseFrame(OffsetForLeaderEpoch.Response(topics: topics), to: request)
    }
}
