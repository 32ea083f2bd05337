import KafkaCommon
import KafkaProtocol
import KafkaPurgatory
import KafkaRecords
import KafkaStorage

/// Produce: appends each partition's records on its leader (`Partition.appendRecordsToLeader`:
/// validation, offsets assigned by rewriting the batch headers in place) and answers with the
/// base offset, the log append time and the log start offset.
///
/// acks: 0 sends no response, or closes the connection when a partition failed (`acksZeroAction`);
/// 1 answers after the leader's append; −1 (all) first requires the ISR to have
/// `min.insync.replicas` members (else NOT_ENOUGH_REPLICAS, nothing appended), then
/// waits in the produce purgatory (`DelayedProduce`) until the high watermark passes the
/// appended records, for up to `timeout_ms` (REQUEST_TIMED_OUT). Other acks values are
/// INVALID_REQUIRED_ACKS. A waiting produce holds no request handler: the thread that completes
/// its `DelayedProduce` (a follower's fetch moving the high watermark, or the timer) sends the
/// response, as in Kafka.
struct ProduceHandler: KafkaDelayingRequestHandler {
    let apiKey = ApiKey.produce
    let replicaManager: ReplicaManager

    func handle(_ request: KafkaRequest, respond: @escaping @Sendable (KafkaResponseAction) -> Void) async throws {
        var body = request.body
        let produce = try Produce.decodeRequest(from: &body, version: request.header.apiVersion)
        var responses: [Produce.TopicResponse] = []
        var waiting: [DelayedProduce.PartitionStatus] = []
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
                    let appended = try partition.appendRecordsToLeader(
                        MemoryRecords(data.records ?? ByteBuffer()), requiredAcks: produce.acks,
                        replicaLagTimeMaxMs: replicaManager.config.replicaLagTimeMaxMs)
                    // Followers waiting for data, and (if the high watermark moved) consumers and acks=all.
                    replicaManager.fetchPurgatory.checkAndComplete(tp)
                    if appended.highWatermarkIncreased { replicaManager.producePurgatory.checkAndComplete(tp) }
                    if produce.acks == -1 {
                        waiting.append(.init(topicPartition: tp, requiredOffset: appended.result.lastOffset + 1,
                                             minInSyncReplicas: appended.minInSyncReplicas))
                    }
                    partitions.append(.init(index: data.index, baseOffset: appended.result.firstOffset,
                                            logAppendTimeMs: appended.result.logAppendTime,
                                            logStartOffset: appended.result.logStartOffset))
                } catch Partition.AppendError.notLeader {
                    partitions.append(.init(index: data.index, errorCode: .notLeaderForPartition, baseOffset: -1))
                } catch Partition.AppendError.notEnoughReplicas {
                    partitions.append(.init(index: data.index, errorCode: .notEnoughReplicas, baseOffset: -1))
                } catch let error as RecordBatchError {
                    partitions.append(.init(index: data.index, errorCode: ErrorCode(rawValue: error.kafkaErrorCode), baseOffset: -1))
                } catch {
                    partitions.append(.init(index: data.index, errorCode: .kafkaStorageError, baseOffset: -1))
                }
            }
            responses.append(.init(name: topic.name, partitionResponses: partitions))
        }
        if produce.acks == 0 { return respond(Self.acksZeroAction(responses)) }
        guard !waiting.isEmpty else {
            return respond(Produce.responseFrame(Produce.Response(responses: responses), to: request))
        }
        // Wait in the produce purgatory until every partition is acknowledged by its ISR (or
        // failed, or timed out); the completing thread answers with each partition's outcome.
        let appended = responses
        let operation = DelayedProduce(delayMs: Int64(max(0, produce.timeoutMs)), partitions: waiting,
                                       replicaManager: replicaManager) { outcomes in
            respond(Produce.responseFrame(Produce.Response(responses: Self.applying(outcomes, to: appended)), to: request))
        }
        replicaManager.producePurgatory.tryCompleteElseWatch(operation, watchKeys: waiting.map(\.topicPartition))
    }

    /// acks=0 gets no response; when a partition failed, the connection is closed instead, so
    /// that the producer, which reads no answer, notices, refreshes its metadata and finds the
    /// new leader (Kafka's `handleProduceRequest` closes the connection the same way).
    static func acksZeroAction(_ responses: [Produce.TopicResponse]) -> KafkaResponseAction {
        let failed = responses.flatMap { topic in
            topic.partitionResponses.filter { $0.errorCode != .none }.map { "\(topic.name)-\($0.index): \($0.errorCode)" }
        }
        guard !failed.isEmpty else { return .noResponse }
        return .close(reason: "error in a produce request with acks=0 (\(failed.joined(separator: ", ")))")
    }

    /// The partition responses with the errors of the partitions that failed while waiting.
    private static func applying(_ outcomes: [TopicPartition: ErrorCode],
                                 to responses: [Produce.TopicResponse]) -> [Produce.TopicResponse] {
        var responses = responses
        for topicIndex in responses.indices {
            let name = responses[topicIndex].name
            for index in responses[topicIndex].partitionResponses.indices {
                let tp = TopicPartition(name, responses[topicIndex].partitionResponses[index].index)
                if let code = outcomes[tp], code != .none {
                    responses[topicIndex].partitionResponses[index].errorCode = code
                }
            }
        }
        return responses
    }
}
