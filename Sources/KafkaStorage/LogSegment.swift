import Glibc
import KafkaCommon
import KafkaRecords
import Logging
import NIOCore

/// Where an offset sits in the log: the offset, the base offset of its segment and the byte
/// position of its batch in that segment (Kafka's `LogOffsetMetadata`).
public struct LogOffsetMetadata: Sendable, Equatable {
    public var messageOffset: Int64
    public var segmentBaseOffset: Int64
    public var relativePositionInSegment: Int

    public init(messageOffset: Int64, segmentBaseOffset: Int64 = -1, relativePositionInSegment: Int = -1) {
        self.messageOffset = messageOffset
        self.segmentBaseOffset = segmentBaseOffset
        self.relativePositionInSegment = relativePositionInSegment
    }
}

/// The answer to a read: where it started, and the file bytes to send (Kafka's `FetchDataInfo`).
public struct FetchDataInfo: Sendable, Equatable {
    public var fetchOffsetMetadata: LogOffsetMetadata
    public var records: FileSlice
    /// True when `records` ends before the end of its first batch (the limit was smaller than
    /// that batch and `minOneMessage` was false).
    public var firstEntryIncomplete: Bool

    public init(fetchOffsetMetadata: LogOffsetMetadata, records: FileSlice, firstEntryIncomplete: Bool = false) {
        self.fetchOffsetMetadata = fetchOffsetMetadata
        self.records = records
        self.firstEntryIncomplete = firstEntryIncomplete
    }
}

/// What `LogSegment.shouldRoll` weighs (Kafka's `RollParams`).
public struct RollParams: Sendable {
    public var maxSegmentMs: Int64
    public var maxSegmentBytes: Int
    public var maxTimestampInMessages: Int64
    public var maxOffsetInMessages: Int64
    public var messagesSize: Int
    public var now: Int64

    public init(maxSegmentMs: Int64, maxSegmentBytes: Int, maxTimestampInMessages: Int64, maxOffsetInMessages: Int64, messagesSize: Int, now: Int64) {
        self.maxSegmentMs = maxSegmentMs
        self.maxSegmentBytes = maxSegmentBytes
        self.maxTimestampInMessages = maxTimestampInMessages
        self.maxOffsetInMessages = maxOffsetInMessages
        self.messagesSize = messagesSize
        self.now = now
    }
}

/// One segment of a partition's log: a `.log` file of batches starting at `baseOffset` and its
/// two sparse indexes (Kafka's `LogSegment`).
///
/// Files (see `LogFileName`): `<base>.log`, `<base>.index`, `<base>.timeindex`, and once an
/// aborted transaction's marker lands here `<base>.txnindex` (`TransactionIndex`). Every offset in
/// the segment is in `baseOffset ... baseOffset + Int32.max`, because the indexes store 32-bit
/// offsets relative to the base; `Log` rolls a new segment before that would break.
///
/// Invariants: batches are in increasing offset order; an offset-index entry (and a time-index
/// entry when the largest timestamp grew) is added before an append once more than
/// `indexIntervalBytes` were appended since the last entry; index entries point at the start of
/// a batch. After a crash the indexes are not trusted: `recover` rebuilds them from the log.
///
/// Isolation: not thread-safe. Owned by its `Log` and used under the log's lock only.
public final class LogSegment {
    public let baseOffset: Int64
    public let log: FileRecords
    public let offsetIndex: OffsetIndex
    public let timeIndex: TimeIndex
    /// The aborted transactions whose markers are in this segment (`<base>.txnindex`, created on
    /// its first entry; see `LogSegment+TransactionIndex.swift`).
    public let txnIndex: TransactionIndex
    public let indexIntervalBytes: Int
    public let maxIndexSize: Int
    public let rollJitterMs: Int64
    let time: any Time

    /// Paths of the index files (the index types keep the name they were opened with).
    public private(set) var offsetIndexPath: String
    public private(set) var timeIndexPath: String

    private(set) var bytesSinceLastIndexEntry = 0
    /// The max timestamp of the first batch, which time-based rolling counts from.
    private var rollingBasedTimestamp: Int64?
    /// When the segment was created (or emptied), for time-based rolling of a segment without
    /// timestamps.
    private var created: Int64
    public private(set) var maxTimestampSoFar: Int64 = RecordBatch.noTimestamp
    public private(set) var offsetOfMaxTimestampSoFar: Int64 = -1
    private var isClosed = false

