import Glibc
import KafkaRecords
import NIOCore

extension Cleaner {
    /// Splits `segments` into runs of consecutive segments to be rewritten as one (Kafka's
    /// `groupSegmentsBySize`). A run grows while the sum of its `.log` sizes stays within
    /// `maxSize` (`segment.bytes`), the sums of its offset-index and time-index entry bytes within
    /// `maxIndexSize` (`segment.index.bytes`), and the next segment's offsets stay within an int32
    /// of the run's last base offset (the last segment's upper bound being the first uncleanable
    /// offset). Every segment is in exactly one run, in order.
    static func groupSegmentsBySize(
        _ segments: [LogSegment], maxSize: Int, maxIndexSize: Int, firstUncleanableOffset: Int64
    ) -> [[LogSegment]] {
        var groups: [[LogSegment]] = []
        var index = 0
        while index < segments.count {
            var group = [segments[index]]
            var logSize = segments[index].size
            var indexSize = segments[index].offsetIndex.sizeInBytes
            var timeIndexSize = segments[index].timeIndex.sizeInBytes
            index += 1
            while index < segments.count {
                let next = segments[index]
                let lastOffsetOfNext = index + 1 < segments.count ? segments[index + 1].baseOffset - 1 : firstUncleanableOffset - 1
                guard logSize + next.size <= maxSize,
                      indexSize + next.offsetIndex.sizeInBytes <= maxIndexSize,
                      timeIndexSize + next.timeIndex.sizeInBytes <= maxIndexSize,
                      lastOffsetOfNext - group[group.count - 1].baseOffset <= Int64(Int32.max)
                else { break }
                group.append(next)
                logSize += next.size
                indexSize += next.offsetIndex.sizeInBytes
                timeIndexSize += next.timeIndex.sizeInBytes
                index += 1
            }
            groups.append(group)
        }
        return groups
    }

    /// Recopies one group into `<first base offset>.log.cleaned` (and its indexes), then swaps it
    /// in for the group (Kafka's `cleanSegments`). Each source segment keeps its tombstones when
    /// it was last modified after `deleteHorizonMs`, and so do its transaction markers. The
    /// cleaned segment takes the last source segment's modification time, which later runs
    /// measure the delete horizon from.
    ///
    /// Transactions: before each source segment, the aborted transactions overlapping it (up to
    /// the next segment of the group, or the end of the cleaned range for the last) join
    /// `transactionMetadata`, which carries over from the previous group. The cleaned segment's
    /// `.txnindex` is written afresh: the aborted transactions of the ABORT markers kept with
    /// their data (see `CleanerRecordFilter`); the producers' last records are read once per
    /// group.
    func cleanSegments(
        _ log: CleaningTarget, _ segments: [LogSegment], deleteHorizonMs: Int64, transactionMetadata: inout CleanedTransactionMetadata,
        stats: inout CleanerStats
    ) throws {
        guard let first = segments.first, let last = segments.last else { return }
        let cleaned = try createNewCleanedSegment(log, baseOffset: first.baseOffset)
        do {
            let lastRecordsOfActiveProducers = try log.lastRecordsOfActiveProducers()
            for (index, source) in segments.enumerated() {
                try log.checkAborted()
                let upperBoundOffset = index + 1 < segments.count ? segments[index + 1].baseOffset : offsetMap.latestOffset + 1
                transactionMetadata.addAbortedTransactions(try log.abortedTransactions(source.baseOffset, upperBoundOffset))
                let retainDeletes = source.lastModified > deleteHorizonMs
                logger.info(
                    "Cleaner \(id): Cleaning segment \(source.baseOffset) in log \(log.topicPartition) (largest timestamp \(Self.date(source.largestTimestamp))) into \(cleaned.baseOffset), \(retainDeletes ? "retaining" : "discarding") deletes."
                )
                try cleanInto(
                    source, cleaned, retainDeletes: retainDeletes, transactionMetadata: &transactionMetadata,
                    lastRecordsOfActiveProducers: lastRecordsOfActiveProducers, stats: &stats)
            }
            try cleaned.onBecomeInactiveSegment()
            try cleaned.flush()
            try cleaned.setLastModified(last.lastModified)
            logger.info(
                "Cleaner \(id): Swapping in cleaned segment \(Self.describe(cleaned)) for segment(s) List(\(segments.map(Self.describe).joined(separator: ", "))) in log Log(\(log.dir))"
            )
            let crashPoint = swapCrashPoint.map { hook in { (step: SwapStep) throws in try hook(step, cleaned.baseOffset) } }
            try log.swap([cleaned], segments, crashPoint)
        } catch let crash as SimulatedCrash {
            // A test's crash: the files stay as they are, as after a kill -9.
            throw crash
        } catch {
            // Only output not yet renamed `.swap` is discarded: once it is, it may be the only
            // copy of the records (the old segments being `.deleted`), and load completes the swap.
            if cleaned.log.path.hasSuffix(LogFileName.cleanedSuffix) { try? cleaned.deleteIfExists() }
            throw error
        }
    }

