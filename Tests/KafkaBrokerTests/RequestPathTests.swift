import Dispatch
import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaTestKit
import KafkaZk
import Logging
import NIOCore
import Synchronization
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

    /// A Metadata "handler" that blocks its thread synchronously (as a `pwrite` or a wait on a
    /// log lock does) until released, and answers with an empty body.
    final class BlockingHandler: KafkaRequestHandler {
        let apiKey = ApiKey.metadata
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let pool = Mutex<KafkaRequestHandlerPool?>(nil)
        /// The pool thread each request ran on (nil: another thread).
        let threads = Mutex<[Int?]>([])

        func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction {
            let index = pool.withLock { $0 }?.currentThreadIndex()
            threads.withLock { $0.append(index) }
            entered.signal()
            _ = release.wait(timeout: .now() + 30)  // a bound, so that a failure fails rather than hangs
            var frame = ByteBuffer()
            frame.writeInteger(Int32(4))
            frame.writeInteger(request.header.correlationId)
            return .send(frame)
        }
    }

    static func metadataFrame(correlationId: Int32) -> [UInt8] {
        var buffer = ByteBuffer()
        Metadata.writeRequestFrame(.init(topics: []), header: RequestHeader(apiKey: .metadata, apiVersion: 1, correlationId: correlationId,
                                                                            clientId: "test"), into: &buffer)
        return Array(buffer.readableBytesView)
    }

    /// Handlers blocked in synchronous waits, as many as the machine has cores (the width of the
    /// Swift runtime's cooperative pool), hold their own threads only: another handler thread
    /// still answers.
    @Test func handlersBlockedOnTheirThreadsLeaveTheOthersAnswering() async throws {
        var logger = Logger(label: "request-path-test")
        logger.logLevel = .error
        let blocked = ProcessInfo.processInfo.activeProcessorCount
        let blocking = BlockingHandler()
        let channel = RequestChannel(capacity: 16)
        let pool = KafkaRequestHandlerPool(threads: blocked + 1, channel: channel,
                                           apis: KafkaApis(logger: logger, handlers: [blocking]))
        blocking.pool.withLock { $0 = pool }
        let server = SocketServer(settings: .init(networkThreads: 1), requestChannel: channel, logger: logger)
        let bound = try await server.bind([EndPoint(listenerName: "PLAINTEXT", securityProtocol: .plaintext, host: "127.0.0.1", port: 0)])
        let port = Int(bound[0].endpoint.port)
        var waiting: [WireClient] = []
        for index in 0..<blocked {
            let client = try WireClient(port: port, timeoutSeconds: 20)
            try client.send(Self.metadataFrame(correlationId: Int32(index)))
            waiting.append(client)
            #expect(blocking.entered.wait(timeout: .now() + 20) == .success, "handler \(index) started")
        }

        let other = try WireClient(port: port, timeoutSeconds: 20)
        try other.send(Self.apiVersionsFrame(correlationId: 77))
        var answer = ByteBuffer(bytes: try other.readFrame())
        #expect(try ResponseHeader(from: &answer, headerVersion: 0).correlationId == 77)

        for _ in 0..<blocked { blocking.release.signal() }
        for (index, client) in waiting.enumerated() {
            var answer = ByteBuffer(bytes: try client.readFrame())
            #expect(try ResponseHeader(from: &answer, headerVersion: 0).correlationId == Int32(index))
        }
        let threads = blocking.threads.withLock { $0 }
        #expect(threads.count == blocked)
        #expect(threads.allSatisfy { $0 != nil }, "handlers run on the pool's threads: \(threads)")
        #expect(Set(threads).count == blocked, "each blocked a thread of its own: \(threads)")
        channel.close()
        await pool.shutdown()
        await server.shutdown(bound.map(\.channel))
    }
}
