import Foundation
import KafkaProtocol
import KafkaTestKit
import NIOCore
import Testing

/// One `kafka-server` process answering on the wire: framing, ordering, bad input.
extension RealClusterTests {
    @Suite("SocketServer and ApiVersions with a real broker process")
    struct SocketServerTests {
        static func request<API: KafkaAPI>(_ api: API.Type, _ body: API.Request, version: Int16, correlationId: Int32,
                                          clientId: String? = "wire-test") -> [UInt8] {
            var buffer = ByteBuffer()
            API.writeRequestFrame(body, header: RequestHeader(apiKey: API.key, apiVersion: version, correlationId: correlationId,
                                                              clientId: clientId), into: &buffer)
            return Array(buffer.readableBytesView.dropFirst(4))
        }

        static func apiVersions(_ frame: [UInt8], version: Int16) throws -> (Int32, ApiVersions.Response) {
            var buffer = ByteBuffer(bytes: frame)
            let header = try ResponseHeader(from: &buffer, headerVersion: 0)
            return (header.correlationId, try ApiVersions.decodeResponse(from: &buffer, version: version))
        }

        @Test func apiVersionsAdvertisesWhatIsImplementedAndAnswersNewerVersionsWithV0() async throws {
            try await withKafkaCluster(zooKeepers: 1, ids: [1], sessionTimeoutMs: 4000) { cluster in
                let client = try WireClient(port: cluster.broker(1).port)
                for version: Int16 in 0...2 {
                    try client.sendFrame(Self.request(ApiVersions.self, .init(), version: version, correlationId: Int32(version)))
                    let (correlation, response) = try Self.apiVersions(try client.readFrame(), version: version)
                    #expect(correlation == Int32(version))
                    #expect(response.errorCode == .none)
                    let apiVersions = try #require(response.apiKeys.first { $0.apiKey == .apiVersions })
                    #expect(apiVersions.minVersion == 0 && apiVersions.maxVersion == 2)
                    #expect(response.apiKeys.allSatisfy { $0.apiKey.api != nil }, "only implemented APIs")
                }
                // librdkafka starts with v3 (flexible, header v2): the answer is v0, UNSUPPORTED_VERSION,
                // with the supported ranges.
                let v3 = ApiVersions.Request(clientSoftwareName: "librdkafka", clientSoftwareVersion: "2.16.0")
                try client.sendFrame(Self.request(ApiVersions.self, v3, version: 3, correlationId: 77))
                let (correlation, response) = try Self.apiVersions(try client.readFrame(), version: 0)
                #expect(correlation == 77)
                #expect(response.errorCode == .unsupportedVersion)
                #expect(response.apiKeys.contains { $0.apiKey == .apiVersions && $0.maxVersion == 2 })
            }
        }

        @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
            try await withKafkaCluster(zooKeepers: 1, ids: [1], sessionTimeoutMs: 4000) { cluster in
                let client = try WireClient(port: cluster.broker(1).port)
                var bytes: [UInt8] = []
                for id in 0..<200 {
                    let frame = Self.request(ApiVersions.self, .init(), version: Int16(id % 3), correlationId: Int32(1000 + id))
                    let size = UInt32(frame.count)
                    bytes += [UInt8(size >> 24), UInt8((size >> 16) & 0xFF), UInt8((size >> 8) & 0xFF), UInt8(size & 0xFF)] + frame
                }
                try client.send(bytes)
                for id in 0..<200 {
                    let (correlation, _) = try Self.apiVersions(try client.readFrame(), version: Int16(id % 3))
                    #expect(correlation == Int32(1000 + id))
                }
            }
        }

        @Test func badFramesCloseOnlyTheirConnection() async throws {
            try await withKafkaCluster(zooKeepers: 1, ids: [1], sessionTimeoutMs: 4000,
                                       overrides: ["socket.request.max.bytes": "1024"]) { cluster in
                let port = cluster.broker(1).port
                let healthy = try WireClient(port: port)

                let truncatedHeader = try WireClient(port: port)
                try truncatedHeader.sendFrame([0, 18, 0])
                #expect(truncatedHeader.waitForClose())

                let unknownApi = try WireClient(port: port)
                try unknownApi.sendFrame([0x7F, 0x00, 0, 0, 0, 0, 0, 1, 0xFF, 0xFF])
                #expect(unknownApi.waitForClose())

                let oversized = try WireClient(port: port)
                try oversized.send([0, 0, 0x10, 0])
                #expect(oversized.waitForClose(), "4096 > socket.request.max.bytes = 1024")

                let negative = try WireClient(port: port)
                try negative.send([0xFF, 0xFF, 0xFF, 0xF0])
                #expect(negative.waitForClose())

                let garbageBody = try WireClient(port: port)
                try garbageBody.sendFrame([0, 18, 0, 2, 0, 0, 0, 9, 0, 1, 0x41, 0xEE, 0xEE])
                #expect(garbageBody.waitForClose(), "bytes left after an ApiVersions v2 body")

                try healthy.sendFrame(Self.request(ApiVersions.self, .init(), version: 2, correlationId: 5))
                #expect(try Self.apiVersions(try healthy.readFrame(), version: 2).0 == 5)
                #expect(cluster.broker(1).isRunning)
            }
        }

        @Test func idleConnectionsAreClosed() async throws {
            try await withKafkaCluster(zooKeepers: 1, ids: [1], sessionTimeoutMs: 4000,
                                       overrides: ["connections.max.idle.ms": "1000"]) { cluster in
                let client = try WireClient(port: cluster.broker(1).port)
                try client.sendFrame(Self.request(ApiVersions.self, .init(), version: 1, correlationId: 1))
                _ = try client.readFrame()
                let start = ContinuousClock.now
                #expect(client.waitForClose())
                #expect(ContinuousClock.now - start < .seconds(5))
            }
        }
    }
}
