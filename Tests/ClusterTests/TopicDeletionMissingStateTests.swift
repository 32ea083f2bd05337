import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaTestKit
import KafkaZk
import Testing

/// A topic deleted after one of its partitions' state znode vanished behind the controller's
/// back: the replicas of that partition have no ISR to leave, go OfflineReplica without a write,
/// get their StopReplica with deletion, and the deletion completes (before, they could not go
/// OfflineReplica and the deletion stayed stuck).
extension RealClusterTests {
    @Suite("Topic deletion with a missing partition state znode")
    struct TopicDeletionMissingStateClusterTests {
        @Test func deletionCompletesWhenAPartitionStateZNodeIsMissing() async throws {
            try await withKafkaCluster { cluster in
                defer { if ProcessInfo.processInfo.environment["PRINT_BROKER_LOGS"] != nil { cluster.printLogs() } }
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let topic = "m"
                let partitions: Int32 = 2
                try await Replication.createTopic(zk, topic, partitions: partitions, replicas: [1, 2, 3])
                try await TopicDeletion.fill(cluster.broker(1), topic: topic, partitions: partitions, recordsPerPartition: 5)
                func directories(_ broker: KafkaCluster.Broker) -> [String] { TopicDeletion.directories(broker, topic: topic) }
                for broker in cluster.brokers {
                    try await waitUntil("broker \(broker.id) to hold both partitions", timeout: .seconds(30)) {
                        directories(broker) == ["\(topic)-0", "\(topic)-1"]
                    }
                }

                try await zk.zooKeeper.delete("/brokers/topics/\(topic)/partitions/0/state")
                let client = try WireClient(port: cluster.broker(1).port, timeoutSeconds: 30)
                #expect(try TopicCreationTests.deleteTopics(client, [topic]) == [topic: .none])

                try await TopicDeletion.waitUntilCompleted(zk, topic: topic)
                for broker in cluster.brokers {
                    try await waitUntil("broker \(broker.id) to have no replica of \(topic)", timeout: .seconds(30)) { directories(broker).isEmpty }
                }
            }
        }
    }
}
