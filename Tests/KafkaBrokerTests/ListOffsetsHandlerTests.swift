import KafkaCommon
import KafkaProtocol
import KafkaRecords
import KafkaStorage
import Testing

@testable import KafkaBroker

/// The leader epoch ListOffsets v4+ answers, as Kafka 2.3 picks it (KAFKA-7568): the epoch of the
/// record found for earliest and for a timestamp (from the leader epoch cache), the current
/// leader epoch for latest.
@Suite struct ListOffsetsHandlerTests {
    let harness: HandlerHarness
    init() throws { harness = try HandlerHarness() }

    func listOffsets(_ timestamp: Int64, replicaId: BrokerId = .none, version: Int16 = 5) async throws -> ListOffsets.PartitionResponse {
        let handler = ListOffsetsHandler(replicaManager: harness.manager)
        let request = ListOffsets.Request(replicaId: replicaId, topics: [
            .init(name: harness.tp.topic, partitions: [.init(partitionIndex: harness.tp.partition, timestamp: timestamp)]),
        ])
        let action = try await handler.handle(HandlerHarness.request(ListOffsets.self, request, version: version))
        let response = try HandlerHarness.response(ListOffsets.self, of: action, version: version)
        return try #require(response.topics.first?.partitions.first)
    }

    /// Offsets 0–2 written in epoch 4 (timestamp 1,000), 3–4 in epoch 6 (timestamp 2,000); the
    /// partition is now led in epoch 7, which has written nothing.
    func partitionLedThroughThreeEpochs() throws -> Partition {
        let partition = try harness.becomeLeader(leaderEpoch: 4, isr: [1])
        _ = try partition.appendRecordsToLeader(try HandlerHarness.records(3, timestamp: 1_000), requiredAcks: 1, replicaLagTimeMaxMs: 10_000)
        try harness.becomeLeader(leaderEpoch: 6, isr: [1])
        _ = try partition.appendRecordsToLeader(try HandlerHarness.records(2, timestamp: 2_000), requiredAcks: 1, replicaLagTimeMaxMs: 10_000)
        try harness.becomeLeader(leaderEpoch: 7, isr: [1])
        #expect(partition.offsets == (0, 5, 5))
        return partition
    }

    @Test func earliestAndTimestampLookupsAnswerTheEpochOfTheRecordFound() async throws {
        _ = try partitionLedThroughThreeEpochs()
        let earliest = try await listOffsets(-2)
        #expect(earliest.errorCode == .none)
        #expect(earliest.offset == 0)
        #expect(earliest.leaderEpoch == 4, "offset 0 was written in epoch 4")

        let first = try await listOffsets(1_000)
        #expect(first.offset == 0 && first.timestamp == 1_000)
        #expect(first.leaderEpoch == 4)
        let second = try await listOffsets(1_500)
        #expect(second.offset == 3 && second.timestamp == 2_000)
        #expect(second.leaderEpoch == 6, "offset 3 was written in epoch 6")

        // A follower (replica_id set) gets the same epochs.
        #expect(try await listOffsets(1_500, replicaId: 2).leaderEpoch == 6)

        let none = try await listOffsets(3_000)
        #expect(none.offset == -1 && none.leaderEpoch == -1, "no record at or after 3,000")
        await harness.manager.shutdown { _ in }
    }

    @Test func latestAnswersTheCurrentLeaderEpoch() async throws {
        _ = try partitionLedThroughThreeEpochs()
        let latest = try await listOffsets(-1)
        #expect(latest.offset == 5)
        #expect(latest.leaderEpoch == 7, "Kafka 2.3 answers latest with the current leader epoch")
        await harness.manager.shutdown { _ in }
    }

    @Test func earliestAfterDeleteRecordsIsTheEpochOfTheNewFirstRecord() async throws {
        let partition = try partitionLedThroughThreeEpochs()
        _ = try partition.log.deleteRecords(upTo: 4)
        let earliest = try await listOffsets(-2)
        #expect(earliest.offset == 4)
        #expect(earliest.leaderEpoch == 6)
        await harness.manager.shutdown { _ in }
    }
}
