/// One entry of a segment's `.txnindex`: an aborted transaction whose marker is in that segment.
/// Kafka's `AbortedTxn`.
///
/// On disk (big-endian, 34 bytes, no header, entries in the order their markers were written):
/// `version int16 (0), producerId int64, firstOffset int64, lastOffset int64,
/// lastStableOffset int64`. `lastStableOffset` is the partition's LSO just after the marker was
/// appended: a `read_committed` fetch that starts at or above it need not look at this entry.
public struct AbortedTransaction: Sendable, Hashable {
    public static let currentVersion: Int16 = 0
    public static let entrySize = 34

    public var producerId: Int64
    public var firstOffset: Int64
    public var lastOffset: Int64
    public var lastStableOffset: Int64

    public init(producerId: Int64, firstOffset: Int64, lastOffset: Int64, lastStableOffset: Int64) {
        self.producerId = producerId
        self.firstOffset = firstOffset
        self.lastOffset = lastOffset
        self.lastStableOffset = lastStableOffset
    }

    public init(_ completed: CompletedTransaction, lastStableOffset: Int64) {
        self.init(producerId: completed.producerId, firstOffset: completed.firstOffset,
                  lastOffset: completed.lastOffset, lastStableOffset: lastStableOffset)
    }
}
