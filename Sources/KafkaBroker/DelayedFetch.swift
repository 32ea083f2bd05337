import KafkaCommon
import KafkaPurgatory

/// A Fetch waiting for data (Kafka's `DelayedFetch`): answered as soon as the partitions it reads
/// have `fetch.min.bytes` new bytes between them, or when `max_wait_ms` runs out — whichever
/// comes first. Watched under each of its partitions; an append, a high watermark move or a role
/// change calls `checkAndComplete` for them.
///
/// A `read_uncommitted` consumer reads up to the high watermark, a `read_committed` one up to
/// the last stable offset, a follower up to the log end offset (`isolation`), so a follower's
/// fetch completes on the leader's append and a consumer's only once the ISR has the records
/// (and, reading committed, once the transactions holding them are ended and replicated). The
/// LSO moves only with the high watermark (it is never above it) or a marker's append, both of
/// which check the partition's waiting fetches.
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
    let isolation: FetchIsolation
    let replicaManager: ReplicaManager
    private let completion: @Sendable () -> Void

    init(delayMs: Int64, minBytes: Int, fetches: [(TopicPartition, Int64)], isolation: FetchIsolation, replicaManager: ReplicaManager,
         completion: @escaping @Sendable () -> Void) {
        self.minBytes = minBytes
        self.fetches = fetches
        self.isolation = isolation
        self.replicaManager = replicaManager
        self.completion = completion
        super.init(delayMs: delayMs)
    }

    override func tryComplete() -> Bool {
        var available = 0
        for (tp, offset) in fetches {
            guard let partition = replicaManager.partition(tp), partition.isLeader else { return forceComplete() }
            let offsets = partition.isolatedOffsets
            let end = switch isolation {
            case .logEnd: offsets.logEndOffset
            case .highWatermark: offsets.highWatermark
            case .txnCommitted: offsets.lastStableOffset
            }
            // Out of range: below the log start, or past the high watermark (the log end offset for
            // a follower). A read_committed fetch past the LSO but not the high watermark waits.
            let rangeEnd = isolation == .logEnd ? offsets.logEndOffset : offsets.highWatermark
            if offset < offsets.logStartOffset || offset > rangeEnd { return forceComplete() }
            if end > offset {
                // The size of the slice a fetch would send: found through the index, no bytes read.
                available += (try? partition.read(offset: offset, maxBytes: minBytes, minOneMessage: false,
                                                  isolation: isolation, includeAbortedTransactions: false).records.size) ?? 0
            }
        }
        return available >= minBytes ? forceComplete() : false
    }

    override func onComplete() { completion() }
    override func onExpiration() {}
}
