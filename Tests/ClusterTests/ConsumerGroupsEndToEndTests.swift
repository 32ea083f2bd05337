import Foundation
import KafkaCommon
import KafkaTestKit
import Testing

@testable import kafka

/// `kafka consumer-groups` against one real broker: offsets committed by the tool itself for a
/// group with no members (as Kafka's tool does for a reset), described with their lag, reset again
/// as a dry run and for real, the group's state, and its deletion.
///
/// Needs the broker's group coordinator (JoinGroup, OffsetCommit, OffsetFetch, DescribeGroups,
/// ListGroups, DeleteGroups served). Until the broker advertises JoinGroup in ApiVersions the test
/// prints why and returns without checking anything.
extension RealClusterTests {
    @Suite("kafka consumer-groups against a real broker", .serialized)
    struct ConsumerGroupsEndToEndTests {
        /// Java's `%-Ns`.
        static func pad(_ text: String, _ width: Int) -> String {
            text + String(repeating: " ", count: max(0, width - text.count))
        }

        /// An offsets-view row of a group with no members.
        static func unownedRow(_ group: String, _ topic: String, _ partition: Int, current: Int, end: Int) -> String {
            [pad(group, 15), pad(topic, 15), pad(String(partition), 10), pad(String(current), 15), pad(String(end), 15),
             pad(String(end - current), 15), pad("-", 15), pad("-", 15), "-"].joined(separator: " ")
        }

        @Test func resetDescribeStateAndDeleteAGroupWithoutMembers() async throws {
            let overrides = ["offsets.topic.replication.factor": "1", "offsets.topic.num.partitions": "3"]
            try await withKafkaCluster(zooKeepers: 1, ids: [1], overrides: overrides) { cluster in
                let broker = cluster.broker(1)
                let bootstrap = ["--bootstrap-server", "127.0.0.1:\(broker.port)"]
                let servers = try #require(BootstrapServers(argument: "127.0.0.1:\(broker.port)"))
                let advertised = try await withClusterClient(servers, clientId: "cg-e2e") { client in
                    await client.apiVersions[.joinGroup] != nil
                }
                guard advertised else {
                    // Meanwhile the tool reports the missing APIs as Kafka's tool reports failures.
                    for arguments in [["--list"], ["--describe", "--group", "cg-app"]] {
                        let result = try await CLIProcess.run(["consumer-groups"] + bootstrap + arguments)
                        #expect(result.status == 1, "\(arguments): \(result.output)")
                        #expect(result.output.hasPrefix("\nError: Executing consumer group command failed due to "), "\(result.output)")
                        print("consumer-groups \(arguments.joined(separator: " ")) without a group coordinator: \(result.output)")
                    }
                    print("ConsumerGroupsEndToEndTests skipped: the broker's ApiVersions does not advertise JoinGroup (key 11); "
                          + "the group coordinator is not wired into the broker yet.")
                    return
                }

                let created = try await CLIProcess.run(["topics"] + bootstrap + [
                    "--create", "--topic", "cg-orders", "--partitions", "2", "--replication-factor", "1"])
                #expect(created.status == 0, "\(created.error)")
                try await waitUntil("a leader for each partition of cg-orders", timeout: .seconds(30)) {
                    let described = try await CLIProcess.run(["topics"] + bootstrap + ["--describe", "--topic", "cg-orders"])
                    return described.status == 0 && described.lines.count == 3 && !described.output.contains("Leader: none")
                }
                let keys = ["21", "foobar", "abc", "k4", "k5", "k6", "k7"]
                let produced = try await CLIProcess.run(["console-producer"] + bootstrap + [
                    "--topic", "cg-orders", "--property", "parse.key=true", "--property", "key.separator=:",
                    "--request-required-acks", "1",
                ], input: keys.map { "\($0):v" }.joined(separator: "\n") + "\n")
                #expect(produced.status == 0, "\(produced.error)")
                let ends = (0..<2).map { partition in
                    keys.filter { Int(Murmur2.positive(Murmur2.hash(Array($0.utf8))) % 2) == partition }.count
                }

                let groups: [String] = ["consumer-groups"] + bootstrap
                // A group that does not exist yet may be reset: the tool commits as a non-member.
                let reset = try await CLIProcess.run(groups + [
                    "--reset-offsets", "--group", "cg-app", "--topic", "cg-orders", "--to-earliest", "--execute"])
                #expect(reset.status == 0, "stdout: \(reset.output) stderr: \(reset.error)")
                #expect(reset.lines == [
                    [Self.pad("GROUP", 30), Self.pad("TOPIC", 30), Self.pad("PARTITION", 10), Self.pad("NEW-OFFSET", 15)].joined(separator: " "),
                    [Self.pad("cg-app", 30), Self.pad("cg-orders", 30), Self.pad("0", 10), Self.pad("0", 15)].joined(separator: " "),
                    [Self.pad("cg-app", 30), Self.pad("cg-orders", 30), Self.pad("1", 10), Self.pad("0", 15)].joined(separator: " "),
                ])

