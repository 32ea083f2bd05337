import Dispatch
import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaTestKit
import KafkaZk
import Logging
import NIOCore
import Testing

@testable import KafkaBroker

/// `num.io.threads` changed at run time: the pool starts handlers on threads of their own, and
/// retires the newest ones.
@Suite struct RequestHandlerPoolResizeTests {
    @Test func aGrownPoolRunsAsManyBlockedHandlersAsItHasThreads() async throws {
        var logger = Logger(label: "request-pool-resize-test")
        logger.logLevel = .error
        let blocking = RequestPathTests.BlockingHandler()
        let channel = RequestChannel(capacity: 16)
        let pool = KafkaRequestHandlerPool(threads: 1, channel: channel, apis: KafkaApis(logger: logger, handlers: [blocking]))
        blocking.pool.withLock { $0 = pool }
        pool.resize(to: 3)
        #expect(pool.size == 3)
        let server = SocketServer(settings: .init(networkThreads: 1), requestChannel: channel, logger: logger)
        let bound = try await server.bind([EndPoint(listenerName: "PLAINTEXT", securityProtocol: .plaintext, host: "127.0.0.1", port: 0)])
        let port = Int(bound[0].endpoint.port)
        // With one thread the second request could not start until the first is released.
        var waiting: [WireClient] = []
        for index in 0..<3 {
            let client = try WireClient(port: port, timeoutSeconds: 20)
            try client.send(RequestPathTests.metadataFrame(correlationId: Int32(index)))
            waiting.append(client)
            #expect(blocking.entered.wait(timeout: .now() + 20) == .success, "handler \(index) started")
        }
        for _ in 0..<3 { blocking.release.signal() }
        for (index, client) in waiting.enumerated() {
            var answer = ByteBuffer(bytes: try client.readFrame())
            #expect(try ResponseHeader(from: &answer, headerVersion: 0).correlationId == Int32(index))
        }
        #expect(Set(blocking.threads.withLock { $0 }).count == 3, "three threads of the pool")

        // Shrinking retires handlers; the pool keeps answering and shuts down with them.
        pool.resize(to: 1)
        #expect(pool.size == 1)
        pool.resize(to: 0)
        #expect(pool.size == 1, "never fewer than one handler")
        let other = try WireClient(port: port, timeoutSeconds: 20)
        try other.send(RequestPathTests.apiVersionsFrame(correlationId: 9))
        var answer = ByteBuffer(bytes: try other.readFrame())
        #expect(try ResponseHeader(from: &answer, headerVersion: 0).correlationId == 9)
        channel.close()
        await pool.shutdown()
        await server.shutdown(bound.map(\.channel))
    }
}
