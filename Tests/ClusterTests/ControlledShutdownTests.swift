import Foundation
import Glibc
import KafkaCommon
import KafkaTestKit
import KafkaZk
import Testing
import ZooKeeper

/// Controlled shutdown on three real brokers and a three-node ensemble: a SIGTERM'd broker has
/// the controller move every leadership it holds before it deregisters and exits, while an
/// acks=all producer writes on; with `controlled.shutdown.enable=false` it just deregisters.
extension RealClusterTests {
    @Suite("Controlled shutdown")
    struct ControlledShutdownTests {
        static let topic = "moving"
        static let partitions: Int32 = 30

        /// Leaders of the topic's partitions that `broker` leads now.
        static func partitionsLed(by broker: BrokerId, _ zk: KafkaZkClient) async throws -> [TopicPartition] {
            var led: [TopicPartition] = []
            for partition in 0..<partitions {
                let tp = TopicPartition(topic, partition)
                if try await Replication.state(zk, tp)?.leader == broker { led.append(tp) }
            }
            return led
        }

        /// Starts watching `broker`'s registration; the task returns the wall-clock time at which
        /// the test saw it deleted (later than the deletion itself).
        static func watchDeregistration(_ broker: BrokerId, _ zk: KafkaZkClient) async throws -> Task<Date?, Never> {
            let path = BrokerIdZNode.path(broker)
            let events = zk.zooKeeper.events()
            let task = Task { () -> Date? in
                for await event in events {
                    if case .watch(let watched) = event, watched.path == path, watched.kind == .nodeDeleted { return Date() }
                }
                return nil
            }
            try #require(try await zk.zooKeeper.exists(path, watch: true) != nil)
            return task
        }

        /// The ZooKeeper mtime of the partition's state znode (ms since the epoch).
        static func stateModified(_ tp: TopicPartition, _ zk: KafkaZkClient) async throws -> Int64 {
            try #require(try await zk.zooKeeper.exists("/brokers/topics/\(tp.topic)/partitions/\(tp.partition)/state")).mtime
        }

