import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaTestKit
import KafkaZk
import NIOCore
import Testing

/// FindCoordinator on real brokers and a real ZooKeeper: the first request creates
/// `__consumer_offsets` (as Kafka 2.3 does) and is answered COORDINATOR_NOT_AVAILABLE; once the
/// controller has elected its leaders, every broker names the leader of the group's partition.
/// With fewer alive brokers than `offsets.topic.replication.factor`, nothing is created.
extension RealClusterTests {
    @Suite("FindCoordinator creates __consumer_offsets and names its partition leaders")
    struct FindCoordinatorTests {
        static let offsets = "__consumer_offsets"

        static func findCoordinator(_ client: WireClient, group: String, version: Int16 = 2) throws -> FindCoordinator.Response {
            try client.sendFrame(RealClusterTests.SocketServerTests.request(
                FindCoordinator.self, .init(key: group, keyType: 0), version: version, correlationId: 11))
            var answer = ByteBuffer(bytes: try client.readFrame())
            let header = try ResponseHeader(from: &answer, headerVersion: FindCoordinator.responseHeaderVersion(for: version))
            #expect(header.correlationId == 11)
            return try FindCoordinator.decodeResponse(from: &answer, version: version)
        }

        /// The groups of the Kafka 2.3 disk fixtures and their partitions (of 50).
        static let fixtureGroups: [(group: String, partition: Int32)] = [
            ("fx-group", 0), ("fx-kpy-group", 37), ("fx-deleted", 8), ("fx-eos-group", 20),
        ]

        @Test func theFirstRequestCreatesTheTopicAndThenEachBrokerNamesTheLeader() async throws {
            try await withKafkaCluster(zooKeepers: 1, overrides: ["offsets.topic.replication.factor": "3"]) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let first = try WireClient(port: cluster.broker(1).port)
                try await waitUntil("broker 1 to know the 3 brokers") {
                    try RealClusterTests.MetadataTests.metadata(first, version: 7, topics: []).brokers.count == 3
                }
                #expect(try await zk.topicAssignment(Self.offsets) == nil)

                let answer = try Self.findCoordinator(first, group: "fx-group")
                #expect(answer.errorCode == .coordinatorNotAvailable)
                #expect(answer.errorMessage == "The coordinator is not available.")
                #expect(answer.nodeId == BrokerId.none)
                #expect(answer.host == "" && answer.port == -1)

                // Written to ZooKeeper before that answer: 50 partitions, 3 replicas each, compacted.
                let assignment = try #require(try await zk.topicAssignment(Self.offsets)).assignment
                #expect(assignment.count == 50)
                #expect(assignment.values.allSatisfy { Set($0).count == 3 })
                let configs = try await zk.topicConfig(Self.offsets)
                #expect(configs["cleanup.policy"] == "compact")
                #expect(configs["compression.type"] == "producer")
                #expect(configs["segment.bytes"] == "104857600")

                for broker in cluster.brokers {
                    let client = try WireClient(port: broker.port)
                    let topic = try await waitFor("broker \(broker.id) to know a live leader of every partition", timeout: .seconds(60)) {
                        () -> Metadata.Topic? in
                        let response = try RealClusterTests.MetadataTests.metadata(client, version: 7, topics: [Self.offsets])
                        guard let topic = response.topics.first, topic.errorCode == .none, topic.partitions.count == 50,
                              topic.partitions.allSatisfy({ $0.errorCode == .none && $0.leaderId != BrokerId.none }) else { return nil }
                        return topic
                    }
                    #expect(topic.isInternal, "__consumer_offsets is internal in Metadata")
                    #expect(topic.partitions.allSatisfy { $0.replicaNodes.count == 3 })
                    for (group, partition) in Self.fixtureGroups {
                        let leader = try #require(topic.partitions.first { $0.partitionIndex == partition }?.leaderId)
                        let port = cluster.broker(Int(leader.rawValue)).port
                        for version: Int16 in 0...2 {
                            let coordinator = try Self.findCoordinator(client, group: group, version: version)
                            #expect(coordinator.errorCode == ErrorCode.none, "\(group) from broker \(broker.id)")
                            #expect(coordinator.nodeId == leader, "\(group): the leader of partition \(partition)")
                            #expect(coordinator.host == "127.0.0.1")
                            #expect(coordinator.port == Int32(port))
                            #expect(coordinator.errorMessage == (version >= 1 ? "NONE" : nil))
                        }
                    }
                }
                #expect(try await zk.topicAssignment(Self.offsets)?.assignment.count == 50, "created once")
            }
        }

        @Test func withOneBrokerAliveAndReplicationFactorThreeNothingIsCreated() async throws {
            try await withKafkaCluster(zooKeepers: 1, ids: [1], overrides: ["offsets.topic.replication.factor": "3"]) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let client = try WireClient(port: cluster.broker(1).port)
                try await waitUntil("broker 1 to know itself") {
                    try RealClusterTests.MetadataTests.metadata(client, version: 7, topics: []).brokers.count == 1
                }
                for (group, _) in Self.fixtureGroups {
                    let answer = try Self.findCoordinator(client, group: group)
                    #expect(answer.errorCode == .coordinatorNotAvailable)
                    #expect(answer.nodeId == BrokerId.none)
                }
                // A Metadata request naming it does not create it either.
                let named = try RealClusterTests.MetadataTests.metadata(client, version: 7, topics: [Self.offsets]).topics.first
                #expect(named?.errorCode == .invalidReplicationFactor)
                #expect(named?.isInternal == true)
                // The check and the creation happen before the answer: nothing was written.
                #expect(try await zk.topicAssignment(Self.offsets) == nil)
                #expect(try await zk.allTopics().isEmpty)
                #expect(!lines(cluster.broker(1).log, containing: "does not meet the required replication factor '3'").isEmpty)
            }
        }
    }
}
