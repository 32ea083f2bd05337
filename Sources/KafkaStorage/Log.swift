import KafkaCommon
import KafkaRecords
import Logging
import NIOCore
import Synchronization

/// A partition's log (Kafka 2.3's `Log`): its one lock, and the state it guards.
///
/// All mutable state (segments, log start offset, recovery point, log end offset, config,
/// leader epoch cache) is in a `LocalLog` owned by a `Mutex`: the only way to reach it is
/// `withLock`, whose closure gets it as an `inout sending` parameter and may return only
/// `Sendable` values, so a caller can neither keep it nor a segment of it past the lock (both
/// are non-`Sendable`), and an unguarded access does not compile. What may be sent elsewhere is
/// a value: offsets, `FetchDataInfo`, `FileSlice` (which holds its file open).
///
/// A compound operation (the `Partition` checking its role, appending and reading the log end
/// offset) is one `withLock` call. The single operations below take the lock themselves, for
/// callers that need nothing else under it. The lock is not reentrant: inside `withLock`, call
/// the closure's `LocalLog`, never this `Log`.
///
/// Threads: request handler threads (appends, reads), replica fetchers (follower appends,
/// truncation), `LogManager`'s tasks on the `Scheduler` (retention, `flush.ms`, checkpoints),
/// and the `Scheduler`'s flush of a rolled segment. Disk syncs that are not part of an append
/// (the rolled segment's, `flush.ms`, shutdown's) run outside the lock: see `flush(upTo:)`.
public final class Log: Sendable {
    public let dir: String
    public let topicPartition: TopicPartition
    private let state: Mutex<LocalLog>
    /// The log cleaner's manager, when the broker runs a cleaner: truncations pause cleaning
    /// around themselves through it (`withCleaningPaused`).
    let cleanerManager = Mutex<LogCleanerManager?>(nil)

    /// ListOffsets' special timestamps.
    public static let latestTimestamp: Int64 = -1
    public static let earliestTimestamp: Int64 = -2

    /// Opens the log in `dir` (creating the directory when missing), loading its segments and its
    /// leader epoch checkpoint; see `LocalLog.loadSegments` for what happens to leftovers and,
    /// when `hadCleanShutdown` is false, which segments are recovered, and
    /// `initializeLeaderEpochCache` for how the checkpoint is brought in line with the segments.
    /// A malformed checkpoint throws `StorageError.corrupt`.
    public init(
        dir: String, config: LogConfig, logStartOffset: Int64 = 0, recoveryPoint: Int64 = 0, hadCleanShutdown: Bool,
        scheduler: any Scheduler, time: any Time, logger: Logger,
        producerIdExpirationMs: Int64 = ProducerStateManager.defaultMaxProducerIdExpirationMs
    ) throws {
        let local = try LocalLog(
            dir: dir, config: config, logStartOffset: logStartOffset, recoveryPoint: recoveryPoint,
            hadCleanShutdown: hadCleanShutdown, scheduler: scheduler, time: time, logger: logger,
            producerIdExpirationMs: producerIdExpirationMs)
        self.dir = local.dir
        self.topicPartition = local.topicPartition
        self.state = Mutex(local)
        state.withLock { $0.owner = self }
    }

    /// Runs `body` holding the log's lock, with the log's state. Do not nest, and do not call
    /// this `Log` from `body` (the lock is not reentrant).
    public func withLock<Result: Sendable, E: Error>(_ body: (inout sending LocalLog) throws(E) -> Result) throws(E) -> Result {
        try state.withLock { (log: inout sending LocalLog) throws(E) -> Result in try body(&log) }
    }

    // MARK: Flush

    /// Kafka's `flush(offset)`: fsyncs the segments holding offsets from the recovery point up to
    /// `offset` (exclusive) and then moves the recovery point there. The lock is held only to pick
    /// the segments' open files and to move the recovery point; the fsyncs run without it, so
    /// appends and reads go on meanwhile. The recovery point does not move when a truncation
    /// happened in between (see `LocalLog.completeFlush`). Throws `StorageError.closed` once the
    /// log is closed.
    public func flush(upTo offset: Int64) throws {
        guard let (files, truncationCount) = try withLock({ log in try log.filesToFlush(upTo: offset) }) else { return }
        try LogFlushStats.time { for file in files { try file.sync() } }
        // The epochs appended so far reach the disk before the recovery point passes them.
        try writeLeaderEpochCheckpoint()
        withLock { log in log.completeFlush(upTo: offset, truncationCount: truncationCount) }
    }

    /// Flushes everything appended so far.
    public func flush() throws {
        try flush(upTo: withLock { log in log.logEndOffset })
    }

    /// The `flush.ms` policy: flushes when the last flush is at least `flush.ms` old and there is
    /// something to flush. Called periodically by the owner (Kafka's LogManager flush task).
    /// Returns true when it flushed.
    @discardableResult
    public func flushIfDue() throws -> Bool {
        guard let offset = withLock({ log in log.isFlushDue ? log.logEndOffset : nil }) else { return false }
        try flush(upTo: offset)
        return true
    }
}
