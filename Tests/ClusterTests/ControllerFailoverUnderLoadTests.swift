import Foundation
import Glibc
import KafkaCommon
import KafkaTestKit
import KafkaZk
import Testing

/// The controller failing while an acks=all producer writes to RF 3 / `min.insync.replicas=2`:
/// killed with SIGKILL, then its successor paused with SIGSTOP past the session timeout and
/// resumed. A new controller is elected within the session timeout + 2 s (timed from the kill to
/// the ctime of the new `/controller`), the paused one resigns and writes nothing with its old
/// epoch, every partition ends led by a member of its ISR, and no acknowledged record is lost.
extension RealClusterTests {
    @Suite("Controller kill -9 and SIGSTOP/SIGCONT under load", .serialized)
    struct ControllerFailoverUnderLoadTests {
        static let sessionTimeoutMs: Int64 = 4000
        static let topic = "load"
        static let partitions: Int32 = 6

        static var topicPartitions: [TopicPartition] { (0..<partitions).map { TopicPartition(topic, $0) } }

        /// Milliseconds from `since` (wall clock, ms) to the creation of the current `/controller`.
        static func controllerCreated(_ zk: KafkaZkClient, since: Int64) async throws -> Int64 {
            let stat = try #require(try await zk.zooKeeper.exists("/controller"))
            return stat.ctime - since
        }

        static func nowMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

        static func waitForFullIsrs(_ zk: KafkaZkClient) async throws {
            for tp in topicPartitions {
                try await waitUntil("\(tp) to have its full ISR", timeout: .seconds(90)) {
                    try await Replication.state(zk, tp)?.isr.count == 3
                }
            }
        }

        static func waitForMoreAcknowledged(_ acked: URL, _ count: Int, _ what: String) async throws {
            let before = Replication.acknowledged(acked).count
            try await waitUntil("\(count) more records acknowledged \(what)", timeout: .seconds(90)) {
                Replication.acknowledged(acked).count >= before + count
            }
        }

