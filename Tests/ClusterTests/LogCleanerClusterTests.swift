import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaRecords
import KafkaTestKit
import KafkaZk
import NIOCore
import Testing

/// The log cleaner running in real brokers: a compacted topic with a follower, both replicas
/// compacting their own copies.
extension RealClusterTests {
    @Suite("Log cleaner on a replicated compacted topic")
    struct LogCleanerClusterTests {
        /// `offset key value` lines the producer wrote for its acknowledged records.
        static func acknowledged(_ file: URL) -> [Int64: (key: String, value: String)] {
            var result: [Int64: (key: String, value: String)] = [:]
            for line in ((try? String(contentsOf: file, encoding: .utf8)) ?? "").split(separator: "\n") {
                let parts = line.split(separator: " ")
                guard parts.count == 3, let offset = Int64(parts[0]) else { continue }
                result[offset] = (String(parts[1]), String(parts[2]))
            }
            return result
        }

        /// The latest record of each key: offset → "key value".
        static func latestPerKey(_ records: [Int64: (key: String, value: String)]) -> [Int64: String] {
            var latest: [String: Int64] = [:]
            for (offset, record) in records where offset > latest[record.key, default: -1] { latest[record.key] = offset }
            return Dictionary(uniqueKeysWithValues: latest.values.map { ($0, "\(records[$0]!.key) \(records[$0]!.value)") })
        }

        /// The entry of `tp` in the broker's `cleaner-offset-checkpoint`, if any.
        static func cleanerCheckpoint(_ broker: KafkaCluster.Broker, _ tp: TopicPartition) -> Int64? {
            let text = (try? String(contentsOf: broker.logDirectory.appendingPathComponent("cleaner-offset-checkpoint"), encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n").dropFirst(2) {
                let parts = line.split(separator: " ")
                if parts.count == 3, parts[0] == tp.topic, Int32(parts[1]) == tp.partition { return Int64(parts[2]) }
            }
            return nil
        }

        /// Every record in the replica's segment files (offline, with the project's record
        /// reading): offset → "key value".
        static func storedRecords(_ broker: KafkaCluster.Broker, _ tp: TopicPartition) throws -> [Int64: String] {
            var result: [Int64: String] = [:]
            for (_, data) in Replication.segments(broker, tp) {
                for batch in MemoryRecords(ByteBuffer(bytes: data)).batches {
                    for record in try batch.decodeRecords() {
                        result[record.offset] = "\(record.key.map { String(buffer: $0) } ?? "-") \(record.value.map { String(buffer: $0) } ?? "-")"
                    }
                }
            }
            return result
        }

        @Test func leaderAndFollowerCompactToTheLatestValuePerKey() async throws {
            try await withKafkaCluster(
                zooKeepers: 1, ids: [1, 2],
                overrides: ["log.cleaner.backoff.ms": "200", "log.cleaner.dedupe.buffer.size": "4194304"]
            ) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let topic = "compacted"
                let tp = TopicPartition(topic, 0)
                try await Replication.createTopic(
                    zk, topic, partitions: 1, replicas: [1, 2],
                    config: ["cleanup.policy": "compact", "segment.bytes": "16384", "segment.ms": "1000",
                             "min.cleanable.dirty.ratio": "0.01"])
                let acked = cluster.directory.appendingPathComponent("acked-\(topic).txt")
                let bootstrap = cluster.brokers.map { "127.0.0.1:\($0.port)" }.joined(separator: ",")
                let producer = try ChildProcess(
                    name: "keyed-producer", executable: "/usr/bin/env",
                    arguments: ["python3", Replication.script("keyed_producer.py"), bootstrap, topic, acked.path, "4000", "100", "2.5"],
                    logFile: cluster.directory.appendingPathComponent("producer-\(topic).log"))
                #expect(await producer.waitForExit(timeout: .seconds(120)) == 0, "the producer finished: \(producer.log.suffix(1000))")
                let records = Self.acknowledged(acked)
                try #require(records.count == 4001, "every record acknowledged")
                let marker = try #require(records.first { $0.value.key == "end" }?.key)
                let expected = Self.latestPerKey(records)
                #expect(expected.count == 101)

                // Each replica cleans its own copy up to the active segment, which holds only the marker.
                for broker in cluster.brokers {
                    try await waitUntil("broker \(broker.id) to clean \(tp) up to \(marker)", timeout: .seconds(90), every: .milliseconds(200)) {
                        (Self.cleanerCheckpoint(broker, tp) ?? -1) >= marker
                    }
                }
                // A consumer reading from the beginning gets exactly the latest record of each key,
                // at the offset the producer was given.
                let output = try RealClusterTests.ProduceConsumeTests.kcat(
                    ["-b", "127.0.0.1:\(cluster.broker(1).port)", "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-q",
                     "-f", "%o %k %s\\n"]).output
                var consumed: [Int64: String] = [:]
                for line in output.split(separator: "\n") {
                    let parts = line.split(separator: " ", maxSplits: 1)
                    if parts.count == 2, let offset = Int64(parts[0]) { consumed[offset] = String(parts[1]) }
                }
                #expect(consumed == expected, "consumed \(consumed.count) records, expected \(expected.count)")
                let leaderLog = try String(contentsOf: cluster.broker(1).logFile, encoding: .utf8)
                #expect(leaderLog.contains("Log cleaner thread 0 cleaned log \(tp)"), "the leader logged Kafka's summary")

                // The follower's own copy, read offline after it stopped: the same records.
                let follower = cluster.broker(2)
                #expect(await follower.terminate() == 0)
                let stored = try Self.storedRecords(follower, tp)
                #expect(stored == expected, "the follower stores \(stored.count) records, expected \(expected.count)")
            }
        }

