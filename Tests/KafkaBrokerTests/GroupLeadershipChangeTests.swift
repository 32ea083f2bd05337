import Foundation
import GroupCoordinator
import KafkaCommon
import KafkaProtocol
import KafkaStorage
import Logging
import Synchronization
import Testing

@testable import KafkaBroker

/// The coordinator follows LeaderAndIsr as Kafka 2.3's `onLeadershipChange` does: it loads an
/// offsets partition's groups when this broker becomes its leader, unloads them when it follows,
/// and does nothing when the controller only bumps the leader epoch of a partition it leads.
@Suite struct GroupLeadershipChangeTests {
    typealias Harness = GroupMetadataManagerTests.Harness
    typealias Support = GroupDeletedPartitionsTests

    /// A LeaderAndIsr with a new leader epoch for an offsets partition this broker leads already
    /// is no election (Kafka 2.3's `makeLeaders` skips it): the coordinator is not told, and its
    /// groups stay loaded and served throughout (no COORDINATOR_LOAD_IN_PROGRESS).
    @Test func aReElectionToTheSameLeaderDoesNotReloadTheGroups() async throws {
        let h = try Harness()
        let coordinator = h.coordinator()
        defer { coordinator.shutdown() }
        let calls = Mutex<[String]>([])
        let handler = LeaderAndIsrHandler(
            replicaManager: h.replicaManager, currentBrokerEpoch: { 0 }, topicConfig: { _ in LogConfig() },
            onLeadershipChange: { leaders, followers in
                calls.withLock { $0.append("leaders=\(leaders.map(\.description)) followers=\(followers.map(\.description))") }
                for tp in leaders { coordinator.onElection(tp.partition) }
                for tp in followers { coordinator.onResignation(tp.partition) }
            })
        func leaderAndIsr(leader: BrokerId, epoch: LeaderEpoch) async throws {
            let request = KafkaProtocol.LeaderAndIsr.Request(controllerId: 3, controllerEpoch: 1, brokerEpoch: -1, topicStates: [
                .init(topicName: h.tp.topic, partitionStates: [
                    .init(partitionIndex: 0, controllerEpoch: 1, leader: leader, leaderEpoch: epoch, isr: [leader], zkVersion: 1, replicas: [1, 2]),
                ]),
            ], liveLeaders: [.init(brokerId: leader, hostName: "127.0.0.1", port: 1)])
            let action = try await handler.handle(HandlerHarness.request(KafkaProtocol.LeaderAndIsr.self, request, version: 2))
            let response = try HandlerHarness.response(KafkaProtocol.LeaderAndIsr.self, of: action, version: 2)
            #expect(response.errorCode == .none && response.partitionErrors.allSatisfy { $0.errorCode == .none })
        }
        try await leaderAndIsr(leader: 1, epoch: 1)
        #expect(try await GroupMetadataManagerTests.fetchWhenLoaded(coordinator, "app").0 == .none)
        #expect(await Support.commit(coordinator, "app", [TopicPartition("orders", 0): 7]).values.allSatisfy { $0 == .none })

        try await leaderAndIsr(leader: 1, epoch: 2)
        #expect(calls.withLock { $0 } == ["leaders=[\"__consumer_offsets-0\"] followers=[]", "leaders=[] followers=[]"])
        #expect(coordinator.handleFetchOffsets(groupId: "app", partitions: nil).0 == .none, "served without a reload")
        #expect(Support.committed(coordinator, "app") == ["orders-0=7"])

        // Leadership moving away and back is an election again: unloaded, then loaded from the log.
        try await leaderAndIsr(leader: 2, epoch: 3)
        #expect(coordinator.handleFetchOffsets(groupId: "app", partitions: nil).0 == .notCoordinator)
        try await leaderAndIsr(leader: 1, epoch: 4)
        #expect(calls.withLock { $0 }.suffix(2) == ["leaders=[] followers=[\"__consumer_offsets-0\"]", "leaders=[\"__consumer_offsets-0\"] followers=[]"])
        #expect(try await GroupMetadataManagerTests.fetchWhenLoaded(coordinator, "app").0 == .none)
        #expect(Support.committed(coordinator, "app") == ["orders-0=7"])
    }
}
