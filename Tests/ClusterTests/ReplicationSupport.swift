import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaTestKit
import KafkaZk
import NIOCore

/// Helpers of the replication tests: topics created through ZooKeeper, partition states, the
/// bytes of every replica's segments, and the acks=all producer.
enum Replication {
    /// Creates `topic` with `partitions` partitions on `replicas` (in preference order) and the
    /// given topic config, and waits until every partition has a leader and a full ISR.
    static func createTopic(_ zk: KafkaZkClient, _ topic: String, partitions: Int32, replicas: [BrokerId],
                            config: [String: String] = [:]) async throws {
        var assignment: [Int32: [BrokerId]] = [:]
        for partition in 0..<partitions {
            // Rotate the preferred leader like Kafka's placement does.
            let shift = Int(partition) % replicas.count
            assignment[partition] = Array(replicas[shift...] + replicas[..<shift])
        }
        try await zk.createTopic(topic, assignment: assignment, config: config)
        for partition in 0..<partitions {
            try await waitUntil("\(topic)-\(partition) to start with its full ISR") {
                try await zk.partitionState(TopicPartition(topic, partition))?.leaderAndIsr.isr.count == replicas.count
            }
        }
    }

    static func state(_ zk: KafkaZkClient, _ tp: TopicPartition) async throws -> KafkaZk.LeaderAndIsr? {
        try await zk.partitionState(tp)?.leaderAndIsr
    }

    /// The partition's segment files in `broker`'s log directory, by name, with their bytes.
    static func segments(_ broker: KafkaCluster.Broker, _ tp: TopicPartition) -> [String: Data] {
        let directory = broker.logDirectory.appendingPathComponent("\(tp.topic)-\(tp.partition)")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".log") }
        var result: [String: Data] = [:]
        for name in names { result[name] = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) }
        return result
    }

    /// Metadata of `topic` as `broker` answers it.
    static func metadata(_ broker: KafkaCluster.Broker, topic: String) throws -> Metadata.Topic? {
        try RealClusterTests.MetadataTests.metadata(try WireClient(port: broker.port), version: 7, topics: [topic])
            .topics.first { $0.name == topic }
    }

    static func script(_ name: String, file: String = #filePath) -> String {
        URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("Clients/\(name)").path
    }

    /// Every record the cluster acknowledged: (partition, offset) → value.
    static func acknowledged(_ file: URL) -> [TopicPartitionOffset: String] {
        var result: [TopicPartitionOffset: String] = [:]
        for line in ((try? String(contentsOf: file, encoding: .utf8)) ?? "").split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 3, let partition = Int32(parts[0]), let offset = Int64(parts[1]) else { continue }
            result[TopicPartitionOffset(partition: partition, offset: offset)] = String(parts[2])
        }
        return result
    }

    /// Every record a consumer reads from the beginning of each partition (kcat).
    static func consumeAll(_ broker: KafkaCluster.Broker, topic: String) throws -> [TopicPartitionOffset: String] {
        let output = try RealClusterTests.ProduceConsumeTests.kcat(
            ["-b", "127.0.0.1:\(broker.port)", "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%p %o %s\\n"]).output
        var result: [TopicPartitionOffset: String] = [:]
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 3, let partition = Int32(parts[0]), let offset = Int64(parts[1]) else { continue }
            result[TopicPartitionOffset(partition: partition, offset: offset)] = String(parts[2])
        }
        return result
    }
}

struct TopicPartitionOffset: Hashable, Comparable, CustomStringConvertible {
    var partition: Int32
    var offset: Int64
    static func < (a: Self, b: Self) -> Bool { (a.partition, a.offset) < (b.partition, b.offset) }
    var description: String { "\(partition)@\(offset)" }
}
