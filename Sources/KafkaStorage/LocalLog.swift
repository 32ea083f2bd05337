import Foundation
import Glibc
import KafkaCommon
import KafkaRecords
import Logging

/// The state of a partition's log, reachable only under the log's lock: `Log.withLock` hands it
/// to its caller, and it is not `Sendable`, so no reference to it (or to its segments) outlives
/// the call. Named after Kafka 3's `LocalLog`, the non-thread-safe part its `Log` was later split
/// into; here it holds all of Kafka 2.3's `Log` state: the directory's segments, the offsets
/// below, the config and the leader epoch cache.
///
/// A directory `<topic>-<partition>/` of segments, each covering the offsets from its base
/// offset up to the next segment's. Offsets, from low to high:
///
///     logStartOffset ≤ recoveryPoint ≤ logEndOffset
///
/// - `logStartOffset`: the first offset a consumer may read (raised by retention and
///   DeleteRecords; may lie inside the first segment).
/// - `recoveryPoint`: everything below it has been fsynced; after a crash, segments holding
///   offsets from it on are recovered (re-validated, indexes rebuilt, torn tail cut). It moves
///   up only after the fsync of everything below its new value has returned.
/// - `logEndOffset` (LEO): the offset the next appended record gets.
///
/// Invariants: at least one segment exists; segments are sorted by base offset and their offset
/// ranges do not overlap; only the last (active) segment is appended to; a segment's files are
/// renamed to `.deleted` before they are removed, `file.delete.delay.ms` later.
///
/// Producer snapshots `<offset>.snapshot` (the `producerStateManager`'s, see
/// `Transactions/LocalLog+ProducerState.swift`) are written on roll and close and deleted with
/// the segments below them; none lies above the log end offset once the log is open.
///
/// The directory also holds `leader-epoch-checkpoint`, the `leaderEpochCache`: no entry starts
/// below `logStartOffset` or above `logEndOffset` (see `LocalLog+LeaderEpoch.swift` for which
/// operations keep it so).
///
/// Isolation: every method runs under the owning `Log`'s lock (the caller is inside
/// `Log.withLock`, or is `Log` itself). Reads return `FileSlice` values, which hold the segment
/// file open and may be sent after the lock is released. Work that must not hold the lock is
/// handed to the `Scheduler`: the fsync of a rolled segment (`Log.flush(upTo:)`, which takes the
/// lock only to pick the files and to move the recovery point) and the removal of `.deleted`
/// files (which touch file paths only).
public final class LocalLog {
    public let dir: String
    public let topicPartition: TopicPartition
    public internal(set) var config: LogConfig
    let time: any Time
    let scheduler: any Scheduler
    let logger: Logger

    /// The segments, sorted by base offset (Kafka keeps a skip-list map; lookups here bisect).
    var segmentList: [LogSegment] = []
    public internal(set) var logStartOffset: Int64
    public internal(set) var recoveryPoint: Int64
    /// The log end offset and where it is: the end of the active segment.
    public internal(set) var nextOffsetMetadata = LogOffsetMetadata(messageOffset: 0)
    /// Time of the last flush, for `flush.ms`.
    public internal(set) var lastFlushTime: Int64
    /// The partition's leader epochs (`<dir>/leader-epoch-checkpoint`); it changes only through
    /// the log's own methods.
    public internal(set) var leaderEpochCache: LeaderEpochFileCache
    /// The offset of the first record of the oldest transaction still open in this log (nil when
    /// none is), kept by the producer state on every append, truncation and recovery. The last
    /// stable offset is `min(firstUnstableOffset ?? highWatermark, highWatermark)`.
    public internal(set) var firstUnstableOffset: Int64?
    /// The base offset of the first segment whose `.txnindex` recovery emptied while loading
    /// (nil when none was): the producer-state replay starts at or below it and writes the aborted
    /// transactions of the markers it meets back into their segments' indexes.
    var transactionIndexRebuildOffset: Int64?
    /// The producer ids' sequence, epoch and transaction state (`Transactions/`), with its
    /// `<offset>.snapshot` files in `dir`.
    var producerStateManager: ProducerStateManager
    /// Set by `close()`: a caller that still holds the log (a fetch racing with the partition's
    /// deletion) gets `StorageError.closed` from every read or write instead of touching unmapped
    /// indexes.
    public private(set) var isClosed = false
    /// Counts truncations (`truncateTo`, `truncateFullyAndStartAt`). A flush that fsyncs outside
    /// the lock moves the recovery point only if none happened meanwhile: the offsets it synced
    /// may since have been cut and written again.
    var truncationCount = 0
    /// Set while a deferred write of the leader epoch checkpoint is scheduled
    /// (`LocalLog+LeaderEpoch.swift`): one at a time per log.
    var leaderEpochWriteScheduled = false
    /// The `Log` that owns this state: a rolled segment's flush is scheduled on it. Weak, so a
    /// scheduled flush does not keep a dropped log alive.
    weak var owner: Log?

    /// Throws `StorageError.closed` once the log is closed.
    func ensureOpen() throws {
        if isClosed { throw StorageError.closed(path: dir) }
    }

