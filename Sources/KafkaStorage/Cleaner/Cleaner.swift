import Foundation
import KafkaCommon
import KafkaRecords
import Logging

/// The work of one log cleaner thread on one log (Kafka's `Cleaner`): the two passes of log
/// compaction over a log's segments, reusing one offset map across runs.
///
/// `clean` is given the log and its **dirty section** `[firstDirtyOffset, firstUncleanableOffset)`:
/// the first dirty offset is the cleaner checkpoint (or the log start), the first uncleanable
/// offset at most the active segment's base offset (the caller also lowers it for
/// `min.compaction.lag.ms`, the high watermark and the first unstable offset), rounded down to
/// the base offset of the segment holding it. Then:
///
/// 1. **Offset map** (`buildOffsetMap`): every keyed record of the dirty segments, from the first
///    dirty offset on, puts `key → offset`, until the map holds `slots × loadFactor` keys. The
///    cleaned range ends after the last batch mapped: `endOffset = map.latestOffset + 1`, which is
///    below the first uncleanable offset when the map filled up.
/// 2. **Delete horizon**: the last modified time of the last segment before the first dirty
///    offset (the last segment cleaned before), minus `delete.retention.ms`; 0 when no segment
///    was cleaned before. A source segment last modified after the horizon keeps its tombstones
///    ("retaining deletes"), an older one drops them ("discarding deletes"): a tombstone
///    survives at least one cleaning plus `delete.retention.ms`.
/// 3. **Copy pass** (`cleanSegments`): the segments holding offsets below `endOffset` (the
///    active segment never is one), in groups of consecutive segments whose sizes and index sizes
///    fit `segment.bytes` and `segment.index.bytes` (`groupSegmentsBySize`). Each group is
///    recopied into one `<first base>.log.cleaned` through `CleanerRecordFilter`, which keeps a
///    record only if it is the latest of its key; offsets are never changed. The cleaned segment
///    takes the group's last modified time and is swapped in for the group
///    (`LocalLog.replaceSegments`: `.cleaned` → `.swap`, old segments → `.deleted`,
///    `.swap` → live).
///
/// **Transactions** (Kafka's rules; see `CleanedTransactionMetadata`): the records of aborted
/// transactions (the `.txnindex` entries) are left out of the map and dropped whatever their
/// keys; a marker is kept while data of its transaction was read in the pass, and after that
/// until its segment is older than the delete horizon, like a tombstone; the cleaned segment's
/// `.txnindex` holds the aborted transactions of the ABORT markers kept with data still read;
/// each active producer's last batch (`LastRecord`) is kept, emptied if need be.
///
/// The caller then records `endOffset` as the log's new cleaner checkpoint.
///
/// Isolation: `clean(_ log: Log, ...)` (the cleaner threads) reads and writes without the log's
/// lock and takes it only to snapshot the segment list and for each swap, as Kafka does (see
/// `CleaningTarget` for why that is safe); `clean(_ log: LocalLog, ...)` runs wholly under the
/// caller's lock. A `Cleaner` belongs to one cleaner thread, which
/// runs one cleaning at a time: it is handed to that thread, never used from two at once (hence
/// the unchecked `Sendable`: its only mutable state is the offset map of the current run).
public final class Cleaner: @unchecked Sendable {
    public let id: Int
    public internal(set) var offsetMap: SkimpyOffsetMap
    /// `log.cleaner.io.buffer.load.factor`.
    public let dupBufferLoadFactor: Double
    /// Bytes read per chunk (Kafka's read buffer: half of `log.cleaner.io.buffer.size`), grown up
    /// to `maxIoBufferSize` when one batch does not fit.
    public let ioBufferSize: Int
    public let maxIoBufferSize: Int
    let logger: Logger
    let time: any Time
    /// For crash tests: called between the steps of each swap with the step and the cleaned
    /// segment's base offset; throwing stops the cleaning there (see `SwapStep`).
    public var swapCrashPoint: (@Sendable (SwapStep, Int64) throws -> Void)?
    /// `log.cleaner.io.max.bytes.per.second`, shared by all threads (nil: no limit).
    public var throttler: Throttler?

