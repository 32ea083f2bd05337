import Foundation
import KafkaCommon
import KafkaTestKit
import KafkaZk
import Testing

/// Brokers dying and coming back: leaders re-elected from the live ISR, dead replicas taken out of
/// ISRs, partitions with no live in-sync replica left offline (or led uncleanly when the topic
/// allows it) and elected again when their replicas return; a new controller doing the same for
/// the brokers it finds dead.
extension RealClusterTests {
    @Suite("Broker failure and return, and controller failover")
    struct BrokerFailureTests {
        /// The controller and the two other brokers, in id order.
        static func roles(_ zk: KafkaZkClient) async throws -> (controller: BrokerId, others: [BrokerId]) {
            try await waitUntil("three registered brokers") { try await zk.liveBrokerIds() == [1, 2, 3] }
            let (controller, _) = try await waitFor("a controller") { try await zk.currentController() }
            return (controller, [1, 2, 3].map { BrokerId(Int32($0)) }.filter { $0 != controller })
        }

        static func started(_ zk: KafkaZkClient, _ partitions: [TopicPartition]) async throws {
            for tp in partitions {
                _ = try await waitFor("\(tp) to get a leader") { try await zk.partitionState(tp) }
            }
        }

        @Test func deadLeaderAndFollowerAreWrittenOnceAndIsrChangesAreConsumed() async throws {
            try await withKafkaCluster(zooKeepers: 1, sessionTimeoutMs: 3000) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let (controller, others) = try await Self.roles(zk)
                let (victim, survivor) = (others[0], others[1])
                try await zk.createTopic("f", assignment: [0: [victim, survivor, controller], 1: [survivor, victim, controller]], config: [:])
                let (f0, f1) = (TopicPartition("f", 0), TopicPartition("f", 1))
                try await Self.started(zk, [f0, f1])

                await cluster.broker(Int(victim.rawValue)).kill9()
                let led = try await waitFor("a new leader for f-0", timeout: .seconds(20)) {
                    try await zk.partitionState(f0).flatMap { $0.leaderAndIsr.leader != victim ? $0 : nil }
                }
                #expect(led.leaderAndIsr.leader == survivor, "the next live in-sync replica in assignment order")
                #expect(led.leaderAndIsr.isr == [survivor, controller])
                #expect(led.leaderAndIsr.leaderEpoch == LeaderEpoch(1), "written once")
                let followed = try await waitFor("f-1 to drop the dead follower") {
                    try await zk.partitionState(f1).flatMap { $0.leaderAndIsr.isr.contains(victim) ? nil : $0 }
                }
                #expect(followed.leaderAndIsr.leader == survivor && followed.leaderAndIsr.isr == [survivor, controller])
                #expect(followed.leaderAndIsr.leaderEpoch == LeaderEpoch(1))

                // The brokers' metadata follows.
                let client = try WireClient(port: cluster.broker(Int(controller.rawValue)).port, timeoutSeconds: 30)
                try await waitUntil("the controller's broker to learn the new leader") {
                    let partitions = try MetadataTests.metadata(client, version: 5, topics: ["f"]).topics.first?.partitions ?? []
                    return partitions.first { $0.partitionIndex == 0 }.map {
                        $0.leaderId == survivor && $0.offlineReplicas == [victim]
                    } ?? false
                }
                let log = cluster.broker(Int(controller.rawValue)).log
                #expect(!lines(log, containing: "Changed partition f-0 state from OfflinePartition to OnlinePartition").isEmpty)
                #expect(!lines(log, containing: "Changed state of replica \(victim) for partition f-1 from OnlineReplica to OfflineReplica").isEmpty)

                // A leader's ISR-change notification is read and deleted at once.
                try await zk.propagateIsrChanges([f0, TopicPartition("unknown", 0)])
                try await waitUntil("the controller to consume the ISR change notification") {
                    try await zk.isrChangeNotifications().isEmpty
                }
            }
        }

