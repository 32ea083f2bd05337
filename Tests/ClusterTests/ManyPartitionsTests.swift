import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaTestKit
import KafkaZk
import Testing

/// Many partitions at once, as an operator creates them: three brokers on a three-node ensemble
/// with `zookeeper.session.timeout.ms=6000`, one CreateTopics for 1,000 partitions with
/// replication factor 3 and `min.insync.replicas=2`.
extension RealClusterTests {
    @Suite("A thousand partitions")
    struct ManyPartitionsTests {
        static let partitionCount: Int32 = 1_000

        /// Every partition starts with its whole ISR (the controller puts every live replica in
        /// it), so a whole ISR alone proves nothing: the followers must also really fetch. Records
        /// are produced to every partition; the test waits until every replica of every partition
        /// holds records and every ISR in ZooKeeper is whole. A follower that did not keep up would
        /// have left the ISR after `replica.lag.time.max.ms` and would have to come back.
        @Test func aThousandPartitionsReachFullIsrs() async throws {
            try await withKafkaCluster(zooKeepers: 3, sessionTimeoutMs: 6000) { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let client = try WireClient(port: cluster.broker(1).port, timeoutSeconds: 120)
                try await waitUntil("broker 1 to know the brokers") {
                    try MetadataTests.metadata(client, version: 8, topics: nil).brokers.count == 3
                }
                let topic = "thousand"
                let clock = ContinuousClock()
                let start = clock.now
                let response = try TopicCreationTests.createTopics(client, CreateTopics.Request(topics: [
                    .init(name: topic, numPartitions: Self.partitionCount, replicationFactor: 3,
                          configs: [.init(name: "min.insync.replicas", value: "2")]),
                ], timeoutMs: 90_000))
                #expect(response.topics.map(\.errorCode) == [ErrorCode.none])
                let created = clock.now - start

                // Two records for every partition. With acks=1: acks=all would measure something
                // else — librdkafka sends one ProduceRequest per partition, and a broker answers
                // one connection's requests in order, each after the followers' next fetches.
                let (producer, acked) = try ReplicationTests.startProducer(
                    cluster, topic: topic, partitions: Int(Self.partitionCount), seconds: 1, rate: 2 * Int(Self.partitionCount),
                    acks: "1")
                #expect(await producer.waitForExit(timeout: .seconds(90)) == 0, "the producer finished: \(producer.log.suffix(1000))")
                let acknowledged = Set(Replication.acknowledged(acked).keys.map(\.partition))

                let partitions = (0..<Self.partitionCount).map { TopicPartition(topic, $0) }
                var short = partitions.count
                var empty = partitions.count * cluster.brokers.count
                do {
                    try await waitUntil("every replica of the \(Self.partitionCount) partitions to hold records and every ISR to be whole",
                                        timeout: .seconds(120), every: .milliseconds(500)) {
                        let states = try await zk.partitionStates(partitions)
                        short = partitions.filter { states[$0].map { Set($0.leaderAndIsr.isr) != [1, 2, 3] } ?? true }.count
                        empty = cluster.brokers.reduce(0) { count, broker in
                            count + partitions.filter { !Self.holdsRecords(broker, $0) }.count
                        }
                        return short == 0 && empty == 0
                    }
                } catch {
                    Issue.record("\(short) partitions with an ISR short of 3, \(empty) replicas without records")
                    throw error
                }
                let shrinks = cluster.brokers.reduce(0) { $0 + lines($1.log, containing: "Shrinking ISR").count }
                print("\(Self.partitionCount) partitions: CreateTopics answered after \(created), whole ISRs and every replica written after \(clock.now - start); \(acknowledged.count) partitions acknowledged records; \(shrinks) ISR shrinks logged")
                #expect(acknowledged.count == Int(Self.partitionCount), "every partition took records")
            }
        }

        /// Whether `broker`'s replica of `tp` has written anything (a non-empty segment).
        static func holdsRecords(_ broker: KafkaCluster.Broker, _ tp: TopicPartition) -> Bool {
            let directory = broker.logDirectory.appendingPathComponent("\(tp.topic)-\(tp.partition)")
            let segment = directory.appendingPathComponent("00000000000000000000.log")
            let size = (try? FileManager.default.attributesOfItem(atPath: segment.path)[.size] as? Int) ?? nil
            return (size ?? 0) > 0
        }
    }
}
