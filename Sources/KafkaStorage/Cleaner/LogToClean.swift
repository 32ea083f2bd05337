import KafkaCommon

/// What the cleaner manager needs to know of one log to choose what to clean, as values read
/// under the log's lock (so selection can be tested without logs).
public struct CleanableLogFacts: Sendable, Equatable {
    public struct Segment: Sendable, Equatable {
        public var baseOffset: Int64
        public var size: Int
        /// The largest record timestamp (`LogSegment.largestTimestamp`).
        public var largestTimestamp: Int64
        /// The first batch's max timestamp, `Int64.max` when unknown (`firstBatchTimestamp`).
        public var firstBatchTimestamp: Int64

        public init(baseOffset: Int64, size: Int, largestTimestamp: Int64, firstBatchTimestamp: Int64 = .max) {
            self.baseOffset = baseOffset
            self.size = size
            self.largestTimestamp = largestTimestamp
            self.firstBatchTimestamp = firstBatchTimestamp
        }
    }

    public var topicPartition: TopicPartition
    public var config: LogConfig
    public var logStartOffset: Int64
    public var logEndOffset: Int64
    /// Sorted by base offset; the last one is the active segment.
    public var segments: [Segment]
    /// The log's first unstable offset (`LocalLog.firstUnstableOffset`): the first offset of the
    /// oldest transaction not yet decided and replicated; nil when there is none.
    public var firstUnstableOffset: Int64?

    public init(
        topicPartition: TopicPartition, config: LogConfig, logStartOffset: Int64, logEndOffset: Int64, segments: [Segment],
        firstUnstableOffset: Int64? = nil
    ) {
        self.topicPartition = topicPartition
        self.config = config
        self.logStartOffset = logStartOffset
        self.logEndOffset = logEndOffset
        self.segments = segments
        self.firstUnstableOffset = firstUnstableOffset
    }

    public var activeBaseOffset: Int64 { segments.last?.baseOffset ?? logEndOffset }

    /// The segments that may hold offsets in `from..<to` (Kafka's `logSegments(from, to)`: the
    /// one holding `from` and every later one starting below `to`).
    public func segments(from: Int64, to: Int64) -> ArraySlice<Segment> {
        var start = 0
        for (index, segment) in segments.enumerated() where segment.baseOffset <= from { start = index }
        var end = start
        while end < segments.count, segments[end].baseOffset < to { end += 1 }
        return segments[start..<max(start, end)]
    }

    /// The dirty segments below the active one (Kafka's `nonActiveLogSegmentsFrom`).
    func nonActiveSegments(from: Int64) -> ArraySlice<Segment> { segments(from: from, to: activeBaseOffset) }
}

/// A log the cleaner could clean now (Kafka's `LogToClean`), with its figures:
///
/// - the first uncleanable offset: the one given, rounded down to the base offset of the segment
///   holding it (the active segment's when it is at or past it), since segments are cleaned whole;
/// - clean bytes: the segments below the first dirty offset (the segment holding it included);
/// - cleanable bytes: the segments holding `[firstDirtyOffset, firstUncleanableOffset)`;
/// - the cleanable ratio, cleanable / (clean + cleanable), compared with
///   `min.cleanable.dirty.ratio`;
/// - `needCompactionNow`: a dirty segment's first batch is older than `max.compaction.lag.ms`
///   (KIP-354), which makes the log cleanable whatever its ratio.
public struct LogToClean: Sendable, Equatable {
    public let topicPartition: TopicPartition
    public let firstDirtyOffset: Int64
    public let firstUncleanableOffset: Int64
    public let cleanBytes: Int
    public let cleanableBytes: Int
    public let needCompactionNow: Bool
    public let minCleanableRatio: Double

    public var totalBytes: Int { cleanBytes + cleanableBytes }
    public var cleanableRatio: Double { totalBytes > 0 ? Double(cleanableBytes) / Double(totalBytes) : 0 }

    public init(_ facts: CleanableLogFacts, firstDirtyOffset: Int64, firstUncleanableOffset uncleanableOffset: Int64, needCompactionNow: Bool) {
        topicPartition = facts.topicPartition
        self.firstDirtyOffset = firstDirtyOffset
        let firstUncleanableOffset = facts.segments(from: uncleanableOffset, to: facts.activeBaseOffset).first?.baseOffset ?? facts.activeBaseOffset
        self.firstUncleanableOffset = firstUncleanableOffset
        cleanBytes = facts.segments(from: -1, to: firstDirtyOffset).reduce(0) { $0 + $1.size }
        cleanableBytes = facts.segments(from: firstDirtyOffset, to: max(firstDirtyOffset, firstUncleanableOffset)).reduce(0) { $0 + $1.size }
        self.needCompactionNow = needCompactionNow
        minCleanableRatio = facts.config.minCleanableRatio
    }