        @Test func partitionWithoutLiveInSyncReplicaWaitsOrIsLedUncleanly() async throws {
            try await withKafkaCluster(zooKeepers: 1, sessionTimeoutMs: 3000) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let (controller, others) = try await Self.roles(zk)
                let (x, y) = (others[0], others[1])
                let controllerBroker = cluster.broker(Int(controller.rawValue))

                // With y down, the partitions start with x alone in the ISR.
                await cluster.broker(Int(y.rawValue)).kill9()
                try await waitUntil("the controller to see \(y) gone", timeout: .seconds(20)) {
                    !lines(controllerBroker.log, containing: "deleted brokers: [\(y)]").isEmpty
                }
                try await zk.createTopic("clean", assignment: [0: [x, y]], config: [:])
                try await zk.createTopic("dirty", assignment: [0: [x, y]], config: ["unclean.leader.election.enable": "true"])
                let (clean, dirty) = (TopicPartition("clean", 0), TopicPartition("dirty", 0))
                try await Self.started(zk, [clean, dirty])
                #expect(try await zk.partitionState(clean)?.leaderAndIsr.isr == [x])

                // x dies too: no replica is left; the partitions keep x as their last ISR member.
                await cluster.broker(Int(x.rawValue)).kill9()
                for tp in [clean, dirty] {
                    let offline = try await waitFor("\(tp) to go offline", timeout: .seconds(20)) {
                        try await zk.partitionState(tp).flatMap { $0.leaderAndIsr.leader == LeaderAndIsr.noLeader ? $0 : nil }
                    }
                    #expect(offline.leaderAndIsr.isr == [x] && offline.leaderAndIsr.leaderEpoch == LeaderEpoch(1))
                }

                // y, never in sync, returns: only the topic allowing it takes y as leader.
                let yBroker = cluster.broker(Int(y.rawValue))
                var starts = yBroker.startedCount
                try yBroker.start()
                try await cluster.waitUntilStarted(yBroker, previousStarts: starts, timeout: .seconds(30))
                let unclean = try await waitFor("dirty-0 to be led uncleanly", timeout: .seconds(20)) {
                    try await zk.partitionState(dirty).flatMap { $0.leaderAndIsr.leader == y ? $0 : nil }
                }
                #expect(unclean.leaderAndIsr.isr == [y] && unclean.leaderAndIsr.leaderEpoch == LeaderEpoch(2))
                #expect(!lines(controllerBroker.log, containing: "Unclean leader election for partition dirty-0").isEmpty)
                #expect(lines(controllerBroker.log, containing: "Unclean leader election for partition dirty-0").allSatisfy { $0.contains("data loss") })
                let stillOffline = try #require(try await zk.partitionState(clean))
                #expect(stillOffline.leaderAndIsr.leader == LeaderAndIsr.noLeader && stillOffline.leaderAndIsr.leaderEpoch == LeaderEpoch(1))

                // x, the last in-sync replica, returns: a clean election.
                let xBroker = cluster.broker(Int(x.rawValue))
                starts = xBroker.startedCount
                try xBroker.start()
                try await cluster.waitUntilStarted(xBroker, previousStarts: starts, timeout: .seconds(30))
                let back = try await waitFor("clean-0 to be led by \(x) again", timeout: .seconds(20)) {
                    try await zk.partitionState(clean).flatMap { $0.leaderAndIsr.leader == x ? $0 : nil }
                }
                // y, now its follower, may already have caught up and joined the ISR (same epoch).
                #expect(back.leaderAndIsr.isr.first == x && back.leaderAndIsr.leaderEpoch == LeaderEpoch(2))
            }
        }

        @Test func newControllerTakesTheDeadControllersReplicasOutThenElects() async throws {
            try await withKafkaCluster(zooKeepers: 1, sessionTimeoutMs: 3000) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let (controller, others) = try await Self.roles(zk)
                let g0 = TopicPartition("g", 0)
                try await zk.createTopic("g", assignment: [0: [controller] + others], config: [:])
                try await Self.started(zk, [g0])

                // The controller's session ends with its registration: its successor finds it dead at
                // failover, writes g-0 leaderless without it (epoch 1), then elects (epoch 2).
                await cluster.broker(Int(controller.rawValue)).kill9()
                let elected = try await waitFor("g-0 to get a new leader", timeout: .seconds(20)) {
                    try await zk.partitionState(g0).flatMap { state in
                        let leader = state.leaderAndIsr.leader
                        return leader != controller && leader != LeaderAndIsr.noLeader ? state : nil
                    }
                }
                #expect(elected.leaderAndIsr.leader == others[0])
                #expect(elected.leaderAndIsr.isr == others)
                #expect(elected.leaderAndIsr.leaderEpoch == LeaderEpoch(2))
                let (successor, _) = try await waitFor("a new controller") {
                    try await zk.currentController().flatMap { $0.0 != controller ? $0 : nil }
                }
                let log = cluster.broker(Int(successor.rawValue)).log
                #expect(!lines(log, containing: "Removed offline replicas [\(controller)] from the ISR of partition g-0").isEmpty)
            }
        }
    }
}