    public init(
        id: Int = 0, offsetMap: SkimpyOffsetMap, dupBufferLoadFactor: Double = 0.9, ioBufferSize: Int = 512 * 1024 / 2,
        maxIoBufferSize: Int = 1_000_012, time: any Time = SystemTime(), logger: Logger
    ) {
        self.time = time
        self.id = id
        self.offsetMap = offsetMap
        self.dupBufferLoadFactor = dupBufferLoadFactor
        self.ioBufferSize = ioBufferSize
        self.maxIoBufferSize = maxIoBufferSize
        self.logger = logger
    }

    /// Cleans the dirty section of `log` (see the type's documentation) and returns the offset up
    /// to which the log is now clean (the next cleaner checkpoint) with the run's figures. Runs
    /// under the caller's lock (see `clean(_ log: Log, ...)` for the cleaner threads' way).
    public func clean(
        _ log: LocalLog, firstDirtyOffset: Int64, firstUncleanableOffset: Int64
    ) throws -> (endOffset: Int64, stats: CleanerStats) {
        let target = CleaningTarget(log)
        return try doClean(
            target, firstDirtyOffset: firstDirtyOffset, firstUncleanableOffset: firstUncleanableOffset,
            deleteHorizonMs: Self.deleteHorizon(target, firstDirtyOffset: firstDirtyOffset))
    }

    /// `clean` with the delete horizon given.
    public func doClean(
        _ log: LocalLog, firstDirtyOffset: Int64, firstUncleanableOffset: Int64, deleteHorizonMs: Int64
    ) throws -> (endOffset: Int64, stats: CleanerStats) {
        try doClean(
            CleaningTarget(log), firstDirtyOffset: firstDirtyOffset, firstUncleanableOffset: firstUncleanableOffset,
            deleteHorizonMs: deleteHorizonMs)
    }

    /// The delete horizon: the last modified time of the last segment before the first dirty
    /// offset, minus `delete.retention.ms`; 0 when there is none.
    static func deleteHorizon(_ target: CleaningTarget, firstDirtyOffset: Int64) -> Int64 {
        target.segments(from: 0, to: firstDirtyOffset).last.map { $0.lastModified - target.config.deleteRetentionMs } ?? 0
    }

    func doClean(
        _ log: CleaningTarget, firstDirtyOffset: Int64, firstUncleanableOffset: Int64, deleteHorizonMs: Int64
    ) throws -> (endOffset: Int64, stats: CleanerStats) {
        let name = "\(log.topicPartition)"
        // The base offset of the segment holding the first uncleanable offset, as Kafka's
        // LogToClean rounds it: a segment is mapped whole, so none past it may be partly clean.
        let uncleanable = min(firstUncleanableOffset, log.activeBaseOffset)
        let upperBound = log.segments(from: uncleanable, to: log.activeBaseOffset).first?.baseOffset ?? log.activeBaseOffset
        var stats = CleanerStats()
        stats.startNanos = time.nanoseconds
        logger.info("Cleaner \(id): Beginning cleaning of log \(name).")
        logger.info("Cleaner \(id): Building offset map for \(name)...")
        try buildOffsetMap(log, start: firstDirtyOffset, end: upperBound, stats: &stats)
        let endOffset = offsetMap.latestOffset + 1
        stats.mapCompleteNanos = time.nanoseconds
        guard endOffset > firstDirtyOffset else {
            // Nothing was mapped: nothing to clean.
            return (firstDirtyOffset, stats)
        }
        let cleanableHorizonMs = log.segments(from: 0, to: upperBound).last?.lastModified ?? 0
        logger.info(
            "Cleaner \(id): Cleaning log \(name) (cleaning prior to \(Self.date(cleanableHorizonMs)), discarding tombstones prior to \(Self.date(deleteHorizonMs)))..."
        )
        let groups = Self.groupSegmentsBySize(
            Array(log.segments(from: 0, to: endOffset)), maxSize: log.config.segmentBytes, maxIndexSize: log.config.maxIndexSize,
            firstUncleanableOffset: upperBound)
        // One transaction state for every group: a transaction may span groups.
        var transactionMetadata = CleanedTransactionMetadata()
        for group in groups {
            try cleanSegments(log, group, deleteHorizonMs: deleteHorizonMs, transactionMetadata: &transactionMetadata, stats: &stats)
        }
        stats.bufferUtilization = offsetMap.utilization
        stats.endNanos = time.nanoseconds
        return (endOffset, stats)
    }

    /// A time in milliseconds as Kafka's log lines print a `java.util.Date` (UTC here).
    static func date(_ milliseconds: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE MMM dd HH:mm:ss 'UTC' yyyy"
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
}
