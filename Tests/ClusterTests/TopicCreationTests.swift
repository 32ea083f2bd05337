import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaTestKit
import KafkaZk
import NIOCore
import Testing

/// Topics created through ZooKeeper and the controller, as in Kafka: CreateTopics (or Metadata's
/// auto-creation) writes `/brokers/topics/<t>`; the controller elects leaders, writes the state
/// znodes and sends LeaderAndIsr and UpdateMetadata.
extension RealClusterTests {
    @Suite("Topic creation through ZooKeeper and the controller")
    struct TopicCreationTests {
        static func createTopics(_ client: WireClient, _ request: CreateTopics.Request, version: Int16 = 3) throws -> CreateTopics.Response {
            var frame = ByteBuffer()
            CreateTopics.writeRequestFrame(request, header: RequestHeader(apiKey: .createTopics, apiVersion: version,
                                                                          correlationId: 3, clientId: "wire-test"), into: &frame)
            try client.send(Array(frame.readableBytesView))
            var answer = ByteBuffer(bytes: try client.readFrame())
            _ = try ResponseHeader(from: &answer, headerVersion: 0)
            return try CreateTopics.decodeResponse(from: &answer, version: version)
        }

        @Test func createTopicsWaitsForLeadersAndEveryBrokerLearnsThem() async throws {
            try await withKafkaCluster { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let (_, epoch) = try await waitFor("a controller") { try await zk.currentController() }
                let client = try WireClient(port: cluster.broker(1).port, timeoutSeconds: 30)
                try await waitUntil("broker 1 to know the brokers") {
                    try MetadataTests.metadata(client, version: 8, topics: nil).brokers.count == 3
                }
                let response = try Self.createTopics(client, CreateTopics.Request(topics: [
                    .init(name: "orders", numPartitions: 6, replicationFactor: 3, configs: [.init(name: "retention.ms", value: "3600000")]),
                    .init(name: "bad/name", numPartitions: 1, replicationFactor: 1),
                    .init(name: "too-many-replicas", numPartitions: 1, replicationFactor: 4),
                    .init(name: "bad-config", numPartitions: 1, replicationFactor: 1, configs: [.init(name: "retention.ms", value: "soon")]),
                ], timeoutMs: 20_000))
                let errors = Dictionary(uniqueKeysWithValues: response.topics.map { ($0.name, $0.errorCode) })
                #expect(errors == ["orders": .none, "bad/name": .invalidTopicException,
                                   "too-many-replicas": .invalidReplicationFactor, "bad-config": .invalidConfig])
                // The request waited for the leaders: broker 1 already knows them.
                let metadata = try MetadataTests.metadata(client, version: 8, topics: ["orders"])
                let partitions = try #require(metadata.topics.first?.partitions)
                #expect(partitions.count == 6)
                #expect(partitions.allSatisfy { $0.errorCode == .none && $0.isrNodes.count == 3 && $0.leaderId == $0.replicaNodes[0] })

                // ZooKeeper holds Kafka's layout.
                let assignment = try #require(try await zk.topicAssignment("orders")).assignment
                #expect(assignment.count == 6 && assignment.values.allSatisfy { Set($0).count == 3 })
                #expect(try await zk.topicConfig("orders") == ["retention.ms": "3600000"])
                let state = try #require(try await zk.partitionState(TopicPartition("orders", 0)))
                #expect(state.leaderAndIsr.leader == assignment[0]![0])
                #expect(state.leaderAndIsr.leaderEpoch == LeaderEpoch(0))
                #expect(state.controllerEpoch == epoch)
                // Every broker got LeaderAndIsr for its replicas and UpdateMetadata for all.
                for broker in cluster.brokers {
                    try await waitUntil("broker \(broker.id) to take its roles") {
                        lines(broker.log, containing: "for orders-").filter { $0.contains("Became") }.count
                            == assignment.values.filter { $0.contains(BrokerId(Int32(broker.id))) }.count
                    }
                    let other = try WireClient(port: broker.port)
                    #expect(try MetadataTests.metadata(other, version: 1, topics: ["orders"]).topics.first?.partitions.count == 6)
                }
                #expect(try Self.createTopics(client, CreateTopics.Request(topics: [
                    .init(name: "orders", numPartitions: 1, replicationFactor: 1)], timeoutMs: 0)).topics.first?.errorCode == .topicAlreadyExists)
            }
        }

        @Test func kcatAutoCreatesATopicAndANewControllerKeepsIt() async throws {
            try await withKafkaCluster(overrides: ["num.partitions": "2", "default.replication.factor": "2"]) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let (controller, _) = try await waitFor("a controller") { try await zk.currentController() }
                let port = cluster.brokers.first { $0.id != Int(controller.rawValue) }!.port
                try await waitUntil("kcat to see the auto-created topic with leaders", timeout: .seconds(30)) {
                    let output = try Self.kcat(["-b", "127.0.0.1:\(port)", "-L", "-t", "auto"])
                    return output.contains("topic \"auto\" with 2 partitions") && !output.contains("leader -1")
                }
                #expect(try await zk.topicAssignment("auto")?.assignment.count == 2)

                await cluster.broker(Int(controller.rawValue)).kill9()
                let (successor, _) = try await waitFor("a new controller", timeout: .seconds(20)) {
                    try await zk.currentController().flatMap { $0.0 != controller ? $0 : nil }
                }
                try await waitUntil("the new controller to load the topic") {
                    !lines(cluster.broker(Int(successor.rawValue)).log, containing: "Loaded 1 topics with 2 partitions").isEmpty
                }
            }
        }

        static func kcat(_ arguments: [String]) throws -> String {
            try RealClusterTests.ProduceConsumeTests.kcat(arguments + ["-m", "5"]).output
        }
    }
}

