import KafkaCommon
import KafkaProtocol
import KafkaTestKit
import KafkaZk
import Logging
import NIOCore
import Testing

@testable import KafkaBroker

/// The request path in one process, without ZooKeeper: `SocketServer` → `RequestChannel` →
/// `KafkaRequestHandlerPool` (its own threads) → `KafkaApis` (ApiVersions only) and back.
@Suite("Request path: event loops, request queue, handler threads")
struct RequestPathTests {
    static func apiVersionsFrame(correlationId: Int32) -> [UInt8] {
        var buffer = ByteBuffer()
        ApiVersions.writeRequestFrame(.init(), header: RequestHeader(apiKey: .apiVersions, apiVersion: 1, correlationId: correlationId,
                                                                     clientId: "test"), into: &buffer)
        return Array(buffer.readableBytesView)
    }

    /// Many connections pipelining requests into a queue of one place, drained by one handler
    /// thread: every connection spends most of its time muted, waiting to be woken, and every
    /// request is still answered, in order per connection. A lost wake-up leaves a connection
    /// muted for good and fails the read's timeout.
    @Test func connectionsWaitingForAFullQueueAreAllWokenAndAnswered() async throws {
        var logger = Logger(label: "request-path-test")
        logger.logLevel = .error
        let channel = RequestChannel(capacity: 1)
        let pool = KafkaRequestHandlerPool(threads: 1, channel: channel, apis: KafkaApis(logger: logger, handlers: []))
        let server = SocketServer(settings: .init(networkThreads: 2), requestChannel: channel, logger: logger)
        let bound = try await server.bind([EndPoint(listenerName: "PLAINTEXT", securityProtocol: .plaintext, host: "127.0.0.1", port: 0)])
        let port = Int(bound[0].endpoint.port)
        let connections = 16
        let requestsEach = 40
        var clients: [WireClient] = []
        for connection in 0..<connections {
            let client = try WireClient(port: port, timeoutSeconds: 20)
            var bytes: [UInt8] = []
            for index in 0..<requestsEach { bytes += Self.apiVersionsFrame(correlationId: Int32(connection * 1000 + index)) }
            try client.send(bytes)
            clients.append(client)
        }
        for (connection, client) in clients.enumerated() {
            for index in 0..<requestsEach {
                var answer = ByteBuffer(bytes: try client.readFrame())
                let header = try ResponseHeader(from: &answer, headerVersion: 0)
                #expect(header.correlationId == Int32(connection * 1000 + index))
            }
        }
        #expect(channel.waitingConnections == 0)
        channel.close()
        await pool.shutdown()
        await server.shutdown(bound.map(\.channel))
    }
}