    /// Opens the log in `dir` (see `Log.init`).
    init(
        dir: String, config: LogConfig, logStartOffset: Int64 = 0, recoveryPoint: Int64 = 0, hadCleanShutdown: Bool,
        scheduler: any Scheduler, time: any Time, logger: Logger,
        producerIdExpirationMs: Int64 = ProducerStateManager.defaultMaxProducerIdExpirationMs
    ) throws {
        guard let parsed = LogFileName.topicPartition(fromDirectoryName: dir) else {
            throw StorageError.corrupt(path: dir, message: "a log directory is named <topic>-<partition>")
        }
        self.dir = dir
        self.topicPartition = TopicPartition(parsed.topic, parsed.partition)
        self.config = config
        self.time = time
        self.scheduler = scheduler
        var logger = logger
        logger[metadataKey: "topicPartition"] = "\(topicPartition)"
        self.logger = logger
        self.logStartOffset = logStartOffset
        self.recoveryPoint = recoveryPoint
        self.lastFlushTime = time.milliseconds
        self.producerStateManager = ProducerStateManager(
            topicPartition: topicPartition, logDir: dir, maxProducerIdExpirationMs: producerIdExpirationMs)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        self.leaderEpochCache = try LeaderEpochFileCache(
            topicPartition: topicPartition, path: "\(dir)/\(CheckpointFileName.leaderEpoch)", logger: logger)
        try loadSegments(hadCleanShutdown: hadCleanShutdown)
        try initializeLeaderEpochCache()
        try loadProducerState(lastOffset: logEndOffset, reloadFromCleanShutdown: hadCleanShutdown)
    }

    // MARK: Segments

    public var segments: [LogSegment] { segmentList }
    public var activeSegment: LogSegment { segmentList[segmentList.count - 1] }
    public var numberOfSegments: Int { segmentList.count }
    public var logEndOffset: Int64 { nextOffsetMetadata.messageOffset }
    public var logEndOffsetMetadata: LogOffsetMetadata { nextOffsetMetadata }
    /// Bytes in all segments.
    public var size: Int { segmentList.reduce(0) { $0 + $1.size } }
    /// Messages appended but not yet flushed.
    public var unflushedMessages: Int64 { logEndOffset - recoveryPoint }

    /// This log's line in `log-start-offset-checkpoint`: only when the log start offset lies above
    /// the first segment's base offset (elsewhere loading finds it).
    var logStartOffsetCheckpointEntry: TopicPartitionOffset? {
        guard let first = segmentList.first, logStartOffset > first.baseOffset else { return nil }
        return TopicPartitionOffset(topicPartition, logStartOffset)
    }

    /// Index in `segmentList` of the segment with the greatest base offset ≤ `offset`.
    func floorSegmentIndex(_ offset: Int64) -> Int? {
        var low = 0
        var high = segmentList.count - 1
        var found: Int?
        while low <= high {
            let middle = (low + high) / 2
            if segmentList[middle].baseOffset <= offset {
                found = middle
                low = middle + 1
            } else {
                high = middle - 1
            }
        }
        return found
    }

    /// The segments that may hold offsets in `from..<to` (Kafka's `logSegments(from, to)`).
    func segments(from: Int64, to: Int64) -> ArraySlice<LogSegment> {
        let start = floorSegmentIndex(from) ?? 0
        var end = start
        while end < segmentList.count, segmentList[end].baseOffset < to { end += 1 }
        return segmentList[start..<max(start, end)]
    }

    func addSegment(_ segment: LogSegment) {
        if let index = segmentList.firstIndex(where: { $0.baseOffset >= segment.baseOffset }) {
            if segmentList[index].baseOffset == segment.baseOffset {
                segmentList[index] = segment
            } else {
                segmentList.insert(segment, at: index)
            }
        } else {
            segmentList.append(segment)
        }
    }

    func newSegment(baseOffset: Int64) throws -> LogSegment {
        try LogSegment.open(
            directory: dir, baseOffset: baseOffset, indexIntervalBytes: config.indexInterval, maxIndexSize: config.maxIndexSize,
            rollJitterMs: config.randomSegmentJitter(), time: time)
    }

    func updateLogEndOffset(_ offset: Int64) throws {
        let active = activeSegment
        nextOffsetMetadata = LogOffsetMetadata(messageOffset: offset, segmentBaseOffset: active.baseOffset, relativePositionInSegment: active.size)
    }

    public func updateConfig(_ newConfig: LogConfig) { config = newConfig }

    // MARK: Roll