    public init(log: FileRecords, offsetIndex: OffsetIndex, timeIndex: TimeIndex, txnIndex: TransactionIndex, baseOffset: Int64,
                indexIntervalBytes: Int, maxIndexSize: Int, rollJitterMs: Int64, time: any Time) {
        self.log = log
        self.offsetIndex = offsetIndex
        self.timeIndex = timeIndex
        self.txnIndex = txnIndex
        self.baseOffset = baseOffset
        self.indexIntervalBytes = indexIntervalBytes
        self.maxIndexSize = maxIndexSize
        self.rollJitterMs = rollJitterMs
        self.time = time
        offsetIndexPath = offsetIndex.path
        timeIndexPath = timeIndex.path
        created = time.milliseconds
        if timeIndex.entries > 0 {
            maxTimestampSoFar = timeIndex.lastEntry.timestamp
            offsetOfMaxTimestampSoFar = timeIndex.lastEntry.offset
        }
    }

    /// Opens (creating when missing) the three files of the segment at `baseOffset` in
    /// `directory`, each name followed by `fileSuffix` (say `.cleaned`).
    public static func open(directory: String, baseOffset: Int64, indexIntervalBytes: Int, maxIndexSize: Int,
                            rollJitterMs: Int64 = 0, time: any Time, fileSuffix: String = "") throws -> LogSegment {
        LogSegment(
            log: try FileRecords(path: LogFileName.logFile(directory, baseOffset, suffix: fileSuffix)),
            offsetIndex: try OffsetIndex(path: LogFileName.indexFile(directory, baseOffset, suffix: fileSuffix), baseOffset: baseOffset, maxIndexSize: maxIndexSize),
            timeIndex: try TimeIndex(path: LogFileName.timeIndexFile(directory, baseOffset, suffix: fileSuffix), baseOffset: baseOffset, maxIndexSize: maxIndexSize),
            txnIndex: try TransactionIndex(startOffset: baseOffset, path: LogFileName.txnIndexFile(directory, baseOffset, suffix: fileSuffix)),
            baseOffset: baseOffset, indexIntervalBytes: indexIntervalBytes, maxIndexSize: maxIndexSize,
            rollJitterMs: rollJitterMs, time: time)
    }

    public var size: Int { log.sizeInBytes }

    /// True when `offset` can be stored relative to the base offset in 32 bits.
    public func canConvertToRelativeOffset(_ offset: Int64) -> Bool {
        let relative = offset - baseOffset
        return relative >= 0 && relative <= Int64(Int32.max)
    }

    // MARK: Append

    /// Appends `records` (batches with offsets already assigned, the largest being
    /// `largestOffset`) at the end of the log, first adding index entries when more than
    /// `indexIntervalBytes` have been appended since the last ones. The bytes are written as they
    /// are.
    public func append(largestOffset: Int64, largestTimestamp: Int64, shallowOffsetOfMaxTimestamp: Int64, records: MemoryRecords) throws {
        guard records.sizeInBytes > 0 else { return }
        guard canConvertToRelativeOffset(largestOffset) else {
            throw StorageError.invalidOffset(
                path: log.path, message: "largest offset \(largestOffset) does not fit a segment based at \(baseOffset)")
        }
        let physicalPosition = log.sizeInBytes
        if physicalPosition == 0 { rollingBasedTimestamp = largestTimestamp }
        try log.append(records)
        if largestTimestamp > maxTimestampSoFar {
            maxTimestampSoFar = largestTimestamp
            offsetOfMaxTimestampSoFar = shallowOffsetOfMaxTimestamp
        }
        if bytesSinceLastIndexEntry > indexIntervalBytes {
            try offsetIndex.append(offset: largestOffset, position: Int32(physicalPosition))
            try timeIndex.maybeAppend(timestamp: maxTimestampSoFar, offset: offsetOfMaxTimestampSoFar)
            bytesSinceLastIndexEntry = 0
        }
        bytesSinceLastIndexEntry += records.sizeInBytes
    }

    // MARK: Read

    /// The first batch whose last offset is ≥ `offset`, searching from the index entry at or
    /// below it (and not before `startingFilePosition`).
    public func translateOffset(_ offset: Int64, startingFilePosition: Int = 0) throws -> (offset: Int64, position: Int, size: Int)? {
        let mapping = offsetIndex.lookup(offset)
        return try log.searchForOffset(offset, startingAt: max(Int(mapping.position), startingFilePosition))
    }

