import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaTestKit
import KafkaZk
import Testing

/// The coordinator across a new leader epoch of its offsets partition with the same leader:
/// when a follower of the partition dies, the controller takes it out of the ISR and sends the
/// leader a LeaderAndIsr with the next leader epoch. Kafka 2.3's leader skips it ("already the
/// leader"), and its group coordinator neither reloads nor stops serving the partition's groups.
extension RealClusterTests {
    @Suite("Group coordinator and leader epochs of its offsets partition")
    struct GroupLeadershipTests {
        @Test func aNewLeaderEpochWithTheSameLeaderDoesNotReloadTheGroups() async throws {
            try await withKafkaCluster(zooKeepers: 1, overrides: GroupConsumerTests.overrides) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                try await Replication.createTopic(zk, "ledger", partitions: 1, replicas: [1, 2, 3])
                let any = try WireClient(port: cluster.broker(1).port)
                var found = try FindCoordinatorTests.findCoordinator(any, group: "epoch-app")
                try await waitUntil("a coordinator for epoch-app", timeout: .seconds(60)) {
                    found = try FindCoordinatorTests.findCoordinator(any, group: "epoch-app")
                    return found.errorCode == .none
                }
                let coordinatorId = Int(found.nodeId.rawValue)
                let coordinator = try WireClient(port: Int(found.port))
                try await waitUntil("the coordinator to take a commit", timeout: .seconds(60)) {
                    try GroupOffsetsStorageTests.commit(coordinator, group: "epoch-app", version: 2, [("ledger", 0, 11)]) == ["ledger-0": .none]
                }
                // The group's partition of __consumer_offsets (5 partitions here), led by the coordinator.
                let partition = JavaHash.abs(JavaHash.stringHashCode("epoch-app")) % 5
                let tp = TopicPartition("__consumer_offsets", partition)
                let before = try #require(try await Replication.state(zk, tp))
                #expect(Int(before.leader.rawValue) == coordinatorId)
                let scheduling = "Scheduling loading of offsets and group metadata from \(tp)"
                let coordinatorBroker = cluster.broker(coordinatorId)
                #expect(lines(coordinatorBroker.log, containing: scheduling).count == 1)

                let follower = try #require(before.isr.map { Int($0.rawValue) }.first { $0 != coordinatorId })
                await cluster.broker(follower).kill9()
                try await waitUntil("the controller to take broker \(follower) out of \(tp)'s ISR", timeout: .seconds(60)) {
                    guard let state = try await Replication.state(zk, tp) else { return false }
                    return !state.isr.contains(BrokerId(Int32(follower)))
                }
                let after = try #require(try await Replication.state(zk, tp))
                #expect(after.leader == before.leader && after.leaderEpoch > before.leaderEpoch)
                try await waitUntil("the coordinator to skip the become-leader change", timeout: .seconds(60)) {
                    !lines(coordinatorBroker.log, containing: "for partition \(tp) (last update").filter {
                        $0.contains("since it is already the leader for the partition.")
                    }.isEmpty
                }
                #expect(lines(coordinatorBroker.log, containing: scheduling).count == 1, "not loaded again")
                let fetched = try GroupAdminTests.call(coordinator, OffsetFetch.self, .init(groupId: "epoch-app", topics: nil), version: 2)
                #expect(fetched.errorCode == .none)
                #expect(fetched.topics.flatMap(\.partitions).map(\.committedOffset) == [11])
            }
        }
    }
}

