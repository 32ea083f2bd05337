import Foundation
import Glibc
import KafkaRecords

extension LocalLog {
    /// Loads the directory's segments (Kafka's `loadSegments` and `recoverLog`):
    ///
    /// 1. Leftovers of interrupted work are deleted: files ending in `.deleted` (retention that
    ///    had not removed them yet), `.cleaned` (log cleaner output not yet swapped in), and index
    ///    files whose `.log` is missing. A `.log.swap` (cleaned output being swapped in) is kept and
    ///    its swap completed once the other segments are loaded: see
    ///    `removeTempFilesAndCollectSwapFiles` and `completeSwapOperations`.
    /// 2. Every `<20 digits>.log` becomes a segment; one whose index files are missing is
    ///    recovered (its indexes rebuilt) whatever the shutdown was.
    /// 3. Without a clean shutdown, every segment holding offsets from the recovery point on is
    ///    recovered: batches re-validated (CRC), indexes rebuilt, a torn or corrupt tail cut off
    ///    and logged, and every later segment deleted (its offsets would no longer follow on).
    /// 4. Segments must not overlap (each base offset is at or above the previous segment's next
    ///    offset); a log that breaks this is refused with `StorageError.corrupt`.
    /// 5. An empty directory gets one segment at `logStartOffset`. The active segment's indexes
    ///    get their preallocated size back; the log end offset is the active segment's next
    ///    offset, and the log start offset at least the first segment's base offset.
    func loadSegments(hadCleanShutdown: Bool) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        var logBaseOffsets: [Int64] = []
        let swapBaseOffsets = removeTempFilesAndCollectSwapFiles(names)
        for name in names where name.hasSuffix(LogFileName.logSuffix) {
            if let offset = LogFileName.offset(fromFileName: name) { logBaseOffsets.append(offset) }
        }
        for name in names where name.hasSuffix(LogFileName.indexSuffix) || name.hasSuffix(LogFileName.timeIndexSuffix)
            || name.hasSuffix(LogFileName.txnIndexSuffix) {
            if let offset = LogFileName.offset(fromFileName: name), !logBaseOffsets.contains(offset) {
                logger.warning("Deleting an index file without a log file", metadata: ["file": "\(dir)/\(name)"])
                unlink("\(dir)/\(name)")
            }
        }

        segmentList = []
        for baseOffset in logBaseOffsets.sorted() {
            let indexesExisted = FileManager.default.fileExists(atPath: LogFileName.indexFile(dir, baseOffset))
                && FileManager.default.fileExists(atPath: LogFileName.timeIndexFile(dir, baseOffset))
            let segment = try LogSegment.open(
                directory: dir, baseOffset: baseOffset, indexIntervalBytes: config.indexInterval, maxIndexSize: config.maxIndexSize,
                rollJitterMs: config.randomSegmentJitter(), time: time)
            if !indexesExisted {
                logger.warning("Rebuilding the indexes of a segment", metadata: ["file": "\(segment.log.path)"])
                try segment.recover(maxMessageSize: recoveryMaxBatchSize, logger: logger)
                noteTransactionIndexReset(segment)
            } else {
                try sanityCheckTransactionIndex(segment)
            }
            addSegment(segment)
        }
        try completeSwapOperations(swapBaseOffsets)

        if !hadCleanShutdown { try recoverLog() }

        if segmentList.isEmpty {
            addSegment(try newSegment(baseOffset: max(0, logStartOffset)))
        }
        try checkOffsetsMonotonic()
        try activeSegment.resizeIndexes(config.maxIndexSize)
        let nextOffset = try activeSegment.readNextOffset()
        try updateLogEndOffset(nextOffset)
        logStartOffset = max(logStartOffset, segmentList[0].baseOffset)
        recoveryPoint = hadCleanShutdown ? min(max(recoveryPoint, logStartOffset), nextOffset) : nextOffset
        logger.info("Loaded log", metadata: [
            "segments": "\(segmentList.count)", "logStartOffset": "\(logStartOffset)", "logEndOffset": "\(nextOffset)",
            "cleanShutdown": "\(hadCleanShutdown)",
        ])
    }

    /// Recovers the segments from the one holding the recovery point on (Kafka's `recoverLog`),
    /// adding to the leader epoch cache the epochs of the recovered batches it lacks (an epoch
    /// written to the segment just before a crash may not have reached the checkpoint).
    private func recoverLog() throws {
        guard !segmentList.isEmpty else { return }
        var index = floorSegmentIndex(recoveryPoint) ?? 0
        while index < segmentList.count {
            let segment = segmentList[index]
            logger.info("Recovering unflushed segment", metadata: ["file": "\(segment.log.path)"])
            let truncated = try segment.recover(maxMessageSize: recoveryMaxBatchSize, logger: logger) { epoch, baseOffset in
                try self.assignEpochStartOffsetDuringRecovery(epoch: epoch, baseOffset: baseOffset)
            }
            noteTransactionIndexReset(segment)
            if truncated > 0 {
                let later = segmentList[(index + 1)...]
                for dropped in later {
                    logger.warning("Deleting a segment after a corrupt one", metadata: ["file": "\(dropped.log.path)"])
                    try dropped.deleteIfExists()
                }
                segmentList.removeSubrange((index + 1)...)
            }
            index += 1
        }
    }

    /// The largest entry recovery accepts: no append writes a batch larger than a segment, and
    /// a batch written under a larger `max.message.bytes` must survive that setting's reduction.
    var recoveryMaxBatchSize: Int { max(config.maxMessageSize, config.segmentBytes) }

    /// Each segment must start at or after the previous segment's next offset.
    private func checkOffsetsMonotonic() throws {
        for (previous, next) in zip(segmentList, segmentList.dropFirst()) {
            let previousEnd = try previous.readNextOffset()
            guard next.baseOffset >= previousEnd else {
                throw StorageError.corrupt(
                    path: next.log.path,
                    message: "segment base offset \(next.baseOffset) is below the previous segment's next offset \(previousEnd)")
            }
        }
    }
}