    /// Closes the active segment for appends and starts a new one at `max(expectedNextOffset,
    /// logEndOffset)` (Kafka's `roll`). The old segment's indexes are trimmed under the lock; its
    /// fsync is scheduled (`Log.flush(upTo:)` with the new segment's base offset, on the
    /// `Scheduler`), so appends and reads go on while the disk works, and the recovery point
    /// moves to the new base offset once that fsync has returned.
    @discardableResult
    public func roll(expectedNextOffset: Int64? = nil) throws -> LogSegment {
        try ensureOpen()
        let newOffset = max(expectedNextOffset ?? 0, logEndOffset)
        if let existing = segmentList.last(where: { $0.baseOffset == newOffset }) {
            guard existing === activeSegment, existing.size == 0 else {
                throw StorageError.invalidOffset(
                    path: LogFileName.logFile(dir, newOffset),
                    message: "cannot roll to \(newOffset): a segment with this base offset exists")
            }
            return existing
        }
        for path in [LogFileName.logFile(dir, newOffset), LogFileName.indexFile(dir, newOffset), LogFileName.timeIndexFile(dir, newOffset),
                     LogFileName.txnIndexFile(dir, newOffset)]
        where FileManager.default.fileExists(atPath: path) {
            logger.warning("Deleting a stale file before rolling a new segment", metadata: ["file": "\(path)"])
            unlink(path)
        }
        producerStateManager.updateMapEndOffset(newOffset)
        try takeProducerSnapshot()
        try activeSegment.onBecomeInactiveSegment()
        let segment = try newSegment(baseOffset: newOffset)
        addSegment(segment)
        try updateLogEndOffset(logEndOffset)
        logger.info("Rolled new log segment", metadata: ["baseOffset": "\(newOffset)"])
        let logger = self.logger
        scheduler.schedule(name: "flush-log", delayMs: 0) { [weak owner] in
            do {
                try owner?.flush(upTo: newOffset)
            } catch StorageError.closed {
                // Closed meanwhile (deleted, or shut down after its own flush): nothing to do.
            } catch {
                logger.error("Flush of a rolled segment failed", metadata: ["baseOffset": "\(newOffset)", "error": "\(error)"])
            }
        }
        return segment
    }

    // MARK: Flush

    /// Kafka's `flush(offset)`, done under the lock (the `flush.messages` policy of an append):
    /// fsyncs the segments holding offsets from the recovery point up to `offset` (exclusive)
    /// and moves the recovery point there. `Log.flush(upTo:)` does the same with the fsyncs
    /// outside the lock.
    public func flush(upTo offset: Int64) throws {
        try ensureOpen()
        guard offset > recoveryPoint else { return }
        try LogFlushStats.time { for segment in segments(from: recoveryPoint, to: offset) { try segment.flush() } }
        try leaderEpochCache.writeIfDirty()
        recoveryPoint = offset
        lastFlushTime = time.milliseconds
    }

    /// Flushes everything appended, under the lock.
    public func flush() throws { try flush(upTo: logEndOffset) }

    /// The files to fsync for a flush up to `offset` done outside the lock, with the truncation
    /// count to check afterwards (`completeFlush`); nil when the recovery point is already there.
    func filesToFlush(upTo offset: Int64) throws -> (files: [FileToSync], truncationCount: Int)? {
        try ensureOpen()
        guard offset > recoveryPoint else { return nil }
        return (segments(from: recoveryPoint, to: offset).flatMap(\.openFiles), truncationCount)
    }

    /// After the fsyncs of `filesToFlush(upTo:)` returned: moves the recovery point to `offset`
    /// (never past the log end offset), unless a truncation happened meanwhile (the offsets
    /// synced may since have been cut and rewritten: the next flush covers them).
    func completeFlush(upTo offset: Int64, truncationCount count: Int) {
        guard !isClosed, count == truncationCount else { return }
        let target = min(offset, logEndOffset)
        guard target > recoveryPoint else { return }
        // An epoch appended since the caller's write of the checkpoint: written before the
        // recovery point moves (rare: the caller wrote what was pending just before).
        do {
            try leaderEpochCache.writeIfDirty()
        } catch {
            logger.error("Could not write the leader epoch checkpoint: the recovery point stays", metadata: ["error": "\(error)"])
            return
        }
        recoveryPoint = target
        lastFlushTime = time.milliseconds
    }

    /// True when the `flush.ms` policy calls for a flush: the last one is at least `flush.ms`
    /// old and there is something to flush.
    public var isFlushDue: Bool {
        config.flushMs != .max && unflushedMessages > 0 && time.milliseconds - lastFlushTime >= config.flushMs
    }

    /// Closes every segment (no flush: the owner flushes first on a clean shutdown) and the
    /// leader epoch cache, which refuses every later change: once closed, the directory may be
    /// renamed (`LogManager.asyncDelete`) and even re-created for a new log of the partition.
    public func close() throws {
        if !isClosed {
            // An epoch whose deferred write has not run yet.
            do {
                try leaderEpochCache.writeIfDirty()
            } catch {
                logger.warning("Could not write the leader epoch checkpoint on close", metadata: ["error": "\(error)"])
            }
            // A snapshot at the log end, so that the next open replays nothing.
            do {
                try takeProducerSnapshot()
            } catch {
                logger.warning("Could not write a producer snapshot on close", metadata: ["error": "\(error)"])
            }
        }
        isClosed = true
        leaderEpochCache.close()
        for segment in segmentList { try segment.close() }
    }
}

/// Not `Sendable`, on purpose: a `LocalLog` lives inside its `Log`'s `Mutex` and is reached only
/// through `Log.withLock`.
@available(*, unavailable)
extension LocalLog: Sendable {}
