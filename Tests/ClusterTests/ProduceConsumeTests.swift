import Foundation
import Glibc
import KafkaProtocol
import KafkaTestKit
import NIOCore
import Testing

/// kcat (librdkafka) producing and consuming against one real broker: every codec, keys kept,
/// offsets by timestamp, and the data surviving a clean restart and a kill -9.
extension RealClusterTests {
    @Suite("Produce and consume with kcat on one broker")
    struct ProduceConsumeTests {
        static let codecs = ["none", "gzip", "snappy", "lz4", "zstd"]

        static func kcat(_ arguments: [String], input: String? = nil) throws -> (output: String, status: Int32) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/kcat")
            process.arguments = arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            let stdin = Pipe()
            process.standardInput = stdin
            try process.run()
            if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
            try stdin.fileHandleForWriting.close()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (String(decoding: data, as: UTF8.self), process.terminationStatus)
        }

        static func consumeAll(port: Int, topic: String) throws -> [String] {
            try kcat(["-b", "127.0.0.1:\(port)", "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%o|%k|%s\\n"])
                .output.split(separator: "\n").map(String.init)
        }

        @Test func everyCodecRoundTripsAndSurvivesRestarts() async throws {
            try await withKafkaCluster(zooKeepers: 1, ids: [1]) { cluster in
                let broker = cluster.broker(1)
                let bootstrap = "127.0.0.1:\(broker.port)"
                var expected: [String] = []
                for (index, codec) in Self.codecs.enumerated() {
                    let lines = (1...3).map { "k\($0):\(codec)-v\($0)-" + String(repeating: "lorem ipsum ", count: 20) }
                    let produced = try Self.kcat(["-b", bootstrap, "-P", "-t", "orders", "-K:", "-z", codec,
                                                  "-X", "acks=1"], input: lines.joined(separator: "\n") + "\n")
                    #expect(produced.status == 0, "kcat -P -z \(codec)")
                    expected += lines.enumerated().map { offset, line in
                        let parts = line.split(separator: ":", maxSplits: 1)
                        return "\(index * 3 + offset)|\(parts[0])|\(parts[1])"
                    }
                }
                try await waitUntil("all records to be readable") {
                    try Self.consumeAll(port: broker.port, topic: "orders").count == expected.count
                }
                #expect(try Self.consumeAll(port: broker.port, topic: "orders") == expected)
                let segment = broker.logDirectory.appendingPathComponent("orders-0/00000000000000000000.log")
                #expect(FileManager.default.fileExists(atPath: segment.path))

                // Offsets by time: far past → the first offset; the future → the end.
                let earliest = try Self.kcat(["-b", bootstrap, "-Q", "-t", "orders:0:1"]).output
                #expect(earliest.contains("offset 0"))

                // A clean restart, then a kill -9 and a restart: every record is still there.
                #expect(await broker.terminate() == 0)
                var starts = broker.startedCount
                try broker.start()
                try await cluster.waitUntilStarted(broker, previousStarts: starts)
                try await waitUntil("the log to be served after a clean restart", timeout: .seconds(30)) {
                    try Self.consumeAll(port: broker.port, topic: "orders") == expected
                }
                await broker.kill9()
                starts = broker.startedCount
                try broker.start()
                try await cluster.waitUntilStarted(broker, previousStarts: starts, timeout: .seconds(60))
                try await waitUntil("the log to be served after kill -9", timeout: .seconds(30)) {
                    try Self.consumeAll(port: broker.port, topic: "orders") == expected
                }
            }
        }
    }
}

extension RealClusterTests.ProduceConsumeTests {
    /// confluent-kafka (librdkafka 2.x), kafka-python and aiokafka, unmodified, through
    /// `Clients/roundtrip.py`.
    @Test(arguments: ["confluent", "kafka-python", "aiokafka"])
    func pythonClientsRoundTripEveryCodec(_ client: String) async throws {
        try await withKafkaCluster(zooKeepers: 1, ids: [1]) { cluster in
            let run = try PythonClient.run("roundtrip.py", [client, "127.0.0.1:\(cluster.broker(1).port)", "roundtrip-\(client)"])
            #expect(run.status == 0, "\(client): \(run.errorTail)")
            struct Record: Decodable, Equatable { let offset: Int64; let key: String; let value: String }
            let records = try run.outputText.split(separator: "\n")
                .map { try JSONDecoder().decode(Record.self, from: Data($0.utf8)) }
            let expected = Self.codecs.enumerated().flatMap { index, codec in
                (1...3).map { i in
                    Record(offset: Int64(index * 3 + i - 1), key: "k\(i)",
                           value: "\(codec)-v\(i) " + String(repeating: "lorem ipsum ", count: 7))
                }
            }
            #expect(records == expected)
        }
    }
}

