import KafkaRecords

extension LogSegment {
    /// The max timestamp of the segment's first batch, or `Int64.max` when it has no v2 batch or
    /// the timestamp is negative (Kafka's `getFirstBatchTimestamp`): how old a segment's oldest
    /// records are, for `max.compaction.lag.ms`.
    public var firstBatchTimestamp: Int64 {
        guard let header = try? log.batchHeader(at: 0), header.magic == RecordBatch.currentMagic,
              let bytes = try? log.read(position: 0, size: RecordBatch.headerSize),
              let timestamp: Int64 = bytes.getInteger(at: bytes.readerIndex + 35), timestamp >= 0
        else { return .max }
        return timestamp
    }
}
