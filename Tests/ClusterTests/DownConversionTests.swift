import Foundation
import KafkaProtocol
import KafkaRecords
import KafkaTestKit
import NIOCore
import Testing

/// Fetch v0–v3 from a real broker: records stored as v2 batches (produced by kcat) come back as
/// magic 0 (v0–v1) or magic 1 (v2–v3) message sets, and zstd — which has no legacy form — as
/// UNSUPPORTED_COMPRESSION_TYPE.
extension RealClusterTests {
    @Suite("Fetch down-conversion for old clients on one broker")
    struct DownConversionTests {
        static func fetch(
            _ client: WireClient, topic: String, offset: Int64, version: Int16, maxBytes: Int32 = 1 << 20
        ) throws -> Fetch.PartitionData {
            let request = Fetch.Request(maxWaitMs: 0, minBytes: 0, topics: [
                .init(topic: topic, partitions: [.init(partition: 0, fetchOffset: offset, partitionMaxBytes: maxBytes)]),
            ])
            var frame = ByteBuffer()
            Fetch.writeRequestFrame(request, header: RequestHeader(apiKey: .fetch, apiVersion: version, correlationId: 11,
                                                                   clientId: "old-consumer"), into: &frame)
            try client.send(Array(frame.readableBytesView))
            var answer = ByteBuffer(bytes: try client.readFrame())
            _ = try ResponseHeader(from: &answer, headerVersion: Fetch.responseHeaderVersion(for: version))
            let response = try Fetch.decodeResponse(from: &answer, version: version)
            return try #require(response.responses.first?.partitions.first)
        }

        /// The records of a fetched legacy message set, wrappers opened (every CRC checked), as
        /// "offset|key|value", with the magic of every top-level entry.
        static func legacyRecords(_ records: ByteBuffer) throws -> LegacyRecords {
            let entries = try LegacyMessageSet.entries(records)
            let deep = try entries.flatMap { try LegacyMessageSet.deepRecords(of: $0) }
            return LegacyRecords(
                magics: Set(entries.map(\.magic)), wrapperOffsets: entries.filter(\.isCompressed).map(\.offset),
                lines: deep.map { "\($0.offset)|\(text($0.key))|\(text($0.value))" }, timestamps: deep.map(\.timestamp),
                nextOffset: deep.last.map { $0.offset + 1 })
        }

        struct LegacyRecords {
            var magics: Set<Int8> = []
            var wrapperOffsets: [Int64] = []
            var lines: [String] = []
            var timestamps: [Int64] = []
            var nextOffset: Int64?
        }

