import Foundation
import KafkaCommon
import KafkaRecords
@testable import KafkaStorage
import KafkaTestKit
import Logging
import Testing

/// The log's side of transactions: aborted transactions recorded in the active segment's
/// `.txnindex`, `read_committed` reads up to the last stable offset with the aborted
/// transactions overlapping them, and the index following its segment through truncation,
/// deletion, reopening and recovery. The producer state records the aborted transactions when it
/// reads their markers; `complete` checks what it recorded.
@Suite struct LogTransactionTests {
    let root: URL
    let dir: String
    let time = MockTime()
    let scheduler: MockScheduler
    let logger = Logger(label: "test")

    init() throws {
        root = try makeTemporaryDirectory(prefix: "log-txn")
        dir = root.appendingPathComponent("payments-0").path
        scheduler = MockScheduler(time: time)
    }

    func openLog(clean: Bool = true, segmentBytes: Int = 1 << 30, recoveryPoint: Int64 = 0) throws -> Log {
        var config = LogConfig()
        config.segmentBytes = segmentBytes
        config.indexInterval = 1 << 20
        return try Log(dir: dir, config: config, recoveryPoint: recoveryPoint, hadCleanShutdown: clean, scheduler: scheduler,
                       time: time, logger: logger)
    }

    /// A producer's batch of `count` records, transactional or not.
    func data(producerId: Int64, sequence: Int32, count: Int, transactional: Bool = true) throws -> MemoryRecords {
        var builder = MemoryRecordsBuilder(producerId: producerId, producerEpoch: 0, baseSequence: sequence, isTransactional: transactional)
        for index in 0..<count {
            builder.append(timestamp: time.milliseconds, key: nil, value: ByteBuffer(string: "p\(producerId)-\(Int(sequence) + index)"))
        }
        return try builder.buildRecords()
    }

    /// Appends a marker as the coordinator's WriteTxnMarkers does; returns its offset.
    @discardableResult
    func appendMarker(_ log: Log, producerId: Int64, abort: Bool) throws -> Int64 {
        let marker = try EndTransactionMarker(type: abort ? .abort : .commit, coordinatorEpoch: 3)
            .controlBatch(timestamp: time.milliseconds, producerId: producerId, producerEpoch: 0)
        return try log.withLock { try $0.appendAsLeader(marker, leaderEpoch: 0, origin: .coordinator).lastOffset }
    }

    @discardableResult
    func append(_ log: Log, _ records: MemoryRecords) throws -> LogAppendResult {
        try log.withLock { try $0.appendAsLeader(records, leaderEpoch: 0) }
    }