    /// Kafka's `LogSegment.read`: the bytes from the batch holding `startOffset`, at most
    /// `maxSize` of them and none at or after `maxPosition`; nil when `startOffset` is past the
    /// segment's last batch. With `minOneMessage` the first batch is returned whole even when it
    /// is larger than `maxSize` (so a consumer can always make progress).
    public func read(startOffset: Int64, maxSize: Int, maxPosition: Int? = nil, minOneMessage: Bool = false) throws -> FetchDataInfo? {
        // Invariant, not input: the fetch path clamps a client's sizes to ≥ 0 (FetchHandler) or
        // reads only for a positive `min_bytes` (DelayedFetch).
        precondition(maxSize >= 0, "invalid max size \(maxSize) for a read of segment \(log.path)")
        guard let start = try translateOffset(startOffset) else { return nil }
        let maxPosition = maxPosition ?? log.sizeInBytes
        let metadata = LogOffsetMetadata(messageOffset: startOffset, segmentBaseOffset: baseOffset, relativePositionInSegment: start.position)
        let adjustedMaxSize = minOneMessage ? max(maxSize, start.size) : maxSize
        guard adjustedMaxSize > 0 else { return FetchDataInfo(fetchOffsetMetadata: metadata, records: .empty(path: log.path)) }
        let fetchSize = max(0, min(maxPosition - start.position, adjustedMaxSize))
        return FetchDataInfo(
            fetchOffsetMetadata: metadata, records: try log.slice(position: start.position, size: fetchSize),
            firstEntryIncomplete: adjustedMaxSize < start.size)
    }

    /// The offset after the segment's last batch (the base offset when empty).
    public func readNextOffset() throws -> Int64 {
        var next = baseOffset
        var position = Int(offsetIndex.lastEntry.position)
        while let header = try log.batchHeader(at: position) {
            next = header.lastOffset + 1
            position += header.sizeInBytes
        }
        return next
    }

    /// The first record with timestamp ≥ `timestamp` and offset ≥ `startingOffset`, found from the
    /// time index and a scan of the log (Kafka's `findOffsetByTimestamp`).
    public func findOffsetByTimestamp(_ timestamp: Int64, startingOffset: Int64 = 0) throws -> (timestamp: Int64, offset: Int64)? {
        let timestampOffset = timeIndex.lookup(timestamp)
        let position = offsetIndex.lookup(max(timestampOffset.offset, startingOffset)).position
        return try log.searchForTimestamp(timestamp, startingPosition: Int(position), startingOffset: startingOffset)
    }

    // MARK: Rolling

    /// Kafka's `shouldRoll`: the segment is full (`segment.bytes`), old (`segment.ms` less the
    /// jitter, counted from its first batch's timestamp, or from its creation without one), an
    /// index is full, or the next offsets no longer fit 32 bits relative to the base.
    public func shouldRoll(_ params: RollParams) -> Bool {
        let reachedRollMs = timeWaitedForRoll(now: params.now, messageTimestamp: params.maxTimestampInMessages) > params.maxSegmentMs - rollJitterMs
        return size > params.maxSegmentBytes - params.messagesSize
            || (size > 0 && reachedRollMs)
            || offsetIndex.isFull || timeIndex.isFull
            || !canConvertToRelativeOffset(params.maxOffsetInMessages)
    }

    func timeWaitedForRoll(now: Int64, messageTimestamp: Int64) -> Int64 {
        loadFirstBatchTimestamp()
        if let first = rollingBasedTimestamp, first >= 0 { return messageTimestamp - first }
        return now - created
    }

    private func loadFirstBatchTimestamp() {
        guard rollingBasedTimestamp == nil, log.sizeInBytes > 0,
              let header = try? log.batchHeader(at: 0), header.magic == RecordBatch.currentMagic,
              let bytes = try? log.read(position: 0, size: header.sizeInBytes),
              let batch = try? RecordBatch(bytes)
        else { return }
        rollingBasedTimestamp = batch.maxTimestamp
    }

    /// Called when a newer segment takes over appends: records the largest timestamp in the
    /// time index and trims both preallocated indexes to their entries.
    public func onBecomeInactiveSegment() throws {
        // Best effort: the entry only speeds up time lookups, and failing here would block rolls.
        if !timeIndex.isFull, maxTimestampSoFar >= 0 {
            try? timeIndex.maybeAppend(timestamp: maxTimestampSoFar, offset: offsetOfMaxTimestampSoFar)
        }
        try offsetIndex.trimToValidSize()
        try timeIndex.trimToValidSize()
    }

    /// Gives both indexes room for `maxIndexSize` bytes again (the active segment after loading).
    public func resizeIndexes(_ size: Int) throws {
        try offsetIndex.resize(to: size)
        try timeIndex.resize(to: size)
    }

    /// The largest record timestamp in the segment, or the log file's modification time when no
    /// batch carries one (Kafka's `largestTimestamp`, used by time-based retention).
    public var largestTimestamp: Int64 {
        maxTimestampSoFar >= 0 ? maxTimestampSoFar : lastModified
    }

    /// The `.log` file's modification time in milliseconds.
    public var lastModified: Int64 {
        var info = stat()
        guard stat(log.path, &info) == 0 else { return 0 }
        return Int64(info.st_mtim.tv_sec) * 1000 + Int64(info.st_mtim.tv_nsec) / 1_000_000
    }

    // MARK: Truncation