        @Test func sigtermedLeaderHandsOverEveryPartitionBeforeExitingWhileProducing() async throws {
            try await withKafkaCluster(zooKeepers: 3, sessionTimeoutMs: 6000) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                try await Replication.createTopic(zk, Self.topic, partitions: Self.partitions, replicas: [1, 2, 3],
                                                  config: ["min.insync.replicas": "2"])
                let (producer, acked) = try ReplicationTests.startProducer(
                    cluster, topic: Self.topic, partitions: Int(Self.partitions), seconds: 600, rate: 500)
                try await waitUntil("records acknowledged before the shutdown", timeout: .seconds(60)) {
                    Replication.acknowledged(acked).count >= 1000
                }
                // A leader that is not the controller, so that the controller stays where it is.
                let (controllerId, _) = try #require(try await zk.currentController())
                let victimId = try #require([BrokerId(1), 2, 3].first { $0 != controllerId })
                let victim = cluster.broker(Int(victimId.rawValue))
                let led = try await Self.partitionsLed(by: victimId, zk)
                try #require(!led.isEmpty, "broker \(victimId) leads partitions")
                var epochs: [TopicPartition: LeaderEpoch] = [:]
                for tp in led { epochs[tp] = try #require(try await Replication.state(zk, tp)).leaderEpoch }
                let deregistration = try await Self.watchDeregistration(victimId, zk)

                let sigterm = Date()
                victim.send(SIGTERM)
                let status = await victim.current?.waitForExit(timeout: .seconds(120))
                let exited = Date()
                #expect(status == 0, "exit status; log: \(victim.log.suffix(3000))")
                let deregistered = try #require(await deregistration.value)

                // Every partition it led has a new leader from the old ISR, written before it
                // deregistered (so before it exited).
                var lastMove: Int64 = 0
                for tp in led {
                    let state = try #require(try await Replication.state(zk, tp))
                    #expect(state.leader != victimId && state.leader != LeaderAndIsr.noLeader, "\(tp): \(state)")
                    #expect(!state.isr.contains(victimId), "\(tp): \(state)")
                    #expect(state.leaderEpoch.rawValue >= (epochs[tp]?.rawValue ?? 0) + 1)
                    let modified = try await Self.stateModified(tp, zk)
                    lastMove = max(lastMove, modified)
                }
                #expect(Double(lastMove) / 1000 <= deregistered.timeIntervalSince1970,
                        "the leaders moved before the registration went")
                let log = victim.log
                #expect(lines(log, containing: "Starting controlled shutdown").count == 1)
                #expect(lines(log, containing: "Controlled shutdown succeeded").count == 1, "\(log.suffix(3000))")
                #expect(lines(cluster.broker(Int(controllerId.rawValue)).log, containing: "Shutting down broker \(victimId)").count >= 1)
                let movedMs = lastMove - Int64(sigterm.timeIntervalSince1970 * 1000)
                let exitMs = Int64(exited.timeIntervalSince(sigterm) * 1000)
                print("controlled shutdown of broker \(victimId) leading \(led.count) of \(Self.partitions) partitions: leaders moved \(movedMs) ms after SIGTERM (ZooKeeper mtime), process exited after \(exitMs) ms")

                // The producer carries on against the two others; nothing it had acknowledged is
                // lost and no request of it timed out.
                let before = Replication.acknowledged(acked).count
                try await waitUntil("records acknowledged after the shutdown", timeout: .seconds(60)) {
                    Replication.acknowledged(acked).count >= before + 500
                }
                producer.send(SIGINT)
                await producer.kill9()
                let errors = (try? String(contentsOfFile: acked.path + ".errors", encoding: .utf8)) ?? ""
                #expect(errors.isEmpty, "failed deliveries: \(errors.prefix(1000))")
                #expect(lines(producer.log, containing: "REQTMOUT").isEmpty && lines(producer.log, containing: "Timed out").isEmpty,
                        "producer requests timed out: \(producer.log.suffix(2000))")
                let acknowledged = Replication.acknowledged(acked)
                let survivor = cluster.broker(Int(controllerId.rawValue))
                var stored: [TopicPartitionOffset: String] = [:]
                try await waitUntil("every acknowledged record to be readable", timeout: .seconds(60)) {
                    stored = try Replication.consumeAll(survivor, topic: Self.topic)
                    return acknowledged.keys.allSatisfy { stored[$0] != nil }
                }
                let wrong = acknowledged.filter { stored[$0.key] != $0.value }
                #expect(wrong.isEmpty, "\(wrong.count) of \(acknowledged.count) acknowledged records lost or moved, e.g. \(wrong.keys.sorted().prefix(5))")
            }
        }

        /// The controller itself shutting down asks itself (over its own listener), then resigns;
        /// its leaderships have moved before a successor takes over.
        @Test func sigtermedControllerHandsOverItsPartitionsBeforeResigning() async throws {
            try await withKafkaCluster(zooKeepers: 3, sessionTimeoutMs: 6000) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                try await Replication.createTopic(zk, Self.topic, partitions: 6, replicas: [1, 2, 3])
                let (controllerId, epoch) = try #require(try await zk.currentController())
                let victim = cluster.broker(Int(controllerId.rawValue))
                let led = try await Self.partitionsLed(by: controllerId, zk)
                try #require(!led.isEmpty)
                let deregistration = try await Self.watchDeregistration(controllerId, zk)
                #expect(await victim.terminate(timeout: .seconds(60)) == 0, "\(victim.log.suffix(3000))")
                let deregistered = try #require(await deregistration.value)
                for tp in led {
                    let state = try #require(try await Replication.state(zk, tp))
                    #expect(state.leader != controllerId && state.leader != LeaderAndIsr.noLeader, "\(tp): \(state)")
                    #expect(Double(try await Self.stateModified(tp, zk)) / 1000 <= deregistered.timeIntervalSince1970)
                }
                #expect(lines(victim.log, containing: "Controlled shutdown succeeded").count == 1, "\(victim.log.suffix(3000))")
                #expect(lines(victim.log, containing: "Shutting down broker \(controllerId)").count == 1)
                try await waitUntil("a new controller", timeout: .seconds(30)) {
                    guard let (id, newEpoch) = try await zk.currentController() else { return false }
                    return id != controllerId && newEpoch > epoch
                }
            }
        }

        @Test func disabledControlledShutdownJustDeregisters() async throws {
            try await withKafkaCluster(zooKeepers: 3, sessionTimeoutMs: 6000,
                                       overrides: ["controlled.shutdown.enable": "false"]) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                try await Replication.createTopic(zk, Self.topic, partitions: 6, replicas: [1, 2, 3])
                let (controllerId, _) = try #require(try await zk.currentController())
                let victimId = try #require([BrokerId(1), 2, 3].first { $0 != controllerId })
                let victim = cluster.broker(Int(victimId.rawValue))
                var led: [TopicPartition] = []
                for partition: Int32 in 0..<6 {
                    let tp = TopicPartition(Self.topic, partition)
                    if try await Replication.state(zk, tp)?.leader == victimId { led.append(tp) }
                }
                try #require(!led.isEmpty)
                #expect(await victim.terminate(timeout: .seconds(60)) == 0)
                #expect(lines(victim.log, containing: "Starting controlled shutdown").isEmpty, "\(victim.log.suffix(2000))")
                #expect(lines(cluster.broker(Int(controllerId.rawValue)).log, containing: "Shutting down broker").isEmpty)
                // The old path: the controller moves the leaders once the registration is gone.
                for tp in led {
                    try await waitUntil("\(tp) to get a new leader", timeout: .seconds(30)) {
                        let state = try await Replication.state(zk, tp)
                        return state.map { $0.leader != victimId && $0.leader != LeaderAndIsr.noLeader } ?? false
                    }
                }
            }
        }
    }
}