        @Test func killAndPauseTheControllerUnderLoad() async throws {
            try await withKafkaCluster(sessionTimeoutMs: Int(Self.sessionTimeoutMs)) { cluster in
                defer { if ProcessInfo.processInfo.environment["PRINT_BROKER_LOGS"] != nil { cluster.printLogs() } }
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                _ = try await BrokerFailureTests.roles(zk)
                try await Replication.createTopic(zk, Self.topic, partitions: Self.partitions, replicas: [1, 2, 3],
                                                  config: ["min.insync.replicas": "2"])
                let (producer, acked) = try ReplicationTests.startProducer(
                    cluster, topic: Self.topic, partitions: Int(Self.partitions), seconds: 900, rate: 300)
                defer { Task { await producer.kill9() } }
                try await Self.waitForMoreAcknowledged(acked, 300, "before the kill")

                // (a) kill -9 the controller.
                let (killed, killedEpoch) = try await waitFor("a controller") { try await zk.currentController() }
                let killedBroker = cluster.broker(Int(killed.rawValue))
                let killedAtMs = Self.nowMs()
                await killedBroker.kill9()
                let (successor, successorEpoch) = try await waitFor("a new controller", timeout: .seconds(30)) {
                    try await zk.currentController().flatMap { $0.0 != killed && $0.1 > killedEpoch ? $0 : nil }
                }
                let electedAfterKill = try await Self.controllerCreated(zk, since: killedAtMs)
                print("kill -9 of controller \(killed) → /controller created by \(successor): \(electedAfterKill) ms")
                #expect(electedAfterKill < Self.sessionTimeoutMs + 2000, "new controller \(electedAfterKill) ms after the kill")
                #expect(successorEpoch == ControllerEpoch(killedEpoch.rawValue + 1))
                try await Self.waitForMoreAcknowledged(acked, 300, "with controller \(killed) dead")

                let starts = killedBroker.startedCount
                try killedBroker.start()
                try await cluster.waitUntilStarted(killedBroker, previousStarts: starts, timeout: .seconds(60))
                try await Self.waitForFullIsrs(zk)

                // (b) SIGSTOP the new controller past the session timeout, then SIGCONT it.
                let paused = cluster.broker(Int(successor.rawValue))
                let oldOwner = try #require(try await zk.registrationOwner(paused.id))
                let stoppedAtMs = Self.nowMs()
                paused.send(SIGSTOP)
                let (third, thirdEpoch) = try await waitFor("a controller after the pause", timeout: .seconds(30)) {
                    try await zk.currentController().flatMap { $0.0 != successor && $0.1 > successorEpoch ? $0 : nil }
                }
                let electedAfterPause = try await Self.controllerCreated(zk, since: stoppedAtMs)
                print("SIGSTOP of controller \(successor) → /controller created by \(third): \(electedAfterPause) ms")
                #expect(electedAfterPause < Self.sessionTimeoutMs + 2000, "new controller \(electedAfterPause) ms after the pause")
                #expect(thirdEpoch == ControllerEpoch(successorEpoch.rawValue + 1))
                try await waitUntil("the paused broker's registration to expire") { try await zk.registrationOwner(paused.id) == nil }
                // The new controller takes the paused broker out of every ISR: each state is then
                // written with its epoch, and any later write with an older epoch would be stale.
                for tp in Self.topicPartitions {
                    try await waitUntil("\(tp) to be written by controller \(third)", timeout: .seconds(30)) {
                        try await zk.partitionState(tp)?.controllerEpoch == thirdEpoch
                    }
                }
                try await Self.waitForMoreAcknowledged(acked, 300, "with controller \(successor) paused")

                let watcher = Task { () -> [String] in
                    var stale: [String] = []
                    while !Task.isCancelled {
                        for tp in Self.topicPartitions {
                            if let state = try? await zk.partitionState(tp), state.controllerEpoch < thirdEpoch {
                                stale.append("\(tp): \(state)")
                            }
                        }
                        try? await Task.sleep(for: .milliseconds(50))
                    }
                    return stale
                }
                paused.send(SIGCONT)
                try await waitUntil("the paused controller to resign", timeout: .seconds(30)) {
                    !lines(paused.log, containing: "[Controller id=\(successor) epoch=\(successorEpoch)] Resigned as the controller").isEmpty
                }
                let newOwner = try await waitFor("the paused broker to register again", timeout: .seconds(30)) {
                    try await zk.registrationOwner(paused.id)
                }
                #expect(newOwner != oldOwner, "registered with a new session")
                try await Self.waitForFullIsrs(zk)
                try await Self.waitForMoreAcknowledged(acked, 300, "after the resumed broker is back")
                watcher.cancel()
                let stale = await watcher.value
                #expect(stale.isEmpty, "partition states written with a stale controller epoch: \(stale.prefix(5))")
                for tp in Self.topicPartitions {
                    #expect(try await zk.partitionState(tp).map { $0.controllerEpoch >= thirdEpoch } == true)
                }
                // Nothing the resumed broker logged as the old controller comes after its resignation.
                let log = paused.log.split(separator: "\n")
                let resignedAt = try #require(log.firstIndex { $0.contains("epoch=\(successorEpoch)] Resigned as the controller") })
                #expect(log[(resignedAt + 1)...].allSatisfy { !$0.contains("[Controller id=\(successor) epoch=\(successorEpoch)]") })
                let current = try #require(try await zk.currentController())
                #expect(current.0 == third && current.1 == thirdEpoch)

                // (c) Every partition online, led from its ISR; every acknowledged record readable.
                await producer.kill9()
                let acknowledged = Replication.acknowledged(acked)
                #expect(acknowledged.count >= 1200)
                for tp in Self.topicPartitions {
                    let state = try #require(try await Replication.state(zk, tp))
                    #expect(state.leader != LeaderAndIsr.noLeader && state.isr.contains(state.leader), "\(tp): \(state)")
                }
                var stored: [TopicPartitionOffset: String] = [:]
                try await waitUntil("every acknowledged record to be readable", timeout: .seconds(60)) {
                    stored = try Replication.consumeAll(cluster.broker(Int(third.rawValue)), topic: Self.topic)
                    return acknowledged.keys.allSatisfy { stored[$0] != nil }
                }
                let wrong = acknowledged.filter { stored[$0.key] != $0.value }
                #expect(wrong.isEmpty, "\(wrong.count) of \(acknowledged.count) acknowledged records lost or moved, e.g. \(wrong.keys.sorted().prefix(5))")
            }
        }
    }
}
