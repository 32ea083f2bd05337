import Foundation
import KafkaProtocol
import KafkaRecords
import KafkaTestKit
import NIOCore
import Testing

/// Records without a key sent to a compacted topic (issue 12, part 6): Kafka 2.3 refuses the
/// partition's batch with CORRUPT_MESSAGE and writes none of it; keyed records go on working, and
/// the other partitions of the same request are written.
extension RealClusterTests {
    @Suite("Keyless records on a compacted topic")
    struct CompactedTopicKeyTests {
        typealias LogAdmin = RealClusterTests.LogAdminTests

        /// One partition's records, in one Produce request per `version`, with `extra` topics'
        /// partitions beside it; the response's error code per topic.
        static func produce(
            _ client: WireClient, _ topics: [(String, ByteBuffer)], version: Int16 = 7
        ) throws -> [String: Produce.PartitionResponse] {
            let request = Produce.Request(transactionalId: nil, acks: 1, timeoutMs: 10_000, topicData: topics.map { name, records in
                .init(name: name, partitionData: [.init(index: 0, records: records)])
            })
            let response = try LogAdmin.call(client, Produce.self, request, version: version)
            var result: [String: Produce.PartitionResponse] = [:]
            for topic in response.responses { result[topic.name] = topic.partitionResponses.first }
            return result
        }

        static func batch(keys: [String?], compression: CompressionType = .none) throws -> ByteBuffer {
            var builder = MemoryRecordsBuilder(compression: compression)
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            for (index, key) in keys.enumerated() {
                builder.append(timestamp: now, key: key.map { ByteBuffer(string: $0) }, value: ByteBuffer(string: "value-\(index)"))
            }
            return try builder.buildRecords().buffer
        }

        /// A magic 1 message set (Produce v2), uncompressed.
        static func legacySet(keys: [String?]) -> ByteBuffer {
            var set = ByteBuffer()
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            for (index, key) in keys.enumerated() {
                LegacyRecord.write(offset: Int64(index), magic: 1, timestamp: now, key: key.map { ByteBuffer(string: $0) },
                                   value: ByteBuffer(string: "legacy-\(index)"), into: &set)
            }
            return set
        }

        static func logEndOffset(_ client: WireClient, _ topic: String) throws -> Int64? {
            let latest = try LogAdmin.call(client, ListOffsets.self, ListOffsets.Request(topics: [
                .init(name: topic, partitions: [.init(partitionIndex: 0, timestamp: -1)])]), version: 1)
            return latest.topics.first?.partitions.first?.offset
        }

        @Test func keylessRecordsAreRefusedWithCorruptMessageAndNothingIsWritten() async throws {
            try await withKafkaCluster(zooKeepers: 1, ids: [1]) { cluster in
                let broker = cluster.broker(1)
                let bootstrap = "127.0.0.1:\(broker.port)"
                let client = try WireClient(port: broker.port, timeoutSeconds: 30)
                try await waitUntil("the broker to know itself") {
                    try RealClusterTests.MetadataTests.metadata(client, version: 8, topics: nil).brokers.count == 1
                }
                let created = try RealClusterTests.TopicCreationTests.createTopics(client, CreateTopics.Request(topics: [
                    .init(name: "compacted", numPartitions: 1, replicationFactor: 1, configs: [.init(name: "cleanup.policy", value: "compact")]),
                    .init(name: "both", numPartitions: 1, replicationFactor: 1, configs: [.init(name: "cleanup.policy", value: "delete,compact")]),
                    .init(name: "plain", numPartitions: 1, replicationFactor: 1),
                ], timeoutMs: 20_000))
                #expect(created.topics.allSatisfy { $0.errorCode == ErrorCode.none }, "\(created.topics)")

                // Keyed records are accepted once the leaders are in place.
                for topic in ["compacted", "both", "plain"] {
                    try await waitUntil("a keyed produce to \(topic) to succeed", timeout: .seconds(60)) {
                        try Self.produce(client, [(topic, try Self.batch(keys: ["a", "b"]))])[topic]?.errorCode == ErrorCode.none
                    }
                    #expect(try Self.logEndOffset(client, topic) == 2, "\(topic)")
                }

                // One keyless record among keyed ones, in every form a client can send it.
                let keyless: [(String, ByteBuffer, Int16)] = [
                    ("uncompressed v2", try Self.batch(keys: ["c", nil, "d"]), 7),
                    ("gzip v2", try Self.batch(keys: ["c", "d", nil], compression: .gzip), 7),
                    ("lz4 v2", try Self.batch(keys: [nil, "c"], compression: .lz4), 3),
                    ("magic 1", Self.legacySet(keys: ["c", nil]), 2),
                ]
                for (form, records, version) in keyless {
                    let answers = try Self.produce(client, [("compacted", records), ("both", records), ("plain", records)], version: version)
                    for topic in ["compacted", "both"] {
                        #expect(answers[topic]?.errorCode == .corruptMessage, "\(form) to \(topic)")
                        #expect(answers[topic]?.baseOffset == -1, "\(form) to \(topic)")
                    }
                    // The delete-only topic in the same request takes the same records.
                    #expect(answers["plain"]?.errorCode == ErrorCode.none, "\(form) to plain")
                }
                #expect(try Self.logEndOffset(client, "compacted") == 2, "nothing of a refused batch is written")
                #expect(try Self.logEndOffset(client, "both") == 2)
                #expect(try Self.logEndOffset(client, "plain") == 2 + 3 + 3 + 2 + 2)

                // confluent-kafka (librdkafka): the keyless record fails with the broker's error
                // (code 2, which librdkafka names INVALID_MSG), the keyed one after it is
                // delivered at the next offset.
                let run = try PythonClient.run("keyless_producer.py", [bootstrap, "compacted"])
                #expect(run.status == 0, "\(run.errorTail)")
                struct Outcome: Decodable, Equatable {
                    let key: String?
                    let code: Int?
                    let error: String?
                    let offset: Int64
                }
                let outcomes = try run.outputText.split(separator: "\n").map { try JSONDecoder().decode(Outcome.self, from: Data($0.utf8)) }
                #expect(outcomes == [Outcome(key: nil, code: 2, error: "INVALID_MSG", offset: -1), Outcome(key: "k1", code: nil, error: nil, offset: 2)])

                // Read back: only keyed records, at offsets 0, 1 and 2.
                let records = try RealClusterTests.ProduceConsumeTests.consumeAll(port: broker.port, topic: "compacted")
                #expect(records == ["0|a|value-0", "1|b|value-1", "2|k1|value"])
            }
        }
    }
}
