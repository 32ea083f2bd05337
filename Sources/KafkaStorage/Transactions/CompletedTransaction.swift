/// A transaction that a COMMIT or ABORT marker has just ended in one partition's log. Kafka's
/// `CompletedTxn`.
///
/// Made by the `ProducerStateManager` when it reads a marker, on the leader's and on a
/// follower's append alike, and during recovery. The log then records an aborted one in the
/// active segment's `.txnindex` (`LocalLog.recordCompletedTransaction`) before the producer
/// state forgets the transaction, so that `read_committed` fetches can name it.
///
/// Invariant: `firstOffset <= lastOffset`; `lastOffset` is the marker's own offset.
public struct CompletedTransaction: Sendable, Hashable {
    public var producerId: Int64
    /// The offset of the transaction's first record in this partition.
    public var firstOffset: Int64
    /// The offset of the marker that ended it.
    public var lastOffset: Int64
    public var isAborted: Bool

    public init(producerId: Int64, firstOffset: Int64, lastOffset: Int64, isAborted: Bool) {
        self.producerId = producerId
        self.firstOffset = firstOffset
        self.lastOffset = lastOffset
        self.isAborted = isAborted
    }
}
