import Foundation
import Glibc
import KafkaCommon
import KafkaTestKit
import KafkaZk
import Testing
import ZooKeeper

/// A controller failover interrupted. The ZooKeeper server a new controller talks to dies while
/// it takes over: its requests wait for the session to reconnect to another server and go on, as
/// Kafka's do; the controller keeps its role, so there is no second election. A new controller
/// paused past its session in the middle of its failover: it resumes, gives up, and registers
/// again.
extension RealClusterTests {
    @Suite("A controller failover interrupted: a lost ZooKeeper server, a paused controller", .serialized)
    struct ZooKeeperServerLossDuringFailoverTests {
        static let sessionTimeout: Duration = .milliseconds(4000)
        /// Enough partitions that the failover (reading and writing every partition's state)
        /// lasts long enough for the test to kill the server in the middle of it.
        static let partitions: Int32 = 300

        /// The id of the ensemble server that holds `session`'s connection (from each server's
        /// `cons`, which lists its connections with their session ids).
        static func server(holding session: Int64, in ensemble: ZooKeeperEnsemble) -> Int? {
            let sid = "sid=0x\(String(UInt64(bitPattern: session), radix: 16))"
            return ensemble.servers.first { server in
                zooKeeperFourLetterWord("cons", port: server.clientPort)?.contains(sid) == true
            }?.id
        }

        @Test func losingTheControllersServerDuringItsFailoverElectsNoOtherController() async throws {
            try await withKafkaCluster { cluster in
                defer { keepBrokerLogs(cluster, test: "zk-loss-during-failover") }
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                try await waitUntil("three registered brokers") { try await zk.liveBrokerIds() == [1, 2, 3] }
                try await Replication.createTopic(zk, "failover-zk-loss", partitions: Self.partitions, replicas: [1, 2, 3])
                let owners = try await [1, 2, 3].asyncMap { try await zk.registrationOwner($0) }
                let (first, epoch) = try await waitFor("a controller") { try await zk.currentController() }
                try await waitUntil("the first controller to finish its failover") {
                    !lines(cluster.broker(Int(first.rawValue)).log,
                           containing: "Ready to serve as the new controller with epoch \(epoch)").isEmpty
                }

                // Move the controller: deleting /controller makes every broker race for it.
                try await zk.zooKeeper.delete(ControllerZNode.path)
                let newEpoch = ControllerEpoch(epoch.rawValue + 1)
                let (controller, _) = try await waitFor("the new controller", every: .milliseconds(5)) {
                    try await zk.currentController().flatMap { $0.1 == newEpoch ? $0 : nil }
                }
                let broker = cluster.broker(Int(controller.rawValue))
                let session = try #require(owners[Int(controller.rawValue) - 1])
                let server = try #require(Self.server(holding: session, in: cluster.ensemble))
                await cluster.ensemble.killServer(server)
                let killedDuringFailover = lines(broker.log, containing: "Ready to serve as the new controller with epoch \(newEpoch)").isEmpty

                // The failover completes with the epoch it was elected with, and for longer than a
                // session timeout the controller stays put and every broker keeps its session.
                try await waitUntil("the new controller to finish its failover", timeout: .seconds(60)) {
                    !lines(broker.log, containing: "Ready to serve as the new controller with epoch \(newEpoch)").isEmpty
                }
                #expect(killedDuringFailover, "server \(server) was killed only after the failover had finished")
                let until = ContinuousClock.now + Self.sessionTimeout * 2
                while ContinuousClock.now < until {
                    let current = try await zk.currentController()
                    #expect(current?.0 == controller && current?.1 == newEpoch, "controller \(String(describing: current))")
                    try await Task.sleep(for: .milliseconds(250))
                }
                #expect(try await [1, 2, 3].asyncMap { try await zk.registrationOwner($0) } == owners)
                #expect(lines(broker.log, containing: "Resigned as the controller").filter { $0.contains("epoch=\(newEpoch)") }.isEmpty)
                #expect(lines(broker.log, containing: "triggering controller movement").isEmpty)
                let elections = cluster.brokers.flatMap { lines($0.log, containing: "Elected as the controller") }
                #expect(elections.count == 2, "one election at start-up and one after the move: \(elections)")
                // Every partition still has a live leader from its ISR.
                for partition in 0..<Self.partitions {
                    let state = try #require(try await zk.partitionState(TopicPartition("failover-zk-loss", partition)))
                    #expect(state.leaderAndIsr.leader != KafkaZk.LeaderAndIsr.noLeader)
                    #expect(state.leaderAndIsr.isr.contains(state.leaderAndIsr.leader))
                }
            }
        }
    
        /// A controller paused (SIGSTOP) in the middle of its failover for longer than its session:
        /// once resumed, its failover meets the expired session and gives up, and the broker
        /// registers again with a new session. It used to crash here (a double free in the C
        /// client: the fenced `/controller` deletion of the abandoned failover reached the expired
        /// handle while it was being closed).
        @Test func aControllerPausedDuringItsFailoverResumesAndRegistersAgain() async throws {
            try await withKafkaCluster { cluster in
                defer { keepBrokerLogs(cluster, test: "paused-during-failover") }
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                try await waitUntil("three registered brokers") { try await zk.liveBrokerIds() == [1, 2, 3] }
                try await Replication.createTopic(zk, "failover-pause", partitions: Self.partitions, replicas: [1, 2, 3])
                let (first, epoch) = try await waitFor("a controller") { try await zk.currentController() }
                try await waitUntil("the first controller to finish its failover") {
                    !lines(cluster.broker(Int(first.rawValue)).log,
                           containing: "Ready to serve as the new controller with epoch \(epoch)").isEmpty
                }

                try await zk.zooKeeper.delete(ControllerZNode.path)
                let movedEpoch = ControllerEpoch(epoch.rawValue + 1)
                let (controller, _) = try await waitFor("the new controller", every: .milliseconds(5)) {
                    try await zk.currentController().flatMap { $0.1 == movedEpoch ? $0 : nil }
                }
                let paused = cluster.broker(Int(controller.rawValue))
                paused.send(SIGSTOP)
                let pausedDuringFailover = lines(paused.log, containing: "Ready to serve as the new controller with epoch \(movedEpoch)").isEmpty
                try await waitFor("another controller", timeout: .seconds(30)) {
                    try await zk.currentController().flatMap { $0.1.rawValue > movedEpoch.rawValue ? $0 : nil }
                }
                try await waitUntil("the paused broker's registration to expire") { try await zk.registrationOwner(paused.id) == nil }
                paused.send(SIGCONT)
                _ = try await waitFor("the paused broker to register again", timeout: Self.sessionTimeout + .seconds(6)) {
                    try await zk.registrationOwner(paused.id)
                }
                #expect(paused.isRunning, "the resumed broker is alive")
                #expect(pausedDuringFailover, "paused only after the failover had finished")
            }
        }
    }
}
