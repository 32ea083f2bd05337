/// A transaction the producer state has seen begin in this partition: ongoing until its marker
/// is appended, then "unreplicated" until the high watermark passes the marker. Kafka's
/// `TxnMetadata`.
///
/// Invariant: `lastOffset`, once set, is the marker's offset and is `>= firstOffset`.
public struct TxnMetadata: Sendable, Hashable {
    public var producerId: Int64
    /// The offset of the transaction's first batch in this partition (or of its marker, for a
    /// transaction that wrote no data here).
    public var firstOffset: Int64
    /// The marker's offset, once the transaction is complete.
    public var lastOffset: Int64?

    public init(producerId: Int64, firstOffset: Int64, lastOffset: Int64? = nil) {
        self.producerId = producerId
        self.firstOffset = firstOffset
        self.lastOffset = lastOffset
    }
}
