import Foundation
import Glibc
import KafkaCommon
import KafkaTestKit
import KafkaZk
import Testing

/// The two failures leader epochs exist for (KIP-101), reproduced on purpose. Before leader
/// epochs, a follower truncated its log to its high watermark whenever it became follower; both
/// scenarios below then lose or fork data. Here a follower asks its leader where its latest epoch
/// ends (OffsetForLeaderEpoch) and truncates there, so neither happens.
extension RealClusterTests {
    @Suite("Leader epochs: the two truncation scenarios")
    struct LeaderEpochTruncationTests {
        static func produce(_ broker: KafkaCluster.Broker, topic: String, values: [String], acks: String) throws {
            let produced = try RealClusterTests.ProduceConsumeTests.kcat(
                ["-b", "127.0.0.1:\(broker.port)", "-P", "-t", topic, "-p", "0", "-X", "acks=\(acks)",
                 "-X", "message.timeout.ms=20000"],
                input: values.joined(separator: "\n") + "\n")
            try #require(produced.status == 0, "kcat produced to \(topic) through broker \(broker.id)")
        }

        static func consume(_ broker: KafkaCluster.Broker, topic: String) throws -> [String] {
            try RealClusterTests.ProduceConsumeTests.consumeAll(port: broker.port, topic: topic)
                .map { $0.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false).map(String.init) }
                .map { "\($0[0]) \($0.count > 2 ? $0[2] : "")" }
        }

        /// Scenario 1, "restart truncation while the leader also fails": follower B has every
        /// acknowledged record but a stale high watermark (its checkpoint was never written) when
        /// it restarts and becomes follower; its leader A stops before B hears back from it and
        /// then dies, and B becomes leader. Truncating to the high watermark would have emptied
        /// B's log; truncation by epoch waits for A's answer, so every record survives.
        @Test func restartedFollowerKeepsWhatItHasWhenTheLeaderFails() async throws {
            try await withKafkaCluster(zooKeepers: 1, sessionTimeoutMs: 3000,
                                       overrides: ["replica.high.watermark.checkpoint.interval.ms": "3600000"]) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let (_, others) = try await RealClusterTests.BrokerFailureTests.roles(zk)
                let (aId, bId) = (others[0], others[1])
                let (a, b) = (cluster.broker(Int(aId.rawValue)), cluster.broker(Int(bId.rawValue)))
                let tp = TopicPartition("restart", 0)
                // Unclean election lets B lead after it left the ISR by dying; what it leads with
                // is what this test is about.
                try await zk.createTopic("restart", assignment: [0: [aId, bId]], config: ["unclean.leader.election.enable": "true"])
                try await waitUntil("restart-0 to start with both replicas in sync") {
                    try await Replication.state(zk, tp)?.isr.count == 2
                }
                let values = (0..<100).map { "acked-\($0)" }
                try Self.produce(a, topic: "restart", values: values, acks: "all")
                try await waitUntil("B to hold every record") { Replication.segments(b, tp) == Replication.segments(a, tp) }

                await b.kill9()
                try await waitUntil("the controller to take B out of the ISR", timeout: .seconds(20)) {
                    try await Replication.state(zk, tp)?.isr == [aId]
                }
                a.send(SIGSTOP)
                let starts = b.startedCount
                try b.start()
                try await cluster.waitUntilStarted(b, previousStarts: starts)
                try await waitUntil("B to become A's follower again", timeout: .seconds(20)) {
                    !lines(b.log, containing: "Became follower of broker \(aId) for restart-0").isEmpty
                }
                await a.kill9()
                try await waitUntil("B to lead restart-0", timeout: .seconds(30)) {
                    try await Replication.state(zk, tp)?.leader == bId
                }
                let stored = try Self.consume(b, topic: "restart")
                #expect(stored == values.enumerated().map { "\($0.offset) \($0.element)" }, "every acknowledged record, at its offset")
                #expect(lines(b.log, containing: "Truncated restart-0").isEmpty)
            }
        }

        /// Scenario 2, divergence: A (leader) has records B never fetched; both crash; B comes
        /// back first, leads a new epoch and takes new records at the same offsets; A returns as
        /// follower. Truncating to its high watermark A would keep its own records there, and the
        /// replicas would differ forever; asking B where A's epoch ends, A cuts its log at the
        /// fork and fetches B's records. The two logs end byte-identical.
        @Test func returningLeaderCutsItsLogWhereTheNewEpochForked() async throws {
            try await withKafkaCluster(zooKeepers: 1, sessionTimeoutMs: 3000) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let (_, others) = try await RealClusterTests.BrokerFailureTests.roles(zk)
                let (aId, bId) = (others[0], others[1])
                let (a, b) = (cluster.broker(Int(aId.rawValue)), cluster.broker(Int(bId.rawValue)))
                let tp = TopicPartition("fork", 0)
                try await zk.createTopic("fork", assignment: [0: [aId, bId]], config: ["unclean.leader.election.enable": "true"])
                try await waitUntil("fork-0 to start with both replicas in sync") {
                    try await Replication.state(zk, tp)?.isr.count == 2
                }
                try Self.produce(a, topic: "fork", values: ["common-0", "common-1"], acks: "all")
                try await waitUntil("B to hold the common records") { Replication.segments(b, tp) == Replication.segments(a, tp) }

                // B stalls; A alone takes records B never sees (acks=1).
                b.send(SIGSTOP)
                try Self.produce(a, topic: "fork", values: (0..<5).map { "only-on-a-\($0)" }, acks: "1")
                await a.kill9()
                await b.kill9()
                try await waitUntil("the controller to see both gone", timeout: .seconds(20)) {
                    Set(try await zk.liveBrokerIds()).isDisjoint(with: [aId, bId])
                }

                // B returns first and leads a new epoch; its records take the offsets A used.
                var starts = b.startedCount
                try b.start()
                try await cluster.waitUntilStarted(b, previousStarts: starts)
                try await waitUntil("B to lead fork-0", timeout: .seconds(30)) {
                    try await Replication.state(zk, tp)?.leader == bId
                }
                try Self.produce(b, topic: "fork", values: (0..<3).map { "new-on-b-\($0)" }, acks: "1")

                starts = a.startedCount
                try a.start()
                try await cluster.waitUntilStarted(a, previousStarts: starts)
                try await waitUntil("A to truncate at the fork and copy B", timeout: .seconds(30)) {
                    let onA = Replication.segments(a, tp)
                    return !onA.isEmpty && onA == Replication.segments(b, tp)
                }
                #expect(!lines(a.log, containing: "Truncated fork-0 from log end offset 7 to 2").isEmpty, "A cut its own records at the fork")
                let stored = try Self.consume(b, topic: "fork")
                try #require(stored == ["0 common-0", "1 common-1", "2 new-on-b-0", "3 new-on-b-1", "4 new-on-b-2"])
            }
        }
    }
}
