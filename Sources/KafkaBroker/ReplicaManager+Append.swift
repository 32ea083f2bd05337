import KafkaCommon
import KafkaProtocol
import KafkaPurgatory
import KafkaRecords
import KafkaStorage

/// Produce below its handler (Kafka's `ReplicaManager.appendRecords` and `appendToLocalLog`):
/// the handler decodes the request and encodes the answer; this validates the acks, appends each
/// partition's records on its leader (`Partition.appendRecordsToLeader` → `Log.appendAsLeader`),
/// maps failures to Kafka's error codes, and for acks=all waits in the produce purgatory.
extension ReplicaManager {
    /// Kafka's internal topics: clients may not produce to them (only the broker's coordinators,
    /// and the admin client's id).
    static let internalTopics: Set<String> = ["__consumer_offsets", "__transaction_state"]

    /// acks Kafka accepts: 0 (no response), 1 (the leader's append), −1 (all of the ISR).
    static func isValidRequiredAcks(_ acks: Int16) -> Bool {
        acks == -1 || acks == 0 || acks == 1
    }

    /// Appends each partition's records on this broker, as its leader, and answers through
    /// `responseCallback` with one response per entry, in the order of `entriesPerPartition`
    /// (a partition named twice is appended twice, as the request asked).
    ///
    /// Completion cases, and which thread calls `responseCallback`:
    /// 1. `requiredAcks` is not 0, 1 or −1: every partition INVALID_REQUIRED_ACKS, nothing
    ///    appended; at once, on the calling thread.
    /// 2. acks 0 or 1, or acks −1 when no partition could be appended: each partition's append
    ///    result or error; at once, on the calling thread.
    /// 3. acks −1 with at least one partition appended: a `DelayedProduce` in the produce
    ///    purgatory, watched under the appended partitions, answers when each of them is
    ///    acknowledged by the ISR or has failed (NOT_LEADER_FOR_PARTITION,
    ///    NOT_ENOUGH_REPLICAS_AFTER_APPEND), or when `timeout` ms pass (REQUEST_TIMED_OUT) — on
    ///    the calling thread if the ISR already has the records (a leader alone in its ISR), else
    ///    on the thread that completes it (see `DelayedProduce`). Nothing waits on the calling
    ///    thread.
    ///
    /// Per-partition errors (`appendToLocalLog`): INVALID_TOPIC_EXCEPTION for an internal topic
    /// unless `internalTopicsAllowed`; UNKNOWN_TOPIC_OR_PARTITION for a partition not hosted here;
    /// NOT_LEADER_FOR_PARTITION on a follower; NOT_ENOUGH_REPLICAS for acks −1 with an ISR smaller
    /// than `min.insync.replicas` (nothing appended); a record validation error's own code
    /// (CORRUPT_MESSAGE, INVALID_RECORD, …); the producer state's (OUT_OF_ORDER_SEQUENCE_NUMBER,
    /// INVALID_PRODUCER_EPOCH, UNKNOWN_PRODUCER_ID, with the log start offset); KAFKA_STORAGE_ERROR
    /// for anything else. A producer's retry of a batch already written is answered NONE with the
    /// batch's original base offset (nothing appended; acks=all still waits for the ISR to have it).
    ///
    /// `origin` is `.client` for a Produce (a control batch is then refused with CORRUPT_MESSAGE,
    /// as Kafka 2.3 refuses it), `.coordinator` for the broker's own records (transaction markers).
    func appendRecords(
        timeout: Int64, requiredAcks: Int16, internalTopicsAllowed: Bool, origin: AppendOrigin = .client,
        entriesPerPartition: [(TopicPartition, MemoryRecords)],
        responseCallback: @escaping DelayedProduce.ResponseCallback
    ) {
        guard Self.isValidRequiredAcks(requiredAcks) else {
            return responseCallback(entriesPerPartition.map { tp, _ in
                (tp, Produce.PartitionResponse(index: tp.partition, errorCode: .invalidRequiredAcks, baseOffset: -1))
            })
        }
        let statuses = appendToLocalLog(internalTopicsAllowed: internalTopicsAllowed, entriesPerPartition: entriesPerPartition,
                                        requiredAcks: requiredAcks, origin: origin)
        // Kafka's `delayedProduceRequestRequired`: acks=all and something was appended.
        guard requiredAcks == -1, statuses.contains(where: \.acksPending) else {
            return responseCallback(statuses.map { ($0.topicPartition, $0.response) })
        }
        let operation = DelayedProduce(delayMs: max(0, timeout), statuses: statuses, replicaManager: self,
                                       responseCallback: responseCallback)
        producePurgatory.tryCompleteElseWatch(operation, watchKeys: operation.pendingPartitions.uniqued())
    }

