import KafkaRecords
import NIOCore

extension Cleaner {
    /// The first pass (Kafka's `buildOffsetMap`): clears the map, then maps `key → offset` for
    /// every keyed record at or after `start` in the segments holding `[start, end)`, in offset
    /// order, stopping once the map holds `slots × loadFactor` keys (the rest is cleaned by a
    /// later run). Control batches and the batches of aborted transactions (the `.txnindex`
    /// entries overlapping `[start, end)`, walked through by a `CleanedTransactionMetadata`) are
    /// not mapped: an aborted record must not make an older committed value of its key
    /// redundant. Committed transactional records are mapped like any other; `end` is at or
    /// below the first unstable offset, so no undecided transaction is read. After each batch
    /// read past `start`, the map's `latestOffset` becomes the batch's last offset, so the
    /// cleaned range ends at a batch boundary.
    func buildOffsetMap(_ log: CleaningTarget, start: Int64, end: Int64, stats: inout CleanerStats) throws {
        offsetMap.clear()
        let dirty = Array(log.segments(from: start, to: end))
        logger.info("Cleaner \(id): Building offset map for log \(log.topicPartition) for \(dirty.count) segments in offset range [\(start), \(end)).")
        var transactionMetadata = CleanedTransactionMetadata(abortedTransactions: try log.abortedTransactions(start, end))
        for segment in dirty {
            try log.checkAborted()
            if try buildOffsetMapForSegment(segment, start: start, transactionMetadata: &transactionMetadata, stats: &stats) { break }
        }
        logger.info("Cleaner \(id): Offset map for log \(log.topicPartition) complete.")
    }

    /// Maps one segment; true when the map became full (the segment is then partly mapped).
    private func buildOffsetMapForSegment(
        _ segment: LogSegment, start: Int64, transactionMetadata: inout CleanedTransactionMetadata, stats: inout CleanerStats
    ) throws -> Bool {
        var position = Int(segment.offsetIndex.lookup(start).position)
        let maxDesiredMapSize = offsetMap.maxDesiredSize(loadFactor: dupBufferLoadFactor)
        var readSize = ioBufferSize
        while position < segment.log.sizeInBytes {
            let chunk = try segment.log.read(position: position, size: readSize)
            var batches = MemoryRecords(chunk).batches
            while let batch = batches.next() {
                stats.mapBytesRead += batch.sizeInBytes
                if batch.isControlBatch {
                    _ = transactionMetadata.onControlBatchRead(
                        producerId: batch.producerId, lastOffset: batch.lastOffset, type: try CleanerRecordFilter.controlType(of: batch))
                    stats.mapMessagesRead += 1
                } else if transactionMetadata.onBatchRead(
                    producerId: batch.producerId, lastOffset: batch.lastOffset, isTransactional: batch.isTransactional)
                {
                    // Aborted: its records supersede nothing.
                    stats.mapMessagesRead += Int(batch.recordCount)
                } else {
                    var records = try batch.records()
                    while let record = try records.next() {
                        if let key = record.key, record.offset >= start {
                            guard offsetMap.size < maxDesiredMapSize else { return true }
                            try offsetMap.put(key: key, offset: record.offset)
                        }
                        stats.mapMessagesRead += 1
                    }
                }
                if batch.lastOffset >= start { offsetMap.updateLatestOffset(batch.lastOffset) }
            }
            if case .corrupt(let at, let error) = batches.end {
                throw StorageError.corrupt(path: segment.log.path, message: "entry at \(position + at): \(error)")
            }
            if batches.validBytes == 0 {
                readSize = try grownReadSize(readSize, segment: segment, position: position)
                continue
            }
            position += batches.validBytes
            readSize = ioBufferSize
            throttler?.maybeThrottle(Double(batches.validBytes))
        }
        return false
    }

    /// Doubles a read that did not hold one whole batch, up to `maxIoBufferSize` (Kafka's
    /// `growBuffersOrFail`); throws when the batch is larger than that.
    func grownReadSize(_ current: Int, segment: LogSegment, position: Int) throws -> Int {
        guard current < maxIoBufferSize else {
            throw StorageError.corrupt(
                path: segment.log.path,
                message: "a batch at position \(position) is larger than the cleaner's maximum I/O buffer of \(maxIoBufferSize) bytes")
        }
        return min(current * 2, maxIoBufferSize)
    }
}
