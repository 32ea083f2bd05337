import KafkaCommon
import KafkaProtocol
import KafkaStorage

/// DeleteRecords: on each partition's leader, moves the log start offset up to the requested
/// offset and deletes the segments wholly below it; answers with the new low watermark (the log
/// start offset). As Kafka 2.3's `Partition.deleteRecordsOnLeader`:
///
/// - offset −1 means the high watermark (not the log end offset);
/// - an offset above the high watermark, or negative, is OFFSET_OUT_OF_RANGE: records the
///   followers have not fetched are never deleted on the leader alone;
/// - a log whose `cleanup.policy` lacks `delete` is POLICY_VIOLATION;
/// - an offset at or below the log start offset changes nothing and answers it.
///
/// The answer does not wait for followers (Kafka's DelayedDeleteRecords waits for their log start
/// offsets; with the ISR = the leader it answers at once too).
///
/// Isolation: the high watermark is read under the log's lock, where the deletion happens, so
/// the check and the deletion see the same state (lock order: log, then partition state).
struct DeleteRecordsHandler: KafkaRequestHandler {
    let apiKey = ApiKey.deleteRecords
    let replicaManager: ReplicaManager

    /// Kafka's `DeleteRecordsRequest.HIGH_WATERMARK`.
    static let highWatermarkOffset: Int64 = -1

    func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction {
        var body = request.body
        let delete = try DeleteRecords.decodeRequest(from: &body, version: request.header.apiVersion)
        let topics = delete.topics.map { topic in
            DeleteRecords.TopicResult(name: topic.name, partitions: topic.partitions.map { requested in
                let tp = TopicPartition(topic.name, requested.partitionIndex)
                func failed(_ code: ErrorCode) -> DeleteRecords.PartitionResult {
                    .init(partitionIndex: requested.partitionIndex, lowWatermark: -1, errorCode: code)
                }
                guard let partition = replicaManager.partition(tp) else { return failed(.unknownTopicOrPartition) }
                guard partition.isLeader else { return failed(.notLeaderForPartition) }
                do {
                    // Segments are deleted: no cleaner thread may be reading them meanwhile.
                    let (lowWatermark, code): (Int64, ErrorCode) = try partition.log.withCleaningPaused { try partition.log.withLock { log in
                        guard log.config.isDelete else { return (-1, .policyViolation) }
                        let highWatermark = partition.highWatermark
                        let target = requested.offset == Self.highWatermarkOffset ? highWatermark : requested.offset
                        guard target >= 0, target <= highWatermark else { return (-1, .offsetOutOfRange) }
                        guard target > log.logStartOffset else { return (log.logStartOffset, .none) }
                        return (try log.deleteRecords(upTo: target), .none)
                    } }
                    return .init(partitionIndex: requested.partitionIndex, lowWatermark: lowWatermark, errorCode: code)
                } catch let error as LogError {
                    return failed(ErrorCode(rawValue: error.kafkaErrorCode))
                } catch {
                    return failed(.kafkaStorageError)
                }
            })
        }
        return DeleteRecords.responseFrame(DeleteRecords.Response(topics: topics), to: request)
    }
}