        @Test func logCleanerThreadsChangeAtRunTimeAndTheResizedCleanerCleans() async throws {
            try await withKafkaCluster(
                zooKeepers: 1, ids: [1],
                overrides: ["log.cleaner.backoff.ms": "200", "log.cleaner.dedupe.buffer.size": "4194304"]
            ) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let broker = cluster.broker(1)
                let client = try WireClient(port: broker.port, timeoutSeconds: 30)
                let altered = try TopicConfigTests.alter(client, type: DescribeConfigs.ResourceType.broker, "1", ["log.cleaner.threads": "2"])
                #expect(altered.errorCode == .none)
                try await waitUntil("the second cleaner thread to start", timeout: .seconds(60), every: .milliseconds(200)) {
                    !lines(broker.log, containing: "[kafka-log-cleaner-thread-1]: Starting").isEmpty
                }
                let tooMany = try TopicConfigTests.alter(client, type: DescribeConfigs.ResourceType.broker, "1", ["log.cleaner.threads": "5"])
                #expect(tooMany.errorCode == .invalidRequest)
                // The cleaner's other dynamic keys, with the CLI: the running cleaner is rebuilt with
                // the new I/O rate and keeps its 2 threads (--add-config keeps the broker's other
                // dynamic keys). 50 MB/s: the workload below still cleans quickly.
                let rate = try await CLIProcess.run(["configs", "--bootstrap-server", "127.0.0.1:\(broker.port)", "--entity-type", "brokers",
                                                     "--entity-name", "1", "--alter", "--add-config", "log.cleaner.io.max.bytes.per.second=52428800"])
                #expect(rate.status == 0, "\(rate.error)")
                try await waitUntil("the cleaner to be rebuilt with the new rate", timeout: .seconds(60), every: .milliseconds(200)) {
                    lines(broker.log, containing: "Reconfiguring the log cleaner: 2 cleaner threads, ")
                        .contains { $0.contains("log.cleaner.io.max.bytes.per.second=52428800.0") }
                }
                let described = try #require(TopicConfigTests.configs(
                    try TopicConfigTests.describe(client, DescribeConfigs.ResourceType.broker, "1"))["log.cleaner.io.max.bytes.per.second"])
                #expect(described.value == "52428800" && !described.readOnly)
                #expect(described.configSource == DescribeConfigs.ConfigSource.dynamicBrokerConfig)
                #expect(described.synonyms.map(\.source) == [DescribeConfigs.ConfigSource.dynamicBrokerConfig, DescribeConfigs.ConfigSource.defaultConfig])

                let topic = "resized"
                let tp = TopicPartition(topic, 0)
                try await Replication.createTopic(
                    zk, topic, partitions: 1, replicas: [1],
                    config: ["cleanup.policy": "compact", "segment.bytes": "16384", "segment.ms": "1000", "min.cleanable.dirty.ratio": "0.01"])
                let acked = cluster.directory.appendingPathComponent("acked-\(topic).txt")
                let producer = try ChildProcess(
                    name: "keyed-producer", executable: "/usr/bin/env",
                    arguments: ["python3", Replication.script("keyed_producer.py"), "127.0.0.1:\(broker.port)", topic, acked.path, "2000", "50", "2.5"],
                    logFile: cluster.directory.appendingPathComponent("producer-\(topic).log"))
                #expect(await producer.waitForExit(timeout: .seconds(120)) == 0, "the producer finished: \(producer.log.suffix(1000))")
                let records = Self.acknowledged(acked)
                let marker = try #require(records.first { $0.value.key == "end" }?.key)
                try await waitUntil("\(tp) to be cleaned up to \(marker)", timeout: .seconds(90), every: .milliseconds(200)) {
                    (Self.cleanerCheckpoint(broker, tp) ?? -1) >= marker
                }
                #expect(await broker.terminate() == 0)
                #expect(try Self.storedRecords(broker, tp) == Self.latestPerKey(records))
            }
        }
    }
}
