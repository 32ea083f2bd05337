import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaTestKit
import KafkaZk
import Testing

/// Preferred leader election on real brokers and a real 3-node ensemble: a broker killed with
/// kill -9 loses its leaderships; once it is back in every ISR its partitions stay led by others
/// until a preferred replica election — through `/admin/preferred_replica_election`, through
/// ElectPreferredLeaders (the CLI), or by the controller's periodic imbalance check — gives them
/// back to it.
extension RealClusterTests {
    @Suite("Preferred leader election: by znode, by API and CLI, and automatically")
    struct PreferredLeaderElectionTests {
        static let topic = "pref"
        /// Every broker is the preferred replica of two partitions.
        static let assignment: [Int32: [BrokerId]] = [
            0: [1, 2, 3], 1: [2, 3, 1], 2: [3, 1, 2], 3: [1, 3, 2], 4: [2, 1, 3], 5: [3, 2, 1],
        ]
        static var partitions: [TopicPartition] { assignment.keys.sorted().map { TopicPartition(topic, $0) } }
        static let manualOnly = ["auto.leader.rebalance.enable": "false"]

        /// The controller and a broker that is not, in id order.
        static func roles(_ zk: KafkaZkClient) async throws -> (controller: BrokerId, victim: BrokerId) {
            let (controller, others) = try await BrokerFailureTests.roles(zk)
            return (controller, others[0])
        }

        /// Creates the topic, kills `victim` with kill -9, waits until it leads nothing and is out
        /// of every ISR, restarts it and waits until it is back in every ISR. Returns the states
        /// then: the partitions `victim` prefers are led by another broker.
        static func unbalance(_ cluster: KafkaCluster, _ zk: KafkaZkClient, victim: BrokerId) async throws -> [TopicPartition: LeaderIsrAndControllerEpoch] {
            try await zk.createTopic(topic, assignment: assignment, config: [:])
            try await waitUntil("every partition to start with its full ISR", timeout: .seconds(60)) {
                let states = try await zk.partitionStates(partitions)
                return states.count == partitions.count && states.values.allSatisfy { $0.leaderAndIsr.isr.count == 3 }
            }
            let broker = cluster.broker(Int(victim.rawValue))
            await broker.kill9()
            try await waitUntil("the partitions of broker \(victim) to move", timeout: .seconds(60)) {
                let states = try await zk.partitionStates(partitions)
                return states.count == partitions.count && states.values.allSatisfy {
                    $0.leaderAndIsr.leader != victim && !$0.leaderAndIsr.isr.contains(victim) && $0.leaderAndIsr.leader.rawValue >= 0
                }
            }
            let starts = broker.startedCount
            try broker.start()
            try await cluster.waitUntilStarted(broker, previousStarts: starts, timeout: .seconds(60))
            return try await waitFor("broker \(victim) back in every ISR", timeout: .seconds(60)) {
                let states = try await zk.partitionStates(partitions)
                return states.values.allSatisfy { $0.leaderAndIsr.isr.contains(victim) } ? states : nil
            }
        }

        /// Waits until every partition is led by its preferred replica; returns the states.
        static func preferredLeadersRestored(_ zk: KafkaZkClient, timeout: Duration = .seconds(60)) async throws -> [TopicPartition: LeaderIsrAndControllerEpoch] {
            try await waitFor("every partition led by its preferred replica", timeout: timeout) {
                let states = try await zk.partitionStates(partitions)
                return partitions.allSatisfy { states[$0]?.leaderAndIsr.leader == assignment[$0.partition]?.first } ? states : nil
            }
        }

        static func preferring(_ broker: BrokerId) -> [TopicPartition] {
            partitions.filter { assignment[$0.partition]?.first == broker }
        }

