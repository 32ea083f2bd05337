import Foundation
import KafkaCommon
import KafkaTestKit
import KafkaZk
import Testing

/// Group consumers against three real brokers: confluent-kafka (librdkafka), kafka-python,
/// aiokafka and kcat find the coordinator, join, sync, heartbeat, commit and fetch their offsets,
/// and leave, served by the wired GroupCoordinator with `__consumer_offsets` replicated on every
/// broker.
extension RealClusterTests {
    @Suite("Consumer groups with real clients")
    struct GroupConsumerTests {
        static let overrides = [
            "offsets.topic.replication.factor": "3", "offsets.topic.num.partitions": "5",
            "group.initial.rebalance.delay.ms": "100",
        ]

        struct Consumed: Decodable {
            let records: [[Json]]
            let committed: [String: Int64]
        }

        enum Json: Decodable {
            case int(Int64), string(String)
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let value = try? container.decode(Int64.self) { self = .int(value) } else { self = .string(try container.decode(String.self)) }
            }
            var string: String? { if case .string(let s) = self { s } else { nil } }
        }

        static func produce(_ bootstrap: String, _ topic: String, _ values: [String]) throws {
            let produced = try ProduceConsumeTests.kcat(
                ["-b", bootstrap, "-P", "-t", topic, "-X", "linger.ms=0", "-X", "acks=all", "-X", "message.timeout.ms=60000"],
                input: values.joined(separator: "\n") + "\n")
            try #require(produced.status == 0, "kcat produced to \(topic)")
        }

        static func consume(_ bootstrap: String, _ topic: String, group: String, count: Int, client: String = "confluent") throws -> Consumed {
            let mode = client == "confluent" ? "consume" : "consume-\(client)"
            let outcome = try PythonClient.run("group_consumer.py", [mode, bootstrap, topic, group, "\(count)"])
            try #require(outcome.status == 0, "group consumer failed: \(outcome.errorTail)")
            return try JSONDecoder().decode(Consumed.self, from: outcome.output)
        }

