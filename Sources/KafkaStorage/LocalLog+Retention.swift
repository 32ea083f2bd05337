import Glibc
import KafkaRecords

extension LocalLog {
    // MARK: Truncation (replication)

    /// Removes everything at and after `targetOffset` (a follower truncating to its leader, Kafka's
    /// `truncateTo`), and the leader epoch entries starting there or later. Returns false when
    /// there was nothing to remove.
    @discardableResult
    public func truncateTo(_ targetOffset: Int64) throws -> Bool {
        try ensureOpen()
        // The offset comes from another broker (a leader's epoch end offset): refused, not trapped.
        guard targetOffset >= 0 else {
            throw StorageError.invalidOffset(path: dir, message: "cannot truncate \(topicPartition) to a negative offset \(targetOffset)")
        }
        guard targetOffset < logEndOffset else { return false }
        logger.info("Truncating log", metadata: ["targetOffset": "\(targetOffset)", "logEndOffset": "\(logEndOffset)"])
        truncationCount += 1
        if targetOffset <= segmentList[0].baseOffset {
            try truncateFullyAndStartAt(targetOffset)
            return true
        }
        let removed = segmentList.filter { $0.baseOffset > targetOffset }
        segmentList.removeAll { $0.baseOffset > targetOffset }
        for segment in removed { try asyncDeleteSegment(segment) }
        try activeSegment.truncateTo(offset: targetOffset)
        try activeSegment.resizeIndexes(config.maxIndexSize)
        try updateLogEndOffset(targetOffset)
        recoveryPoint = min(recoveryPoint, targetOffset)
        logStartOffset = min(logStartOffset, targetOffset)
        try leaderEpochCache.truncateFromEnd(endOffset: targetOffset)
        try loadProducerState(lastOffset: targetOffset, reloadFromCleanShutdown: false)
        return true
    }

    /// Deletes every segment and starts an empty log at `newOffset` (a follower far behind or
    /// ahead of its leader, Kafka's `truncateFullyAndStartAt`); the leader epoch cache is emptied.
    public func truncateFullyAndStartAt(_ newOffset: Int64) throws {
        try ensureOpen()
        // The offset comes from another broker (a leader's log start offset); a negative one
        // would name no segment file.
        guard newOffset >= 0 else {
            throw StorageError.invalidOffset(path: dir, message: "cannot restart \(topicPartition) at a negative offset \(newOffset)")
        }
        logger.info("Truncating log fully", metadata: ["newOffset": "\(newOffset)"])
        truncationCount += 1
        let removed = segmentList
        segmentList = []
        for segment in removed { try asyncDeleteSegment(segment) }
        addSegment(try newSegment(baseOffset: newOffset))
        try updateLogEndOffset(newOffset)
        try leaderEpochCache.clearAndFlush()
        logStartOffset = newOffset
        recoveryPoint = newOffset
        try producerStateManager.truncate()
        producerStateManager.updateMapEndOffset(newOffset)
        updateFirstUnstableOffset()
    }

    // MARK: Log start offset (DeleteRecords)

    /// Raises the log start offset to `newLogStartOffset` (DeleteRecords; Kafka's
    /// `maybeIncrementLogStartOffset`). Offsets above the log end offset are out of range.
    /// Segments wholly below the new start are deleted by the next `deleteOldSegments`. The
    /// leader epoch cache's earliest entry moves up with it (`truncateFromStart`).
    public func maybeIncrementLogStartOffset(_ newLogStartOffset: Int64) throws {
        try ensureOpen()
        guard newLogStartOffset <= logEndOffset else {
            throw LogError.offsetOutOfRange(offset: newLogStartOffset, logStartOffset: logStartOffset, logEndOffset: logEndOffset)
        }
        if newLogStartOffset > logStartOffset {
            logger.info("Incrementing log start offset", metadata: ["logStartOffset": "\(newLogStartOffset)"])
            logStartOffset = newLogStartOffset
            try leaderEpochCache.truncateFromStart(startOffset: newLogStartOffset)
            try onLogStartOffsetIncremented()
        }
    }

