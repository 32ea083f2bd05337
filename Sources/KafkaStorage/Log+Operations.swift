import KafkaRecords
import NIOCore

/// Single operations on a `Log`, each taking the log's lock for itself (as Kafka's `Log`
/// methods do): for callers that need nothing else done under the same lock. See the
/// `LocalLog` methods they call for what each does. Never call these inside `withLock`.
extension Log {
    // MARK: Offsets and state

    public var logEndOffset: Int64 { withLock { log in log.logEndOffset } }
    public var logStartOffset: Int64 { withLock { log in log.logStartOffset } }
    public var recoveryPoint: Int64 { withLock { log in log.recoveryPoint } }
    public var config: LogConfig { withLock { log in log.config } }
    public var numberOfSegments: Int { withLock { log in log.numberOfSegments } }
    /// The base offsets of the segments, oldest first.
    public var segmentBaseOffsets: [Int64] { withLock { log in log.segments.map(\.baseOffset) } }
    /// Bytes in all segments.
    public var size: Int { withLock { log in log.size } }
    public var isClosed: Bool { withLock { log in log.isClosed } }
    public var latestLeaderEpoch: Int32? { withLock { log in log.latestLeaderEpoch } }

    public func endOffset(forLeaderEpoch epoch: Int32) -> (epoch: Int32, endOffset: Int64) {
        withLock { log in log.endOffset(forLeaderEpoch: epoch) }
    }

    public func updateConfig(_ newConfig: LogConfig) { withLock { log in log.updateConfig(newConfig) } }

    // MARK: Appends and reads

    @discardableResult
    public func appendAsLeader(_ records: consuming MemoryRecords, leaderEpoch: Int32, origin: AppendOrigin = .client) throws -> LogAppendResult {
        // Moved, not copied, into the lock: a uniquely held buffer is still rewritten in place.
        var pending: MemoryRecords? = records
        return try withLock { log in try log.appendAsLeader(pending.take()!, leaderEpoch: leaderEpoch, origin: origin) }
    }

    @discardableResult
    public func appendAsFollower(_ records: MemoryRecords) throws -> LogAppendResult? {
        try withLock { log in try log.appendAsFollower(records) }
    }

    public func read(startOffset: Int64, maxLength: Int, maxOffset: Int64? = nil, minOneMessage: Bool = false) throws -> FetchDataInfo {
        try withLock { log in try log.read(startOffset: startOffset, maxLength: maxLength, maxOffset: maxOffset, minOneMessage: minOneMessage) }
    }

    /// The bytes a read returned (no lock needed: the slice holds its file).
    public func readBytes(_ fetch: FetchDataInfo) throws -> ByteBuffer { try fetch.records.read() }

    public func fetchOffsetByTimestamp(_ targetTimestamp: Int64) throws -> (timestamp: Int64, offset: Int64)? {
        try withLock { log in try log.fetchOffsetByTimestamp(targetTimestamp) }
    }

    // MARK: Segments and truncation

    /// Rolls a new segment (`LocalLog.roll`); returns its base offset.
    @discardableResult
    public func roll(expectedNextOffset: Int64? = nil) throws -> Int64 {
        try withLock { log in try log.roll(expectedNextOffset: expectedNextOffset).baseOffset }
    }

    @discardableResult
    public func truncateTo(_ targetOffset: Int64) throws -> Bool {
        try withLock { log in try log.truncateTo(targetOffset) }
    }

    public func truncateFullyAndStartAt(_ newOffset: Int64) throws {
        try withLock { log in try log.truncateFullyAndStartAt(newOffset) }
    }

    public func maybeIncrementLogStartOffset(_ newLogStartOffset: Int64) throws {
        try withLock { log in try log.maybeIncrementLogStartOffset(newLogStartOffset) }
    }

    /// With the log's cleaning aborted and paused meanwhile (`withCleaningPaused`).
    @discardableResult
    public func deleteRecords(upTo offset: Int64) throws -> Int64 {
        try withCleaningPaused { try withLock { log in try log.deleteRecords(upTo: offset) } }
    }

    /// Skipped (0) while a cleaner thread cleans the log (see `ifCleaningIdle`).
    @discardableResult
    public func deleteOldSegments() throws -> Int {
        try ifCleaningIdle { try withLock { log in try log.deleteOldSegments() } } ?? 0
    }

    /// Closes the log (`LocalLog.close`): every later read or write throws `StorageError.closed`.
    public func close() throws {
        try withLock { log in try log.close() }
    }
}