extension RealClusterTests.ProduceConsumeTests {
    /// kill -9 of the broker in the middle of produce: after a restart, every record the broker
    /// acknowledged is there, at the offset it was acknowledged with, and the log is valid.
    @Test func killDuringProduceLosesNothingAcknowledged() async throws {
        try await withKafkaCluster(zooKeepers: 1, ids: [1], sessionTimeoutMs: 3000) { cluster in
            let broker = cluster.broker(1)
            let acked = cluster.directory.appendingPathComponent("acked.txt")
            _ = FileManager.default.createFile(atPath: acked.path, contents: nil)
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("Clients/acked_producer.py").path
            let producer = try ChildProcess(
                name: "acked-producer", executable: "/usr/bin/env",
                arguments: ["python3", script, "127.0.0.1:\(broker.port)", "crash", acked.path],
                logFile: cluster.directory.appendingPathComponent("producer.log"))
            func acknowledged() -> [(Int64, String)] {
                ((try? String(contentsOf: acked, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { line in
                    let parts = line.split(separator: " ")
                    guard parts.count == 2, let offset = Int64(parts[0]) else { return nil }
                    return (offset, String(parts[1]))
                }
            }
            try await waitUntil("thousands of acknowledged records", timeout: .seconds(40)) { acknowledged().count >= 5000 }
            await broker.kill9()
            await producer.kill9()
            let expected = acknowledged()
            let starts = broker.startedCount
            try broker.start()
            try await cluster.waitUntilStarted(broker, previousStarts: starts, timeout: .seconds(60))
            var stored: [Int64: String] = [:]
            try await waitUntil("the log to be readable again", timeout: .seconds(30)) {
                let lines = try Self.kcat(["-b", "127.0.0.1:\(broker.port)", "-C", "-t", "crash", "-o", "beginning", "-e", "-q",
                                           "-f", "%o %s\\n"]).output.split(separator: "\n")
                stored = Dictionary(lines.compactMap { line -> (Int64, String)? in
                    let parts = line.split(separator: " ")
                    guard parts.count == 2, let offset = Int64(parts[0]) else { return nil }
                    return (offset, String(parts[1]))
                }, uniquingKeysWith: { first, _ in first })
                return stored.count >= expected.count
            }
            let missing = expected.filter { stored[$0.0] != $0.1 }
            #expect(missing.isEmpty, "\(missing.count) of \(expected.count) acknowledged records lost or moved")
            #expect(Set(stored.keys) == Set(0..<Int64(stored.count)), "offsets are dense from 0")
        }
    }
}

extension RealClusterTests.ProduceConsumeTests {
    /// A topic whose `compression.type` is not `producer` recompresses what producers send.
    @Test func topicCompressionTypeRecompresses() async throws {
        try await withKafkaCluster(zooKeepers: 1, ids: [1]) { cluster in
            let broker = cluster.broker(1)
            let client = try WireClient(port: broker.port, timeoutSeconds: 30)
            try await waitUntil("the broker to know itself") {
                try RealClusterTests.MetadataTests.metadata(client, version: 8, topics: nil).brokers.count == 1
            }
            let created = try RealClusterTests.TopicCreationTests.createTopics(client, CreateTopics.Request(topics: [
                .init(name: "squeezed", numPartitions: 1, replicationFactor: 1, configs: [.init(name: "compression.type", value: "zstd")]),
            ], timeoutMs: 20_000))
            #expect(created.topics.first?.errorCode == ErrorCode.none)
            let values = (0..<5).map { "value-\($0)-" + String(repeating: "abc", count: 50) }
            let produced = try Self.kcat(["-b", "127.0.0.1:\(broker.port)", "-P", "-t", "squeezed", "-z", "none"],
                                         input: values.joined(separator: "\n") + "\n")
            #expect(produced.status == 0)
            try await waitUntil("the records") { try Self.consumeAll(port: broker.port, topic: "squeezed").count == 5 }
            #expect(try Self.consumeAll(port: broker.port, topic: "squeezed").map { String($0.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false)[2]) } == values)
            let segment = broker.logDirectory.appendingPathComponent("squeezed-0/00000000000000000000.log")
            let bytes = try Data(contentsOf: segment)
            var batches = MemoryRecords(ByteBuffer(bytes: bytes)).batches
            var codecs: [CompressionType] = []
            while let batch = batches.next() { codecs.append(batch.compressionType ?? .none) }
            #expect(!codecs.isEmpty && codecs.allSatisfy { $0 == .zstd }, "stored as \(codecs)")
        }
    }
}