    /// Checks what the producer state did when the marker at `marker` ended the transaction: an
    /// aborted one is the active segment's last `.txnindex` entry, a committed one left none.
    func complete(_ log: Log, producerId: Int64, first: Int64, marker: Int64, aborted: Bool, lastStableOffset: Int64,
                  sourceLocation: SourceLocation = #_sourceLocation) throws {
        let last = try log.withLock { try $0.activeSegment.txnIndex.entries().last }
        if aborted {
            #expect(last == AbortedTransaction(producerId: producerId, firstOffset: first, lastOffset: marker, lastStableOffset: lastStableOffset),
                    sourceLocation: sourceLocation)
        } else {
            #expect(last.map { $0.lastOffset < marker } ?? true, "a committed transaction is not indexed", sourceLocation: sourceLocation)
        }
    }

    func readCommitted(_ log: Log, from offset: Int64, maxLength: Int = 1 << 20, highWatermark: Int64? = nil) throws
        -> (batches: [RecordBatch], aborted: [AbortedTransaction])
    {
        let (fetch, aborted, bytes) = try log.withLock { local in
            // The partition moves the high watermark; completed transactions stay unstable until it passes their markers.
            local.onHighWatermarkIncremented(highWatermark ?? local.logEndOffset)
            let lso = local.lastStableOffset(highWatermark: highWatermark ?? local.logEndOffset)
            let read = try local.readWithAbortedTransactions(startOffset: offset, maxLength: maxLength, maxOffset: lso, minOneMessage: true)
            return (read.fetch, read.abortedTransactions, try local.readBytes(read.fetch))
        }
        _ = fetch
        return (Array(MemoryRecords(bytes).batches), aborted)
    }

    var txnIndexPath: String { LogFileName.txnIndexFile(dir, 0) }

    @Test func abortedTransactionIsIndexedAndReadCommittedStopsAtTheFirstUnstableOffset() throws {
        let log = try openLog()
        try append(log, data(producerId: 1, sequence: 0, count: 5))                     // 0...4, aborted below
        try append(log, data(producerId: 9, sequence: 0, count: 3, transactional: false)) // 5...7
        #expect(!fileExists(txnIndexPath)) // created by the first entry
        let abortAt = try appendMarker(log, producerId: 1, abort: true)                    // 8
        #expect(abortAt == 8)
        try complete(log, producerId: 1, first: 0, marker: abortAt, aborted: true, lastStableOffset: 9)
        try append(log, data(producerId: 2, sequence: 0, count: 3))                     // 9...11, committed
        let commitAt = try appendMarker(log, producerId: 2, abort: false)                  // 12
        try complete(log, producerId: 2, first: 9, marker: commitAt, aborted: false, lastStableOffset: 13)
        try append(log, data(producerId: 3, sequence: 0, count: 3))                     // 13...15, open
        log.withLock { $0.onHighWatermarkIncremented(16) }
        #expect(log.withLock { $0.firstUnstableOffset } == 13, "producer 3's open transaction")

        // One entry: the committed transaction leaves no trace.
        #expect(fileSize(txnIndexPath) == AbortedTransaction.entrySize)
        #expect(try log.withLock { try $0.activeSegment.txnIndex.entries() } == [
            AbortedTransaction(producerId: 1, firstOffset: 0, lastOffset: 8, lastStableOffset: 9),
        ])

        #expect(log.withLock { $0.lastStableOffset(highWatermark: 16) } == 13)
        #expect(log.withLock { $0.lastStableOffset(highWatermark: 10) } == 10)
        let all = try readCommitted(log, from: 0, highWatermark: 16)
        #expect(all.batches.map(\.baseOffset) == [0, 5, 8, 9, 12])
        #expect(all.aborted == [AbortedTransaction(producerId: 1, firstOffset: 0, lastOffset: 8, lastStableOffset: 9)])
        // From past the abort marker: nothing to drop.
        #expect(try readCommitted(log, from: 9, highWatermark: 16).aborted.isEmpty)
        // At the LSO: nothing readable, nothing aborted.
        let atLso = try readCommitted(log, from: 13, highWatermark: 16)
        #expect(atLso.batches.isEmpty && atLso.aborted.isEmpty)
        // The open transaction commits: once the high watermark passes its marker, the LSO is the high watermark.
        #expect(try appendMarker(log, producerId: 3, abort: false) == 16)
        #expect(try readCommitted(log, from: 13).batches.map(\.baseOffset) == [13, 16])
    }

    /// A transaction that began in one segment and was aborted in the next: a read of the first
    /// segment alone finds it in the second's index (the first's search is not complete).
    @Test func searchGoesOnIntoLaterSegments() throws {
        let log = try openLog()
        try append(log, data(producerId: 1, sequence: 0, count: 5)) // 0...4
        try log.withLock { _ = try $0.roll() }
        try append(log, data(producerId: 7, sequence: 0, count: 2, transactional: false)) // 5...6
        let abortAt = try appendMarker(log, producerId: 1, abort: true) // 7
        try complete(log, producerId: 1, first: 0, marker: abortAt, aborted: true, lastStableOffset: 8)
        #expect(!fileExists(txnIndexPath))
        #expect(fileExists(LogFileName.txnIndexFile(dir, 5)))

        // A limit that returns only the first segment's batch.
        let first = try readCommitted(log, from: 0, maxLength: 10)
        #expect(first.batches.map(\.baseOffset) == [0])
        #expect(first.aborted.map(\.producerId) == [1])
        // From the second segment on.
        #expect(try readCommitted(log, from: 5).aborted.map(\.producerId) == [1])
    }

    @Test func truncationRemovesEntriesOfMarkersCut() throws {
        let log = try openLog()
        try append(log, data(producerId: 1, sequence: 0, count: 2)) // 0...1
        try complete(log, producerId: 1, first: 0, marker: try appendMarker(log, producerId: 1, abort: true), aborted: true, lastStableOffset: 3)
        try append(log, data(producerId: 2, sequence: 0, count: 2)) // 3...4
        try complete(log, producerId: 2, first: 3, marker: try appendMarker(log, producerId: 2, abort: true), aborted: true, lastStableOffset: 6)
        #expect(fileSize(txnIndexPath) == 2 * AbortedTransaction.entrySize)

        try log.withLock { _ = try $0.truncateTo(5) } // cuts the second marker (offset 5)
        #expect(try log.withLock { try $0.activeSegment.txnIndex.entries() }.map(\.producerId) == [1])
        #expect(try readCommitted(log, from: 0).aborted.map(\.producerId) == [1])
    }

    @Test func deletedSegmentTakesItsIndexAlong() throws {
        let log = try openLog()
        try append(log, data(producerId: 1, sequence: 0, count: 2))
        try complete(log, producerId: 1, first: 0, marker: try appendMarker(log, producerId: 1, abort: true), aborted: true, lastStableOffset: 3)
        try log.withLock { _ = try $0.roll() }
        try append(log, data(producerId: 2, sequence: 0, count: 1, transactional: false))

        try log.withLock { _ = try $0.deleteRecords(upTo: 3) }
        #expect(!fileExists(txnIndexPath))
        #expect(fileExists(txnIndexPath + LogFileName.deletedSuffix))
        time.sleep(LogConfig().fileDeleteDelayMs)
        scheduler.tick()
        #expect(!fileExists(txnIndexPath + LogFileName.deletedSuffix))
    }

    @Test func cleanReopenKeepsTheIndexAndACorruptOneIsRebuilt() throws {
        do {
            let log = try openLog()
            try append(log, data(producerId: 1, sequence: 0, count: 2))
            try complete(log, producerId: 1, first: 0, marker: try appendMarker(log, producerId: 1, abort: true), aborted: true, lastStableOffset: 3)
            try log.withLock { try $0.flush(); try $0.close() }
        }
        do {
            let log = try openLog()
            #expect(try readCommitted(log, from: 0).aborted.map(\.producerId) == [1])
            try log.withLock { try $0.close() }
        }
        // A torn entry: the segment is recovered, its index emptied, and the producer state's
        // replay of the segment writes the aborted transaction back.
        try overwrite(txnIndexPath, at: AbortedTransaction.entrySize, with: [0, 0, 0])
        let log = try openLog()
        #expect(fileSize(txnIndexPath) == AbortedTransaction.entrySize)
        #expect(log.withLock { $0.logEndOffset } == 3)
        #expect(try readCommitted(log, from: 0).aborted.map(\.producerId) == [1])
    }

    /// After a crash every unflushed segment is recovered and its `.txnindex` emptied; the
    /// producer state's replay starts below them (the snapshot taken at the roll, above the
    /// marker, is dropped) and writes the aborted transaction back into the first segment.
    @Test func recoveryAfterACrashRebuildsTheIndexOfEveryRecoveredSegment() throws {
        do {
            let log = try openLog()
            try append(log, data(producerId: 1, sequence: 0, count: 2))
            try complete(log, producerId: 1, first: 0, marker: try appendMarker(log, producerId: 1, abort: true), aborted: true, lastStableOffset: 3)
            try log.withLock { _ = try $0.roll() }
            try append(log, data(producerId: 4, sequence: 0, count: 2, transactional: false))
            // No close: the process dies here.
        }
        try overwrite(txnIndexPath, at: 0, with: [UInt8](repeating: 0, count: AbortedTransaction.entrySize))
        let log = try openLog(clean: false, recoveryPoint: 0)
        #expect(try log.withLock { try $0.segments[0].txnIndex.entries() } == [
            AbortedTransaction(producerId: 1, firstOffset: 0, lastOffset: 2, lastStableOffset: 3),
        ])
        #expect(try readCommitted(log, from: 0).aborted.map(\.producerId) == [1])
    }

    /// Kafka 2.3's own partition: three committed transactions, one aborted (32...51, marker 52),
    /// and an idempotent producer in between.
    @Test func readsKafkasTransactionalPartition() throws {
        let source = try ProducerStateSnapshotTests.fixture(TransactionIndexTests.fixtureName)
        let folder = URL(fileURLWithPath: source).deletingLastPathComponent()
        let target = root.appendingPathComponent("fx-txn-0")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        for name in ["00000000000000000000.log", "00000000000000000000.index", "00000000000000000000.timeindex",
                     "00000000000000000000.txnindex", "leader-epoch-checkpoint"] {
            try FileManager.default.copyItem(at: folder.appendingPathComponent(name), to: target.appendingPathComponent(name))
            chmod(target.appendingPathComponent(name).path, 0o644)
        }
        let log = try Log(dir: target.path, config: LogConfig(), hadCleanShutdown: true, scheduler: scheduler, time: time, logger: logger)
        let (aborted, fromMarker, afterMarker, size) = try log.withLock { local in
            (try local.readWithAbortedTransactions(startOffset: 0, maxLength: 1 << 20, maxOffset: 64),
             try local.readWithAbortedTransactions(startOffset: 52, maxLength: 1 << 20, maxOffset: 64).abortedTransactions,
             try local.readWithAbortedTransactions(startOffset: 53, maxLength: 1 << 20, maxOffset: 64).abortedTransactions,
             local.size)
        }
        #expect(aborted.fetch.records.size == size)
        #expect(aborted.abortedTransactions == [AbortedTransaction(producerId: 1, firstOffset: 32, lastOffset: 52, lastStableOffset: 53)])
        #expect(fromMarker.map(\.firstOffset) == [32])
        #expect(afterMarker.isEmpty)
    }
}
