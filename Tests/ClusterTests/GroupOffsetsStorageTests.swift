import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaTestKit
import KafkaZk
import NIOCore
import Testing

/// Where committed offsets live, against three real brokers: OffsetCommit/OffsetFetch v0 in
/// ZooKeeper (`/consumers/<group>/offsets/<topic>/<partition>`), as Kafka 2.3 kept them for the
/// old Scala consumer, apart from the coordinator's `__consumer_offsets`; and the offsets of a
/// deleted topic removed by the coordinator once UpdateMetadata marks its partitions deleted.
extension RealClusterTests {
    @Suite("Committed offsets: ZooKeeper for v0, and deleted topics")
    struct GroupOffsetsStorageTests {
        typealias Call = GroupAdminTests

        static func commit(_ client: WireClient, group: String, generation: Int32 = -1, version: Int16,
                           _ offsets: [(String, Int32, Int64)]) throws -> [String: ErrorCode] {
            let topics = Dictionary(grouping: offsets) { $0.0 }.sorted { $0.key < $1.key }.map { name, entries in
                OffsetCommit.Topic(name: name, partitions: entries.map { OffsetCommit.Partition(partitionIndex: $0.1, committedOffset: $0.2) })
            }
            let response = try Call.call(client, OffsetCommit.self, .init(groupId: group, generationId: generation, topics: topics), version: version)
            var errors: [String: ErrorCode] = [:]
            for topic in response.topics {
                for partition in topic.partitions { errors["\(topic.name)-\(partition.partitionIndex)"] = partition.errorCode }
            }
            return errors
        }

        static func fetch(_ client: WireClient, group: String, version: Int16, _ topics: [OffsetFetch.Topic]?) throws -> [String: Int64] {
            let response = try Call.call(client, OffsetFetch.self, .init(groupId: group, topics: topics), version: version)
            var offsets: [String: Int64] = [:]
            for topic in response.topics {
                for partition in topic.partitions where partition.errorCode == .none {
                    offsets["\(topic.name)-\(partition.partitionIndex)"] = partition.committedOffset
                }
            }
            return offsets
        }

        @Test func version0OffsetsAreKeptInZooKeeperApartFromTheCoordinators() async throws {
            try await withKafkaCluster(zooKeepers: 1, overrides: GroupConsumerTests.overrides) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                try await Replication.createTopic(zk, "legacy-events", partitions: 2, replicas: [1, 2, 3])
                let broker1 = try WireClient(port: cluster.broker(1).port)
                try await waitUntil("broker 1 to know legacy-events") {
                    try Self.commit(broker1, group: "scala-app", version: 0, [("legacy-events", 0, 0)]) == ["legacy-events-0": .none]
                }
                let errors = try Self.commit(broker1, group: "scala-app", version: 0, [
                    ("legacy-events", 0, 42), ("legacy-events", 1, 7), ("no-such-topic", 0, 1),
                ])
                #expect(errors == ["legacy-events-0": .none, "legacy-events-1": .none, "no-such-topic-0": .unknownTopicOrPartition])
                let node = try await zk.zooKeeper.data("/consumers/scala-app/offsets/legacy-events/0")
                #expect(String(decoding: node.data, as: UTF8.self) == "42", "the offset as a decimal string")
                #expect(String(decoding: try await zk.zooKeeper.data("/consumers/scala-app/offsets/legacy-events/1").data, as: UTF8.self) == "7")
                #expect(try await zk.zooKeeper.exists("/consumers/scala-app/offsets/no-such-topic") == nil)

                // Any broker reads them back with v0; the group coordinator (v1+) has none of them.
                let broker3 = try WireClient(port: cluster.broker(3).port)
                let v0 = try Self.fetch(broker3, group: "scala-app", version: 0, [
                    .init(name: "legacy-events", partitionIndexes: [0, 1]), .init(name: "no-such-topic", partitionIndexes: [0]),
                ])
                #expect(v0 == ["legacy-events-0": 42, "legacy-events-1": 7, "no-such-topic-0": -1])
                var found = try FindCoordinatorTests.findCoordinator(broker1, group: "scala-app")
                try await waitUntil("a coordinator for scala-app (the first FindCoordinator creates __consumer_offsets)", timeout: .seconds(60)) {
                    found = try FindCoordinatorTests.findCoordinator(broker1, group: "scala-app")
                    return found.errorCode == .none
                }
                let coordinator = try WireClient(port: Int(found.port))
                try await waitUntil("the coordinator to serve scala-app") {
                    try Call.call(coordinator, OffsetFetch.self, .init(groupId: "scala-app", topics: nil), version: 2).errorCode == .none
                }
                #expect(try Self.fetch(coordinator, group: "scala-app", version: 1, [.init(name: "legacy-events", partitionIndexes: [0])])
                    == ["legacy-events-0": -1])
            }
        }

        @Test func theOffsetsOfADeletedTopicAreRemoved() async throws {
            try await withKafkaCluster(zooKeepers: 1, overrides: GroupConsumerTests.overrides) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                try await Replication.createTopic(zk, "kept", partitions: 1, replicas: [1, 2, 3])
                try await Replication.createTopic(zk, "doomed", partitions: 2, replicas: [1, 2, 3])
                let any = try WireClient(port: cluster.broker(1).port)
                var found = try FindCoordinatorTests.findCoordinator(any, group: "cleanup-app")
                try await waitUntil("a coordinator for cleanup-app", timeout: .seconds(60)) {
                    found = try FindCoordinatorTests.findCoordinator(any, group: "cleanup-app")
                    return found.errorCode == .none
                }
                let coordinator = try WireClient(port: Int(found.port))
                try await waitUntil("the coordinator to take the commit") {
                    try Self.commit(coordinator, group: "cleanup-app", version: 2, [("kept", 0, 5), ("doomed", 0, 6), ("doomed", 1, 7)])
                        .values.allSatisfy { $0 == .none }
                }
                #expect(try Self.fetch(coordinator, group: "cleanup-app", version: 2, nil) == ["kept-0": 5, "doomed-0": 6, "doomed-1": 7])

                #expect(try TopicCreationTests.deleteTopics(any, ["doomed"]) == ["doomed": .none])
                try await waitUntil("the coordinator to drop doomed's offsets") {
                    try Self.fetch(coordinator, group: "cleanup-app", version: 2, nil) == ["kept-0": 5]
                }
                let coordinatorBroker = cluster.broker(Int(found.nodeId.rawValue))
                try await waitUntil("the coordinator to log the removal in Kafka's words") {
                    !lines(coordinatorBroker.log, containing: "offsets associated with deleted partitions: doomed-").isEmpty
                }
            }
        }
    }
}
