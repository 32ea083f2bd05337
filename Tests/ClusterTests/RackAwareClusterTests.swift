import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaTestKit
import KafkaZk
import Testing

/// Rack-aware replica assignment on real brokers, and the CLI views of the cluster
/// (`kafka cluster`, `kafka topics --describe --under-replicated-partitions |
/// --unavailable-partitions`) on the same cluster.
extension RealClusterTests {
    @Suite("Rack-aware assignment and the cluster views of the CLI", .serialized)
    struct RackAwareClusterTests {
        /// Two racks of unequal size: a rack-unaware placement would put some partition's two
        /// replicas on brokers 1 and 2, both in rack "a".
        static let racks: [Int: String] = [1: "a", 2: "a", 3: "b"]

        static func expectDistinctRacks(_ assignment: [Int32: [BrokerId]], count: Int, _ what: String) {
            #expect(assignment.count == count, "\(what)")
            for (partition, replicas) in assignment.sorted(by: { $0.key < $1.key }) {
                let racks = Set(replicas.map { Self.racks[Int($0.rawValue)] })
                #expect(replicas.count == 2 && racks.count == 2, "\(what): partition \(partition) on \(replicas)")
            }
        }

        @Test func replicasSpreadAcrossRacksAndTheCLIShowsTheCluster() async throws {
            try await withKafkaCluster(
                zooKeepers: 1, ids: [1, 2, 3], overrides: ["default.replication.factor": "2", "num.partitions": "6"],
                brokerOverrides: Self.racks.mapValues { ["broker.rack": $0] }
            ) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let bootstrap = ["--bootstrap-server", "127.0.0.1:\(cluster.broker(1).port)"]
                let client = try WireClient(port: cluster.broker(1).port, timeoutSeconds: 30)

                // CreateTopics, then CreatePartitions extending it, then an auto-created topic.
                let created = try TopicCreationTests.createTopics(client, CreateTopics.Request(topics: [
                    .init(name: "racked", numPartitions: 12, replicationFactor: 2)], timeoutMs: 20_000))
                #expect(created.topics.map(\.errorCode) == [.none])
                Self.expectDistinctRacks(try #require(try await zk.topicAssignment("racked")).assignment, count: 12, "CreateTopics")
                let grown = try await CLIProcess.run(["topics"] + bootstrap + ["--alter", "--topic", "racked", "--partitions", "18"])
                #expect(grown.status == 0, "\(grown.error)")
                Self.expectDistinctRacks(try #require(try await zk.topicAssignment("racked")).assignment, count: 18, "CreatePartitions")
                _ = try ProduceConsumeTests.kcat(["-b", "127.0.0.1:\(cluster.broker(1).port)", "-P", "-t", "auto-racked"], input: "x\n")
                try await waitUntil("auto-racked to be created") { try await zk.topicAssignment("auto-racked") != nil }
                Self.expectDistinctRacks(try #require(try await zk.topicAssignment("auto-racked")).assignment, count: 6, "auto-creation")

                // kafka reassign-partitions --generate proposes a rack-aware placement too.
                let directory = try makeTemporaryDirectory(prefix: "rack-reassign")
                defer { try? FileManager.default.removeItem(at: directory) }
                let topicsFile = directory.appendingPathComponent("topics.json")
                try #"{"topics":[{"topic":"racked"}],"version":1}"#.write(to: topicsFile, atomically: true, encoding: .utf8)
                let generated = try await CLIProcess.run(["reassign-partitions", "--zookeeper", cluster.zkConnect, "--generate",
                                                          "--topics-to-move-json-file", topicsFile.path, "--broker-list", "1,2,3"])
                #expect(generated.status == 0, "\(generated.error)")
                let proposed = try ReassignPartitionsZNode.decode(Array(try #require(generated.lines.last).utf8))
                Self.expectDistinctRacks(Dictionary(uniqueKeysWithValues: proposed.map { ($0.key.partition, $0.value) }),
                                         count: 18, "reassign-partitions --generate")

                // kafka cluster: the brokers with their racks and the controller with its epoch.
                let controller = try #require(try await zk.controllerId())
                let epoch = try #require(try await zk.controllerEpoch()).epoch
                let viewed = try await CLIProcess.run(["cluster"] + bootstrap + ["--zookeeper", cluster.zkConnect])
                #expect(viewed.status == 0, "\(viewed.error)")
                #expect(viewed.lines[1] == "Controller: \(controller)\tEpoch: \(epoch)")
                for id in [1, 2, 3] {
                    let marker = BrokerId(Int32(id)) == controller ? "\t(controller)" : ""
                    #expect(viewed.lines.contains(
                        "Broker: \(id)\tRack: \(Self.racks[id]!)\tEndpoints: PLAINTEXT://127.0.0.1:\(cluster.broker(id).port)\(marker)"))
                }
                let withoutZk = try await CLIProcess.run(["cluster"] + bootstrap)
                #expect(withoutZk.status == 0 && withoutZk.lines[1].hasPrefix("Controller: \(controller)\tEpoch: unknown"))
                #expect(withoutZk.lines.contains { $0.hasPrefix("Broker: 3\tRack: b\tEndpoints: 127.0.0.1:\(cluster.broker(3).port)") })

                // With broker 3 gone every partition of racked is under-replicated (each has a
                // replica on it), and solo (only on broker 3) is unavailable.
                let solo = try TopicCreationTests.createTopics(client, CreateTopics.Request(topics: [
                    .init(name: "solo", numPartitions: -1, replicationFactor: -1, assignments: [.init(partitionIndex: 0, brokerIds: [3])]),
                ], timeoutMs: 20_000))
                #expect(solo.topics.map(\.errorCode) == [.none])
                let healthy = try await CLIProcess.run(["topics"] + bootstrap + ["--describe", "--under-replicated-partitions"])
                #expect(healthy.status == 0 && healthy.output.isEmpty, "\(healthy.output)\(healthy.error)")
                await cluster.broker(3).kill9()
                try await waitUntil("the controller to take broker 3 out of every ISR", timeout: .seconds(60), every: .milliseconds(500)) {
                    let under = try await CLIProcess.run(["topics"] + bootstrap + ["--describe", "--under-replicated-partitions", "--topic", "racked"])
                    return under.lines.count == 18
                }
                let under = try await CLIProcess.run(["topics"] + bootstrap + ["--describe", "--under-replicated-partitions", "--topic", "racked"])
                #expect(under.lines.allSatisfy { $0.hasPrefix("\tTopic: racked\tPartition: ") && $0.contains("Replicas: ") })
                let unavailable = try await CLIProcess.run(["topics"] + bootstrap + ["--describe", "--unavailable-partitions"])
                #expect(unavailable.status == 0, "\(unavailable.error)")
                #expect(unavailable.lines.count == 1
                    && unavailable.lines[0].hasPrefix("\tTopic: solo\tPartition: 0\tLeader: none\tReplicas: 3\tIsr: "),
                        "\(unavailable.output)")
            }
        }
    }
}
