import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaTestKit
import KafkaZk
import Testing

/// `num.replica.fetchers` changed at run time through AlterConfigs (Kafka 2.3's
/// `DynamicThreadPool` and `resizeThreadPool`): the follower re-hashes its partitions over the new
/// number of fetchers and goes on replicating, byte for byte, growing and shrinking.
extension RealClusterTests {
    @Suite("Replica fetchers resized at run time")
    struct ReplicaFetcherResizeClusterTests {
        typealias Configs = TopicConfigTests
        typealias ResourceType = DescribeConfigs.ResourceType

        @Test func changingNumReplicaFetchersKeepsEveryPartitionReplicated() async throws {
            try await withKafkaCluster(zooKeepers: 1, ids: [1, 2]) { cluster in
                defer { if ProcessInfo.processInfo.environment["PRINT_BROKER_LOGS"] != nil { cluster.printLogs() } }
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let (leader, follower) = (cluster.broker(1), cluster.broker(2))
                let topic = "fetched"
                let partitions = (0..<6).map { TopicPartition(topic, Int32($0)) }
                // Broker 1 leads every partition; broker 2 follows them all.
                try await zk.createTopic(topic, assignment: Dictionary(uniqueKeysWithValues: (0..<6).map { (Int32($0), [BrokerId(1), BrokerId(2)]) }),
                                         config: [:])
                for tp in partitions {
                    try await waitUntil("\(tp) to start with its full ISR") {
                        try await zk.partitionState(tp)?.leaderAndIsr.isr.count == 2
                    }
                }
                var produced = 0
                func produce(_ count: Int) throws {
                    for tp in partitions {
                        let values = (0..<count).map { "\(tp)-record-\(produced + $0)" }.joined(separator: "\n") + "\n"
                        let result = try RealClusterTests.ProduceConsumeTests.kcat(
                            ["-b", "127.0.0.1:\(leader.port)", "-P", "-t", topic, "-p", "\(tp.partition)", "-X", "acks=all"], input: values)
                        #expect(result.status == 0)
                    }
                    produced += count
                }
                /// Every partition's segments on the follower are the leader's, byte for byte.
                func waitUntilReplicated(_ what: String) async throws {
                    try await waitUntil("the follower to hold every record \(what)", timeout: .seconds(60)) {
                        partitions.allSatisfy { tp in
                            let copy = Replication.segments(follower, tp)
                            return !copy.isEmpty && copy == Replication.segments(leader, tp)
                        }
                    }
                }
                try produce(5)
                try await waitUntilReplicated("before the change")

                for (from, to) in [(1, 2), (2, 1)] {
                    let client = try WireClient(port: follower.port, timeoutSeconds: 30)
                    let altered = try Configs.alter(client, type: ResourceType.broker, "2", ["num.replica.fetchers": "\(to)"])
                    #expect(altered.errorCode == .none, "\(altered.errorMessage ?? "")")
                    try await waitUntil("broker 2 to resize its fetchers from \(from) to \(to)", timeout: .seconds(30)) {
                        !lines(follower.log, containing: "Resizing fetcher thread pool size from \(from) to \(to)").isEmpty
                    }
                    let afterResize = follower.log.components(separatedBy: "Resizing fetcher thread pool size from \(from) to \(to)").last ?? ""
                    #expect(lines(afterResize, containing: "Added fetcher to broker 1").count == to,
                            "the partitions are spread over \(to) fetchers")
                    #expect(Configs.configs(try Configs.describe(client, ResourceType.broker, "2"))["num.replica.fetchers"]?.value == "\(to)")
                    try produce(5)
                    try await waitUntilReplicated("after resizing to \(to)")
                    for tp in partitions {
                        try await waitUntil("the follower in the ISR of \(tp)", timeout: .seconds(30)) {
                            Set(try await zk.partitionState(tp)?.leaderAndIsr.isr ?? []) == [1, 2]
                        }
                    }
                }
                // Every record, read from the leader, is there once.
                let records = try Replication.consumeAll(leader, topic: topic)
                #expect(records.count == partitions.count * produced)
                #expect(Set(records.values).count == records.count)
            }
        }
    }
}
