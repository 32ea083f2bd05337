import Foundation
import KafkaRecords
import Testing

@testable import KafkaStorage

/// The cleaner copies transaction markers whole, so the aborted transactions of the segments it
/// rewrites stay in the cleaned segment's `.txnindex`, through the `.cleaned` → `.swap` → final
/// renames; the replaced segment's index goes with it to `.deleted`.
@Suite struct CleanerTransactionIndexTests {
    @Test func cleanedSegmentKeepsTheAbortedTransactions() throws {
        let base = try CleanerTests()
        let log = try base.openLog()
        try base.append(log, try CleanerTests.batch(0, [("k0", "a"), ("k1", "b")]))
        try base.append(log, try CleanerTests.batch(2, [("k0", "A")]))
        try base.append(log, try EndTransactionMarker(type: .abort, coordinatorEpoch: 1)
            .controlBatch(baseOffset: 3, timestamp: 1_000, producerId: 9, producerEpoch: 0, partitionLeaderEpoch: 0))
        // Producer 9 had no transactional batch: the producer state's entry starts at the marker.
        #expect(try log.withLock { try $0.segments[0].txnIndex.entries() } == [
            AbortedTransaction(producerId: 9, firstOffset: 3, lastOffset: 3, lastStableOffset: 4),
        ])
        try base.roll(log)
        try base.append(log, try CleanerTests.batch(4, [("k9", "z")]))

        _ = try base.clean(log, base.cleaner(), from: 0)
        #expect(try base.records(log).map(\.offset) == [1, 2, 3, 4], "k0's first value is gone; the marker stays")
        let txnIndex = LogFileName.txnIndexFile(base.logDirectory, 0)
        #expect(FileManager.default.fileExists(atPath: txnIndex))
        #expect(!FileManager.default.fileExists(atPath: txnIndex + LogFileName.cleanedSuffix))
        #expect(!FileManager.default.fileExists(atPath: txnIndex + LogFileName.swapSuffix))
        #expect(FileManager.default.fileExists(atPath: txnIndex + LogFileName.deletedSuffix))
        #expect(try log.withLock { try $0.segments[0].txnIndex.entries() } == [
            AbortedTransaction(producerId: 9, firstOffset: 3, lastOffset: 3, lastStableOffset: 4),
        ])
    }
}
