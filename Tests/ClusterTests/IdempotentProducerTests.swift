import Foundation
import Glibc
import KafkaCommon
import KafkaTestKit
import KafkaZk
import Testing

/// The idempotent producer end to end: confluent-kafka with `enable.idempotence=true` writes
/// numbered records to a partition replicated three times (acks=all) while a follower is stopped
/// long enough for produce requests to time out (so the producer resends batches the leader has),
/// and then the leader is killed with kill -9 and restarted. Retries of batches the dead leader had already replicated reach
/// the new leader, whose producer state (built by replication) answers them with their first
/// offsets instead of writing them again: every record is in the log exactly once, in send order.
extension RealClusterTests {
    @Suite("Idempotent producer across a leader's kill -9")
    struct IdempotentProducerTests {
        /// How many records a progress file says were acknowledged.
        static func acknowledged(_ file: URL) -> Int {
            Int(((try? String(contentsOf: file, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        }

        @Test func everyRecordOnceAndInOrderWhenTheLeaderIsKilled() async throws {
            try await withKafkaCluster(sessionTimeoutMs: 3000, overrides: ["replica.lag.time.max.ms": "4000"]) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let (controller, others) = try await RealClusterTests.BrokerFailureTests.roles(zk)
                // The leader is not the controller, so its death is a leader failover only.
                let (leaderId, followerId) = (others[0], others[1])
                let tp = TopicPartition("idem", 0)
                try await zk.createTopic("idem", assignment: [0: [leaderId, followerId, controller]], config: ["min.insync.replicas": "2"])
                try await waitUntil("idem-0 to have its three replicas in sync") {
                    try await Replication.state(zk, tp).map { $0.leader == leaderId && $0.isr.count == 3 } ?? false
                }
                let bootstrap = [controller, followerId, leaderId].map { "127.0.0.1:\(cluster.broker(Int($0.rawValue)).port)" }
                    .joined(separator: ",")
                let progress = FileManager.default.temporaryDirectory.appendingPathComponent("idem-progress-\(UUID().uuidString)")
                defer { try? FileManager.default.removeItem(at: progress) }
                let count = 8_000
                let producer = Task.detached {
                    try PythonClient.run("idempotent_producer.py", [bootstrap, "idem", "\(count)", "400", progress.path])
                }

                try await waitUntil("the producer to get 1,000 records acknowledged", timeout: .seconds(60)) {
                    Self.acknowledged(progress) >= 1_000
                }
                // A stopped follower holds back every acks=all answer until the leader drops it from
                // the ISR: the produce requests meanwhile time out (REQUEST_TIMED_OUT after the
                // producer's request.timeout.ms) although the leader wrote their batches, so the
                // producer sends them again, and the leader must answer those retries as duplicates.
                let stalled = cluster.broker(Int(followerId.rawValue))
                stalled.send(SIGSTOP)
                try await waitUntil("the leader to drop the stopped follower from the ISR", timeout: .seconds(30)) {
                    try await Replication.state(zk, tp).map { !$0.isr.contains(followerId) } ?? false
                }
                stalled.send(SIGCONT)
                let ackedBeforeFailover = Self.acknowledged(progress)
                try await waitUntil("the producer to go on after the ISR shrank", timeout: .seconds(60)) {
                    Self.acknowledged(progress) >= ackedBeforeFailover + 500
                }
                let leader = cluster.broker(Int(leaderId.rawValue))
                await leader.kill9()
                try await waitUntil("another leader for idem-0", timeout: .seconds(30)) {
                    try await Replication.state(zk, tp).map { $0.leader != leaderId && $0.leader.rawValue >= 0 } ?? false
                }
                let ackedAtFailover = Self.acknowledged(progress)
                let starts = leader.startedCount
                try leader.start()
                try await cluster.waitUntilStarted(leader, previousStarts: starts)
                try await waitUntil("the restarted broker back in the ISR", timeout: .seconds(60)) {
                    try await Replication.state(zk, tp)?.isr.contains(leaderId) ?? false
                }

                let outcome = try await producer.value
                #expect(outcome.status == 0, "the producer had every record acknowledged: \(outcome.errorTail)")
                #expect(Self.acknowledged(progress) == count)
                #expect(ackedAtFailover < count, "the leader died while the producer was still sending")

                let reader = cluster.broker(Int(controller.rawValue))
                let stored = try Replication.consumeAll(reader, topic: "idem").sorted { $0.key < $1.key }.map(\.value)
                #expect(stored.count == count, "no record lost or written twice")
                #expect(stored == (0..<count).map { "n-\($0)" }, "every record once, in send order")
                // The new leader did answer retries as duplicates or the producer never retried;
                // either way the restarted broker agrees with the leader.
                try await waitUntil("the three replicas to hold the same log", timeout: .seconds(60)) {
                    let segments = [leaderId, followerId, controller].map { Replication.segments(cluster.broker(Int($0.rawValue)), tp) }
                    return segments[0] == segments[1] && segments[1] == segments[2]
                }
            }
        }
    }
}