                let listed = try await CLIProcess.run(groups + ["--list"])
                #expect(listed.status == 0, "\(listed.error)")
                #expect(listed.lines.contains("cg-app"))

                let header = [Self.pad("GROUP", 15), Self.pad("TOPIC", 15), Self.pad("PARTITION", 10), Self.pad("CURRENT-OFFSET", 15),
                              Self.pad("LOG-END-OFFSET", 15), Self.pad("LAG", 15), Self.pad("CONSUMER-ID", 15), Self.pad("HOST", 15),
                              "CLIENT-ID"].joined(separator: " ")
                let described = try await CLIProcess.run(groups + ["--describe", "--group", "cg-app"])
                #expect(described.status == 0, "\(described.error)")
                #expect(described.error.contains("Consumer group 'cg-app' has no active members."))
                #expect(described.lines == [
                    header,
                    Self.unownedRow("cg-app", "cg-orders", 0, current: 0, end: ends[0]),
                    Self.unownedRow("cg-app", "cg-orders", 1, current: 0, end: ends[1]),
                ])

                // A dry run changes nothing.
                let planned = try await CLIProcess.run(groups + ["--reset-offsets", "--group", "cg-app", "--all-topics", "--to-latest"])
                #expect(planned.status == 0, "\(planned.error)")
                #expect(planned.lines.dropFirst().map { $0.split(separator: " ").last.map(String.init) } == ends.map { String($0) })
                let unchanged = try await CLIProcess.run(groups + ["--describe", "--group", "cg-app"])
                #expect(unchanged.lines == described.lines)

                let shifted = try await CLIProcess.run(groups + [
                    "--reset-offsets", "--group", "cg-app", "--topic", "cg-orders:1", "--shift-by", "1", "--execute"])
                #expect(shifted.status == 0, "\(shifted.error)")
                let afterShift = try await CLIProcess.run(groups + ["--describe", "--group", "cg-app"])
                #expect(afterShift.lines.last == Self.unownedRow("cg-app", "cg-orders", 1, current: min(1, ends[1]), end: ends[1]))

                let state = try await CLIProcess.run(groups + ["--describe", "--group", "cg-app", "--state"])
                #expect(state.status == 0, "\(state.error)")
                #expect(state.lines.count == 2)
                #expect(state.lines.last?.hasPrefix(Self.pad("cg-app", 25) + " " + Self.pad("127.0.0.1:\(broker.port) (1)", 25)) == true)
                #expect(state.lines.last?.hasSuffix(Self.pad("Empty", 15) + " 0") == true)

                let deleted = try await CLIProcess.run(groups + ["--delete", "--group", "cg-app"])
                #expect(deleted.status == 0, "\(deleted.error)")
                #expect(deleted.output == "Deletion of requested consumer groups ('cg-app') was successful.\n")
                let gone = try await CLIProcess.run(groups + ["--describe", "--group", "cg-app"])
                #expect(gone.status == 1)
                #expect(gone.output == "\nError: Consumer group 'cg-app' does not exist.\n")
            }
        }
    }
}
