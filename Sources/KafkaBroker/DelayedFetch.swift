import KafkaCommon
import KafkaPurgatory

/// A Fetch waiting for data (Kafka's `DelayedFetch`): answered as soon as the partitions it reads
/// have `fetch.min.bytes` new bytes between them, or when `max_wait_ms` runs out — whichever
/// comes first. Watched under each of its partitions; an append, a high watermark move or a role
/// change calls `checkAndComplete` for them.
///
/// A consumer reads up to the high watermark, a follower (`isFromFollower`) up to the log end
/// offset, so a follower's fetch completes on the leader's append and a consumer's only once the
/// ISR has the records.
///
/// Completion cases (Kafka's):
/// 1. a partition it fetches is no longer led here, or disappeared: complete now, the response
///    carries the error;
/// 2. a fetch offset is no longer in the log's range (truncation, retention): complete;
/// 3. the bytes available from the fetch offsets reach `minBytes`: complete;
/// 4. the delay expires: complete with whatever there is.
/// The response itself is built by `completion`, from the logs as they are then, on the thread
/// that completed the operation (as Kafka's `DelayedFetch.onComplete` does): a request handler
/// whose append or high watermark move completed it, or the purgatory's timer.
final class DelayedFetch: DelayedOperation, @unchecked Sendable {
    let minBytes: Int
    /// (partition, fetch offset) pairs.
    let fetches: [(TopicPartition, Int64)]
    let isFromFollower: Bool
    let replicaManager: ReplicaManager
    private let completion: @Sendable () -> Void

    init(delayMs: Int64, minBytes: Int, fetches: [(TopicPartition, Int64)], isFromFollower: Bool, replicaManager: ReplicaManager,
         completion: @escaping @Sendable () -> Void) {
        self.minBytes = minBytes
        self.fetches = fetches
        self.isFromFollower = isFromFollower
        self.replicaManager = replicaManager
        self.completion = completion
        super.init(delayMs: delayMs)
    }

    override func tryComplete() -> Bool {
        var available = 0
        for (tp, offset) in fetches {
            guard let partition = replicaManager.partition(tp), partition.isLeader else { return forceComplete() }
            let offsets = partition.offsets
            let end = isFromFollower ? offsets.logEndOffset : offsets.highWatermark
            if offset < offsets.logStartOffset || offset > end { return forceComplete() }
            if end > offset {
                // The size of the slice a fetch would send: found through the index, no bytes read.
                available += (try? partition.readSlice(offset: offset, maxBytes: minBytes, minOneMessage: false,
                                                       isolatedToHighWatermark: !isFromFollower).records.size) ?? 0
            }
        }
        return available >= minBytes ? forceComplete() : false
    }

    override func onComplete() { completion() }
    override func onExpiration() {}
}
