import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaTestKit
import KafkaZk
import NIOCore
import Testing

/// CreatePartitions through ZooKeeper and the controller, as in Kafka: the broker extends
/// `/brokers/topics/<t>`; the controller's data watch on it starts the added partitions
/// (state znodes, LeaderAndIsr to their replicas, UpdateMetadata to every broker).
extension RealClusterTests {
    @Suite("Adding partitions through ZooKeeper and the controller")
    struct PartitionAdditionTests {
        static func createPartitions(_ client: WireClient, _ request: CreatePartitions.Request, version: Int16 = 1) throws -> [String: CreatePartitions.Result] {
            var frame = ByteBuffer()
            CreatePartitions.writeRequestFrame(request, header: RequestHeader(apiKey: .createPartitions, apiVersion: version,
                                                                              correlationId: 5, clientId: "wire-test"), into: &frame)
            try client.send(Array(frame.readableBytesView))
            var answer = ByteBuffer(bytes: try client.readFrame())
            _ = try ResponseHeader(from: &answer, headerVersion: 0)
            let response = try CreatePartitions.decodeResponse(from: &answer, version: version)
            return Dictionary(uniqueKeysWithValues: response.results.map { ($0.name, $0) })
        }

        @Test func createPartitionsAddsStartedPartitionsThatTakeRecords() async throws {
            try await withKafkaCluster { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let (controller, _) = try await waitFor("a controller") { try await zk.currentController() }
                let client = try WireClient(port: cluster.broker(1).port, timeoutSeconds: 30)
                try await waitUntil("broker 1 to know the brokers") {
                    try MetadataTests.metadata(client, version: 8, topics: nil).brokers.count == 3
                }
                let created = try TopicCreationTests.createTopics(client, CreateTopics.Request(topics: [
                    .init(name: "grown", numPartitions: 2, replicationFactor: 2),
                ], timeoutMs: 20_000))
                #expect(created.topics.first?.errorCode == ErrorCode.none)
                let before = try #require(try await zk.topicAssignment("grown"))

                // validateOnly: answered without a change.
                let validated = try Self.createPartitions(client, CreatePartitions.Request(
                    topics: [.init(name: "grown", count: 5)], timeoutMs: 20_000, validateOnly: true))
                #expect(validated["grown"]?.errorCode == ErrorCode.none)
                #expect(try await zk.topicAssignment("grown")?.version == before.version)

                // Errors: unknown topic, fewer or as many partitions, bad manual assignments.
                let refused = try Self.createPartitions(client, CreatePartitions.Request(topics: [
                    .init(name: "missing", count: 3),
                    .init(name: "grown", count: 1),
                ], timeoutMs: 0))
                #expect(refused["missing"]?.errorCode == .unknownTopicOrPartition)
                #expect(refused["grown"]?.errorCode == .invalidPartitions)
                #expect(refused["grown"]?.errorMessage == "Topic currently has 2 partitions, which is higher than the requested 1.")
                for assignments in [[[1, 2]], [[1, 1], [2, 3]], [[1, 9], [2, 3]], [[1], [2]]] {
                    let answer = try Self.createPartitions(client, CreatePartitions.Request(topics: [
                        .init(name: "grown", count: 4, assignments: assignments.map { .init(brokerIds: $0.map { BrokerId(Int32($0)) }) }),
                    ], timeoutMs: 0))
                    #expect(answer["grown"]?.errorCode == .invalidReplicaAssignment, "\(assignments)")
                }
                #expect(try await zk.topicAssignment("grown")?.version == before.version)

                // 2 → 5: answered once broker 1's metadata has the leaders.
                let grown = try Self.createPartitions(client, CreatePartitions.Request(
                    topics: [.init(name: "grown", count: 5)], timeoutMs: 20_000))
                #expect(grown["grown"]?.errorCode == ErrorCode.none, "\(String(describing: grown["grown"]?.errorMessage))")
                let partitions = try #require(try MetadataTests.metadata(client, version: 8, topics: ["grown"]).topics.first?.partitions)
                #expect(partitions.count == 5)
                #expect(partitions.allSatisfy { $0.errorCode == .none && $0.leaderId == $0.replicaNodes[0] && $0.isrNodes.count == 2 })

                // ZooKeeper: the old partitions kept, three added placed as Kafka places them.
                let (bytes, _) = try await zk.zooKeeper.data(TopicZNode.path("grown"))
                let assignment = try TopicZNode.decode(topic: "grown", bytes)
                #expect(assignment.count == 5)
                #expect(assignment[0] == before.assignment[0] && assignment[1] == before.assignment[1])
                let brokers = [BrokerId(1), BrokerId(2), BrokerId(3)]
                let start = brokers.firstIndex(of: before.assignment[0]![0])!
                let expected = try ReplicaAssignment.assign(partitions: 3, replicationFactor: 2, brokers: brokers,
                                                            fixedStartIndex: start, startPartitionId: 2)
                #expect((2...4).allSatisfy { assignment[Int32($0)] == expected[Int32($0)] })
                let controllerLog = cluster.broker(Int(controller.rawValue)).log
                #expect(!lines(controllerLog, containing: "New partitions to be added: grown-2=").isEmpty)

                // Each replica of a new partition created its log.
                for broker in cluster.brokers {
                    let hosted = assignment.filter { $0.key >= 2 && $0.value.contains(BrokerId(Int32(broker.id))) }.keys
                    try await waitUntil("broker \(broker.id) to create the new partitions' logs") {
                        hosted.allSatisfy { FileManager.default.fileExists(atPath: broker.logDirectory.appendingPathComponent("grown-\($0)").path) }
                    }
                }

                // A client produces to and reads from a new partition. acks=all: the records are
                // below the high watermark (on both replicas) when the produce returns, so the
                // consumer that follows sees them (with acks=1 it raced the follower's fetch).
                let bootstrap = "127.0.0.1:\(cluster.broker(1).port)"
                let produced = try ProduceConsumeTests.kcat(["-b", bootstrap, "-P", "-t", "grown", "-p", "4", "-X", "acks=all"],
                                                            input: "first\nsecond\n")
                #expect(produced.status == 0)
                let consumed = try ProduceConsumeTests.kcat(["-b", bootstrap, "-C", "-t", "grown", "-p", "4", "-o", "beginning",
                                                             "-e", "-q", "-f", "%p|%o|%s\\n"])
                #expect(consumed.output == "4|0|first\n4|1|second\n")

                // Unchanged count now: 5 is not larger than 5.
                let again = try Self.createPartitions(client, CreatePartitions.Request(topics: [.init(name: "grown", count: 5)], timeoutMs: 0))
                #expect(again["grown"]?.errorCode == .invalidPartitions)
            }
        }
    }
}
