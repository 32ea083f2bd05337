import Foundation
import KafkaCommon
import KafkaTestKit
import KafkaZk
import Testing

/// Compaction of a transactional topic on a real broker (issue 13, part 6): a confluent-kafka
/// transactional producer writes keyed records to a compacted topic with small segments (one
/// transaction aborted, the later ones committed); the broker's cleaner removes the aborted
/// records, so a read_uncommitted consumer reading from the beginning no longer sees them and
/// gets what read_committed gets. The aborted values' keys keep their older committed values:
/// an aborted record supersedes nothing.
extension RealClusterTests {
    @Suite("The cleaner removes aborted transactions from a compacted topic")
    struct TransactionalCompactionTests {
        @Test func readUncommittedNoLongerSeesAbortedRecordsAfterCleaning() async throws {
            let overrides = [
                "log.cleaner.backoff.ms": "200", "log.cleaner.dedupe.buffer.size": "4194304",
                "transaction.state.log.num.partitions": "1", "transaction.state.log.replication.factor": "1",
                "transaction.state.log.min.isr": "1", "offsets.topic.replication.factor": "1", "offsets.topic.num.partitions": "1",
            ]
            try await withKafkaCluster(zooKeepers: 1, ids: [1], overrides: overrides) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let topic = "txn-compacted"
                let tp = TopicPartition(topic, 0)
                try await Replication.createTopic(
                    zk, topic, partitions: 1, replicas: [1],
                    config: ["cleanup.policy": "compact", "segment.bytes": "1024", "min.cleanable.dirty.ratio": "0.01"])
                let bootstrap = "127.0.0.1:\(cluster.broker(1).port)"
                let fillers = 30
                let produced = try PythonClient.run("transactional_keyed_producer.py", [bootstrap, topic, "txn-compaction", "\(fillers)"])
                #expect(produced.status == 0 && produced.outputText == "done\n", "\(produced.errorTail)")

                let committed = (0..<7).map { "committed-\($0)" } + (0..<fillers).map { String(format: "filler-%02d-", $0) + String(repeating: ".", count: 60) }
                let readCommitted = try PythonClient.run("isolation_consumer.py", [bootstrap, topic, "read_committed", "\(committed.count)"])
                #expect(readCommitted.status == 0, "\(readCommitted.errorTail)")
                #expect(readCommitted.outputText.split(separator: "\n").map(String.init) == committed)

                // The aborted records stay readable uncommitted until the cleaner has been past them.
                var readUncommitted: [String] = []
                try await waitUntil("the cleaner to remove the aborted records of \(tp)", timeout: .seconds(120), every: .seconds(1)) {
                    let read = try PythonClient.run("isolation_consumer.py", [bootstrap, topic, "read_uncommitted", "\(committed.count)"])
                    readUncommitted = read.outputText.split(separator: "\n").map(String.init)
                    return read.status == 0 && !readUncommitted.contains { $0.hasPrefix("aborted-") }
                }
                #expect(readUncommitted == committed)
                let log = try String(contentsOf: cluster.broker(1).logFile, encoding: .utf8)
                #expect(log.contains("Log cleaner thread 0 cleaned log \(tp)"), "the broker logged Kafka's summary")
            }
        }
    }
}
