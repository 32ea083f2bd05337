import Foundation
import KafkaTestKit
import Testing

@testable import kafka

/// The `kafka` tools against one real broker (and a real ZooKeeper): create and describe a topic,
/// produce keyed lines with gzip, consume them back, dump the segment file. The tools run as
/// child processes (`CLIProcess`); the suite is nested in `RealClusterTests`, so that its
/// cluster never runs beside another suite's.
extension RealClusterTests {
    @Suite("kafka CLI against a real broker", .serialized)
    struct CLIEndToEndTests {
        @Test func createDescribeProduceConsumeAndDumpLog() async throws {
            try await withKafkaCluster(zooKeepers: 1, ids: [1]) { cluster in
                let broker = cluster.broker(1)
                let bootstrap = ["--bootstrap-server", "127.0.0.1:\(broker.port)"]

                let created = try await CLIProcess.run(["topics"] + bootstrap + [
                    "--create", "--topic", "cli-orders", "--partitions", "2", "--replication-factor", "1",
                    "--config", "compression.type=producer",
                ])
                #expect(created.status == 0, "stderr: \(created.error) stdout: \(created.output)")
                #expect(created.output == "Created topic cli-orders.\n")

                let again = try await CLIProcess.run(["topics"] + bootstrap + [
                    "--create", "--topic", "cli-orders", "--partitions", "2", "--replication-factor", "1",
                ])
                #expect(again.status == 1)
                #expect(again.error.contains("Error while executing topic command : Topic 'cli-orders' already exists."))

                // Leaders are elected by the controller shortly after creation.
                var described = try await CLIProcess.run(["topics"] + bootstrap + ["--describe", "--topic", "cli-orders"])
                try await waitUntil("leaders for cli-orders", timeout: .seconds(30)) {
                    described = try await CLIProcess.run(["topics"] + bootstrap + ["--describe", "--topic", "cli-orders"])
                    return described.status == 0 && described.lines.count == 3 && !described.output.contains("Leader: none")
                }
                #expect(described.lines == [
                    "Topic: cli-orders\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: compression.type=producer",
                    "\tTopic: cli-orders\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1",
                    "\tTopic: cli-orders\tPartition: 1\tLeader: 1\tReplicas: 1\tIsr: 1",
                ])

                let listed = try await CLIProcess.run(["topics"] + bootstrap + ["--list"])
                #expect(listed.lines.contains("cli-orders"))

                // kafka configs: describe the override, change it, add one, remove one.
                let configsOf: [String] = ["configs"] + bootstrap + ["--entity-type", "topics", "--entity-name", "cli-orders"]
                let before = try await CLIProcess.run(configsOf + ["--describe"])
                #expect(before.status == 0, "\(before.error)")
                #expect(before.lines == ["Configs for topic 'cli-orders' are compression.type=producer"])
                let alteredConfig = try await CLIProcess.run(configsOf + ["--alter", "--add-config", "retention.ms=86400000"])
                #expect(alteredConfig.status == 0, "\(alteredConfig.error)")
                #expect(alteredConfig.lines == ["Completed updating config for topic cli-orders."])
                _ = try await CLIProcess.run(configsOf + ["--alter", "--delete-config", "compression.type"])
                let after = try await CLIProcess.run(configsOf + ["--describe"])
                #expect(after.lines == ["Configs for topic 'cli-orders' are retention.ms=86400000"])
                let redescribed = try await CLIProcess.run(["topics"] + bootstrap + ["--describe", "--topic", "cli-orders"])
                #expect(redescribed.lines.first == "Topic: cli-orders\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: retention.ms=86400000")
                let badConfig = try await CLIProcess.run(configsOf + ["--alter", "--add-config", "retention.ms=soon"])
                #expect(badConfig.status == 1)
                let brokerConfigs = try await CLIProcess.run(["configs"] + bootstrap + ["--entity-type", "brokers", "--entity-name", "1", "--describe"])
                // As Kafka's tool: a broker's dynamic configs only (none are set here).
                #expect(brokerConfigs.status == 0 && brokerConfigs.lines == ["Dynamic configs for broker 1 are:"], "\(brokerConfigs.error)")

                let doomed = try await CLIProcess.run(["topics"] + bootstrap + [
                    "--create", "--topic", "cli-doomed", "--partitions", "1", "--replication-factor", "1"])
                #expect(doomed.status == 0, "\(doomed.error)")
                let deleted = try await CLIProcess.run(["topics"] + bootstrap + ["--delete", "--topic", "cli-doomed"])
                #expect(deleted.status == 0, "\(deleted.error)")
                #expect(deleted.output.contains("Topic cli-doomed is marked for deletion."))
                #expect(!(try await CLIProcess.run(["topics"] + bootstrap + ["--list"])).lines.contains("cli-doomed"))

