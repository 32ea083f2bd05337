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
    /// it was last modified after `deleteHorizonMs`. The cleaned segment takes the last source
    /// segment's modification time, which later runs measure the delete horizon from.
    func cleanSegments(
        _ log: CleaningTarget, _ segments: [LogSegment], deleteHorizonMs: Int64, lastOffsetOfActiveProducers: [Int64: Int64],
        stats: inout CleanerStats
    ) throws {
        guard let first = segments.first, let last = segments.last else { return }
        let cleaned = try createNewCleanedSegment(log, baseOffset: first.baseOffset)
        do {
            for source in segments {
                try log.checkAborted()
                let retainDeletes = source.lastModified > deleteHorizonMs
                logger.info(
                    "Cleaner \(id): Cleaning segment \(source.baseOffset) in log \(log.topicPartition) (largest timestamp \(Self.date(source.largestTimestamp))) into \(cleaned.baseOffset), \(retainDeletes ? "retaining" : "discarding") deletes."
                )
                try cleanInto(
                    source, cleaned, retainDeletes: retainDeletes, lastOffsetOfActiveProducers: lastOffsetOfActiveProducers, stats: &stats)
                // Markers are copied whole (the cleaner does not remove aborted transactions yet),
                // so each aborted transaction of the source stays one of the cleaned segment.
                for aborted in try source.txnIndex.entries() { try cleaned.txnIndex.append(aborted) }
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
    /// chunk of `ioBufferSize` bytes at a time (Kafka's `cleanInto`).
    func cleanInto(
        _ source: LogSegment, _ destination: LogSegment, retainDeletes: Bool, lastOffsetOfActiveProducers: [Int64: Int64],
        stats: inout CleanerStats
    ) throws {
        var position = 0
        var readSize = ioBufferSize
        while position < source.log.sizeInBytes {
            let chunk = try source.log.read(position: position, size: readSize)
            let result = try CleanerRecordFilter.filter(
                chunk, map: &offsetMap, retainDeletes: retainDeletes, lastOffsetOfActiveProducers: lastOffsetOfActiveProducers)
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
