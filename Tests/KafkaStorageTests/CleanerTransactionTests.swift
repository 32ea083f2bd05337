import Foundation
import KafkaCommon
import KafkaRecords
import KafkaTestKit
import Logging
import NIOCore
import Testing

@testable import KafkaStorage

/// Compaction of transactional data, as Kafka 2.3's cleaner does it: aborted records go whatever
/// their keys and supersede nothing; a marker stays while its transaction has data in the log,
/// then until the delete horizon; the cleaned `.txnindex` keeps the aborted transactions whose
/// markers stay with data; each active producer's last batch is kept, emptied if need be.
@Suite struct CleanerTransactionTests {
    let base: CleanerTests

    init() throws { base = try CleanerTests() }

    static func transactional(
        _ baseOffset: Int64, _ records: [(String, String?)], producerId: Int64, epoch: Int16 = 0, sequence: Int32
    ) throws -> MemoryRecords {
        var builder = MemoryRecordsBuilder(
            baseOffset: baseOffset, producerId: producerId, producerEpoch: epoch, baseSequence: sequence, isTransactional: true,
            partitionLeaderEpoch: 0)
        for (index, record) in records.enumerated() {
            try builder.append(
                offset: baseOffset + Int64(index), timestamp: 1_000 + baseOffset + Int64(index), key: ByteBuffer(string: record.0),
                value: record.1.map { ByteBuffer(string: $0) })
        }
        return try builder.buildRecords()
    }

    static func marker(_ type: ControlRecordType, _ offset: Int64, producerId: Int64, epoch: Int16 = 0) throws -> MemoryRecords {
        try EndTransactionMarker(type: type, coordinatorEpoch: 0)
            .controlBatch(baseOffset: offset, timestamp: 1_000 + offset, producerId: producerId, producerEpoch: epoch, partitionLeaderEpoch: 0)
    }

    func append(_ log: Log, _ records: MemoryRecords) throws { try base.append(log, records) }
    func plain(_ log: Log, _ offset: Int64, _ records: [(String?, String?)]) throws { try append(log, try CleanerTests.batch(offset, records)) }

    /// The offsets of the data records (what a read_uncommitted consumer gets) and of the markers.
    func offsets(_ log: Log) throws -> (data: [Int64], markers: [Int64]) {
        let batches = try base.batches(log)
        let data = try batches.filter { !$0.isControlBatch }.flatMap { try $0.decodeRecords().map(\.offset) }
        let markers = try batches.filter(\.isControlBatch).flatMap { try $0.decodeRecords().map(\.offset) }
        return (data, markers)
    }

    func txnIndexEntries(_ log: Log) throws -> [AbortedTransaction] {
        try log.withLock { local in try local.segments.flatMap { try $0.txnIndex.entries() } }
    }

    func clean(_ log: Log, from: Int64, horizon: Int64) throws -> Int64 {
        try base.clean(log, base.cleaner(), from: from, horizon: horizon).0
    }

    func forgetProducers(_ log: Log) { _ = log.removeExpiredProducers(now: .max / 2) }

    /// Aborted data in two segments: gone in the first cleaning, its marker kept (the pass read
    /// its data) with its `.txnindex` entry; the next cleaning past the horizon drops the
    /// marker and the entry. The aborted `k1` never superseded the committed one before it.
    @Test func abortedDataGoesFirstAndItsMarkerAtTheNextCleaningPastTheHorizon() throws {
        let log = try base.openLog()
        try plain(log, 0, [("k1", "v0")])
        try append(log, try Self.transactional(1, [("k1", "aborted"), ("k2", "aborted")], producerId: 1, sequence: 0))
        try plain(log, 3, [("k3", "v3")])
        try base.roll(log)
        try append(log, try Self.transactional(4, [("k4", "aborted"), ("k1", "aborted")], producerId: 1, sequence: 2))
        try append(log, try Self.marker(.abort, 6, producerId: 1))
        try append(log, try Self.transactional(7, [("k2", "committed"), ("k5", "committed")], producerId: 2, sequence: 0))
        try append(log, try Self.marker(.commit, 9, producerId: 2))
        try base.roll(log)
        try plain(log, 10, [("k9", "v10")])
        let aborted = AbortedTransaction(producerId: 1, firstOffset: 1, lastOffset: 6, lastStableOffset: 7)
        #expect(try txnIndexEntries(log) == [aborted])
        forgetProducers(log)

        #expect(try clean(log, from: 0, horizon: 0) == 10)
        #expect(try offsets(log).data == [0, 3, 7, 8, 10])
        #expect(try offsets(log).markers == [6, 9])
        #expect(try base.records(log).first { $0.offset == 0 }?.value == "v0")
        #expect(try log.withLock { $0.segments.map(\.baseOffset) } == [0, 10])
        #expect(try txnIndexEntries(log) == [aborted])
        #expect(FileManager.default.fileExists(atPath: LogFileName.txnIndexFile(base.logDirectory, 4) + LogFileName.deletedSuffix))
        #expect(try log.withLock { try $0.collectAbortedTransactions(fetchOffset: 0, upperBoundOffset: 10) } == [aborted])

        try base.roll(log)
        try plain(log, 11, [("k9", "v11")])
        #expect(try clean(log, from: 10, horizon: .max) == 11)
        #expect(try offsets(log).data == [0, 3, 7, 8, 10, 11])
        #expect(try offsets(log).markers == [9], "the abort marker has no data left; the commit marker has")
        #expect(try txnIndexEntries(log) == [])
    }