                // --alter --partitions: CreatePartitions to the controller, answered once the new
                // partitions have leaders.
                let grown = try await CLIProcess.run(["topics"] + bootstrap + [
                    "--create", "--topic", "cli-grown", "--partitions", "1", "--replication-factor", "1"])
                #expect(grown.status == 0, "\(grown.error)")
                let altered = try await CLIProcess.run(["topics"] + bootstrap + ["--alter", "--topic", "cli-grown", "--partitions", "3"])
                #expect(altered.status == 0, "\(altered.error)")
                #expect(altered.output == "Adding partitions succeeded!\n")
                let grownDescribed = try await CLIProcess.run(["topics"] + bootstrap + ["--describe", "--topic", "cli-grown"])
                #expect(grownDescribed.lines.first == "Topic: cli-grown\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: ")
                #expect(grownDescribed.lines.dropFirst().allSatisfy { $0.contains("Leader: 1\t") })
                let shrunk = try await CLIProcess.run(["topics"] + bootstrap + ["--alter", "--topic", "cli-grown", "--partitions", "2"])
                #expect(shrunk.status == 1)
                #expect(shrunk.error.contains("Topic currently has 3 partitions, which is higher than the requested 2."))
                let missing = try await CLIProcess.run(["topics"] + bootstrap + ["--alter", "--topic", "cli-missing", "--partitions", "2"])
                #expect(missing.status == 1)
                #expect(missing.error.contains("Topic 'cli-missing' does not exist as expected"))

                // Six keyed lines, gzip: each key goes to positive(murmur2(key)) % 2.
                let keys = ["21", "foobar", "abc", "k4", "k5", "k6"]
                let input = keys.enumerated().map { "\($1):value-\($0)" }.joined(separator: "\n") + "\n"
                let produced = try await CLIProcess.run(["console-producer"] + bootstrap + [
                    "--topic", "cli-orders", "--property", "parse.key=true", "--property", "key.separator=:",
                    "--compression-codec", "gzip", "--request-required-acks", "1",
                ], input: input)
                #expect(produced.status == 0, "\(produced.error)")

                let consumed = try await CLIProcess.run(["console-consumer"] + bootstrap + [
                    "--topic", "cli-orders", "--from-beginning", "--max-messages", "6", "--timeout-ms", "10000",
                    "--property", "print.key=true",
                ])
                #expect(consumed.status == 0, "\(consumed.error)")
                #expect(Set(consumed.lines) == Set(keys.enumerated().map { "\($1)\tvalue-\($0)" }))
                #expect(consumed.error.contains("Processed a total of 6 messages"))

                // Partition 0 only, with offsets; stops on the timeout once it has read everything.
                let expectedInZero = keys.enumerated().filter { Murmur2.positive(Murmur2.hash(Array($0.element.utf8))) % 2 == 0 }
                let partitionZero = try await CLIProcess.run(["console-consumer"] + bootstrap + [
                    "--topic", "cli-orders", "--partition", "0", "--from-beginning", "--timeout-ms", "1500",
                    "--property", "print.offset=true",
                ])
                #expect(partitionZero.status == 0, "\(partitionZero.error)")
                #expect(partitionZero.lines == expectedInZero.enumerated().map { "Offset:\($0.offset)\tvalue-\($0.element.offset)" })

                let segments = (0..<2).map { partition in
                    broker.logDirectory.appendingPathComponent("cli-orders-\(partition)/00000000000000000000.log").path
                }
                let dumped = try await CLIProcess.run(["dump-log", "--files", segments.joined(separator: ","), "--print-data-log"])
                #expect(dumped.status == 0, "\(dumped.error)")
                let batches = dumped.lines.filter { $0.hasPrefix("baseOffset:") }
                #expect(batches.count == 6, "one batch per line")
                #expect(batches.allSatisfy { $0.contains("compresscodec: GZIP") && $0.hasSuffix("isvalid: true") && $0.contains("magic: 2") })
                let records = dumped.lines.filter { $0.hasPrefix("| offset:") }
                #expect(records.count == 6)
                #expect(records.contains { $0.contains("keysize: 2 valuesize: 7") && $0.hasSuffix("key: 21 payload: value-0") })

                let index = broker.logDirectory.appendingPathComponent("cli-orders-0/00000000000000000000.index").path
                let dumpedIndex = try await CLIProcess.run(["dump-log", "--files", index])
                #expect(dumpedIndex.status == 0, "\(dumpedIndex.error)")
                #expect(dumpedIndex.lines.first == "Dumping \(index)")
            }
        }
    }
}
