import Foundation
import KafkaCommon
import KafkaTestKit
import Testing

@testable import kafka

/// A confluent-kafka transactional producer against three real brokers (RF 3): it finds its
/// transaction coordinator (FindCoordinator key type 1, `__transaction_state` created on first
/// use), gets its producer id, and runs a committed, an aborted and a committed transaction. The
/// coordinator writes the markers through WriteTxnMarkers to the partition's leader. A
/// read_committed consumer sees exactly the committed records, in order; read_uncommitted sees the
/// aborted ones too. Neither sees a control record.
///
/// Needs InitProducerId for transactional ids and the transaction APIs served; until the broker
/// advertises InitProducerId, AddPartitionsToTxn and EndTxn the test says so and checks nothing.
extension RealClusterTests {
    @Suite("A transactional producer commits and aborts on three brokers")
    struct TransactionalProducerTests {
        static let topic = "txn-orders"

        @Test func readCommittedSeesExactlyTheCommittedRecords() async throws {
            let overrides = [
                "transaction.state.log.num.partitions": "3", "transaction.state.log.replication.factor": "3",
                "transaction.state.log.min.isr": "2", "offsets.topic.replication.factor": "3", "offsets.topic.num.partitions": "3",
            ]
            try await withKafkaCluster(zooKeepers: 1, ids: [1, 2, 3], overrides: overrides) { cluster in
                let bootstrap = (1...3).map { "127.0.0.1:\(cluster.broker($0).port)" }.joined(separator: ",")
                let servers = try #require(BootstrapServers(argument: bootstrap))
                let advertised = try await withClusterClient(servers, clientId: "txn-e2e") { client in
                    let versions = await client.apiVersions
                    return versions[.initProducerId] != nil && versions[.addPartitionsToTxn] != nil && versions[.endTxn] != nil
                }
                guard advertised else {
                    print("TransactionalProducerTests skipped: the broker does not advertise InitProducerId, AddPartitionsToTxn and EndTxn yet.")
                    return
                }
                let created = try await CLIProcess.run(["topics", "--bootstrap-server", bootstrap, "--create", "--topic", Self.topic,
                                                        "--partitions", "1", "--replication-factor", "3"])
                #expect(created.status == 0, "\(created.error)")
                try await waitUntil("a leader for \(Self.topic)-0", timeout: .seconds(60)) {
                    let described = try await CLIProcess.run(["topics", "--bootstrap-server", bootstrap, "--describe", "--topic", Self.topic])
                    return described.status == 0 && described.lines.count == 2 && !described.output.contains("Leader: none")
                }

                let produced = try PythonClient.run("transactional_producer.py", [bootstrap, Self.topic, "txn-e2e-producer"])
                #expect(produced.status == 0 && produced.outputText == "done\n", "\(produced.errorTail)")

                let committed = (0..<7).map { "committed-\($0)" }
                let readCommitted = try PythonClient.run("isolation_consumer.py", [bootstrap, Self.topic, "read_committed", "7"])
                #expect(readCommitted.status == 0, "\(readCommitted.errorTail)")
                #expect(readCommitted.outputText.split(separator: "\n").map(String.init) == committed)

                let everything = (0..<5).map { "committed-\($0)" } + (0..<3).map { "aborted-\($0)" } + ["committed-5", "committed-6"]
                let readUncommitted = try PythonClient.run("isolation_consumer.py", [bootstrap, Self.topic, "read_uncommitted", "10"])
                #expect(readUncommitted.status == 0, "\(readUncommitted.errorTail)")
                #expect(readUncommitted.outputText.split(separator: "\n").map(String.init) == everything)
            }
        }
    }
}
