import KafkaRecords
import Logging

extension LogSegment {
    /// Why `recover` stopped before the end of the `.log` file.
    public enum RecoveryStop: Sendable, Equatable {
        /// The last entry is shorter than its declared size (a torn write), or fewer than 12
        /// bytes of a header remain.
        case tornTail
        /// An entry whose size, magic, checksum or offsets are impossible.
        case corrupt(String)
    }

    /// Kafka's `LogSegment.recover`: re-reads every batch of the `.log` file, checking its size
    /// (at most `maxMessageSize`), magic, CRC-32C and that its offsets fit this segment, rebuilds
    /// both indexes from scratch, and cuts the file at the first entry that fails (a torn or
    /// corrupt tail: everything after it is unreachable anyway, since batches are found by
    /// walking sizes). The cut is logged at warning level with the file, offset and position.
    /// Returns the number of bytes removed.
    ///
    /// `epochStart`, when given, is called with the partition leader epoch and base offset of
    /// every valid batch, in order (the log feeds its leader epoch cache from it, as Kafka's
    /// `recover` does with the cache it is handed).
    @discardableResult
    public func recover(
        maxMessageSize: Int, logger: Logger, epochStart: ((_ epoch: Int32, _ baseOffset: Int64) throws -> Void)? = nil
    ) throws -> Int {
        offsetIndex.truncateAll()
        timeIndex.truncateAll()
        try txnIndex.reset()
        try resizeIndexes(maxIndexSize)
        resetTimestampTracking()
        var validBytes = 0
        var lastIndexEntry = 0
        var lastOffset = baseOffset - 1
        var stop: RecoveryStop?
        while validBytes < log.sizeInBytes {
            guard let header = try log.batchHeader(at: validBytes) else {
                stop = log.sizeInBytes - validBytes >= 12 && isImpossibleSize(at: validBytes)
                    ? .corrupt("impossible entry size") : .tornTail
                break
            }
            guard header.sizeInBytes <= maxMessageSize else {
                stop = .corrupt("entry of \(header.sizeInBytes) bytes exceeds the maximum \(maxMessageSize)")
                break
            }
            let batch: RecordBatch
            do {
                batch = try RecordBatch(log.read(position: validBytes, size: header.sizeInBytes))
                try batch.ensureValid()
            } catch {
                stop = .corrupt("\(error)")
                break
            }
            guard batch.baseOffset > lastOffset, batch.lastOffset >= batch.baseOffset,
                  canConvertToRelativeOffset(batch.lastOffset)
            else {
                stop = .corrupt("offsets \(batch.baseOffset)...\(batch.lastOffset) do not follow \(lastOffset) in a segment based at \(baseOffset)")
                break
            }
            if batch.maxTimestamp > maxTimestampSoFar {
                noteTimestamp(batch.maxTimestamp, offset: batch.lastOffset)
            }
            if validBytes - lastIndexEntry > indexIntervalBytes {
                try offsetIndex.append(offset: batch.lastOffset, position: Int32(validBytes))
                try timeIndex.maybeAppend(timestamp: maxTimestampSoFar, offset: offsetOfMaxTimestampSoFar)
                lastIndexEntry = validBytes
            }
            try epochStart?(batch.partitionLeaderEpoch, batch.baseOffset)
            lastOffset = batch.lastOffset
            validBytes += batch.sizeInBytes
        }
        let truncated = log.sizeInBytes - validBytes
        if truncated > 0 {
            logger.warning(
                "Found invalid bytes at the end of a log segment; truncating",
                metadata: [
                    "file": "\(log.path)", "position": "\(validBytes)", "nextOffset": "\(lastOffset + 1)",
                    "truncatedBytes": "\(truncated)", "reason": "\(stop.map { "\($0)" } ?? "unknown")",
                ])
            try log.truncate(to: validBytes)
        }
        if !timeIndex.isFull, maxTimestampSoFar >= 0 {
            try timeIndex.maybeAppend(timestamp: maxTimestampSoFar, offset: offsetOfMaxTimestampSoFar)
        }
        try offsetIndex.trimToValidSize()
        try timeIndex.trimToValidSize()
        return truncated
    }

    /// True when the entry header at `position` declares a size below the smallest entry (as
    /// opposed to a size running past the end of the file, which is a torn write).
    private func isImpossibleSize(at position: Int) -> Bool {
        guard let bytes = try? log.read(position: position + 8, size: 4),
              let length: Int32 = bytes.getInteger(at: bytes.readerIndex)
        else { return false }
        return length < 14
    }
}
