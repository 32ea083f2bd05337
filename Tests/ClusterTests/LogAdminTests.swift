import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaTestKit
import NIOCore
import Testing

/// DeleteRecords and DescribeLogDirs against one real broker.
extension RealClusterTests {
    @Suite("DeleteRecords and DescribeLogDirs")
    struct LogAdminTests {
        static func call<API: KafkaAPI>(_ client: WireClient, _ api: API.Type, _ request: API.Request, version: Int16) throws -> API.Response {
            var frame = ByteBuffer()
            API.writeRequestFrame(request, header: RequestHeader(apiKey: API.key, apiVersion: version, correlationId: 9,
                                                                 clientId: "wire-test"), into: &frame)
            try client.send(Array(frame.readableBytesView))
            var answer = ByteBuffer(bytes: try client.readFrame())
            _ = try ResponseHeader(from: &answer, headerVersion: 0)
            return try API.decodeResponse(from: &answer, version: version)
        }

        @Test func deleteRecordsMovesTheLogStartOffsetAndLogDirsAreDescribed() async throws {
            try await withKafkaCluster(zooKeepers: 1, ids: [1]) { cluster in
                let broker = cluster.broker(1)
                let bootstrap = "127.0.0.1:\(broker.port)"
                let lines = (0..<10).map { "value-\($0)" }.joined(separator: "\n") + "\n"
                let produced = try ProduceConsumeTests.kcat(["-b", bootstrap, "-P", "-t", "trim", "-X", "linger.ms=0",
                                                             "-X", "batch.num.messages=1"], input: lines)
                #expect(produced.status == 0)
                try await waitUntil("ten records") { try ProduceConsumeTests.consumeAll(port: broker.port, topic: "trim").count == 10 }

                let client = try WireClient(port: broker.port)
                let deleted = try Self.call(client, DeleteRecords.self, DeleteRecords.Request(topics: [
                    .init(name: "trim", partitions: [.init(partitionIndex: 0, offset: 4)]),
                    .init(name: "missing", partitions: [.init(partitionIndex: 0, offset: 1)]),
                ], timeoutMs: 5000), version: 1)
                #expect(deleted.topics.first { $0.name == "trim" }?.partitions.first?.lowWatermark == 4)
                #expect(deleted.topics.first { $0.name == "missing" }?.partitions.first?.errorCode == .unknownTopicOrPartition)
                let beyond = try Self.call(client, DeleteRecords.self, DeleteRecords.Request(topics: [
                    .init(name: "trim", partitions: [.init(partitionIndex: 0, offset: 99)])], timeoutMs: 5000), version: 1)
                #expect(beyond.topics.first?.partitions.first?.errorCode == .offsetOutOfRange)

                let remaining = try ProduceConsumeTests.consumeAll(port: broker.port, topic: "trim")
                #expect(remaining.first?.hasPrefix("4|") == true)
                #expect(remaining.count == 6)
                let earliest = try Self.call(client, ListOffsets.self, ListOffsets.Request(topics: [
                    .init(name: "trim", partitions: [.init(partitionIndex: 0, timestamp: -2)])]), version: 1)
                #expect(earliest.topics.first?.partitions.first?.offset == 4)

                let dirs = try Self.call(client, DescribeLogDirs.self, DescribeLogDirs.Request(topics: nil), version: 1)
                let dir = try #require(dirs.results.first)
                #expect(dir.errorCode == .none)
                #expect(URL(fileURLWithPath: dir.logDir).standardizedFileURL.path
                        == broker.logDirectory.standardizedFileURL.path)
                let partition = try #require(dir.topics.first { $0.name == "trim" }?.partitions.first)
                #expect(partition.partitionIndex == 0 && partition.partitionSize > 0)
            }
        }
    }
}
