import KafkaCommon
import KafkaProtocol
import KafkaStorage
import Testing

@testable import KafkaBroker

/// DeleteRecords as Kafka 2.3's `Partition.deleteRecordsOnLeader` answers it: −1 is the high
/// watermark, an offset above it is OFFSET_OUT_OF_RANGE, and a log without the `delete` policy
/// is POLICY_VIOLATION, so the leader never deletes records its followers have not fetched.
@Suite struct DeleteRecordsHandlerTests {
    let harness: HandlerHarness
    init() throws { harness = try HandlerHarness() }

    func deleteRecords(_ offset: Int64) async throws -> DeleteRecords.PartitionResult {
        let handler = DeleteRecordsHandler(replicaManager: harness.manager)
        let request = DeleteRecords.Request(topics: [
            .init(name: harness.tp.topic, partitions: [.init(partitionIndex: harness.tp.partition, offset: offset)]),
        ], timeoutMs: 1_000)
        let action = try await handler.handle(HandlerHarness.request(DeleteRecords.self, request, version: 1))
        let response = try HandlerHarness.response(DeleteRecords.self, of: action, version: 1)
        return try #require(response.topics.first?.partitions.first)
    }

    @Test func minusOneIsTheHighWatermarkAndOffsetsAboveItAreOutOfRange() async throws {
        let partition = try harness.becomeLeader(leaderEpoch: 4, isr: [1, 2])
        _ = try partition.appendRecordsToLeader(try HandlerHarness.records(5), requiredAcks: 1, replicaLagTimeMaxMs: 10_000)
        #expect(partition.offsets == (0, 0, 5), "the follower has fetched nothing: the high watermark is 0")

        // −1 deletes up to the high watermark (0), not the log end offset (5).
        let atHighWatermark = try await deleteRecords(-1)
        #expect(atHighWatermark.errorCode == .none)
        #expect(atHighWatermark.lowWatermark == 0)
        // An offset the follower has not fetched is out of range, and nothing is deleted.
        let beyond = try await deleteRecords(3)
        #expect(beyond.errorCode == .offsetOutOfRange)
        #expect(beyond.lowWatermark == -1)
        #expect(partition.offsets.logStartOffset == 0)

        // Once the follower has fetched up to 3, the high watermark is 3: both are allowed.
        _ = partition.recordFollowerFetch(2, fetchOffset: 3, followerLogStartOffset: 0, replicaLagTimeMaxMs: 10_000)
        #expect(partition.highWatermark == 3)
        let upToTwo = try await deleteRecords(2)
        #expect(upToTwo.errorCode == .none)
        #expect(upToTwo.lowWatermark == 2)
        let upToHighWatermark = try await deleteRecords(-1)
        #expect(upToHighWatermark.errorCode == .none)
        #expect(upToHighWatermark.lowWatermark == 3)
        #expect(try await deleteRecords(4).errorCode == .offsetOutOfRange)
        #expect(try await deleteRecords(-2).errorCode == .offsetOutOfRange)
        // Below the log start offset: nothing changes, the log start offset is answered.
        let below = try await deleteRecords(1)
        #expect(below.errorCode == .none)
        #expect(below.lowWatermark == 3)
        await harness.manager.shutdown { _ in }
    }

    @Test func aLogWithoutTheDeletePolicyIsAPolicyViolation() async throws {
        let compacted = try LogConfig().applying(topicOverrides: ["cleanup.policy": "compact"])
        let partition = try harness.becomeLeader(leaderEpoch: 1, isr: [1], configs: [harness.tp.topic: compacted])
        _ = try partition.appendRecordsToLeader(try HandlerHarness.records(3, keyed: true), requiredAcks: 1, replicaLagTimeMaxMs: 10_000)
        #expect(partition.highWatermark == 3)
        let refused = try await deleteRecords(2)
        #expect(refused.errorCode == .policyViolation)
        #expect(partition.offsets.logStartOffset == 0)
        await harness.manager.shutdown { _ in }
    }
}
