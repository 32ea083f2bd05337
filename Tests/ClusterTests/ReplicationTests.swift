import Foundation
import Glibc
import KafkaCommon
import KafkaTestKit
import KafkaZk
import Testing

/// Replication on three real brokers: followers fetching, the ISR and the high watermark,
/// acks=all with `min.insync.replicas`, and no acknowledged record lost when brokers die.
extension RealClusterTests {
    @Suite("Replication across three brokers")
    struct ReplicationTests {
        /// Runs the acks=all producer for `seconds` and returns the file it writes.
        static func startProducer(_ cluster: KafkaCluster, topic: String, partitions: Int, seconds: Int, rate: Int = 2000,
                                  acks: String = "all") throws -> (ChildProcess, URL)
        {
            let acked = cluster.directory.appendingPathComponent("acked-\(topic).txt")
            _ = FileManager.default.createFile(atPath: acked.path, contents: nil)
            let bootstrap = cluster.brokers.map { "127.0.0.1:\($0.port)" }.joined(separator: ",")
            let producer = try ChildProcess(
                name: "fault-producer", executable: "/usr/bin/env",
                arguments: ["python3", Replication.script("fault_producer.py"), bootstrap, topic, acked.path,
                            "\(partitions)", "\(seconds)", "\(rate)", acks],
                logFile: cluster.directory.appendingPathComponent("producer-\(topic).log"))
            return (producer, acked)
        }

        /// Waits until every replica of each partition holds the same segment files, byte for byte.
        static func waitForIdenticalReplicas(_ cluster: KafkaCluster, topic: String, partitions: Int32,
                                             timeout: Duration = .seconds(60)) async throws {
            for partition in 0..<partitions {
                let tp = TopicPartition(topic, partition)
                try await waitUntil("the replicas of \(tp) to be byte-identical", timeout: timeout, every: .milliseconds(200)) {
                    let copies = cluster.brokers.map { Replication.segments($0, tp) }
                    return !copies[0].isEmpty && copies.allSatisfy { $0 == copies[0] }
                }
            }
        }

        @Test func followersCopyTheLeaderByteForByteAndAcksAllWaitsForThem() async throws {
            try await withKafkaCluster(zooKeepers: 1) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                try await Replication.createTopic(zk, "replicated", partitions: 2, replicas: [1, 2, 3],
                                                  config: ["min.insync.replicas": "2"])
                let (producer, acked) = try Self.startProducer(cluster, topic: "replicated", partitions: 2, seconds: 3)
                #expect(await producer.waitForExit(timeout: .seconds(60)) == 0, "the producer finished: \(producer.log.suffix(1000))")
                let acknowledged = Replication.acknowledged(acked)
                let failures = (try? String(contentsOf: acked.appendingPathExtension("errors"), encoding: .utf8)) ?? ""
                try #require(acknowledged.count >= 5000, "acks=all records acknowledged")
                #expect(failures.isEmpty, "no delivery failed: \(failures.prefix(500))")

                try await Self.waitForIdenticalReplicas(cluster, topic: "replicated", partitions: 2)
                // Consumers read up to the high watermark: everything acknowledged, where it was.
                var stored: [TopicPartitionOffset: String] = [:]
                try await waitUntil("every acknowledged record to be readable") {
                    stored = try Replication.consumeAll(cluster.broker(2), topic: "replicated")
                    return stored.count >= acknowledged.count
                }
                let wrong = acknowledged.filter { stored[$0.key] != $0.value }
                #expect(wrong.isEmpty, "\(wrong.count) acknowledged records missing or different, e.g. \(wrong.keys.sorted().prefix(5))")
                for partition: Int32 in 0..<2 {
                    let state = try #require(try await Replication.state(zk, TopicPartition("replicated", partition)))
                    #expect(Set(state.isr) == [1, 2, 3], "the ISR stayed whole")
                }
                // A clean shutdown leaves every partition's high watermark in replication-offset-checkpoint.
                let stopped = cluster.broker(3)
                #expect(await stopped.terminate() == 0)
                let checkpoint = try String(contentsOf: stopped.logDirectory.appendingPathComponent("replication-offset-checkpoint"),
                                            encoding: .utf8)
                for partition: Int32 in 0..<2 {
                    let end = (stored.keys.filter { $0.partition == partition }.map(\.offset).max() ?? -1) + 1
                    #expect(checkpoint.split(separator: "\n").contains("replicated \(partition) \(end)"), "\(checkpoint)")
                }
            }
        }