    /// Whether the cleaner should clean it: overdue by `max.compaction.lag.ms` with something to
    /// clean, or dirtier than `min.cleanable.dirty.ratio`.
    public var isCleanable: Bool { (needCompactionNow && cleanableBytes > 0) || cleanableRatio > minCleanableRatio }

    /// The order in which cleanable logs are picked: the highest cleanable ratio first, as Kafka
    /// 2.3 orders them. Being overdue by `max.compaction.lag.ms` only makes a log a candidate
    /// (`isCleanable`); among candidates an overdue log with a low ratio waits its turn.
    public static func isFilthier(_ lhs: LogToClean, than rhs: LogToClean) -> Bool {
        lhs.cleanableRatio > rhs.cleanableRatio
    }
}

extension LogToClean {
    /// Kafka's `cleanableOffsets`: the first dirty offset is the checkpoint, reset to the log
    /// start offset when missing, below the log start offset or above the log end offset
    /// (`reset` says why, for the caller's WARN; none when the checkpoint is below the log
    /// start of a `compact,delete` log, where retention moves the start). The first uncleanable
    /// offset is the least of the active segment's base offset, `firstUnstableOffset` (the first
    /// unstable offset, bounded by the high watermark: nothing a follower may still lose and no
    /// undecided transaction is cleaned) and, with
    /// `min.compaction.lag.ms` > 0, the base offset of the first dirty segment whose largest
    /// timestamp is after `now - min.compaction.lag.ms`.
    public static func cleanableOffsets(
        _ facts: CleanableLogFacts, checkpoint: Int64?, now: Int64, firstUnstableOffset: Int64?
    ) -> (firstDirtyOffset: Int64, firstUncleanableOffset: Int64, reset: String?) {
        let logStartOffset = facts.logStartOffset
        let checkpointDirtyOffset = checkpoint ?? logStartOffset
        var reset: String?
        let firstDirtyOffset: Int64
        if checkpointDirtyOffset < logStartOffset {
            if !(facts.config.isCompact && facts.config.isDelete) {
                reset = "Resetting first dirty offset of \(facts.topicPartition) to log start offset \(logStartOffset) since the checkpointed offset \(checkpointDirtyOffset) is invalid."
            }
            firstDirtyOffset = logStartOffset
        } else if checkpointDirtyOffset > facts.logEndOffset {
            reset = "The last checkpoint dirty offset for partition \(facts.topicPartition) is \(checkpointDirtyOffset), which is larger than the log end offset \(facts.logEndOffset). Resetting to the log start offset \(logStartOffset)."
            firstDirtyOffset = logStartOffset
        } else {
            firstDirtyOffset = checkpointDirtyOffset
        }
        var firstUncleanable = facts.activeBaseOffset
        if let firstUnstableOffset { firstUncleanable = min(firstUncleanable, firstUnstableOffset) }
        let compactionLagMs = max(facts.config.minCompactionLagMs, 0)
        if compactionLagMs > 0,
           let young = facts.nonActiveSegments(from: firstDirtyOffset).first(where: { $0.largestTimestamp > now - compactionLagMs }) {
            firstUncleanable = min(firstUncleanable, young.baseOffset)
        }
        return (firstDirtyOffset, firstUncleanable, reset)
    }

    /// Kafka's `maxCompactionDelay`: how long past `max.compaction.lag.ms` the oldest first batch
    /// of the dirty non-active segments is (0 when none is overdue).
    public static func maxCompactionDelay(_ facts: CleanableLogFacts, firstDirtyOffset: Int64, now: Int64) -> Int64 {
        let timestamps = facts.nonActiveSegments(from: firstDirtyOffset).map(\.firstBatchTimestamp).filter { $0 > 0 && $0 != .max }
        guard let earliest = timestamps.min() else { return 0 }
        let maxCompactionLagMs = max(facts.config.maxCompactionLagMs, 0)
        let (cleanUntil, overflow) = now.subtractingReportingOverflow(maxCompactionLagMs)
        guard !overflow else { return 0 }
        return earliest < cleanUntil ? cleanUntil - earliest : 0
    }
}