        /// Reads the partition from `offset` to `end` as an old consumer does: fetch, parse the
        /// whole messages, fetch again from after the last one.
        static func consume(_ client: WireClient, topic: String, from offset: Int64, to end: Int64, version: Int16) throws -> LegacyRecords {
            var all = LegacyRecords()
            var offset = offset
            for _ in 0..<20 where offset < end {
                let data = try fetch(client, topic: topic, offset: offset, version: version)
                #expect(data.errorCode == ErrorCode.none, "v\(version) from \(offset)")
                let fetched = try legacyRecords(try #require(data.records))
                let next = try #require(fetched.nextOffset, "v\(version) from \(offset): no whole message")
                all.magics.formUnion(fetched.magics)
                all.wrapperOffsets += fetched.wrapperOffsets
                // A wrapper holds its whole batch, records before the fetch offset included.
                for (line, timestamp) in zip(fetched.lines, fetched.timestamps) where Int64(line.prefix { $0 != "|" })! >= offset {
                    all.lines.append(line)
                    all.timestamps.append(timestamp)
                }
                offset = next
            }
            return all
        }

        static func text(_ bytes: ByteBuffer?) -> String {
            bytes.flatMap { $0.getString(at: $0.readerIndex, length: $0.readableBytes) } ?? ""
        }

        /// Produces `lines` as one batch: kcat reads stdin line by line, and with librdkafka's
        /// 5 ms default linger a loaded machine sent the first line in a batch of its own
        /// (wrappers [3, 5] instead of [5]); a long linger keeps them together until kcat's
        /// flush at end of input.
        static func produce(_ bootstrap: String, topic: String, codec: String, lines: [String]) throws {
            let produced = try RealClusterTests.ProduceConsumeTests.kcat(
                ["-b", bootstrap, "-P", "-t", topic, "-K:", "-z", codec, "-X", "acks=1", "-X", "linger.ms=2000"],
                input: lines.joined(separator: "\n") + "\n")
            #expect(produced.status == 0, "kcat -P -z \(codec)")
        }

        @Test func oldFetchVersionsGetLegacyMessageSets() async throws {
            try await withKafkaCluster(zooKeepers: 1, ids: [1]) { cluster in
                let broker = cluster.broker(1)
                let bootstrap = "127.0.0.1:\(broker.port)"
                let client = try WireClient(port: broker.port, timeoutSeconds: 30)
                try await waitUntil("the broker to know itself") {
                    try RealClusterTests.MetadataTests.metadata(client, version: 8, topics: nil).brokers.count == 1
                }
                var expected: [String] = []
                for (index, codec) in ["none", "gzip"].enumerated() {
                    let lines = (1...3).map { "k\($0):\(codec)-v\($0)-" + String(repeating: "lorem ipsum ", count: 10) }
                    try Self.produce(bootstrap, topic: "old-clients", codec: codec, lines: lines)
                    expected += lines.enumerated().map { offset, line in
                        let parts = line.split(separator: ":", maxSplits: 1)
                        return "\(index * 3 + offset)|\(parts[0])|\(parts[1])"
                    }
                }
                try await waitUntil("all records to be readable") {
                    try RealClusterTests.ProduceConsumeTests.consumeAll(port: broker.port, topic: "old-clients").count == 6
                }

                for version: Int16 in 0...3 {
                    let magic: Int8 = version <= 1 ? 0 : 1
                    let data = try Self.fetch(client, topic: "old-clients", offset: 0, version: version)
                    #expect(data.errorCode == ErrorCode.none, "v\(version)")
                    #expect(data.highWatermark == 6)
                    let records = try #require(data.records)
                    #expect(records.getInteger(at: records.readerIndex + 16, as: Int8.self) == magic, "v\(version): no v2 batch")
                    // One fetch holds at least the first batch whole (magic 1 messages of small
                    // records can outgrow the v2 batches, and the rest waits for the next fetch).
                    let first = try Self.legacyRecords(records)
                    #expect(first.lines.count >= 3 && first.lines == Array(expected.prefix(first.lines.count)), "v\(version)")

                    let fetched = try Self.consume(client, topic: "old-clients", from: 0, to: 6, version: version)
                    #expect(fetched.magics == [magic], "v\(version)")
                    #expect(fetched.lines == expected, "v\(version)")
                    #expect(fetched.wrapperOffsets == [5], "v\(version): the gzip batch is one wrapper at its last offset")
                    if magic == 0 {
                        #expect(fetched.timestamps.allSatisfy { $0 == -1 }, "magic 0 has no timestamps")
                    } else {
                        #expect(fetched.timestamps.allSatisfy { $0 > 1_600_000_000_000 }, "kcat's CreateTime timestamps")
                    }

                    // From the middle of the uncompressed batch: the records before the fetch
                    // offset are dropped. From the middle of the gzip batch: the wrapper holds
                    // the whole batch.
                    let middle = try Self.legacyRecords(try #require(
                        try Self.fetch(client, topic: "old-clients", offset: 1, version: version).records))
                    #expect(middle.lines.first == expected[1], "v\(version) from offset 1")
                    let inGzip = try Self.legacyRecords(try #require(
                        try Self.fetch(client, topic: "old-clients", offset: 4, version: version).records))
                    #expect(inGzip.lines == Array(expected.suffix(3)), "v\(version) from offset 4")

                    // At the end of the log: no records, no error.
                    let end = try Self.fetch(client, topic: "old-clients", offset: 6, version: version)
                    #expect(end.errorCode == ErrorCode.none && (end.records?.readableBytes ?? 0) == 0)
                }

                // v4 and later still get the stored v2 batches.
                let current = try #require(try Self.fetch(client, topic: "old-clients", offset: 0, version: 4).records)
                #expect(current.getInteger(at: current.readerIndex + 16, as: Int8.self) == 2)
            }
        }