    /// Removes every batch whose offsets reach `offset` or beyond, and the index entries at or
    /// past it. `offset` is expected at a batch boundary (a batch holding it is removed whole).
    /// Returns the bytes removed from the log.
    @discardableResult
    public func truncateTo(offset: Int64) throws -> Int {
        try txnIndex.truncateTo(offset)
        guard let mapping = try translateOffset(offset) else { return 0 }
        offsetIndex.truncate(to: offset)
        timeIndex.truncate(to: offset)
        try resizeIndexes(maxIndexSize)
        let bytesTruncated = try log.truncate(to: mapping.position)
        if log.sizeInBytes == 0 {
            created = time.milliseconds
            rollingBasedTimestamp = nil
        }
        bytesSinceLastIndexEntry = 0
        try loadLargestTimestamp()
        return bytesTruncated
    }

    /// Recomputes `maxTimestampSoFar` from the time index's last entry and the batches after it.
    private func loadLargestTimestamp() throws {
        let last = timeIndex.lastEntry
        maxTimestampSoFar = last.timestamp
        offsetOfMaxTimestampSoFar = timeIndex.entries > 0 ? last.offset : -1
        let position = offsetIndex.lookup(last.offset).position
        let after = try log.largestTimestamp(after: Int(position))
        if after.timestamp > maxTimestampSoFar {
            maxTimestampSoFar = after.timestamp
            offsetOfMaxTimestampSoFar = after.offset
        }
    }

    func resetTimestampTracking() {
        maxTimestampSoFar = RecordBatch.noTimestamp
        offsetOfMaxTimestampSoFar = -1
        bytesSinceLastIndexEntry = 0
    }

    func noteTimestamp(_ timestamp: Int64, offset: Int64) {
        maxTimestampSoFar = timestamp
        offsetOfMaxTimestampSoFar = offset
    }

    // MARK: Lifecycle

    public func flush() throws {
        try log.flush()
        try offsetIndex.flush()
        try timeIndex.flush()
        try txnIndex.flush()
    }

    /// The segment's open files (`.log`, `.index`, `.timeindex`), for a flush that runs outside
    /// the log's lock (`Log.flush(upTo:)`): an `fsync` of each writes the log and both indexes,
    /// their mappings included. Empty once the segment is closed.
    var openFiles: [FileToSync] {
        [
            log.channel.map { FileToSync(channel: $0, path: log.path) },
            offsetIndex.file.channel.map { FileToSync(channel: $0, path: offsetIndexPath) },
            timeIndex.file.channel.map { FileToSync(channel: $0, path: timeIndexPath) },
            txnIndex.fileToSync,
        ].compactMap { $0 }
    }

    /// Closes the files, first recording the largest timestamp in the time index and trimming
    /// the indexes (so a clean restart reads exactly the entries written).
    public func close() throws {
        guard !isClosed else { return }
        if !timeIndex.isFull, maxTimestampSoFar >= 0 {
            try? timeIndex.maybeAppend(timestamp: maxTimestampSoFar, offset: offsetOfMaxTimestampSoFar)
        }
        isClosed = true
        try offsetIndex.close()
        try timeIndex.close()
        txnIndex.close()
        try log.close()
    }

    /// Closes the segment and deletes its files where they are.
    public func deleteIfExists() throws {
        if !isClosed {
            isClosed = true
            try offsetIndex.close()
            try timeIndex.close()
        }
        try log.deleteIfExists()
        unlink(offsetIndexPath)
        unlink(timeIndexPath)
        txnIndex.deleteIfExists()
    }

    /// The current paths of the segment's files (the `.txnindex` only when it exists).
    public var filePaths: [String] { [log.path, offsetIndexPath, timeIndexPath] + (txnIndex.fileExists ? [txnIndex.path] : []) }

    /// Renames the files from suffix `oldSuffix` to `newSuffix` (say `""` → `.deleted`); the
    /// `.txnindex` when it exists.
    public func changeFileSuffixes(_ oldSuffix: String, _ newSuffix: String) throws {
        func renamed(_ path: String) -> String {
            (oldSuffix.isEmpty || !path.hasSuffix(oldSuffix) ? path : String(path.dropLast(oldSuffix.count))) + newSuffix
        }
        try log.rename(to: renamed(log.path))
        let newOffsetIndexPath = renamed(offsetIndexPath)
        try offsetIndex.rename(to: newOffsetIndexPath)
        offsetIndexPath = newOffsetIndexPath
        let newTimeIndexPath = renamed(timeIndexPath)
        try timeIndex.rename(to: newTimeIndexPath)
        timeIndexPath = newTimeIndexPath
        try txnIndex.rename(to: renamed(txnIndex.path))
    }
}

extension LogSegment: CustomStringConvertible {
    public var description: String { "LogSegment(baseOffset=\(baseOffset), size=\(size), path=\(log.path))" }
}