    /// A commit marker stays while any batch of its transaction is read, even one the pass then
    /// removes; the pass after that, finding none, removes it.
    @Test func aCommitMarkerGoesOnlyAfterItsData() throws {
        let log = try base.openLog()
        try append(log, try Self.transactional(0, [("a", "1"), ("b", "1")], producerId: 2, sequence: 0))
        try append(log, try Self.marker(.commit, 2, producerId: 2))
        try base.roll(log)
        try plain(log, 3, [("a", "2"), ("b", "2")])
        try base.roll(log)
        try plain(log, 5, [("z", "active")])
        forgetProducers(log)

        #expect(try clean(log, from: 0, horizon: .max) == 5)
        #expect(try offsets(log) == ([3, 4, 5], [2]))
        try base.roll(log)
        try plain(log, 6, [("z", "active again")])
        #expect(try clean(log, from: 5, horizon: .max) == 6)
        #expect(try offsets(log) == ([3, 4, 5, 6], []))
    }

    /// The delete horizon is compared with the last modified time of the segment holding the
    /// marker: at or before it the marker (with no data left) goes, after it the marker stays.
    @Test(arguments: [true, false])
    func aMarkerWithoutDataFollowsTheDeleteHorizon(_ isPastHorizon: Bool) throws {
        let log = try base.openLog()
        try append(log, try Self.transactional(0, [("a", "1")], producerId: 2, sequence: 0))
        try append(log, try Self.marker(.abort, 1, producerId: 2))
        try base.roll(log)
        try plain(log, 2, [("b", "1")])
        forgetProducers(log)
        #expect(try clean(log, from: 0, horizon: 0) == 2)
        #expect(try offsets(log) == ([2], [1]))

        try plain(log, 3, [("b", "2")])
        try base.roll(log)
        try plain(log, 4, [("c", "active")])
        let markerSegmentModified: Int64 = 1_796_246_630_000
        try log.withLock { local in try local.segments[0].setLastModified(markerSegmentModified) }
        #expect(try clean(log, from: 2, horizon: isPastHorizon ? markerSegmentModified : markerSegmentModified - 1) == 4)
        #expect(try offsets(log).markers == (isPastHorizon ? [] : [1]))
        #expect(try offsets(log).data == [3, 4])
    }

    /// Active producers keep their last batch: the aborted data batch of producer 1 and the
    /// superseded idempotent batch of producer 3 stay as empty headers with their sequences; the
    /// abort marker, whose data batch is still in the log, stays with its `.txnindex` entry.
    @Test func activeProducersKeepTheirLastBatchEmptied() throws {
        let log = try base.openLog()
        try append(log, try Self.transactional(0, [("a", "aborted"), ("b", "aborted")], producerId: 1, sequence: 0))
        try append(log, try Self.marker(.abort, 2, producerId: 1))
        try append(log, try CleanerTests.batch(3, [("x", "1")], producerId: 3, producerEpoch: 0, baseSequence: 0))
        try plain(log, 4, [("x", "2")])
        try base.roll(log)
        try plain(log, 5, [("z", "active")])

        #expect(try clean(log, from: 0, horizon: .max) == 5)
        let batches = try base.batches(log)
        #expect(batches.map(\.baseOffset) == [0, 2, 3, 4, 5])
        let aborted = batches[0]
        #expect(aborted.recordCount == 0 && aborted.sizeInBytes == RecordBatch.headerSize && aborted.isTransactional)
        #expect(aborted.producerId == 1 && aborted.lastOffset == 1 && aborted.lastSequence == 1 && aborted.isChecksumValid)
        #expect(batches[2].recordCount == 0 && batches[2].producerId == 3 && batches[2].lastSequence == 0)
        #expect(try offsets(log) == ([4, 5], [2]))
        #expect(try txnIndexEntries(log) == [AbortedTransaction(producerId: 1, firstOffset: 0, lastOffset: 2, lastStableOffset: 3)])
    }

