import KafkaCommon
import KafkaProtocol
import KafkaRecords
import Testing

@testable import KafkaBroker

/// Produce with acks=0: no response when every partition was appended; the connection closed
/// when one failed, as Kafka does, so that the producer refreshes its metadata.
@Suite struct ProduceHandlerTests {
    let harness: HandlerHarness
    init() throws { harness = try HandlerHarness() }

    func produceWithoutAcks(_ partitions: [Int32]) async throws -> KafkaResponseAction {
        let handler = ProduceHandler(replicaManager: harness.manager)
        let records = try HandlerHarness.records(2).buffer
        let request = Produce.Request(acks: 0, timeoutMs: 1_000, topicData: [
            .init(name: harness.tp.topic, partitionData: partitions.map { .init(index: $0, records: records) }),
        ])
        return try await handler.handle(HandlerHarness.request(Produce.self, request, version: 7))
    }

    @Test func acksZeroSendsNothingWhenEveryPartitionIsAppended() async throws {
        let partition = try harness.becomeLeader(leaderEpoch: 1, isr: [1])
        guard case .noResponse = try await produceWithoutAcks([0]) else {
            Issue.record("acks=0 that succeeded must get no response")
            return
        }
        #expect(partition.logEndOffset == 2)
        await harness.manager.shutdown { _ in }
    }

    @Test func acksZeroClosesTheConnectionWhenAPartitionFails() async throws {
        let partition = try harness.becomeLeader(leaderEpoch: 1, isr: [1])
        // Partition 0 is appended; partition 5 does not exist here.
        guard case .close(let reason) = try await produceWithoutAcks([0, 5]) else {
            Issue.record("acks=0 with a failed partition must close the connection")
            return
        }
        #expect(reason.contains("orders-5"), "\(reason)")
        #expect(partition.logEndOffset == 2, "the partition that could be appended was")
        await harness.manager.shutdown { _ in }
    }

    @Test func acksZeroToAFollowerClosesTheConnection() async throws {
        let request = KafkaProtocol.LeaderAndIsr.Request(controllerId: 3, controllerEpoch: 1, topicStates: [
            .init(topicName: harness.tp.topic, partitionStates: [
                .init(partitionIndex: 0, controllerEpoch: 1, leader: 2, leaderEpoch: 1, isr: [1, 2], zkVersion: 7, replicas: [1, 2]),
            ]),
        ], liveLeaders: [.init(brokerId: 2, hostName: "127.0.0.1", port: 1)])
        _ = harness.manager.becomeLeaderOrFollower(request, configs: [:])
        guard case .close = try await produceWithoutAcks([0]) else {
            Issue.record("acks=0 sent to a follower must close the connection (NOT_LEADER_FOR_PARTITION)")
            return
        }
        await harness.manager.shutdown { _ in }
    }
}
