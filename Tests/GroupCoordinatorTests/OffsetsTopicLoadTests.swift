import Foundation
import GroupCoordinator
import KafkaCommon
import KafkaRecords
import NIOCore
import Testing

/// Reading the Kafka 2.3 `__consumer_offsets` segments from start to end gives the committed
/// offsets and groups the fixtures' scenario left (see the disk fixtures' README).
@Suite struct OffsetsTopicLoadTests {
    static func load(_ partition: Int32) throws -> OffsetsTopicLoad {
        let data = try Data(contentsOf: OffsetsTopicRecordFixtureTests.fixture(partition, ".log"))
        var batches = MemoryRecords(ByteBuffer(bytes: data)).batches
        var load = OffsetsTopicLoad()
        while let batch = batches.next() { try load.apply(batch) }
        #expect(batches.end == .complete)
        return load
    }

    static func offsets(_ load: OffsetsTopicLoad, _ group: String) -> [Int32: String] {
        var result: [Int32: String] = [:]
        for (partition, commit) in load.offsets(of: group) {
            #expect(partition.topic == "fx-orders")
            result[partition.partition] = "\(commit.value.offset)\(commit.value.metadata.isEmpty ? "" : ":" + commit.value.metadata)"
        }
        return result
    }

    @Test func fxGroupKeepsTheLastCommitOfEachPartition() throws {
        let load = try Self.load(0)
        #expect(Self.offsets(load, "fx-group") == [0: "103", 1: "103", 2: "94:fx-meta\0"])
        let group = try #require(load.groups["fx-group"])
        #expect(group.generation == 4 && group.members.isEmpty, "the empty group after member B left")
        #expect(load.removedGroups.isEmpty && load.pendingOffsets.isEmpty)
    }

    @Test func kafkaPythonGroup() throws {
        let load = try Self.load(37)
        #expect(Self.offsets(load, "fx-kpy-group") == [0: "103", 1: "103", 2: "94"])
        #expect(load.groups["fx-kpy-group"]?.generation == 3)
    }

    @Test func deletedGroupLeavesNothingButItsRemoval() throws {
        let load = try Self.load(8)
        #expect(load.offsets.isEmpty)
        #expect(load.groups.isEmpty)
        #expect(load.removedGroups == ["fx-deleted"])
    }

    @Test func transactionalCommitCountsOnceItsTransactionCommits() throws {
        let load = try Self.load(20)
        #expect(Self.offsets(load, "fx-eos-group") == [2: "30"])
        #expect(load.offsets(of: "fx-eos-group")[TopicPartition("fx-orders", 2)]?.batchBaseOffset == 1)
        #expect(load.pendingOffsets.isEmpty, "the COMMIT marker ended the transaction")
        #expect(load.groups["fx-eos-group"]?.generation == 2)
    }

    /// Built batches: an aborted transaction's commit is dropped; a committed one does not replace
    /// a plain commit written after it; a batch with a record that does not decode throws and
    /// changes nothing, not even its records before the bad one.
    @Test func abortsDropPendingCommitsAndLaterPlainCommitsWin() throws {
        let tp = TopicPartition("t", 0)
        func commit(_ offset: Int64) -> (ByteBuffer?, ByteBuffer?) {
            let record = OffsetsTopicRecord.offsetCommit(
                group: "g", topicPartition: tp, value: OffsetCommitValue(offset: offset, commitTimestamp: 1),
                interBrokerProtocolVersion: .latest)
            return (record.keyBuffer, record.valueBuffer)
        }
        func batch(_ base: Int64, _ records: [(ByteBuffer?, ByteBuffer?)], producerId: Int64 = -1) throws -> RecordBatch {
            let transactional = producerId >= 0
            var builder = MemoryRecordsBuilder(
                baseOffset: base, producerId: producerId, producerEpoch: transactional ? 0 : -1,
                baseSequence: transactional ? 0 : -1, isTransactional: transactional)
            for (key, value) in records { builder.append(timestamp: 1, key: key, value: value) }
            return try RecordBatch(builder.build())
        }
        func marker(_ base: Int64, _ type: ControlRecordType, producerId: Int64) throws -> RecordBatch {
            let records = try EndTransactionMarker(type: type, coordinatorEpoch: 0)
                .controlBatch(baseOffset: base, timestamp: 1, producerId: producerId, producerEpoch: 0)
            var batches = records.batches
            let first = batches.next()
            return try #require(first)
        }
        var load = OffsetsTopicLoad()
        try load.apply(batch(0, [commit(5)], producerId: 7))
        #expect(load.pendingOffsets[7]?.count == 1 && load.offsets.isEmpty)
        try load.apply(marker(1, .abort, producerId: 7))
        #expect(load.offsets.isEmpty && load.pendingOffsets.isEmpty)

        try load.apply(batch(2, [commit(6)], producerId: 7))
        try load.apply(batch(3, [commit(9)]))
        try load.apply(marker(4, .commit, producerId: 7))
        #expect(load.offsets(of: "g")[tp]?.value.offset == 9, "the plain commit at 3 is newer than the transaction's at 2")

        try load.apply(batch(5, [commit(6)], producerId: 8))
        try load.apply(marker(6, .commit, producerId: 8))
        #expect(load.offsets(of: "g")[tp]?.value.offset == 6, "a transaction whose commit is newer wins")

        let before = load.offsets
        #expect(throws: OffsetsTopicRecordError.unknownKeyVersion(9)) {
            try load.apply(batch(7, [commit(10), (ByteBuffer(bytes: [0, 9]), nil)]))
        }
        #expect(load.offsets == before)
    }
}
