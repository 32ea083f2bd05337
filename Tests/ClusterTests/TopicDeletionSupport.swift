import Foundation
import KafkaTestKit
import KafkaZk

/// What the topic-deletion cluster tests share: records in every partition before the deletion,
/// and the partition directories a broker still has for the topic afterwards.
enum TopicDeletion {
    /// Produces `recordsPerPartition` records with kcat and acks=all to each of the topic's
    /// `partitions` through `broker`, and waits until all of them are readable from it.
    static func fill(_ broker: KafkaCluster.Broker, topic: String, partitions: Int32, recordsPerPartition: Int) async throws {
        for partition in 0..<partitions {
            let values = (1...recordsPerPartition).map { "p\(partition)-record-\($0)" }.joined(separator: "\n") + "\n"
            let produced = try RealClusterTests.ProduceConsumeTests.kcat(
                ["-b", "127.0.0.1:\(broker.port)", "-P", "-t", topic, "-p", "\(partition)", "-X", "acks=all"],
                input: values)
            guard produced.status == 0 else { throw TopicDeletionTestError.produceFailed(partition: partition) }
        }
        let expected = Int(partitions) * recordsPerPartition
        try await waitUntil("every acknowledged record to be readable") {
            try Replication.consumeAll(broker, topic: topic).count == expected
        }
    }

    /// Waits until the controller has finished deleting `topic`: its assignment, its deletion
    /// request and its config znodes are all gone.
    static func waitUntilCompleted(_ zk: KafkaZkClient, topic: String) async throws {
        try await waitUntil("the controller to finish the deletion", timeout: .seconds(60)) {
            let assignmentGone = try await zk.zooKeeper.exists("/brokers/topics/\(topic)") == nil
            let requestGone = try await zk.zooKeeper.exists("/admin/delete_topics/\(topic)") == nil
            let configGone = try await zk.zooKeeper.exists("/config/topics/\(topic)") == nil
            return assignmentGone && requestGone && configGone
        }
    }

    /// The topic's partition directories in `broker`'s log directory, sorted, leaving out those
    /// already renamed for deletion (`-delete`).
    static func directories(_ broker: KafkaCluster.Broker, topic: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: broker.logDirectory.path)) ?? [])
            .filter { $0.hasPrefix("\(topic)-") && !$0.hasSuffix("-delete") }.sorted()
    }
}

enum TopicDeletionTestError: Error {
    case produceFailed(partition: Int32)
}