    /// DeleteRecords: raises the log start offset and deletes the segments below it. Returns the
    /// new log start offset.
    @discardableResult
    public func deleteRecords(upTo offset: Int64) throws -> Int64 {
        try maybeIncrementLogStartOffset(offset)
        try deleteOldSegments(reason: "log start offset breach") { _, next in next.map { $0.baseOffset <= self.logStartOffset } ?? false }
        return logStartOffset
    }

    // MARK: Retention

    /// Kafka's `deleteOldSegments`: with `cleanup.policy=delete`, deletes the oldest segments
    /// whose largest timestamp is older than `retention.ms`, then as many oldest segments as keep
    /// the log at or above `retention.bytes`; under any policy, the segments wholly below the log
    /// start offset. The active segment is never deleted. Returns the number of segments deleted.
    @discardableResult
    public func deleteOldSegments() throws -> Int {
        try ensureOpen()
        var deleted = 0
        if config.isDelete {
            deleted += try deleteRetentionMsBreachedSegments()
            deleted += try deleteRetentionSizeBreachedSegments()
        }
        deleted += try deleteOldSegments(reason: "log start offset breach") { _, next in
            next.map { $0.baseOffset <= self.logStartOffset } ?? false
        }
        return deleted
    }

    private func deleteRetentionMsBreachedSegments() throws -> Int {
        guard config.retentionMs >= 0 else { return 0 }
        let now = time.milliseconds
        return try deleteOldSegments(reason: "retention time \(config.retentionMs)ms breach") { segment, _ in
            now - segment.largestTimestamp > self.config.retentionMs
        }
    }

    private func deleteRetentionSizeBreachedSegments() throws -> Int {
        guard config.retentionSize >= 0, Int64(size) >= config.retentionSize else { return 0 }
        var diff = Int64(size) - config.retentionSize
        return try deleteOldSegments(reason: "retention size \(config.retentionSize) bytes breach") { segment, _ in
            guard diff - Int64(segment.size) >= 0 else { return false }
            diff -= Int64(segment.size)
            return true
        }
    }

    /// Deletes the oldest segments for as long as `predicate(segment, nextSegment)` holds,
    /// stopping before the active segment. Raises the log start offset to the new first segment
    /// (and with it the leader epoch cache's earliest entry).
    @discardableResult
    func deleteOldSegments(reason: String, _ predicate: (LogSegment, LogSegment?) -> Bool) throws -> Int {
        var count = 0
        while count < segmentList.count - 1, predicate(segmentList[count], segmentList[count + 1]) {
            count += 1
        }
        guard count > 0 else { return 0 }
        let deletable = Array(segmentList.prefix(count))
        segmentList.removeFirst(count)
        for segment in deletable {
            logger.info("Scheduling segment for deletion", metadata: [
                "baseOffset": "\(segment.baseOffset)", "size": "\(segment.size)", "reason": "\(reason)",
            ])
            try asyncDeleteSegment(segment)
        }
        if segmentList[0].baseOffset > logStartOffset {
            logStartOffset = segmentList[0].baseOffset
            try leaderEpochCache.truncateFromStart(startOffset: logStartOffset)
            try onLogStartOffsetIncremented()
        }
        return count
    }

    /// Renames the segment's files to `.deleted`, closes them, and schedules their removal after
    /// `file.delete.delay.ms` (Kafka's `asyncDeleteSegment`). A `FileSlice` read from the segment
    /// holds its `.log` file open, so it sends the bytes it was cut from even after the removal.
    func asyncDeleteSegment(_ segment: LogSegment) throws {
        try segment.changeFileSuffixes("", LogFileName.deletedSuffix)
        try segment.close()
        let paths = segment.filePaths
        let logger = self.logger
        scheduler.schedule(name: "delete-file", delayMs: config.fileDeleteDelayMs) {
            for path in paths { unlink(path) }
            logger.info("Deleted segment files", metadata: ["files": "\(paths)"])
        }
    }
}
