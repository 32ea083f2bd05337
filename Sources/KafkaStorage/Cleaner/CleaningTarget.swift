import KafkaCommon

/// What a cleaning works on (one log): its identity and config, a snapshot of its segment list,
/// and the operations that reach back into the log: the swap, the abort check, and the two
/// reads of transaction state (the aborted transactions of a range, from the `.txnindex` files
/// up to the active segment's, and the producers' last records), which take the log's lock.
///
/// Two ways to get one:
/// - `init(_ local:)`, inside `Log.withLock` (the fixture tests): the snapshot is the live list
///   and the swap is done directly, under the lock the caller holds.
/// - `Cleaner.clean(_ log: Log, ...)` (the cleaner threads): the snapshot is taken under the lock
///   and then read without it, as Kafka's cleaner does; the swap takes the lock again. What
///   keeps that safe: the cleaner reads only segments below the active one, which appends never
///   touch; truncation, deletion and retention of a log being cleaned first abort the cleaning
///   through `LogCleanerManager` and wait until the cleaner thread has stopped reading
///   (`checkAborted` between segments); and the swap itself checks that no segment it replaces
///   left the log and that no truncation happened since the snapshot (`LogCleaningAbortedError`
///   otherwise: the cleaned output is discarded).
struct CleaningTarget {
    let topicPartition: TopicPartition
    let dir: String
    let config: LogConfig
    let time: any Time
    /// The segments when the cleaning started, sorted by base offset.
    let segments: [LogSegment]
    /// The active segment's base offset then: nothing at or above it is cleaned.
    var activeBaseOffset: Int64 { segments[segments.count - 1].baseOffset }
    /// Swaps the cleaned segments in (`LocalLog.replaceSegments`).
    let swap: (_ new: [LogSegment], _ old: [LogSegment], _ crashPoint: ((SwapStep) throws -> Void)?) throws -> Void
    /// Throws when the cleaning must stop (aborted, or the cleaner shutting down).
    var checkAborted: () throws -> Void = {}
    /// The aborted transactions overlapping `[from, to)` (`LocalLog.collectAbortedTransactions`).
    let abortedTransactions: (_ from: Int64, _ to: Int64) throws -> [AbortedTransaction]
    /// `LocalLog.lastRecordsOfActiveProducers`, read when asked (once per group, as Kafka does).
    let lastRecordsOfActiveProducers: () throws -> [Int64: LastRecord]

    init(
        topicPartition: TopicPartition, dir: String, config: LogConfig, time: any Time, segments: [LogSegment],
        abortedTransactions: @escaping (Int64, Int64) throws -> [AbortedTransaction],
        lastRecordsOfActiveProducers: @escaping () throws -> [Int64: LastRecord],
        swap: @escaping ([LogSegment], [LogSegment], ((SwapStep) throws -> Void)?) throws -> Void
    ) {
        self.topicPartition = topicPartition
        self.dir = dir
        self.config = config
        self.time = time
        self.segments = segments
        self.abortedTransactions = abortedTransactions
        self.lastRecordsOfActiveProducers = lastRecordsOfActiveProducers
        self.swap = swap
    }

    /// The live log, used under the caller's lock.
    init(_ local: LocalLog) {
        self.init(
            topicPartition: local.topicPartition, dir: local.dir, config: local.config, time: local.time, segments: local.segments,
            abortedTransactions: { from, to in try local.collectAbortedTransactions(fetchOffset: from, upperBoundOffset: to) },
            lastRecordsOfActiveProducers: { local.lastRecordsOfActiveProducers }
        ) { new, old, crashPoint in
            try local.replaceSegments(new, oldSegments: old, crashPoint: crashPoint)
        }
    }

    /// The segments that may hold offsets in `from..<to` (as `LocalLog.segments(from:to:)`).
    func segments(from: Int64, to: Int64) -> ArraySlice<LogSegment> {
        var start = 0
        for (index, segment) in segments.enumerated() where segment.baseOffset <= from { start = index }
        var end = start
        while end < segments.count, segments[end].baseOffset < to { end += 1 }
        return segments[start..<max(start, end)]
    }
}

/// A cleaning stopped because its log was truncated, deleted or had segments removed meanwhile,
/// or because the cleaner is shutting down (Kafka's `LogCleaningAbortedException` and
/// `ThreadShutdownException`). Nothing of the cleaning's output is kept.
public struct LogCleaningAbortedError: Error, Sendable, Equatable, CustomStringConvertible {
    public let topicPartition: TopicPartition
    public let reason: String

    public init(_ topicPartition: TopicPartition, reason: String) {
        self.topicPartition = topicPartition
        self.reason = reason
    }

    public var description: String { "cleaning of \(topicPartition) aborted: \(reason)" }
}
