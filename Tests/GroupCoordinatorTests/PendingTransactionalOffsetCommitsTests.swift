import GroupCoordinator
import KafkaCommon
import Testing

/// A group's offsets of open transactions: pending until the marker, committed on COMMIT unless a
/// later batch's commit is there, dropped on ABORT or a failed append.
@Suite struct PendingTransactionalOffsetCommitsTests {
    let p0 = TopicPartition("orders", 0)
    let p1 = TopicPartition("orders", 1)

    static func value(_ offset: Int64, _ metadata: String = "") -> OffsetCommitValue {
        OffsetCommitValue(offset: offset, metadata: metadata, commitTimestamp: 100)
    }

    @Test func aCommittedTransactionsWrittenOffsetsBecomeTheCommittedOnes() {
        var pending = PendingTransactionalOffsetCommits()
        var committed: [TopicPartition: OffsetCommitValue] = [p0: Self.value(5)]
        var batchOffsets: [TopicPartition: Int64] = [p0: 3]
        pending.prepare(producerId: 7, offsets: [p0: Self.value(10), p1: Self.value(20)])
        #expect(pending.hasPending(producerId: 7) && pending.activeProducers == [7])
        pending.onAppend(producerId: 7, topicPartition: p0, value: Self.value(10), batchBaseOffset: 8)
        pending.onAppend(producerId: 7, topicPartition: p1, value: Self.value(20), batchBaseOffset: 8)
        #expect(committed[p0]?.offset == 5, "nothing committed before the marker")

        let changed = pending.complete(producerId: 7, isCommit: true, committed: &committed, batchOffsets: &batchOffsets)
        #expect(changed == [p0, p1])
        #expect(committed.mapValues(\.offset) == [p0: 10, p1: 20])
        #expect(batchOffsets == [p0: 8, p1: 8])
        #expect(pending.isEmpty)
    }

    @Test func anAbortedTransactionsOffsetsAreDropped() {
        var pending = PendingTransactionalOffsetCommits()
        var committed: [TopicPartition: OffsetCommitValue] = [p0: Self.value(5)]
        var batchOffsets: [TopicPartition: Int64] = [p0: 3]
        pending.prepare(producerId: 7, offsets: [p0: Self.value(10)])
        pending.onAppend(producerId: 7, topicPartition: p0, value: Self.value(10), batchBaseOffset: 8)
        #expect(pending.complete(producerId: 7, isCommit: false, committed: &committed, batchOffsets: &batchOffsets).isEmpty)
        #expect(committed.mapValues(\.offset) == [p0: 5] && batchOffsets == [p0: 3])
        #expect(pending.isEmpty)
    }

    @Test func aPlainCommitOfALaterBatchWinsOverTheTransactionsOffset() {
        var pending = PendingTransactionalOffsetCommits()
        // The plain commit at batch 9 was written after the transactional one at batch 8.
        var committed: [TopicPartition: OffsetCommitValue] = [p0: Self.value(12)]
        var batchOffsets: [TopicPartition: Int64] = [p0: 9]
        pending.prepare(producerId: 7, offsets: [p0: Self.value(10), p1: Self.value(20)])
        pending.onAppend(producerId: 7, topicPartition: p0, value: Self.value(10), batchBaseOffset: 8)
        pending.onAppend(producerId: 7, topicPartition: p1, value: Self.value(20), batchBaseOffset: 8)
        #expect(pending.complete(producerId: 7, isCommit: true, committed: &committed, batchOffsets: &batchOffsets) == [p1])
        #expect(committed.mapValues(\.offset) == [p0: 12, p1: 20])
    }

    @Test func aFailedOrUnwrittenOffsetIsNeverCommitted() {
        var pending = PendingTransactionalOffsetCommits()
        var committed: [TopicPartition: OffsetCommitValue] = [:]
        var batchOffsets: [TopicPartition: Int64] = [:]
        pending.prepare(producerId: 7, offsets: [p0: Self.value(10)])
        pending.fail(producerId: 7, topicPartition: p0)
        #expect(!pending.hasPending(producerId: 7), "the producer's last offset failed: its entry goes")

        pending.prepare(producerId: 8, offsets: [p0: Self.value(10), p1: Self.value(20)])
        pending.onAppend(producerId: 8, topicPartition: p1, value: Self.value(20), batchBaseOffset: 4)
        // A stale append (the value was replaced by a later TxnOffsetCommit) records nothing.
        pending.onAppend(producerId: 8, topicPartition: p0, value: Self.value(9), batchBaseOffset: 2)
        #expect(pending.pending(producerId: 8)[p0]?.batchBaseOffset == nil)
        #expect(pending.complete(producerId: 8, isCommit: true, committed: &committed, batchOffsets: &batchOffsets) == [p1])
        #expect(committed.mapValues(\.offset) == [p1: 20])
    }

    @Test func producersAreIndependentAndLoadedOffsetsCarryTheirBatch() {
        var pending = PendingTransactionalOffsetCommits()
        var committed: [TopicPartition: OffsetCommitValue] = [:]
        var batchOffsets: [TopicPartition: Int64] = [:]
        pending.load(producerId: 1, offsets: [p0: OffsetsTopicLoad.Commit(batchBaseOffset: 1, value: Self.value(30))])
        pending.prepare(producerId: 2, offsets: [p1: Self.value(40)])
        #expect(pending.activeProducers == [1, 2])
        #expect(pending.complete(producerId: 2, isCommit: false, committed: &committed, batchOffsets: &batchOffsets).isEmpty)
        #expect(pending.complete(producerId: 1, isCommit: true, committed: &committed, batchOffsets: &batchOffsets) == [p0])
        #expect(committed.mapValues(\.offset) == [p0: 30] && batchOffsets == [p0: 1])
        #expect(pending.complete(producerId: 1, isCommit: true, committed: &committed, batchOffsets: &batchOffsets).isEmpty,
                "a second marker finds nothing")
    }

    @Test func removedPartitionsLeaveEveryProducer() {
        var pending = PendingTransactionalOffsetCommits()
        pending.prepare(producerId: 1, offsets: [p0: Self.value(1)])
        pending.prepare(producerId: 2, offsets: [p0: Self.value(2), p1: Self.value(3)])
        pending.remove(partitions: [p0])
        #expect(pending.activeProducers == [2])
        #expect(Set(pending.pending(producerId: 2).keys) == [p1])
        pending.removeAll()
        #expect(pending.isEmpty)
    }
}
