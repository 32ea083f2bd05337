import KafkaRecords

/// What the producer state keeps of one batch a producer wrote: enough to recognise a retry of it
/// and to answer that retry with the offsets the batch got the first time. Kafka's
/// `BatchMetadata`.
///
/// Invariant: `offsetDelta >= 0`; the batch covered the sequences `firstSequence...lastSequence`
/// (wrapping past `Int32.max` to 0) and the offsets `firstOffset...lastOffset`.
public struct BatchMetadata: Sendable, Hashable {
    public var lastSequence: Int32
    public var lastOffset: Int64
    /// `lastOffset - firstOffset` (the batch's `lastOffsetDelta` as written).
    public var offsetDelta: Int32
    /// The batch's max timestamp.
    public var timestamp: Int64

    public init(lastSequence: Int32, lastOffset: Int64, offsetDelta: Int32, timestamp: Int64) {
        self.lastSequence = lastSequence
        self.lastOffset = lastOffset
        self.offsetDelta = offsetDelta
        self.timestamp = timestamp
    }

    public var firstSequence: Int32 { Self.decrementSequence(lastSequence, by: offsetDelta) }
    public var firstOffset: Int64 { lastOffset - Int64(offsetDelta) }

    /// `sequence - decrement`, wrapping below 0 back to `Int32.max` as producers wrap up
    /// (Kafka's `DefaultRecordBatch.decrementSequence`).
    public static func decrementSequence(_ sequence: Int32, by decrement: Int32) -> Int32 {
        sequence < decrement ? Int32.max - (decrement - sequence) + 1 : sequence - decrement
    }
}