    /// A producer whose last entry is a marker of a newer epoch (the coordinator bumped it and
    /// aborted: no data batch under it) keeps that marker, emptied once it could go, so the
    /// epoch survives; an emptied marker is read again without harm.
    @Test func aFencingMarkerIsKeptForItsEpoch() throws {
        let log = try base.openLog()
        try append(log, try Self.transactional(0, [("a", "zombie")], producerId: 4, epoch: 0, sequence: 0))
        try append(log, try Self.marker(.abort, 1, producerId: 4, epoch: 1))
        try base.roll(log)
        try plain(log, 2, [("c", "1")])
        let producer = try #require(log.activeProducers[4])
        #expect(producer.lastDataOffset == -1 && producer.producerEpoch == 1)

        #expect(try clean(log, from: 0, horizon: .max) == 2)
        #expect(try offsets(log) == ([2], [1]), "the marker's data was read in this pass")
        try base.roll(log)
        try plain(log, 3, [("c", "2")])
        #expect(try clean(log, from: 2, horizon: .max) == 3)
        var batches = try base.batches(log)
        #expect(batches.map(\.baseOffset) == [1, 2, 3])
        #expect(batches[0].isControlBatch && batches[0].recordCount == 0 && batches[0].producerEpoch == 1 && batches[0].isChecksumValid)
        #expect(try txnIndexEntries(log) == [])

        try base.roll(log)
        try plain(log, 4, [("c", "3")])
        #expect(try clean(log, from: 3, horizon: .max) == 4)
        batches = try base.batches(log)
        #expect(batches.map(\.baseOffset) == [1, 3, 4])
    }

    /// A transaction spanning two groups of segments (`segment.bytes` too small to put them in
    /// one): the state carries from the first group to the second, so the marker in the second
    /// group knows its data was read in the first (Kafka's KAFKA-8351).
    @Test func aTransactionAcrossGroupsKeepsItsMarker() throws {
        let log = try base.openLog()
        try append(log, try Self.transactional(0, [("a", String(repeating: "x", count: 400))], producerId: 1, sequence: 0))
        try base.roll(log)
        try append(log, try Self.marker(.abort, 1, producerId: 1))
        try plain(log, 2, [("b", String(repeating: "y", count: 400))])
        try base.roll(log)
        try plain(log, 3, [("z", "active")])
        forgetProducers(log)
        log.withLock { $0.config.segmentBytes = 600 }

        #expect(try clean(log, from: 0, horizon: .max) == 3)
        #expect(try offsets(log) == ([2, 3], [1]))
        #expect(try txnIndexEntries(log) == [AbortedTransaction(producerId: 1, firstOffset: 0, lastOffset: 1, lastStableOffset: 2)])
    }

    /// The horizon as a cleaning computes it: the last modified time of the last clean segment
    /// minus `delete.retention.ms`. A marker left without data in an older clean segment goes
    /// once that segment was last modified at or before the horizon, and stays otherwise.
    @Test(arguments: [true, false])
    func theDeleteHorizonFollowsTheLastCleanSegment(_ retentionHasPassed: Bool) throws {
        let log = try base.openLog()
        try append(log, try Self.transactional(0, [("a", String(repeating: "x", count: 400))], producerId: 1, sequence: 0))
        try append(log, try Self.marker(.abort, 1, producerId: 1))
        try base.roll(log)
        try plain(log, 2, [("b", String(repeating: "y", count: 400))])
        try base.roll(log)
        try plain(log, 3, [("c", "1")])
        forgetProducers(log)
        let retentionMs: Int64 = 60_000
        log.withLock { local in
            local.config.segmentBytes = 600  // the first two segments are cleaned apart
            local.config.deleteRetentionMs = retentionMs
        }
        #expect(try base.clean(log, base.cleaner(), from: 0).0 == 3)
        #expect(try offsets(log) == ([2, 3], [1]), "the first cleaning read the aborted data")
        #expect(try log.withLock { $0.segments.map(\.baseOffset) } == [0, 2, 3])

        let markerSegmentModified: Int64 = 1_796_246_630_000
        let lastCleanModified = markerSegmentModified + retentionMs + (retentionHasPassed ? 0 : -1)
        try log.withLock { local in
            try local.segments[0].setLastModified(markerSegmentModified)
            try local.segments[1].setLastModified(lastCleanModified)
        }
        try base.roll(log)
        try plain(log, 4, [("c", "2")])
        #expect(try base.clean(log, base.cleaner(), from: 3).0 == 4)
        #expect(try offsets(log) == ([2, 3, 4], retentionHasPassed ? [] : [1]))
    }
}
