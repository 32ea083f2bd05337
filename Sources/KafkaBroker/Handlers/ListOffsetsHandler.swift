import KafkaCommon
import KafkaProtocol
import KafkaStorage

/// ListOffsets: per partition, the earliest offset (timestamp -2: the log start offset), the
/// latest (-1: the high watermark for a consumer, the log end offset for a follower, whose
/// `replica_id` is set), or the first offset whose record timestamp is at or after the given
/// one, found through the time index (v1+; none: offset -1; a consumer sees only offsets below
/// the high watermark; for a `read_committed` consumer, v2+, the last stable offset in both
/// places). v0 answers with a list of offsets (`max_num_offsets`), the first being
/// the one asked for. A `current_leader_epoch` (v4+) other than the partition's is
/// FENCED_LEADER_EPOCH or UNKNOWN_LEADER_EPOCH. The answer's `leader_epoch` (v4+) is the epoch of
/// the record found, not the current one, except for latest (see `Partition.fetchOffset`): a
/// consumer that resets to an offset validates it against that epoch (KIP-320).
struct ListOffsetsHandler: KafkaRequestHandler {
    let apiKey = ApiKey.listOffsets
    let replicaManager: ReplicaManager

    func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction {
        var body = request.body
        let version = request.header.apiVersion
        let list = try ListOffsets.decodeRequest(from: &body, version: version)
        let topics = list.topics.map { topic in
            ListOffsets.TopicResponse(name: topic.name, partitions: topic.partitions.map { requested in
                let tp = TopicPartition(topic.name, requested.partitionIndex)
                func failed(_ code: ErrorCode) -> ListOffsets.PartitionResponse {
                    ListOffsets.PartitionResponse(partitionIndex: requested.partitionIndex, errorCode: code, oldStyleOffsets: [],
                                                  timestamp: -1, offset: -1, leaderEpoch: -1)
                }
                guard let partition = replicaManager.partition(tp) else { return failed(.unknownTopicOrPartition) }
                let epochCheck = partition.checkLeaderEpoch(requested.currentLeaderEpoch)
                guard epochCheck == .none else { return failed(epochCheck) }
                guard partition.isLeader else { return failed(.notLeaderForPartition) }
                do {
                    let found = try partition.fetchOffset(forTimestamp: requested.timestamp,
                                                          isFromConsumer: list.replicaId.rawValue < 0,
                                                          readCommitted: IsolationLevel(requested: list.isolationLevel) == .readCommitted)
                    let offset = found?.offset ?? -1
                    return ListOffsets.PartitionResponse(
                        partitionIndex: requested.partitionIndex, oldStyleOffsets: version == 0 && offset >= 0 ? [offset] : [],
                        timestamp: found?.timestamp ?? -1, offset: offset,
                        leaderEpoch: LeaderEpoch(found?.leaderEpoch ?? LeaderEpochFileCache.undefinedEpoch))
                } catch {
                    return failed(.kafkaStorageError)
                }
            })
        }
        return ListOffsets.responseFrame(ListOffsets.Response(topics: topics), to: request)
    }
}
