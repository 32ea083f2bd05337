import KafkaCommon

/// A snapshot of a log's segment list, taken under the log's lock and read without it by one
/// cleaner thread. Unchecked: `LogSegment` is not `Sendable`; see `CleaningTarget` for why the
/// cleaner may read these segments outside the lock (only inactive ones, and only while the
/// log is marked in progress with `LogCleanerManager`).
struct CleanerSegmentSnapshot: @unchecked Sendable {
    let topicPartition: TopicPartition
    let dir: String
    let config: LogConfig
    let time: any Time
    let segments: [LogSegment]
    let truncationCount: Int
}

/// The segments of one swap, handed into the log's lock (unchecked for the same reason).
struct CleanerSwap: @unchecked Sendable {
    let new: [LogSegment]
    let old: [LogSegment]
    let crashPoint: ((SwapStep) throws -> Void)?
}

extension Cleaner {
    /// Cleans `log`'s dirty section as a cleaner thread does: the segment list is read under the
    /// log's lock, both passes run without it, and each swap takes it again, checking first
    /// that the segments it replaces are all still in the log and that no truncation happened
    /// since (otherwise `LogCleaningAbortedError`, the cleaned output discarded). `checkAborted`
    /// is called before each segment of both passes.
    public func clean(
        _ log: Log, firstDirtyOffset: Int64, firstUncleanableOffset: Int64,
        checkAborted: @escaping () throws -> Void = {}
    ) throws -> (endOffset: Int64, stats: CleanerStats) {
        let snapshot = try log.withLock { local in
            try local.ensureOpen()
            return CleanerSegmentSnapshot(
                topicPartition: local.topicPartition, dir: local.dir, config: local.config, time: local.time, segments: local.segments,
                truncationCount: local.truncationCount)
        }
        let topicPartition = snapshot.topicPartition
        var target = CleaningTarget(
            topicPartition: topicPartition, dir: snapshot.dir, config: snapshot.config, time: snapshot.time, segments: snapshot.segments,
            abortedTransactions: { from, to in
                try log.withLock { local in try local.collectAbortedTransactions(fetchOffset: from, upperBoundOffset: to) }
            },
            lastRecordsOfActiveProducers: { try log.withLock { local in try local.ensureOpen(); return local.lastRecordsOfActiveProducers } }
        ) { new, old, crashPoint in
            let swap = CleanerSwap(new: new, old: old, crashPoint: crashPoint)
            try log.withLock { local in
                try local.ensureOpen()
                guard local.truncationCount == snapshot.truncationCount else {
                    throw LogCleaningAbortedError(topicPartition, reason: "the log was truncated during the cleaning")
                }
                let live = local.segments
                guard swap.old.allSatisfy({ old in live.contains { $0 === old } }) else {
                    throw LogCleaningAbortedError(topicPartition, reason: "segments being cleaned left the log")
                }
                try local.replaceSegments(swap.new, oldSegments: swap.old, crashPoint: swap.crashPoint)
            }
        }
        target.checkAborted = checkAborted
        return try doClean(
            target, firstDirtyOffset: firstDirtyOffset, firstUncleanableOffset: firstUncleanableOffset,
            deleteHorizonMs: Self.deleteHorizon(target, firstDirtyOffset: firstDirtyOffset))
    }
}