        /// kafka-python pinned to 0.8.2, 0.9, 0.10.0 and 0.10.1 sends Fetch v0, v1, v2 and v3 and
        /// reads every record, CRCs checked (`Clients/legacy_consumer.py`). LZ4 in magic 0 is left
        /// out for 0.8.2 and 0.9: kafka-python needs the optional xxhash module to read it.
        @Test(arguments: [("0.8.2", Int16(0)), ("0.9", 1), ("0.10.0", 2), ("0.10.1", 3)])
        func kafkaPythonOldProtocolVersionsConsume(_ brokerVersion: String, _ fetchVersion: Int16) async throws {
            try await withKafkaCluster(zooKeepers: 1, ids: [1]) { cluster in
                let broker = cluster.broker(1)
                let bootstrap = "127.0.0.1:\(broker.port)"
                let codecs = fetchVersion <= 1 ? ["none", "gzip", "snappy"] : ["none", "gzip", "snappy", "lz4"]
                var expected: [Record] = []
                for (index, codec) in codecs.enumerated() {
                    let lines = (1...3).map { "k\($0):\(codec)-v\($0) " + String(repeating: "lorem ipsum ", count: 10) }
                    try Self.produce(bootstrap, topic: "legacy", codec: codec, lines: lines)
                    expected += lines.enumerated().map { offset, line in
                        let parts = line.split(separator: ":", maxSplits: 1)
                        return Record(offset: Int64(index * 3 + offset), key: String(parts[0]), value: String(parts[1]))
                    }
                }
                try await waitUntil("all records to be readable") {
                    try RealClusterTests.ProduceConsumeTests.consumeAll(port: broker.port, topic: "legacy").count == expected.count
                }
                let run = try PythonClient.run("legacy_consumer.py", [bootstrap, "legacy", brokerVersion, "\(expected.count)"])
                #expect(run.status == 0, "\(brokerVersion): \(run.errorTail)")
                var lines = run.outputText.split(separator: "\n")
                let last = try #require(lines.last, "\(brokerVersion): no output")
                lines.removeLast()
                struct Versions: Decodable { let fetch_versions: [Int16] }
                let versions = try JSONDecoder().decode(Versions.self, from: Data(last.utf8))
                #expect(versions.fetch_versions == [fetchVersion], "kafka-python \(brokerVersion)")
                let records = try lines.map { try JSONDecoder().decode(Record.self, from: Data($0.utf8)) }
                #expect(records == expected, "kafka-python \(brokerVersion)")
            }
        }

        struct Record: Decodable, Equatable {
            let offset: Int64
            let key: String
            let value: String
        }

