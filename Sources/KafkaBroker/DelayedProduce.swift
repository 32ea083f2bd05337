import KafkaCommon
import KafkaProtocol
import KafkaPurgatory
import Synchronization

/// An acks=all Produce waiting for the ISR (Kafka's `DelayedProduce`), created by
/// `ReplicaManager.appendRecords` once the leader has appended. Watched under each partition
/// still waiting; whatever may move a partition's high watermark (a follower's fetch, an ISR
/// change) or its leadership calls `checkAndComplete` for it.
///
/// It holds every partition of the request, in request order (Kafka's `ProduceMetadata`): those
/// whose append failed already carry their error and are not waited for (`acksPending` false);
/// those appended start as REQUEST_TIMED_OUT, the answer if nothing else comes first.
///
/// Completion, per partition still pending:
/// 1. the partition is gone from this broker: UNKNOWN_TOPIC_OR_PARTITION;
/// 2. this broker is no longer the leader: NOT_LEADER_FOR_PARTITION;
/// 3. the high watermark reached the offset after the appended records: done (no error) — or
///    NOT_ENOUGH_REPLICAS_AFTER_APPEND if the ISR has meanwhile fallen below
///    `min.insync.replicas`;
/// 4. the request's `timeout_ms` passes first: it stays REQUEST_TIMED_OUT.
/// The operation completes when no partition is pending, or at the timeout; `responseCallback`
/// then gets every partition's response, on the completing thread: the request handler whose
/// append completed it at once, a request handler whose follower fetch moved the high
/// watermark, the ISR-update task, a LeaderAndIsr or StopReplica handler (leadership lost), the
/// purgatory's timer executor (timeout), or the shutdown.
///
/// Isolation: the statuses are behind a `Mutex`; `tryComplete` also runs under the operation's
/// lock, and `onComplete` runs once, after which nothing changes them.
final class DelayedProduce: DelayedOperation, @unchecked Sendable {
    /// One partition of the request (Kafka's `ProducePartitionStatus`).
    struct PartitionStatus: Sendable {
        let topicPartition: TopicPartition
        /// The high watermark that acknowledges the append: its last offset + 1.
        let requiredOffset: Int64
        let minInSyncReplicas: Int
        /// What the response says for the partition (its error updated as the wait ends).
        var response: Produce.PartitionResponse
        /// Still waiting for the ISR; false for a partition whose append failed.
        var acksPending: Bool
    }

    /// The responses, in request order, with the partition each answers.
    typealias ResponseCallback = @Sendable ([(topicPartition: TopicPartition, response: Produce.PartitionResponse)]) -> Void

    private let statuses: Mutex<[PartitionStatus]>
    let replicaManager: ReplicaManager
    private let responseCallback: ResponseCallback

    init(delayMs: Int64, statuses: [PartitionStatus], replicaManager: ReplicaManager, responseCallback: @escaping ResponseCallback) {
        var statuses = statuses
        // Cleared when the ISR acknowledges (Kafka sets the same placeholder).
        for index in statuses.indices where statuses[index].acksPending {
            statuses[index].response.errorCode = .requestTimedOut
        }
        self.statuses = Mutex(statuses)
        self.replicaManager = replicaManager
        self.responseCallback = responseCallback
        super.init(delayMs: delayMs)
    }

    /// The partitions still waiting for their ISR.
    var pendingPartitions: [TopicPartition] {
        statuses.withLock { $0.filter(\.acksPending).map(\.topicPartition) }
    }

    override func tryComplete() -> Bool {
        let done: Bool = statuses.withLock { statuses in
            for index in statuses.indices where statuses[index].acksPending {
                let status = statuses[index]
                let outcome: ErrorCode?
                if let partition = replicaManager.partition(status.topicPartition) {
                    outcome = partition.acknowledgement(requiredOffset: status.requiredOffset,
                                                        minInSyncReplicas: status.minInSyncReplicas)
                } else {
                    outcome = .unknownTopicOrPartition
                }
                if let outcome {
                    statuses[index].acksPending = false
                    statuses[index].response.errorCode = outcome
                }
            }
            return !statuses.contains(where: \.acksPending)
        }
        return done ? forceComplete() : false
    }

    /// Runs once: partitions still pending then (the timeout completed it) answer
    /// REQUEST_TIMED_OUT.
    override func onComplete() {
        let responses = statuses.withLock { $0.map { (topicPartition: $0.topicPartition, response: $0.response) } }
        responseCallback(responses)
    }

    override func onExpiration() {}
}