        @Test func isrShrinksWhenAFollowerStallsAndExpandsWhenItCatchesUp() async throws {
            try await withKafkaCluster(zooKeepers: 1, sessionTimeoutMs: 10_000,
                                       overrides: ["replica.lag.time.max.ms": "1500"]) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let tp = TopicPartition("stalls", 0)
                try await Replication.createTopic(zk, "stalls", partitions: 1, replicas: [1, 2, 3])
                let follower = cluster.broker(3)
                follower.send(SIGSTOP)
                try await waitUntil("the stalled follower to leave the ISR", timeout: .seconds(8), every: .milliseconds(100)) {
                    try await Replication.state(zk, tp)?.isr == [1, 2]
                }
                // Records it misses while stalled.
                let produced = try RealClusterTests.ProduceConsumeTests.kcat(
                    ["-b", "127.0.0.1:\(cluster.broker(1).port)", "-P", "-t", "stalls", "-p", "0", "-X", "acks=all"],
                    input: (1...50).map { "while-stalled-\($0)" }.joined(separator: "\n") + "\n")
                #expect(produced.status == 0)
                // The controller announces the change (ISR change notification → UpdateMetadata).
                for id in [1, 2] {
                    try await waitUntil("broker \(id)'s metadata to show the smaller ISR", timeout: .seconds(20)) {
                        try Replication.metadata(cluster.broker(id), topic: "stalls")?.partitions.first.map { Set($0.isrNodes) } == [1, 2]
                    }
                }
                follower.send(SIGCONT)
                try await waitUntil("the follower to catch up and rejoin the ISR", timeout: .seconds(20), every: .milliseconds(100)) {
                    try await Set(Replication.state(zk, tp)?.isr ?? []) == [1, 2, 3]
                }
                for broker in cluster.brokers {
                    try await waitUntil("broker \(broker.id)'s metadata to show the whole ISR", timeout: .seconds(20)) {
                        try Replication.metadata(broker, topic: "stalls")?.partitions.first.map { Set($0.isrNodes) } == [1, 2, 3]
                    }
                }
                try await Self.waitForIdenticalReplicas(cluster, topic: "stalls", partitions: 1)
            }
        }

        /// The fault test: acks=all load on RF 3 / `min.insync.replicas=2` while, ten times over, a
        /// leader or a follower is killed with SIGKILL and restarted. Every acknowledged record is
        /// then readable exactly where it was acknowledged, and the replicas are byte-identical.
        @Test func killingLeadersAndFollowersLosesNoAcknowledgedRecord() async throws {
            try await withKafkaCluster(zooKeepers: 1, sessionTimeoutMs: 3000,
                                       overrides: ["replica.lag.time.max.ms": "3000"]) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let topic = "faults"
                let partitions: Int32 = 3
                try await Replication.createTopic(zk, topic, partitions: partitions, replicas: [1, 2, 3],
                                                  config: ["min.insync.replicas": "2"])
                let (producer, acked) = try Self.startProducer(cluster, topic: topic, partitions: Int(partitions), seconds: 600,
                                                               rate: 500)
                for round in 0..<10 {
                    let before = Replication.acknowledged(acked).count
                    try await waitUntil("records acknowledged before round \(round)", timeout: .seconds(60)) {
                        Replication.acknowledged(acked).count >= before + 300
                    }
                    // Even rounds kill partition 0's leader, odd rounds one of its followers.
                    let state = try #require(try await Replication.state(zk, TopicPartition(topic, 0)))
                    let victimId = round % 2 == 0 ? state.leader : state.isr.first { $0 != state.leader } ?? state.leader
                    let victim = cluster.broker(Int(victimId.rawValue))
                    let starts = victim.startedCount
                    await victim.kill9()
                    try await waitUntil("the controller to notice broker \(victimId) is gone", timeout: .seconds(30)) {
                        try await zk.registrationOwner(victim.id) == nil
                    }
                    try victim.start()
                    try await cluster.waitUntilStarted(victim, previousStarts: starts, timeout: .seconds(60))
                    for partition in 0..<partitions {
                        try await waitUntil("broker \(victimId) to rejoin the ISR of \(topic)-\(partition)", timeout: .seconds(60)) {
                            try await Replication.state(zk, TopicPartition(topic, partition))?.isr.contains(victimId) == true
                        }
                    }
                }
                producer.send(SIGINT)
                await producer.kill9()
                let acknowledged = Replication.acknowledged(acked)
                #expect(acknowledged.count >= 3000)
                try await Self.waitForIdenticalReplicas(cluster, topic: topic, partitions: partitions)
                var stored: [TopicPartitionOffset: String] = [:]
                try await waitUntil("every acknowledged record to be readable") {
                    stored = try Replication.consumeAll(cluster.broker(1), topic: topic)
                    return acknowledged.keys.allSatisfy { stored[$0] != nil }
                }
                let wrong = acknowledged.filter { stored[$0.key] != $0.value }
                #expect(wrong.isEmpty, "\(wrong.count) of \(acknowledged.count) acknowledged records lost or moved, e.g. \(wrong.keys.sorted().prefix(5))")
            }
        }
    }
}
