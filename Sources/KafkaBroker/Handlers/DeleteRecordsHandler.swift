import KafkaCommon
import KafkaProtocol
import KafkaStorage

/// DeleteRecords: on each partition's leader, moves the log start offset up to the requested
/// offset (-1: the high watermark) and deletes the segments wholly below it; answers with the new
/// low watermark (the log start offset). An offset beyond the high watermark is
/// OFFSET_OUT_OF_RANGE. With replication to come, the answer does not wait for followers (Kafka's
/// DelayedDeleteRecords waits for their log start offsets; with the ISR = the leader it answers
/// at once too).
struct DeleteRecordsHandler: KafkaRequestHandler {
    let apiKey = ApiKey.deleteRecords
    let replicaManager: ReplicaManager

    func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction {
        var body = request.body
        let delete = try DeleteRecords.decodeRequest(from: &body, version: request.header.apiVersion)
        let topics = delete.topics.map { topic in
            DeleteRecords.TopicResult(name: topic.name, partitions: topic.partitions.map { requested in
                let tp = TopicPartition(topic.name, requested.partitionIndex)
                guard let partition = replicaManager.partition(tp) else {
                    return .init(partitionIndex: requested.partitionIndex, lowWatermark: -1, errorCode: .unknownTopicOrPartition)
                }
                guard partition.isLeader else {
                    return .init(partitionIndex: requested.partitionIndex, lowWatermark: -1, errorCode: .notLeaderForPartition)
                }
                do {
                    let lowWatermark = try partition.log.withLock { log in
                        let target = requested.offset == -1 ? log.logEndOffset : requested.offset
                        guard target >= 0 else {
                            throw LogError.offsetOutOfRange(offset: target, logStartOffset: log.logStartOffset,
                                                            logEndOffset: log.logEndOffset)
                        }
                        return target <= log.logStartOffset ? log.logStartOffset
                            : try log.deleteRecords(upTo: target)
                    }
                    return .init(partitionIndex: requested.partitionIndex, lowWatermark: lowWatermark)
                } catch let error as LogError {
                    return .init(partitionIndex: requested.partitionIndex, lowWatermark: -1,
                                 errorCode: ErrorCode(rawValue: error.kafkaErrorCode))
                } catch {
                    return .init(partitionIndex: requested.partitionIndex, lowWatermark: -1, errorCode: .kafkaStorageError)
                }
            })
        }
        return DeleteRecords.responseFrame(DeleteRecords.Response(topics: topics), to: request)
    }
}
