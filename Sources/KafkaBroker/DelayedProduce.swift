import KafkaCommon
import KafkaProtocol
import KafkaPurgatory
import Synchronization

/// An acks=all Produce waiting for the ISR (Kafka's `DelayedProduce`). Watched under each of its
/// partitions; whatever may move a partition's high watermark (a follower's fetch, an ISR
/// change) or its leadership calls `checkAndComplete` for it.
///
/// Completion, per partition that was appended (the others already carry their error):
/// 1. this broker is no longer the leader: NOT_LEADER_FOR_PARTITION;
/// 2. the high watermark reached the offset after the appended records: done — with
///    NOT_ENOUGH_REPLICAS_AFTER_APPEND if the ISR has meanwhile fallen below
///    `min.insync.replicas`;
/// 3. the request's `timeout_ms` passes first: REQUEST_TIMED_OUT.
/// The operation completes when every partition has an outcome, or at the timeout; `completion`
/// then sends the response, on the completing thread (a request handler's, or the timer's).
final class DelayedProduce: DelayedOperation, @unchecked Sendable {
    struct PartitionStatus: Sendable {
        let topicPartition: TopicPartition
        /// The high watermark that acknowledges the append: its last offset + 1.
        let requiredOffset: Int64
        let minInSyncReplicas: Int
    }

    private let pending: Mutex<[TopicPartition: PartitionStatus]>
    private let outcomes = Mutex<[TopicPartition: ErrorCode]>([:])
    let replicaManager: ReplicaManager
    private let completion: @Sendable ([TopicPartition: ErrorCode]) -> Void

    init(delayMs: Int64, partitions: [PartitionStatus], replicaManager: ReplicaManager,
         completion: @escaping @Sendable ([TopicPartition: ErrorCode]) -> Void) {
        self.pending = Mutex(Dictionary(partitions.map { ($0.topicPartition, $0) }, uniquingKeysWith: { $1 }))
        self.replicaManager = replicaManager
        self.completion = completion
        super.init(delayMs: delayMs)
    }

    override func tryComplete() -> Bool {
        let done: Bool = pending.withLock { pending in
            for (tp, status) in pending {
                let outcome: ErrorCode?
                if let partition = replicaManager.partition(tp) {
                    outcome = partition.acknowledgement(requiredOffset: status.requiredOffset,
                                                        minInSyncReplicas: status.minInSyncReplicas)
                } else {
                    outcome = .unknownTopicOrPartition
                }
                if let outcome {
                    pending[tp] = nil
                    outcomes.withLock { $0[tp] = outcome }
                }
            }
            return pending.isEmpty
        }
        return done ? forceComplete() : false
    }

    /// Runs once, before `onExpiration` when the timeout completed it: partitions still pending
    /// then are the ones that timed out.
    override func onComplete() {
        let timedOut = pending.withLock { $0.keys }
        var result = outcomes.withLock { $0 }
        for tp in timedOut where result[tp] == nil { result[tp] = .requestTimedOut }
        completion(result)
    }

    override func onExpiration() {}
}
