import Foundation
import KafkaCommon
import KafkaRecords
@testable import KafkaStorage
import KafkaTestKit
import Testing

/// The producer state as values: every sequence case of Kafka 2.3's leader checks, epochs,
/// transactions, expiry with injected time, the log start offset, and the snapshot files.
@Suite struct ProducerStateManagerTests {
    let tp = TopicPartition("orders", 0)
    let directory: String

    init() throws {
        directory = try makeTemporaryDirectory(prefix: "producer-state").path
    }

    func manager(expirationMs: Int64 = 60_000) -> ProducerStateManager {
        ProducerStateManager(topicPartition: tp, logDir: directory, maxProducerIdExpirationMs: expirationMs)
    }

    /// Appends a data batch of `count` records from `firstSequence` at `offset` (leader checks),
    /// as the log does: check, then update.
    @discardableResult
    func append(
        _ state: inout ProducerStateManager, pid: Int64 = 7, epoch: Int16 = 0, firstSequence: Int32, count: Int32 = 1,
        offset: Int64, timestamp: Int64 = 1_000, transactional: Bool = false, origin: AppendOrigin = .client
    ) throws(ProducerStateError) -> ProducerAppendInfo {
        var info = state.prepareUpdate(producerId: pid, origin: origin)
        let lastSequence = firstSequence > Int32.max - (count - 1) ? (count - 1) - (Int32.max - firstSequence) - 1 : firstSequence + count - 1
        try info.appendDataBatch(
            epoch: epoch, firstSequence: firstSequence, lastSequence: lastSequence, lastTimestamp: timestamp,
            firstOffset: offset, lastOffset: offset + Int64(count) - 1, isTransactional: transactional)
        state.update(info)
        state.updateMapEndOffset(offset + Int64(count))
        return info
    }

    func marker(_ state: inout ProducerStateManager, pid: Int64 = 7, epoch: Int16 = 0, type: ControlRecordType, coordinatorEpoch: Int32 = 0,
                offset: Int64, origin: AppendOrigin = .coordinator) throws(ProducerStateError) -> CompletedTransaction {
        var info = state.prepareUpdate(producerId: pid, origin: origin)
        let completed = try info.appendEndTxnMarker(
            EndTransactionMarker(type: type, coordinatorEpoch: coordinatorEpoch), producerEpoch: epoch, offset: offset, timestamp: 2_000)
        state.update(info)
        state.completeTxn(completed)
        state.updateMapEndOffset(offset + 1)
        return completed
    }

    @Test func firstBatchOfANewProducerStartsAtSequenceZero() throws {
        var state = manager()
        try append(&state, firstSequence: 0, count: 3, offset: 0)
        try append(&state, firstSequence: 3, count: 2, offset: 3)
        let entry = try #require(state.lastEntry(7))
        #expect(entry.producerEpoch == 0)
        #expect(entry.lastSequence == 4)
        #expect(entry.lastDataOffset == 4)
        #expect(entry.batches.map(\.firstSequence) == [0, 3])
    }