        @Test(arguments: ["confluent", "kafka-python", "aiokafka"])
        func aGroupConsumerReadsEverythingCommitsAndResumesWhereItCommitted(client: String) async throws {
            try await withKafkaCluster(zooKeepers: 1, overrides: Self.overrides) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                try await Replication.createTopic(zk, "orders", partitions: 3, replicas: [1, 2, 3])
                let bootstrap = cluster.brokers.map { "127.0.0.1:\($0.port)" }.joined(separator: ",")
                let first = (1...30).map { "first-\($0)" }
                try Self.produce(bootstrap, "orders", first)

                let run1 = try Self.consume(bootstrap, "orders", group: "orders-app", count: first.count, client: client)
                #expect(Set(run1.records.compactMap { $0[2].string }) == Set(first), "every record once")
                #expect(run1.records.count == first.count)
                // Committed: the next offset of every partition, summing to all records (a
                // partition the producer left empty has no offset, -1001, and is left out).
                #expect(run1.committed.values.filter { $0 >= 0 }.reduce(0, +) == Int64(first.count), "\(run1.committed)")

                let second = (1...12).map { "second-\($0)" }
                try Self.produce(bootstrap, "orders", second)
                let run2 = try Self.consume(bootstrap, "orders", group: "orders-app", count: second.count, client: client)
                #expect(Set(run2.records.compactMap { $0[2].string }) == Set(second), "resumes after the committed offsets")
                #expect(run2.committed.values.filter { $0 >= 0 }.reduce(0, +) == Int64(first.count + second.count))
            }
        }

        /// kcat's balanced consumer (`-G`): reads every record, commits on exit, and a second run
        /// reads only what was produced since.
        @Test func kcatGroupConsumerCommitsAndResumes() async throws {
            try await withKafkaCluster(zooKeepers: 1, overrides: Self.overrides) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                try await Replication.createTopic(zk, "clicks", partitions: 3, replicas: [1, 2, 3])
                let bootstrap = cluster.brokers.map { "127.0.0.1:\($0.port)" }.joined(separator: ",")
                func consume() throws -> [String] {
                    let run = try ProduceConsumeTests.kcat(
                        ["-b", bootstrap, "-G", "clicks-app", "clicks", "-e", "-q", "-f", "%s\\n",
                         "-X", "auto.offset.reset=earliest", "-X", "session.timeout.ms=6000"])
                    try #require(run.status == 0, "kcat -G")
                    return run.output.split(separator: "\n").map(String.init)
                }
                let first = (1...15).map { "c\($0)" }
                try Self.produce(bootstrap, "clicks", first)
                #expect(Set(try consume()) == Set(first))
                let second = (16...20).map { "c\($0)" }
                try Self.produce(bootstrap, "clicks", second)
                #expect(try consume().sorted() == second.sorted(), "resumes after what the first run committed")
            }
        }

        /// The coordinator's broker is killed: another broker becomes leader of the group's
        /// `__consumer_offsets` partition, loads its groups and offsets from the log, and the
        /// group continues from what it committed.
        @Test func theGroupResumesFromItsCommitsAfterItsCoordinatorIsKilled() async throws {
            try await withKafkaCluster(zooKeepers: 1, overrides: Self.overrides) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                try await Replication.createTopic(zk, "payments", partitions: 3, replicas: [1, 2, 3])
                let bootstrap = cluster.brokers.map { "127.0.0.1:\($0.port)" }.joined(separator: ",")
                let first = (1...20).map { "first-\($0)" }
                try Self.produce(bootstrap, "payments", first)
                let run1 = try Self.consume(bootstrap, "payments", group: "payments-app", count: first.count)
                #expect(Set(run1.records.compactMap { $0[2].string }) == Set(first))

                let client = try WireClient(port: cluster.broker(1).port)
                let coordinator = try FindCoordinatorTests.findCoordinator(client, group: "payments-app")
                try #require(coordinator.errorCode == .none)
                let killed = Int(coordinator.nodeId.rawValue)
                await cluster.broker(killed).kill9()

                let survivors = cluster.brokers.filter { $0.id != killed }.map { "127.0.0.1:\($0.port)" }.joined(separator: ",")
                let second = (1...10).map { "second-\($0)" }
                try Self.produce(survivors, "payments", second)
                let run2 = try Self.consume(survivors, "payments", group: "payments-app", count: second.count)
                #expect(Set(run2.records.compactMap { $0[2].string }) == Set(second), "nothing committed is lost or read again")
                #expect(run2.committed.values.filter { $0 >= 0 }.reduce(0, +) == Int64(first.count + second.count))
                // The survivors learn the new leaders through UpdateMetadata, asynchronously: one
                // starved past its ZooKeeper session (a loaded machine) hears last. Each names a
                // live coordinator once it has.
                for survivor in cluster.brokers where survivor.id != killed {
                    try await waitUntil("broker \(survivor.id) to name a live coordinator of payments-app") {
                        let moved = try FindCoordinatorTests.findCoordinator(try WireClient(port: survivor.port), group: "payments-app")
                        return moved.errorCode == .none && Int(moved.nodeId.rawValue) != killed
                    }
                }
            }
        }

        /// Static membership (JoinGroup v5): a member restarted within its session timeout gets
        /// its partitions back without a rebalance; the other member is not disturbed.
        @Test func aRestartedStaticMemberKeepsItsPartitionsWithoutARebalance() async throws {
            try await withKafkaCluster(zooKeepers: 1, overrides: Self.overrides) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                try await Replication.createTopic(zk, "static", partitions: 4, replicas: [1, 2, 3])
                let bootstrap = cluster.brokers.map { "127.0.0.1:\($0.port)" }.joined(separator: ",")
                let outcome = try PythonClient.run("group_consumer.py", ["static", bootstrap, "static", "static-app", "4"])
                try #require(outcome.status == 0, "static members failed: \(outcome.errorTail)")
                struct Result: Decodable { let before: [[Int]]; let after: [[Int]]; let b_assignments: Int }
                let result = try JSONDecoder().decode(Result.self, from: outcome.output)
                #expect(result.before.flatMap { $0 }.sorted() == [0, 1, 2, 3])
                #expect(result.after == result.before, "the new incarnation of a has a's partitions")
                #expect(result.b_assignments == 1, "b was never asked to rebalance")
            }
        }

        /// Three members on six partitions, with the eager `range` assignor and with
        /// `cooperative-sticky` (which the coordinator passes through untouched): each partition
        /// owned by exactly one member, and the others take over when one leaves.
        @Test(arguments: ["range", "cooperative-sticky"])
        func threeMembersShareSixPartitionsAndTakeOverWhenOneLeaves(strategy: String) async throws {
            try await withKafkaCluster(zooKeepers: 1, overrides: Self.overrides) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                try await Replication.createTopic(zk, "events", partitions: 6, replicas: [1, 2, 3])
                let bootstrap = cluster.brokers.map { "127.0.0.1:\($0.port)" }.joined(separator: ",")
                let outcome = try PythonClient.run("group_consumer.py", ["members", bootstrap, "events", "events-app", "3", "6", strategy])
                try #require(outcome.status == 0, "group members failed: \(outcome.errorTail)")
                let lines = outcome.outputText.split(separator: "\n").map { Data($0.utf8) }
                try #require(lines.count == 2, "\(outcome.outputText)")
                let first = try JSONDecoder().decode([String: [[Int]]].self, from: lines[0])["assignment"] ?? []
                let after = try JSONDecoder().decode([String: [[Int]]].self, from: lines[1])["after_leave"] ?? []
                #expect(first.count == 3 && first.allSatisfy { !$0.isEmpty })
                #expect(first.flatMap { $0 }.sorted() == Array(0..<6), "each partition owned by exactly one member")
                #expect(after.count == 2 && after.flatMap { $0 }.sorted() == Array(0..<6), "the others took over")
                #expect(Set(first[0]).isSubset(of: Set(after.flatMap { $0 })))
            }
        }
    }
}
