import Foundation
import Glibc
import KafkaCommon
import KafkaRecords
import Logging

/// A partition's log: a directory `<topic>-<partition>/` of segments, each covering the offsets
/// from its base offset up to the next segment's (Kafka 2.3's `Log`).
///
/// Offsets, from low to high:
///
///     logStartOffset ≤ recoveryPoint ≤ logEndOffset
///
/// - `logStartOffset`: the first offset a consumer may read (raised by retention and
///   DeleteRecords; may lie inside the first segment).
/// - `recoveryPoint`: everything below it has been fsynced; after a crash, segments holding
///   offsets from it on are recovered (re-validated, indexes rebuilt, torn tail cut).
/// - `logEndOffset` (LEO): the offset the next appended record gets.
///
/// Invariants: at least one segment exists; segments are sorted by base offset and their offset
/// ranges do not overlap; only the last (active) segment is appended to; a segment's files are
/// renamed to `.deleted` before they are removed, `file.delete.delay.ms` later.
///
/// The directory also holds `leader-epoch-checkpoint`, the `leaderEpochCache`: no entry starts
/// below `logStartOffset` or above `logEndOffset` (see `Log+LeaderEpoch.swift` for which
/// operations keep it so).
///
/// Isolation: the methods themselves take no lock. Every caller that may share the log with
/// another thread (the `Partition` appending and reading, `LogManager`'s retention, flush and
/// checkpoint tasks) makes its calls inside `withLock` (the log's one lock, Kafka's `Log.lock`),
/// which serialises them; reads return `FileSlice` values that may be sent after the lock is
/// released. A log used by one thread only (tests, start-up before `LogManager` publishes it) may
/// skip the lock. The delayed file removals run through the `Scheduler` and touch file paths only.
/// The leader epoch cache is part of the state under the lock: read and changed only there.
/// `@unchecked Sendable` on that contract: the mutable state is only reached under `lock`.
public final class Log: @unchecked Sendable {
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
    /// The partition's leader epochs (`<dir>/leader-epoch-checkpoint`). Read it under the lock;
    /// it changes only through the log's own methods.
    public internal(set) var leaderEpochCache: LeaderEpochFileCache
    /// Serialises the calls of the log's users (see Isolation above). Not reentrant.
    let lock = NSLock()
    /// Set by `close()`: a caller that still holds the log (a fetch racing with the partition's
    /// deletion) gets `StorageError.closed` from every read or write instead of touching unmapped
    /// indexes.
    public private(set) var isClosed = false

    /// Throws `StorageError.closed` once the log is closed.
    func ensureOpen() throws {
        if isClosed { throw StorageError.closed(path: dir) }
    }

    /// Opens the log in `dir` (creating the directory when missing), loading its segments and its
    /// leader epoch checkpoint; see `loadSegments` for what happens to leftovers and, when
    /// `hadCleanShutdown` is false, which segments are recovered, and
    /// `initializeLeaderEpochCache` for how the checkpoint is brought in line with the segments.
    /// A malformed checkpoint throws `StorageError.corrupt`.
    public init(
        dir: String, config: LogConfig, logStartOffset: Int64 = 0, recoveryPoint: Int64 = 0, hadCleanShutdown: Bool,
        scheduler: any Scheduler, time: any Time, logger: Logger
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
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        self.leaderEpochCache = try LeaderEpochFileCache(
            topicPartition: topicPartition, path: "\(dir)/\(CheckpointFileName.leaderEpoch)", logger: logger)
        try loadSegments(hadCleanShutdown: hadCleanShutdown)
        try initializeLeaderEpochCache()
    }

    /// Runs `body` holding the log's lock: every call on a log shared between threads goes
    /// through here. Do not nest (the lock is not reentrant).
    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
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
    /// logEndOffset)` (Kafka's `roll`). The old segment's indexes are trimmed and its data
    /// flushed (synchronously, under the caller's lock: Kafka schedules this flush instead).
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
        for path in [LogFileName.logFile(dir, newOffset), LogFileName.indexFile(dir, newOffset), LogFileName.timeIndexFile(dir, newOffset)]
        where FileManager.default.fileExists(atPath: path) {
            logger.warning("Deleting a stale file before rolling a new segment", metadata: ["file": "\(path)"])
            unlink(path)
        }
        try activeSegment.onBecomeInactiveSegment()
        let segment = try newSegment(baseOffset: newOffset)
        addSegment(segment)
        try updateLogEndOffset(logEndOffset)
        logger.info("Rolled new log segment", metadata: ["baseOffset": "\(newOffset)"])
        try flush(upTo: newOffset)
        return segment
    }

    // MARK: Flush

    /// Kafka's `flush(offset)`: fsyncs the segments holding offsets from the recovery point up to
    /// `offset` (exclusive) and moves the recovery point there.
    public func flush(upTo offset: Int64) throws {
        try ensureOpen()
        guard offset > recoveryPoint else { return }
        for segment in segments(from: recoveryPoint, to: offset) { try segment.flush() }
        recoveryPoint = offset
        lastFlushTime = time.milliseconds
    }

    /// Flushes everything appended.
    public func flush() throws { try flush(upTo: logEndOffset) }

    /// The `flush.ms` policy: flushes when the last flush is at least `flush.ms` old and there is
    /// something to flush. Called periodically by the owner (Kafka's LogManager flush task).
    /// Returns true when it flushed.
    @discardableResult
    public func flushIfDue() throws -> Bool {
        guard config.flushMs != .max, unflushedMessages > 0, time.milliseconds - lastFlushTime >= config.flushMs else { return false }
        try flush()
        return true
    }

    /// Closes every segment (no flush: the owner flushes first on a clean shutdown) and the
    /// leader epoch cache, which refuses every later change: once closed, the directory may be
    /// renamed (`LogManager.asyncDelete`) and even re-created for a new log of the partition.
    public func close() throws {
        isClosed = true
        leaderEpochCache.close()
        for segment in segmentList { try segment.close() }
    }
}

/// Failures of log operations that a request answers with an error code.
public enum LogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A fetch or DeleteRecords offset outside `logStartOffset...logEndOffset`.
    /// OFFSET_OUT_OF_RANGE (1).
    case offsetOutOfRange(offset: Int64, logStartOffset: Int64, logEndOffset: Int64)
    /// A follower's records do not start at its log end offset, or go backwards. Kafka's
    /// `UnexpectedAppendOffsetException` (UNKNOWN_SERVER_ERROR, −1, to the client).
    case unexpectedAppendOffset(firstOffset: Int64, logEndOffset: Int64)
    /// A batch carries a negative partition leader epoch where the leader epoch cache needs one
    /// (Kafka's IllegalArgumentException from `LeaderEpochFileCache.assign`: UNKNOWN_SERVER_ERROR).
    case invalidLeaderEpoch(epoch: Int32, startOffset: Int64)

    public var kafkaErrorCode: Int16 {
        switch self {
        case .offsetOutOfRange: 1
        case .unexpectedAppendOffset, .invalidLeaderEpoch: -1
        }
    }

    public var description: String {
        switch self {
        case .offsetOutOfRange(let offset, let start, let end):
            "offset \(offset) is out of range: the log holds \(start)..<\(end)"
        case .unexpectedAppendOffset(let first, let end):
            "records starting at offset \(first) cannot be appended at log end offset \(end)"
        case .invalidLeaderEpoch(let epoch, let startOffset):
            "invalid partition leader epoch \(epoch) for the records starting at offset \(startOffset)"
        }
    }
}