        @Test func theZNodeRestoresThePreferredLeadersAndIsDeleted() async throws {
            try await withKafkaCluster(overrides: Self.manualOnly) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let (controller, victim) = try await Self.roles(zk)
                let before = try await Self.unbalance(cluster, zk, victim: victim)
                for tp in Self.preferring(victim) { #expect(before[tp]?.leaderAndIsr.leader != victim) }

                try await zk.createPreferredReplicaElection(Self.partitions)
                let after = try await Self.preferredLeadersRestored(zk)
                try await waitUntil("the controller to delete \(PreferredReplicaElectionZNode.path)") {
                    try await zk.zooKeeper.exists(PreferredReplicaElectionZNode.path) == nil
                }
                for tp in Self.preferring(victim) {
                    let (old, new) = (try #require(before[tp]), try #require(after[tp]))
                    #expect(new.leaderAndIsr.leaderEpoch.rawValue == old.leaderAndIsr.leaderEpoch.rawValue + 1, "one write")
                    #expect(Set(new.leaderAndIsr.isr) == Set(old.leaderAndIsr.isr), "the ISR is kept")
                }
                // Partitions already led by their preferred replica were not written.
                for tp in Self.partitions where !Self.preferring(victim).contains(tp) {
                    #expect(after[tp]?.leaderAndIsr.leaderEpoch == before[tp]?.leaderAndIsr.leaderEpoch)
                }
                let log = cluster.broker(Int(controller.rawValue)).log
                for tp in Self.preferring(victim) {
                    #expect(!lines(log, containing: "Partition \(tp) completed preferred replica leader election. New leader is \(victim)").isEmpty)
                }

                // The watch is armed again: a second request is carried out too.
                let victimBroker = cluster.broker(Int(victim.rawValue))
                await victimBroker.kill9()
                try await waitUntil("the partitions of broker \(victim) to move again", timeout: .seconds(60)) {
                    try await zk.partitionStates(Self.preferring(victim)).values.allSatisfy { $0.leaderAndIsr.leader != victim }
                }
                let starts = victimBroker.startedCount
                try victimBroker.start()
                try await cluster.waitUntilStarted(victimBroker, previousStarts: starts, timeout: .seconds(60))
                try await waitUntil("broker \(victim) back in every ISR", timeout: .seconds(60)) {
                    try await zk.partitionStates(Self.partitions).values.allSatisfy { $0.leaderAndIsr.isr.contains(victim) }
                }
                try await zk.createPreferredReplicaElection(Self.preferring(victim) + [TopicPartition("missing", 0)])
                _ = try await Self.preferredLeadersRestored(zk)
                try await waitUntil("the controller to delete \(PreferredReplicaElectionZNode.path) again") {
                    try await zk.zooKeeper.exists(PreferredReplicaElectionZNode.path) == nil
                }

                // Content that cannot be read does not block later requests: it is deleted too.
                try await zk.zooKeeper.create(PreferredReplicaElectionZNode.path, data: Array("not json".utf8))
                try await waitUntil("the controller to delete the unreadable \(PreferredReplicaElectionZNode.path)") {
                    try await zk.zooKeeper.exists(PreferredReplicaElectionZNode.path) == nil
                }
            }
        }

        @Test func aNewControllerCarriesOutAPendingZNode() async throws {
            try await withKafkaCluster(overrides: Self.manualOnly) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let (controller, victim) = try await Self.roles(zk)
                _ = try await Self.unbalance(cluster, zk, victim: victim)

                // The controller dies; while its /controller lingers (until its session expires)
                // no controller watches the admin znode: only the next one's failover can see it.
                await cluster.broker(Int(controller.rawValue)).kill9()
                try await zk.createPreferredReplicaElection(Self.preferring(victim))
                #expect(try await zk.controllerId() == controller, "requested before a new controller was elected")
                let (successor, _) = try await waitFor("a new controller", timeout: .seconds(60)) {
                    try await zk.currentController().flatMap { $0.0 != controller ? $0 : nil }
                }
                try await waitUntil("the preferred leaders of broker \(victim)", timeout: .seconds(60)) {
                    try await zk.partitionStates(Self.preferring(victim)).values.allSatisfy { $0.leaderAndIsr.leader == victim }
                }
                try await waitUntil("the new controller to delete \(PreferredReplicaElectionZNode.path)") {
                    try await zk.zooKeeper.exists(PreferredReplicaElectionZNode.path) == nil
                }
                #expect(!lines(cluster.broker(Int(successor.rawValue)).log,
                               containing: "Resuming preferred replica election for partitions").isEmpty)
            }
        }

        @Test func electPreferredLeadersAndTheCLIRestoreThePreferredLeaders() async throws {
            try await withKafkaCluster(overrides: Self.manualOnly) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let (controller, victim) = try await Self.roles(zk)
                _ = try await Self.unbalance(cluster, zk, victim: victim)

                // A broker that is not the controller answers NOT_CONTROLLER, for every partition
                // of its metadata when asked for all.
                let other = try WireClient(port: cluster.broker(Int(victim.rawValue)).port, timeoutSeconds: 30)
                let refused = try GroupAdminTests.call(other, ElectLeaders.self, ElectLeaders.Request(
                    topicPartitions: [.init(topic: Self.topic, partitionId: [0, 1])], timeoutMs: 10_000), version: 0)
                #expect(refused.replicaElectionResults.flatMap(\.partitionResult).map(\.errorCode) == [.notController, .notController])
                try await waitUntil("broker \(victim) to learn the topic") {
                    let all = try GroupAdminTests.call(other, ElectLeaders.self, ElectLeaders.Request(topicPartitions: nil), version: 0)
                    let results = all.replicaElectionResults.filter { $0.topic == Self.topic }.flatMap(\.partitionResult)
                    return results.count == Self.partitions.count && results.allSatisfy { $0.errorCode == .notController }
                }

                // The CLI finds the controller; the answer comes once the controller's metadata
                // shows the new leaders.
                let bootstrap = ["--bootstrap-server", "127.0.0.1:\(cluster.broker(Int(victim.rawValue)).port)"]
                let elected = try await CLIProcess.run(["leader-election"] + bootstrap + ["--election-type", "preferred", "--topic", Self.topic])
                #expect(elected.status == 0, "\(elected.error)")
                #expect(elected.lines == ["Successfully completed leader election (PREFERRED) for partitions "
                    + Self.partitions.map(\.description).joined(separator: ", ")])
                let client = try WireClient(port: cluster.broker(Int(controller.rawValue)).port, timeoutSeconds: 30)
                let shown = try MetadataTests.metadata(client, version: 5, topics: [Self.topic]).topics.first?.partitions ?? []
                for partition in shown {
                    #expect(partition.leaderId == Self.assignment[partition.partitionIndex]?.first, "pref-\(partition.partitionIndex)")
                }
                _ = try await Self.preferredLeadersRestored(zk, timeout: .seconds(10))

                // An election file naming a partition that does not exist: the tool fails, naming it.
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("election-\(UUID().uuidString).json")
                try Data(#"{"partitions":[{"topic":"pref","partition":0},{"topic":"nope","partition":0}]}"#.utf8).write(to: file)
                defer { try? FileManager.default.removeItem(at: file) }
                let mixed = try await CLIProcess.run(["leader-election"] + bootstrap + [
                    "--election-type", "preferred", "--path-to-json-file", file.path])
                #expect(mixed.status == 1)
                #expect(mixed.lines == [
                    "Successfully completed leader election (PREFERRED) for partitions pref-0",
                    "Error completing leader election (PREFERRED) for partition: nope-0: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: The partition does not exist.",
                ])
                #expect(mixed.error.contains("1 replica(s) could not be elected"))
            }
        }

        @Test func theImbalanceCheckRestoresThePreferredLeaders() async throws {
            try await withKafkaCluster(overrides: ["leader.imbalance.check.interval.seconds": "1"]) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let (controller, victim) = try await Self.roles(zk)
                _ = try await Self.unbalance(cluster, zk, victim: victim)
                let after = try await Self.preferredLeadersRestored(zk)
                for tp in Self.preferring(victim) { #expect(after[tp]?.leaderAndIsr.isr.contains(victim) == true) }
                try await waitUntil("the controller to log the automatic election") {
                    !lines(cluster.broker(Int(controller.rawValue)).log,
                           containing: "Starting preferred replica leader election for partitions").isEmpty
                }
                #expect(try await zk.zooKeeper.exists(PreferredReplicaElectionZNode.path) == nil, "no znode for automatic elections")
            }
        }
    }
}
