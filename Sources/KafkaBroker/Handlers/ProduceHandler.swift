import KafkaCommon
import KafkaProtocol
import KafkaPurgatory
import KafkaRecords
import KafkaStorage

/// Produce: appends each partition's records on its leader (`Partition.appendRecordsToLeader`:
/// validation, offsets assigned by rewriting the batch headers in place) and answers with the
/// base offset, the log append time and the log start offset.
///
/// acks: 0 sends no response; 1 answers after the leader's append; -1 (all) answers once every
/// ISR member has the records — at once when the ISR is the leader alone, as in Kafka; with a
/// larger ISR (replication comes with the replication issue) the request times out with
/// REQUEST_TIMED_OUT after `timeout_ms` (DelayedProduce and `min.insync.replicas` come with
/// replication). Other acks values are INVALID_REQUIRED_ACKS.
struct ProduceHandler: KafkaRequestHandler {
    let apiKey = ApiKey.produce
    let replicaManager: ReplicaManager
    let fetchPurgatory: DelayedOperationPurgatory<DelayedFetch>

    func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction {
        var body = request.body
        let produce = try Produce.decodeRequest(from: &body, version: request.header.apiVersion)
        var responses: [Produce.TopicResponse] = []
        var waitForReplication = false
        for topic in produce.topicData {
            var partitions: [Produce.PartitionResponse] = []
            for data in topic.partitionData {
                let tp = TopicPartition(topic.name, data.index)
                guard [-1, 0, 1].contains(produce.acks) else {
                    partitions.append(.init(index: data.index, errorCode: .invalidRequiredAcks, baseOffset: -1))
                    continue
                }
                guard let partition = replicaManager.partition(tp) else {
                    partitions.append(.init(index: data.index, errorCode: .unknownTopicOrPartition, baseOffset: -1))
                    continue
                }
                do {
                    let (result, isr) = try partition.appendRecordsToLeader(MemoryRecords(data.records ?? ByteBuffer()))
                    fetchPurgatory.checkAndComplete(tp)
                    if produce.acks == -1, isr.count > 1 { waitForReplication = true }
                    partitions.append(.init(index: data.index, baseOffset: result.firstOffset,
                                            logAppendTimeMs: result.logAppendTime, logStartOffset: result.logStartOffset))
                } catch Partition.AppendError.notLeader {
                    partitions.append(.init(index: data.index, errorCode: .notLeaderForPartition, baseOffset: -1))
                } catch let error as RecordBatchError {
                    partitions.append(.init(index: data.index, errorCode: ErrorCode(rawValue: error.kafkaErrorCode), baseOffset: -1))
                } catch {
                    partitions.append(.init(index: data.index, errorCode: .kafkaStorageError, baseOffset: -1))
                }
            }
            responses.append(.init(name: topic.name, partitionResponses: partitions))
        }
        if produce.acks == 0 { return .noResponse }
        if waitForReplication {
            // No follower replicates yet: the ISR can never acknowledge; answer at the timeout.
            try? await Task.sleep(for: .milliseconds(Int64(max(0, produce.timeoutMs))))
            for topicIndex in responses.indices {
                for partitionIndex in responses[topicIndex].partitionResponses.indices
                where responses[topicIndex].partitionResponses[partitionIndex].errorCode == .none {
                    responses[topicIndex].partitionResponses[partitionIndex].errorCode = .requestTimedOut
                }
            }
        }
        return Produce.responseFrame(Produce.Response(responses: responses), to: request)
    }
}