    @Test func unknownProducerWithNonZeroSequenceIsUnknownProducerId() {
        var state = manager()
        #expect {
            try append(&state, firstSequence: 5, offset: 0)
        } throws: { error in
            guard case ProducerStateError.unknownProducerId(let message) = error else { return false }
            return message.contains("Found no record of producerId=7 on the broker")
        }
        #expect(state.lastEntry(7) == nil)
    }

    @Test func gapAndRepeatAreOutOfOrder() throws {
        var state = manager()
        try append(&state, firstSequence: 0, count: 2, offset: 0)
        #expect(throws: ProducerStateError.self) { try append(&state, firstSequence: 3, offset: 2) }
        #expect(throws: ProducerStateError.self) { try append(&state, firstSequence: 1, offset: 2) }
        do {
            try append(&state, firstSequence: 3, offset: 2)
            Issue.record("a gap was accepted")
        } catch {
            #expect(error.kafkaErrorCode == 45)
        }
        // Nothing changed: the next in sequence is still accepted.
        try append(&state, firstSequence: 2, offset: 2)
        #expect(state.lastEntry(7)?.lastSequence == 2)
    }

    @Test func staleEpochIsInvalidProducerEpoch() throws {
        var state = manager()
        try append(&state, epoch: 3, firstSequence: 0, offset: 0)
        do {
            try append(&state, epoch: 2, firstSequence: 1, offset: 1)
            Issue.record("a stale epoch was accepted")
        } catch {
            #expect(error.kafkaErrorCode == 47)
            #expect(error.description.contains("2 (request epoch), 3 (current epoch)"))
        }
    }

    @Test func epochBumpRestartsAtZeroAndForgetsTheOldBatches() throws {
        var state = manager()
        try append(&state, epoch: 0, firstSequence: 0, count: 5, offset: 0)
        #expect(throws: ProducerStateError.outOfOrderSequence(
            "Invalid sequence number for new epoch at offset 5 in partition orders-0: 1 (request epoch), 5 (seq. number)")) {
            try append(&state, epoch: 1, firstSequence: 5, offset: 5)
        }
        try append(&state, epoch: 1, firstSequence: 0, count: 2, offset: 5)
        let entry = try #require(state.lastEntry(7))
        #expect(entry.producerEpoch == 1)
        #expect(entry.batches.count == 1)
        #expect(entry.duplicateBatch(epoch: 0, firstSequence: 0, lastSequence: 4) == nil)
    }

    @Test func duplicatesAreFoundAmongTheLastFiveBatchesOnly() throws {
        var state = manager()
        for index in 0..<6 {
            try append(&state, firstSequence: Int32(index * 2), count: 2, offset: Int64(100 + index * 2))
        }
        let entry = try #require(state.lastEntry(7))
        #expect(entry.batches.count == ProducerStateEntry.batchesToRetain)
        #expect(entry.duplicateBatch(epoch: 0, firstSequence: 0, lastSequence: 1) == nil)
        let second = try #require(entry.duplicateBatch(epoch: 0, firstSequence: 2, lastSequence: 3))
        #expect(second.firstOffset == 102)
        #expect(second.lastOffset == 103)
        #expect(entry.duplicateBatch(epoch: 0, firstSequence: 10, lastSequence: 11)?.firstOffset == 110)
        // Same start, other length: not a duplicate.
        #expect(entry.duplicateBatch(epoch: 0, firstSequence: 10, lastSequence: 10) == nil)
        #expect(entry.duplicateBatch(epoch: 1, firstSequence: 10, lastSequence: 11) == nil)
    }

    @Test func sequenceWrapsFromInt32MaxToZero() throws {
        var state = manager()
        state.loadProducerEntry(ProducerStateEntry(
            producerId: 7, batches: [BatchMetadata(lastSequence: Int32.max - 2, lastOffset: 9, offsetDelta: 0, timestamp: 1_000)],
            producerEpoch: 0, coordinatorEpoch: -1, currentTxnFirstOffset: nil))
        // Int32.max-1, Int32.max, 0, 1 in one batch.
        try append(&state, firstSequence: Int32.max - 1, count: 4, offset: 10)
        let entry = try #require(state.lastEntry(7))
        #expect(entry.lastSequence == 1)
        #expect(entry.batches.last?.firstSequence == Int32.max - 1)
        try append(&state, firstSequence: 2, offset: 14)
        #expect(ProducerAppendInfo.inSequence(last: Int32.max, next: 0))
        #expect(!ProducerAppendInfo.inSequence(last: Int32.max, next: 1))
    }

    @Test func followersAndReplayApplyWithoutChecks() throws {
        var state = manager()
        try append(&state, epoch: 2, firstSequence: 40, offset: 0, origin: .replication)
        try append(&state, epoch: 1, firstSequence: 7, offset: 1, origin: .replication)
        #expect(state.lastEntry(7)?.producerEpoch == 1)
        #expect(state.lastEntry(7)?.lastSequence == 7)
    }

    @Test func markerOnlyProducerMustRestartAtZero() throws {
        var state = manager()
        _ = try marker(&state, type: .abort, offset: 0)
        #expect(throws: ProducerStateError.outOfOrderSequence(
            "Out of order sequence number for producerId 7: found 3 (incoming seq. number), but expected 0")) {
            try append(&state, firstSequence: 3, offset: 1)
        }
        try append(&state, firstSequence: 0, offset: 1)
    }

    @Test func transactionLifecycleAndFirstUnstableOffset() throws {
        var state = manager()
        try append(&state, pid: 1, firstSequence: 0, count: 2, offset: 10, transactional: true)
        try append(&state, pid: 2, firstSequence: 0, offset: 12, transactional: true)
        try append(&state, pid: 1, firstSequence: 2, offset: 13, transactional: true)
        #expect(state.lastEntry(1)?.currentTxnFirstOffset == 10)
        #expect(state.firstUnstableOffset == 10)
        #expect(throws: ProducerStateError.self) { try append(&state, pid: 1, firstSequence: 3, offset: 14) }

        var info = state.prepareUpdate(producerId: 1, origin: .coordinator)
        let completed = try info.appendEndTxnMarker(EndTransactionMarker(type: .abort, coordinatorEpoch: 4), producerEpoch: 0, offset: 14, timestamp: 3_000)
        #expect(completed == CompletedTransaction(producerId: 1, firstOffset: 10, lastOffset: 14, isAborted: true))
        state.update(info)
        // The LSO after the marker: producer 2's open transaction.
        #expect(state.lastStableOffset(completed) == 12)
        state.completeTxn(completed)
        #expect(state.lastEntry(1)?.currentTxnFirstOffset == nil)
        #expect(state.lastEntry(1)?.coordinatorEpoch == 4)
        // Marker above the high watermark: still unstable.
        #expect(state.firstUnstableOffset == 10)
        state.onHighWatermarkUpdated(15)
        #expect(state.firstUnstableOffset == 12)

        let second = try marker(&state, pid: 2, type: .commit, coordinatorEpoch: 4, offset: 15)
        #expect(!second.isAborted)
        state.onHighWatermarkUpdated(16)
        #expect(state.firstUnstableOffset == nil)
        // A stale coordinator.
        #expect(throws: ProducerStateError.self) { _ = try marker(&state, pid: 2, type: .commit, coordinatorEpoch: 3, offset: 16) }
    }

    @Test func expiryForgetsIdleProducersButNotOpenTransactions() throws {
        let time = MockTime(milliseconds: 1_000)
        var state = manager(expirationMs: 60_000)
        try append(&state, pid: 1, firstSequence: 0, offset: 0, timestamp: time.milliseconds)
        try append(&state, pid: 2, firstSequence: 0, offset: 1, timestamp: time.milliseconds, transactional: true)
        time.sleep(30_000)
        try append(&state, pid: 3, firstSequence: 0, offset: 2, timestamp: time.milliseconds)
        #expect(state.removeExpiredProducers(now: time.milliseconds) == 0)
        time.sleep(30_000)
        #expect(state.removeExpiredProducers(now: time.milliseconds) == 1)
        #expect(state.producers.keys.sorted() == [2, 3])
        // Once expired, the producer is unknown again.
        #expect(throws: ProducerStateError.self) { try append(&state, pid: 1, firstSequence: 1, offset: 3) }
    }

    @Test func truncateHeadEvictsProducersWhoseLastBatchIsGone() throws {
        var state = manager()
        try append(&state, pid: 1, firstSequence: 0, count: 5, offset: 0)
        try append(&state, pid: 2, firstSequence: 0, count: 5, offset: 5)
        try append(&state, pid: 2, firstSequence: 5, count: 5, offset: 10)
        try state.truncateHead(logStartOffset: 8)
        #expect(state.producers.keys.sorted() == [2])
        #expect(state.lastEntry(2)?.batches.map(\.firstOffset) == [5, 10])
        try state.truncateHead(logStartOffset: 10)
        #expect(state.lastEntry(2)?.batches.map(\.firstOffset) == [10])
        #expect(state.mapEndOffset == 15)
    }

    @Test func snapshotRoundTripAndReload() throws {
        var state = manager()
        try append(&state, pid: 1, firstSequence: 0, count: 3, offset: 0)
        try append(&state, pid: 2, epoch: 4, firstSequence: 0, count: 2, offset: 3, transactional: true)
        #expect(try state.takeSnapshot() == 5)
        #expect(try state.takeSnapshot() == nil)
        #expect(try state.snapshotOffsets() == [5])

        var reloaded = manager()
        try reloaded.truncateAndReload(logStartOffset: 0, logEndOffset: 5, now: 1_000, logger: .init(label: "test"))
        #expect(reloaded.mapEndOffset == 5)
        #expect(reloaded.producers.mapValues(\.snapshotEntry) == state.producers.mapValues(\.snapshotEntry))
        #expect(reloaded.firstUnstableOffset == 3)
        // The reloaded state checks sequences as the original did.
        try append(&reloaded, pid: 1, firstSequence: 3, offset: 5)

        // Truncating below the snapshot deletes it and starts over from the log start.
        var truncated = manager()
        try truncated.truncateAndReload(logStartOffset: 0, logEndOffset: 4, now: 1_000, logger: .init(label: "test"))
        #expect(try truncated.snapshotOffsets() == [])
        #expect(truncated.producers.isEmpty)
        #expect(truncated.mapEndOffset == 0)
    }

    @Test func corruptSnapshotFallsBackToTheOlderOne() throws {
        var state = manager()
        try append(&state, pid: 1, firstSequence: 0, offset: 0)
        try state.takeSnapshot()
        try append(&state, pid: 1, firstSequence: 1, offset: 1)
        try state.takeSnapshot()
        let newest = ProducerStateSnapshot.path(directory: directory, offset: 2)
        try overwrite(newest, at: 12, with: [0xFF, 0xFF])
        var reloaded = manager()
        try reloaded.truncateAndReload(logStartOffset: 0, logEndOffset: 2, now: 1_000, logger: .init(label: "test"))
        #expect(reloaded.mapEndOffset == 1)
        #expect(reloaded.lastEntry(1)?.lastSequence == 0)
        #expect(!fileExists(newest))
    }
}
