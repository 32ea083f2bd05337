import Foundation
import KafkaProtocol
import KafkaRecords
import KafkaTestKit
import NIOCore
import Testing

/// `cleanup.policy=compact,delete` on a real broker with its log cleaner (issue 12, part 5):
/// retention by time removes the segments whose records are older than `retention.ms`, and
/// compaction keeps only the latest value of each key in the rest.
extension RealClusterTests {
    @Suite("Retention and compaction together on compact,delete")
    struct CompactDeletePolicyTests {
        typealias Keyless = RealClusterTests.CompactedTopicKeyTests
        typealias LogAdmin = RealClusterTests.LogAdminTests

        /// One batch of keyed records, each value `size` bytes, stamped `timestamp`.
        static func batch(_ keys: [String], timestamp: Int64, tag: String, size: Int = 100) throws -> ByteBuffer {
            var builder = MemoryRecordsBuilder()
            for key in keys {
                let value = "\(tag)-\(key)-" + String(repeating: ".", count: size)
                builder.append(timestamp: timestamp, key: ByteBuffer(string: key), value: ByteBuffer(string: value))
            }
            return try builder.buildRecords().buffer
        }

        static func earliestOffset(_ client: WireClient, _ topic: String) throws -> Int64? {
            let earliest = try LogAdmin.call(client, ListOffsets.self, ListOffsets.Request(topics: [
                .init(name: topic, partitions: [.init(partitionIndex: 0, timestamp: -2)])]), version: 1)
            return earliest.topics.first?.partitions.first?.offset
        }

        @Test func retentionDeletesOldSegmentsWhileCompactionDedupesTheRest() async throws {
            try await withKafkaCluster(zooKeepers: 1, ids: [1], overrides: ["log.cleaner.backoff.ms": "200"]) { cluster in
                let broker = cluster.broker(1)
                let client = try WireClient(port: broker.port, timeoutSeconds: 30)
                try await waitUntil("the broker to know itself") {
                    try RealClusterTests.MetadataTests.metadata(client, version: 8, topics: nil).brokers.count == 1
                }
                // Segments of about one batch each (a batch of five 100-byte records is ~700
                // bytes), so that no cleaned segments merge before retention has run.
                let created = try RealClusterTests.TopicCreationTests.createTopics(client, CreateTopics.Request(topics: [
                    .init(name: "both", numPartitions: 1, replicationFactor: 1, configs: [
                        .init(name: "cleanup.policy", value: "compact,delete"), .init(name: "retention.ms", value: "3600000"),
                        .init(name: "segment.bytes", value: "1000"), .init(name: "min.cleanable.dirty.ratio", value: "0.01"),
                    ]),
                ], timeoutMs: 20_000))
                #expect(created.topics.first?.errorCode == ErrorCode.none)
                let now = Int64(Date().timeIntervalSince1970 * 1000)

                // Old data: three batches of unique keys stamped two hours ago (offsets 0–14).
                let old = (0..<3).map { batch in (0..<5).map { "old-\(batch * 5 + $0)" } }
                try await waitUntil("the first produce to succeed", timeout: .seconds(60)) {
                    try Keyless.produce(client, [("both", try Self.batch(old[0], timestamp: now - 7_200_000, tag: "a"))])["both"]?.errorCode == ErrorCode.none
                }
                for keys in old.dropFirst() {
                    #expect(try Keyless.produce(client, [("both", try Self.batch(keys, timestamp: now - 7_200_000, tag: "a"))])["both"]?.errorCode == ErrorCode.none)
                }
                // Recent data: six batches over three keys (offsets 15–44), then a tail of five
                // new keys (45–49) that rolls the last of them out of the active segment.
                for round in 0..<6 {
                    let keys = (0..<5).map { "k\((round * 5 + $0) % 3)" }
                    #expect(try Keyless.produce(client, [("both", try Self.batch(keys, timestamp: now, tag: "r\(round)"))])["both"]?.errorCode == ErrorCode.none)
                }
                let tail = (0..<5).map { "t\($0)" }
                #expect(try Keyless.produce(client, [("both", try Self.batch(tail, timestamp: now, tag: "tail"))])["both"]?.errorCode == ErrorCode.none)
                #expect(try Keyless.logEndOffset(client, "both") == 50)

                // Latest of k0, k1, k2: offsets 42, 43, 44 (round 5); then the tail, untouched.
                let expected = [42, 43, 44].map { "\($0)|k\($0 % 3)|r5-k\($0 % 3)-" + String(repeating: ".", count: 100) }
                    + (0..<5).map { "\(45 + $0)|t\($0)|tail-t\($0)-" + String(repeating: ".", count: 100) }
                var seen: [String] = []
                try await waitUntil("retention and compaction to leave the latest values only", timeout: .seconds(120), every: .milliseconds(250)) {
                    seen = try RealClusterTests.ProduceConsumeTests.consumeAll(port: broker.port, topic: "both")
                    return seen == expected
                }
                #expect(seen == expected)
                // The old segments were deleted, not merely emptied: the log starts after them.
                #expect(try Self.earliestOffset(client, "both").map { $0 >= 15 } == true)
                let checkpoint = try String(contentsOf: broker.logDirectory.appendingPathComponent("cleaner-offset-checkpoint"), encoding: .utf8)
                #expect(checkpoint.contains("both 0 45"), "\(checkpoint)")
            }
        }
    }
}
