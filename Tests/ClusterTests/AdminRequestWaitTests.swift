import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaRecords
import KafkaTestKit
import NIOCore
import Testing

/// Admin requests that wait (CreateTopics until its leaders are known) hold no request handler:
/// with more of them in flight than there are handler threads, the UpdateMetadata that completes
/// them and the clients' other requests are still handled.
extension RealClusterTests.TopicCreationTests {
    static func decode<API: KafkaAPI>(_ api: API.Type, _ frame: [UInt8], version: Int16) throws -> API.Response {
        var answer = ByteBuffer(bytes: frame)
        _ = try ResponseHeader(from: &answer, headerVersion: API.responseHeaderVersion(for: version))
        return try API.decodeResponse(from: &answer, version: version)
    }

    @Test func waitingCreateTopicsRequestsDoNotHoldTheRequestHandlers() async throws {
        let ioThreads = 2
        try await withKafkaCluster(zooKeepers: 1, ids: [1], sessionTimeoutMs: 4000,
                                   overrides: ["num.io.threads": "\(ioThreads)"]) { cluster in
            let port = cluster.broker(1).port
            let zk = try await observe(cluster)
            defer { Task { await zk.close() } }
            _ = try await waitFor("a controller") { try await zk.currentController() }
            let setup = try WireClient(port: port, timeoutSeconds: 30)
            let busy = try Self.createTopics(setup, CreateTopics.Request(topics: [
                .init(name: "busy", numPartitions: 1, replicationFactor: 1)], timeoutMs: 20_000))
            #expect(busy.topics.first?.errorCode == ErrorCode.none)

            // 3 × num.io.threads CreateTopics, each on its own connection, all in flight at once.
            let timeoutMs: Int32 = 30_000
            let start = ContinuousClock.now
            var creators: [(String, WireClient)] = []
            for index in 0..<(3 * ioThreads) {
                let name = "concurrent-\(index)"
                let client = try WireClient(port: port, timeoutSeconds: 60)
                let request = CreateTopics.Request(topics: [.init(name: name, numPartitions: 2, replicationFactor: 1)],
                                                   timeoutMs: timeoutMs)
                try client.sendFrame(RealClusterTests.SocketServerTests.request(
                    CreateTopics.self, request, version: 3, correlationId: Int32(index)))
                creators.append((name, client))
            }

            // Meanwhile a produce is answered.
            var builder = MemoryRecordsBuilder()
            builder.append(timestamp: 1_700_000_000_000, key: nil, value: ByteBuffer(string: "meanwhile"))
            let produce = Produce.Request(acks: 1, timeoutMs: 5000, topicData: [
                .init(name: "busy", partitionData: [.init(index: 0, records: try builder.build())]),
            ])
            let producer = try WireClient(port: port, timeoutSeconds: 60)
            try producer.sendFrame(RealClusterTests.SocketServerTests.request(Produce.self, produce, version: 7, correlationId: 99))
            let produced = try Self.decode(Produce.self, try producer.readFrame(), version: 7)
            #expect(produced.responses.first?.partitionResponses.first?.errorCode == ErrorCode.none)
            #expect(ContinuousClock.now - start < .seconds(10), "the produce did not wait for the CreateTopics")

            for (name, client) in creators {
                let response = try Self.decode(CreateTopics.self, try client.readFrame(), version: 3)
                #expect(response.topics.map(\.name) == [name])
                #expect(response.topics.first?.errorCode == ErrorCode.none, "\(name): \(response.topics.first?.errorMessage ?? "")")
            }
            let elapsed = ContinuousClock.now - start
            #expect(elapsed < .milliseconds(Int64(timeoutMs) / 2), "all answered well inside their timeout, in \(elapsed)")
        }
    }
}
