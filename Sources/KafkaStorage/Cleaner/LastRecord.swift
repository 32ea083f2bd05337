/// What the cleaner must keep of one active producer so that its state survives a cleaning
/// (Kafka's `LastRecord`): the last offset of its last data batch, nil when it wrote none under
/// its current epoch (its last entry is then a marker, which carries that epoch), and its epoch.
///
/// The cleaner keeps, possibly emptied of its records, the batch holding `lastDataOffset` (its
/// header has the producer's last sequence, so the producer's next batch is not refused as out
/// of sequence after the producer state is rebuilt from the log), or, when `lastDataOffset` is
/// nil, the producer's control batches of `producerEpoch` (so a zombie with an older epoch is
/// still fenced).
public struct LastRecord: Sendable, Equatable {
    public var lastDataOffset: Int64?
    public var producerEpoch: Int16

    public init(lastDataOffset: Int64?, producerEpoch: Int16) {
        self.lastDataOffset = lastDataOffset
        self.producerEpoch = producerEpoch
    }

    /// Whether `batch`, of this record's producer, must be kept (at least as an empty batch).
    func isLastRecord(lastOffset: Int64, isControlBatch: Bool, producerEpoch epoch: Int16) -> Bool {
        if let lastDataOffset { return lastOffset == lastDataOffset }
        return isControlBatch && epoch == producerEpoch
    }
}

extension LocalLog {
    /// The `LastRecord` of every producer in the producer state (Kafka's
    /// `lastRecordsOfActiveProducers`). Under the log's lock.
    public var lastRecordsOfActiveProducers: [Int64: LastRecord] {
        activeProducers.mapValues { entry in
            LastRecord(lastDataOffset: entry.lastDataOffset >= 0 ? entry.lastDataOffset : nil, producerEpoch: entry.producerEpoch)
        }
    }
}
