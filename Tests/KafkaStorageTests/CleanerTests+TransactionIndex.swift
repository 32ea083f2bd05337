import Foundation
import KafkaRecords
import Testing

@testable import KafkaStorage

/// The cleaned segment's `.txnindex` is written afresh, through the `.cleaned` → `.swap` → final
/// renames (the replaced segment's index goes with it to `.deleted`): it keeps the aborted
/// transactions whose markers stay because the pass read their data, and drops those of markers
/// whose data is gone (Kafka's `CleanedTransactionMetadata`).
@Suite struct CleanerTransactionIndexTests {
    @Test func cleanedSegmentKeepsTheAbortedTransactionsWhoseDataWasRead() throws {
        let base = try CleanerTests()
        let log = try base.openLog()
        try base.append(log, try CleanerTests.batch(0, [("k0", "a"), ("k1", "b")]))
        try base.append(log, try CleanerTransactionTests.transactional(2, [("k0", "aborted")], producerId: 9, sequence: 0))
        try base.append(log, try CleanerTransactionTests.marker(.abort, 3, producerId: 9))
        let aborted = AbortedTransaction(producerId: 9, firstOffset: 2, lastOffset: 3, lastStableOffset: 4)
        #expect(try log.withLock { try $0.segments[0].txnIndex.entries() } == [aborted])
        try base.roll(log)
        try base.append(log, try CleanerTests.batch(4, [("k9", "z")]))

        _ = try base.clean(log, base.cleaner(), from: 0)
        // k0's aborted value superseded nothing and is gone (its batch stays empty: producer 9's
        // last); the marker stays.
        #expect(try base.records(log).map(\.offset) == [0, 1, 3, 4])
        let txnIndex = LogFileName.txnIndexFile(base.logDirectory, 0)
        #expect(FileManager.default.fileExists(atPath: txnIndex))
        #expect(!FileManager.default.fileExists(atPath: txnIndex + LogFileName.cleanedSuffix))
        #expect(!FileManager.default.fileExists(atPath: txnIndex + LogFileName.swapSuffix))
        #expect(FileManager.default.fileExists(atPath: txnIndex + LogFileName.deletedSuffix))
        #expect(try log.withLock { try $0.segments[0].txnIndex.entries() } == [aborted])
    }

    /// A marker whose transaction wrote no data here (the producer's entry starts at it) is kept
    /// before the delete horizon, but its aborted transaction leaves the index: no record needs it.
    @Test func aMarkerWithoutDataLeavesTheIndex() throws {
        let base = try CleanerTests()
        let log = try base.openLog()
        try base.append(log, try CleanerTests.batch(0, [("k0", "a"), ("k0", "b")]))
        try base.append(log, try CleanerTransactionTests.marker(.abort, 2, producerId: 9))
        #expect(try log.withLock { try $0.segments[0].txnIndex.entries() } == [
            AbortedTransaction(producerId: 9, firstOffset: 2, lastOffset: 2, lastStableOffset: 3),
        ])
        try base.roll(log)
        try base.append(log, try CleanerTests.batch(3, [("k9", "z")]))

        _ = try base.clean(log, base.cleaner(), from: 0)
        #expect(try base.records(log).map(\.offset) == [1, 2, 3])
        #expect(try log.withLock { try $0.segments[0].txnIndex.entries() } == [])
    }
}
