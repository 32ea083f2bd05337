import KafkaCommon
import KafkaPurgatory

/// A Fetch waiting for data (Kafka's `DelayedFetch`): answered as soon as the partitions it reads
/// have `fetch.min.bytes` new bytes between them, or when `max_wait_ms` runs out — whichever
/// comes first. Watched under each of its partitions; a Produce to one of them calls
/// `checkAndComplete` for it.
///
/// Completion cases (as in Kafka, those that apply before replication):
/// 1. a partition it fetches is no longer led here (or disappeared): complete now, the response
///    carries the error;
/// 2. the bytes available from the fetch offsets reach `minBytes`: complete;
/// 3. the delay expires: complete with whatever there is.
/// The response itself is built by the handler after completion, from the logs as they are then.
final class DelayedFetch: DelayedOperation, @unchecked Sendable {
    let minBytes: Int
    /// (partition, fetch offset) pairs.
    let fetches: [(TopicPartition, Int64)]
    let replicaManager: ReplicaManager
    private let completion: @Sendable () -> Void

    init(delayMs: Int64, minBytes: Int, fetches: [(TopicPartition, Int64)], replicaManager: ReplicaManager,
         completion: @escaping @Sendable () -> Void) {
        self.minBytes = minBytes
        self.fetches = fetches
        self.replicaManager = replicaManager
        self.completion = completion
        super.init(delayMs: delayMs)
    }

    override func tryComplete() -> Bool {
        var available = 0
        for (tp, offset) in fetches {
            guard let partition = replicaManager.partition(tp), partition.isLeader else { return forceComplete() }
            let offsets = partition.offsets
            if offset < offsets.logStartOffset || offset > offsets.highWatermark { return forceComplete() }
            if offsets.highWatermark > offset {
                // The size of the slice a fetch would send: found through the index, no bytes read.
                available += (try? partition.readSlice(offset: offset, maxBytes: minBytes, minOneMessage: false,
                                                       isolatedToHighWatermark: true).records.size) ?? 0
            }
        }
        return available >= minBytes ? forceComplete() : false
    }

    override func onComplete() { completion() }
    override func onExpiration() {}
}
