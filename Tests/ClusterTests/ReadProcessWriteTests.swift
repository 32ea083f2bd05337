import Foundation
import KafkaCommon
import KafkaTestKit
import Testing

@testable import kafka

/// Exactly-once stream processing against three real brokers (RF 3): a confluent-kafka
/// read-process-write loop consumes an input topic read_committed, writes its output in
/// transactions and commits its consumed offsets in the same transactions
/// (`send_offsets_to_transaction`: AddOffsetsToTxn, then TxnOffsetCommit to the group's
/// coordinator, completed by the markers WriteTxnMarkers writes to `__consumer_offsets`). One
/// transaction is aborted on purpose and its input processed again.
///
/// Checked: a read_committed reader of the output sees every committed record exactly once, in
/// order, and no aborted one; read_uncommitted sees the aborted ones too; the group's committed
/// offset (OffsetFetch, through a consumer's `committed()`) does not move while a transaction is
/// open, moves when it commits, and not when it aborts.
extension RealClusterTests {
    @Suite("A transactional read-process-write loop on three brokers")
    struct ReadProcessWriteTests {
        static let input = "rpw-in"
        static let output = "rpw-out"

        @Test func committedOffsetsMoveWithTheirTransactions() async throws {
            let overrides = [
                "transaction.state.log.num.partitions": "3", "transaction.state.log.replication.factor": "3",
                "transaction.state.log.min.isr": "2", "offsets.topic.replication.factor": "3", "offsets.topic.num.partitions": "3",
            ]
            try await withKafkaCluster(zooKeepers: 1, ids: [1, 2, 3], overrides: overrides) { cluster in
                let bootstrap = (1...3).map { "127.0.0.1:\(cluster.broker($0).port)" }.joined(separator: ",")
                for topic in [Self.input, Self.output] {
                    let created = try await CLIProcess.run(["topics", "--bootstrap-server", bootstrap, "--create", "--topic", topic,
                                                            "--partitions", "1", "--replication-factor", "3"])
                    #expect(created.status == 0, "\(created.error)")
                    try await waitUntil("a leader for \(topic)-0", timeout: .seconds(60)) {
                        let described = try await CLIProcess.run(["topics", "--bootstrap-server", bootstrap, "--describe", "--topic", topic])
                        return described.status == 0 && described.lines.count == 2 && !described.output.contains("Leader: none")
                    }
                }

                let loop = try PythonClient.run("read_process_write.py", [bootstrap, Self.input, Self.output, "rpw-group", "rpw-producer"])
                #expect(loop.status == 0, "\(loop.errorTail)")
                // -1001: no committed offset (librdkafka's OFFSET_INVALID).
                #expect(loop.outputText.split(separator: "\n").map(String.init) == [
                    "pending T1 -1001", "after T1 10",
                    "pending T2 10", "after T2 10",
                    "pending T3 10", "after T3 20",
                    "pending T4 20", "after T4 30",
                    "done",
                ], "\(loop.errorTail)")

                let committed = (0..<30).map { "out-in-\($0)" }
                let readCommitted = try PythonClient.run("isolation_consumer.py", [bootstrap, Self.output, "read_committed", "30"])
                #expect(readCommitted.status == 0, "\(readCommitted.errorTail)")
                #expect(readCommitted.outputText.split(separator: "\n").map(String.init) == committed)

                let everything = (0..<10).map { "out-in-\($0)" } + (10..<15).map { "aborted-in-\($0)" } + (10..<30).map { "out-in-\($0)" }
                let readUncommitted = try PythonClient.run("isolation_consumer.py", [bootstrap, Self.output, "read_uncommitted", "35"])
                #expect(readUncommitted.status == 0, "\(readUncommitted.errorTail)")
                #expect(readUncommitted.outputText.split(separator: "\n").map(String.init) == everything)
            }
        }
    }
}