    static func describe(_ segment: LogSegment) -> String { "LogSegment(baseOffset=\(segment.baseOffset), size=\(segment.size))" }

    /// A fresh segment with `.cleaned` files at `baseOffset`, after deleting any left by an
    /// interrupted run (Kafka's `createNewCleanedSegment`).
    func createNewCleanedSegment(_ log: CleaningTarget, baseOffset: Int64) throws -> LogSegment {
        let suffix = LogFileName.cleanedSuffix
        for path in [
            LogFileName.logFile(log.dir, baseOffset, suffix: suffix), LogFileName.indexFile(log.dir, baseOffset, suffix: suffix),
            LogFileName.timeIndexFile(log.dir, baseOffset, suffix: suffix), LogFileName.txnIndexFile(log.dir, baseOffset, suffix: suffix),
        ] { unlink(path) }
        return try LogSegment.open(
            directory: log.dir, baseOffset: baseOffset, indexIntervalBytes: log.config.indexInterval,
            maxIndexSize: log.config.maxIndexSize, time: log.time, fileSuffix: suffix)
    }

    /// Copies what `CleanerRecordFilter` keeps of `source` to the end of `destination`, one
    /// chunk of `ioBufferSize` bytes at a time, and the aborted transactions of the ABORT markers
    /// it keeps with their data to `destination`'s `.txnindex` (Kafka's `cleanInto`).
    func cleanInto(
        _ source: LogSegment, _ destination: LogSegment, retainDeletes: Bool, transactionMetadata: inout CleanedTransactionMetadata,
        lastRecordsOfActiveProducers: [Int64: LastRecord], stats: inout CleanerStats
    ) throws {
        var position = 0
        var readSize = ioBufferSize
        while position < source.log.sizeInBytes {
            let chunk = try source.log.read(position: position, size: readSize)
            let result = try CleanerRecordFilter.filter(
                chunk, map: &offsetMap, retainDeletes: retainDeletes, transactionMetadata: &transactionMetadata,
                lastRecordsOfActiveProducers: lastRecordsOfActiveProducers)
            stats.messagesRead += result.messagesRead
            stats.bytesRead += result.bytesRead
            stats.messagesWritten += result.messagesRetained
            stats.bytesWritten += result.bytesRetained
            stats.invalidMessagesRead += result.invalidMessages
            if result.output.readableBytes > 0 {
                try destination.append(
                    largestOffset: result.maxOffset, largestTimestamp: result.maxTimestamp,
                    shallowOffsetOfMaxTimestamp: result.shallowOffsetOfMaxTimestamp, records: MemoryRecords(result.output))
            }
            for aborted in result.abortedTransactions { try destination.txnIndex.append(aborted) }
            if result.bytesRead == 0 {
                readSize = try grownReadSize(readSize, segment: source, position: position)
                continue
            }
            position += result.bytesRead
            readSize = ioBufferSize
            throttler?.maybeThrottle(Double(result.bytesRead + result.output.readableBytes))
        }
    }
}