    /// The per-partition append loop (Kafka's `appendToLocalLog`): one status per entry, in order,
    /// pending acknowledgement (`acksPending`) when appended with acks −1. After each append the
    /// fetches waiting on the partition are tried (a follower's fetch wants the new records), and
    /// the produces too when the high watermark moved.
    func appendToLocalLog(
        internalTopicsAllowed: Bool, entriesPerPartition: [(TopicPartition, MemoryRecords)], requiredAcks: Int16,
        origin: AppendOrigin = .client
    ) -> [DelayedProduce.PartitionStatus] {
        entriesPerPartition.map { tp, records in
            func failed(_ code: ErrorCode) -> DelayedProduce.PartitionStatus {
                .init(topicPartition: tp, requiredOffset: -1, minInSyncReplicas: 0,
                      response: .init(index: tp.partition, errorCode: code, baseOffset: -1), acksPending: false)
            }
            brokerTopicStats?.produceRequested(tp.topic)
            if Self.internalTopics.contains(tp.topic), !internalTopicsAllowed {
                return failed(.invalidTopicException)
            }
            guard let partition = partition(tp) else {
                return failed(.unknownTopicOrPartition)
            }
            do {
                let appended = try partition.appendRecordsToLeader(records, requiredAcks: requiredAcks,
                                                                   replicaLagTimeMaxMs: config.replicaLagTimeMaxMs, origin: origin)
                // Followers waiting for data, and (if the high watermark moved) consumers and acks=all.
                fetchPurgatory.checkAndComplete(tp)
                if appended.highWatermarkIncreased { producePurgatory.checkAndComplete(tp) }
                brokerTopicStats?.appended(tp.topic, messages: appended.result.lastOffset - appended.result.firstOffset + 1, bytes: records.sizeInBytes)
                return .init(topicPartition: tp, requiredOffset: appended.result.lastOffset + 1,
                             minInSyncReplicas: appended.minInSyncReplicas,
                             response: .init(index: tp.partition, baseOffset: appended.result.firstOffset,
                                             logAppendTimeMs: appended.result.logAppendTime,
                                             logStartOffset: appended.result.logStartOffset),
                             acksPending: requiredAcks == -1)
            } catch Partition.AppendError.notLeader {
                return failed(.notLeaderForPartition)
            } catch Partition.AppendError.notEnoughReplicas {
                brokerTopicStats?.produceFailed(tp.topic, rejectedBytes: 0)
                return failed(.notEnoughReplicas)
            } catch let error as RecordBatchError {
                brokerTopicStats?.recordsRejected(tp.topic, code: error.kafkaErrorCode, bytes: records.sizeInBytes)
                return failed(ErrorCode(rawValue: error.kafkaErrorCode))
            } catch let error as ProducerStateError {
                // Kafka 2.3 answers these with the partition's log start offset: a producer told
                // UNKNOWN_PRODUCER_ID compares it with its last acknowledged offset to tell
                // retention (its state was deleted: reset the sequence) from data loss.
                var status = failed(ErrorCode(rawValue: error.kafkaErrorCode))
                status.response.logStartOffset = partition.offsets.logStartOffset
                return status
            } catch {
                return failed(.kafkaStorageError)
            }
        }
    }
}