extension RealClusterTests.TopicCreationTests {
    static func deleteTopics(_ client: WireClient, _ names: [String], timeoutMs: Int32 = 20_000) throws -> [String: ErrorCode] {
        var frame = ByteBuffer()
        DeleteTopics.writeRequestFrame(DeleteTopics.Request(topicNames: names, timeoutMs: timeoutMs),
                                       header: RequestHeader(apiKey: .deleteTopics, apiVersion: 3, correlationId: 4, clientId: "wire-test"),
                                       into: &frame)
        try client.send(Array(frame.readableBytesView))
        var answer = ByteBuffer(bytes: try client.readFrame())
        _ = try ResponseHeader(from: &answer, headerVersion: 0)
        let response = try DeleteTopics.decodeResponse(from: &answer, version: 3)
        return Dictionary(uniqueKeysWithValues: response.responses.map { ($0.name, $0.errorCode) })
    }

    @Test func deleteTopicsGoesThroughTheControllerAndStopReplica() async throws {
        try await withKafkaCluster { cluster in
            let zk = try await observe(cluster)
            defer { Task { await zk.close() } }
            _ = try await waitFor("a controller") { try await zk.currentController() }
            let client = try WireClient(port: cluster.broker(1).port, timeoutSeconds: 30)
            try await waitUntil("broker 1 to know the brokers") {
                try RealClusterTests.MetadataTests.metadata(client, version: 8, topics: nil).brokers.count == 3
            }
            let created = try Self.createTopics(client, CreateTopics.Request(topics: [
                .init(name: "doomed", numPartitions: 3, replicationFactor: 2, configs: [.init(name: "retention.ms", value: "60000")]),
            ], timeoutMs: 20_000))
            #expect(created.topics.first?.errorCode == ErrorCode.none)
            let assignment = try #require(try await zk.topicAssignment("doomed")).assignment
            for broker in cluster.brokers {
                let hosted = assignment.filter { $0.value.contains(BrokerId(Int32(broker.id))) }.keys
                try await waitUntil("broker \(broker.id) to create its logs") {
                    hosted.allSatisfy { FileManager.default.fileExists(atPath: broker.logDirectory.appendingPathComponent("doomed-\($0)").path) }
                }
            }

            let errors = try Self.deleteTopics(client, ["doomed", "never-existed"])
            #expect(errors == ["doomed": .none, "never-existed": .unknownTopicOrPartition])
            #expect(try RealClusterTests.MetadataTests.metadata(client, version: 8, topics: nil).topics.isEmpty, "answered once the cache dropped it")
            try await waitUntil("the controller to finish the deletion") {
                let assignmentGone = try await zk.topicAssignment("doomed") == nil
                let requestGone = try await zk.zooKeeper.children("/admin/delete_topics").names.isEmpty
                let configGone = try await zk.topicConfig("doomed").isEmpty
                return assignmentGone && requestGone && configGone
            }
            for broker in cluster.brokers {
                try await waitUntil("broker \(broker.id) to delete its logs") {
                    let names = (try? FileManager.default.contentsOfDirectory(atPath: broker.logDirectory.path)) ?? []
                    return !names.contains { $0.hasPrefix("doomed-") && !$0.hasSuffix("-delete") }
                }
            }
            // The name can be used again at once.
            let again = try Self.createTopics(client, CreateTopics.Request(topics: [
                .init(name: "doomed", numPartitions: 1, replicationFactor: 1)], timeoutMs: 20_000))
            #expect(again.topics.first?.errorCode == ErrorCode.none)
        }
    }
}