        @Test func zstdPartitionsAnswerUnsupportedCompressionType() async throws {
            try await withKafkaCluster(zooKeepers: 1, ids: [1]) { cluster in
                let broker = cluster.broker(1)
                let bootstrap = "127.0.0.1:\(broker.port)"
                let client = try WireClient(port: broker.port, timeoutSeconds: 30)
                try await waitUntil("the broker to know itself") {
                    try RealClusterTests.MetadataTests.metadata(client, version: 8, topics: nil).brokers.count == 1
                }
                // A topic configured for zstd (the broker recompresses what it is sent) …
                let created = try RealClusterTests.TopicCreationTests.createTopics(client, CreateTopics.Request(topics: [
                    .init(name: "zstd-topic", numPartitions: 1, replicationFactor: 1,
                          configs: [.init(name: "compression.type", value: "zstd")]),
                ], timeoutMs: 20_000))
                #expect(created.topics.first?.errorCode == ErrorCode.none)
                try Self.produce(bootstrap, topic: "zstd-topic", codec: "none", lines: ["a:1", "b:2"])
                // … and a topic keeping the producer's codec, sent zstd batches.
                // (Large enough for librdkafka to compress: it sends a batch as it is when
                // compression does not make it smaller.)
                try Self.produce(bootstrap, topic: "zstd-batches", codec: "zstd",
                                 lines: ["c:" + String(repeating: "zstd ", count: 100), "d:" + String(repeating: "zstd ", count: 100)])
                for topic in ["zstd-topic", "zstd-batches"] {
                    try await waitUntil("\(topic) to be readable") {
                        try RealClusterTests.ProduceConsumeTests.consumeAll(port: broker.port, topic: topic).count == 2
                    }
                    for version: Int16 in [0, 3] {
                        let data = try Self.fetch(client, topic: topic, offset: 0, version: version)
                        #expect(data.errorCode == .unsupportedCompressionType, "\(topic) v\(version)")
                        #expect((data.records?.readableBytes ?? 0) == 0)
                    }
                    if topic == "zstd-topic" {
                        // A zstd topic is refused to every fetch before v10, not only to the down-converted ones.
                        #expect(try Self.fetch(client, topic: topic, offset: 0, version: 9).errorCode == .unsupportedCompressionType)
                    }
                    let current = try Self.fetch(client, topic: topic, offset: 0, version: 10)
                    #expect(current.errorCode == ErrorCode.none, "\(topic) v10")
                    let records = try #require(current.records, "\(topic) v10")
                    let stored = try #require(MemoryRecords(records).firstBatch, "\(topic) v10")
                    #expect(stored.compressionType == .zstd, "\(topic) is stored as zstd")
                }

                // A topic that refuses down-conversion answers old consumers UNSUPPORTED_VERSION.
                let strict = try RealClusterTests.TopicCreationTests.createTopics(client, CreateTopics.Request(topics: [
                    .init(name: "no-down-conversion", numPartitions: 1, replicationFactor: 1,
                          configs: [.init(name: "message.downconversion.enable", value: "false")]),
                ], timeoutMs: 20_000))
                #expect(strict.topics.first?.errorCode == ErrorCode.none)
                try Self.produce(bootstrap, topic: "no-down-conversion", codec: "none", lines: ["e:1"])
                try await waitUntil("no-down-conversion to be readable") {
                    try RealClusterTests.ProduceConsumeTests.consumeAll(port: broker.port, topic: "no-down-conversion").count == 1
                }
                #expect(try Self.fetch(client, topic: "no-down-conversion", offset: 0, version: 3).errorCode == .unsupportedVersion)
                #expect(try Self.fetch(client, topic: "no-down-conversion", offset: 0, version: 4).errorCode == ErrorCode.none)
            }
        }
    }
}

extension RealClusterTests.DownConversionTests {
    /// kafka-python pinned to 0.8.2 and 0.10.1 produces magic 0 and magic 1 message sets (plain
    /// and gzip) with old Produce versions; the broker up-converts them to v2 batches as Kafka
    /// does, and a current consumer (kcat) reads every record at the offset it was acknowledged.
    @Test(arguments: ["0.8.2", "0.10.1"])
    func oldProducersAreUpConverted(_ brokerVersion: String) async throws {
        try await withKafkaCluster(zooKeepers: 1, ids: [1]) { cluster in
            let broker = cluster.broker(1)
            let run = try PythonClient.run("legacy_producer.py", ["127.0.0.1:\(broker.port)", "old-producer", brokerVersion])
            try #require(run.status == 0, "\(brokerVersion): \(run.errorTail)")
            let acknowledged = run.outputText.split(separator: "\n").map(String.init)
            #expect(acknowledged.count == 6)
            let stored = try RealClusterTests.ProduceConsumeTests.consumeAll(port: broker.port, topic: "old-producer")
                .map { $0.replacingOccurrences(of: "|", with: " ") }
            #expect(stored == acknowledged, "every record where it was acknowledged, with its key")
            #expect(stored.map { $0.split(separator: " ")[0] } == ["0", "1", "2", "3", "4", "5"])
            // On disk it is RecordBatch v2: the magic byte sits 16 bytes into each batch.
            let segment = broker.logDirectory.appendingPathComponent("old-producer-0/00000000000000000000.log")
            let bytes = try #require(FileManager.default.contents(atPath: segment.path))
            #expect(bytes.count > 17 && bytes[16] == 2, "the first batch is stored as magic 2")
        }
    }
}
