import KafkaCommon
import KafkaProtocol
import KafkaTestKit
import KafkaZk
import Logging
import NIOCore
import Testing

@testable import KafkaBroker

/// `num.network.threads` at run time: the processors as an event loop group that hands out its
/// current loops round-robin, grows, and shrinks by closing the connections of the processors it
/// removes (Kafka's `SocketServer.resizeThreadPool`).
@Suite("Network processors resized at run time")
struct NetworkProcessorGroupTests {
    static var quietLogger: Logger {
        var logger = Logger(label: "network-processor-group-test")
        logger.logLevel = .error
        return logger
    }

    @Test func nextGoesRoundRobinOverTheCurrentProcessors() async throws {
        let group = NetworkProcessorGroup(numberOfProcessors: 3, logger: Self.quietLogger)
        let three = group.loops
        #expect(three.count == 3 && Set(three.map { ObjectIdentifier($0) }).count == 3)
        let picked = (0..<6).map { _ in ObjectIdentifier(group.next()) }
        #expect(picked == (three + three).map { ObjectIdentifier($0) })

        await group.resize(to: 6)
        let six = group.loops
        #expect(group.count == 6)
        #expect(six.prefix(3).map { ObjectIdentifier($0) } == three.map { ObjectIdentifier($0) }, "growing keeps the processors")
        let afterGrowing = (0..<6).map { _ in ObjectIdentifier(group.next()) }
        #expect(Set(afterGrowing) == Set(six.map { ObjectIdentifier($0) }), "the new processors take connections at once")

        _ = group.next()  // the cursor now points past the processors about to go
        _ = group.next()
        _ = group.next()
        _ = group.next()
        await group.resize(to: 2)
        #expect(group.loops.map { ObjectIdentifier($0) } == three.prefix(2).map { ObjectIdentifier($0) },
                "shrinking removes the newest processors")
        let afterShrinking = (0..<8).map { _ in ObjectIdentifier(group.next()) }
        #expect(Set(afterShrinking) == Set(three.prefix(2).map { ObjectIdentifier($0) }), "a removed processor is never picked")
        #expect(afterShrinking[0] != afterShrinking[1], "still round-robin")

        await group.resize(to: 0)
        #expect(group.count == 1, "at least one processor")
        try await group.shutdownGracefully()
    }

    /// Shrinking closes exactly the connections of the removed processors; the others keep
    /// working, and a client that reconnects is served by a processor in effect.
    @Test func shrinkingClosesTheConnectionsOfRemovedProcessors() async throws {
        let logger = Self.quietLogger
        let channel = RequestChannel(capacity: 16)
        let pool = KafkaRequestHandlerPool(threads: 1, channel: channel, apis: KafkaApis(logger: logger, handlers: []))
        let server = SocketServer(settings: .init(networkThreads: 3), requestChannel: channel, logger: logger)
        let bound = try await server.bind([EndPoint(listenerName: "PLAINTEXT", securityProtocol: .plaintext, host: "127.0.0.1", port: 0)])
        let port = Int(bound[0].endpoint.port)
        var correlationId: Int32 = 0
        /// One ApiVersions round trip; false if the connection was closed.
        func answered(_ client: WireClient) -> Bool {
            correlationId += 1
            do {
                try client.send(RequestPathTests.apiVersionsFrame(correlationId: correlationId))
                var answer = ByteBuffer(bytes: try client.readFrame())
                return try ResponseHeader(from: &answer, headerVersion: 0).correlationId == correlationId
            } catch {
                return false
            }
        }

        var clients: [WireClient] = []
        for _ in 0..<6 {
            let client = try WireClient(port: port, timeoutSeconds: 20)
            #expect(answered(client))
            clients.append(client)
        }
        try await waitUntil("6 connections registered") { server.processors.connectionCounts == [2, 2, 2] }

        await server.resizeThreadPool(to: 6)
        #expect(server.processors.count == 6)
        for _ in 0..<6 {
            let client = try WireClient(port: port, timeoutSeconds: 20)
            #expect(answered(client))
            clients.append(client)
        }
        try await waitUntil("12 connections registered") { server.processors.connectionCounts.reduce(0, +) == 12 }
        let counts = server.processors.connectionCounts
        #expect(counts.allSatisfy { $0 >= 1 }, "the new processors took connections: \(counts)")
        let onRemoved = counts[3...].reduce(0, +)

        await server.resizeThreadPool(to: 3)
        #expect(server.processors.count == 3)
        #expect(server.processors.connectionCounts.reduce(0, +) == 12 - onRemoved)
        let served = clients.filter { answered($0) }.count
        #expect(served == 12 - onRemoved, "exactly the connections of the removed processors were closed")
        let reconnected = try WireClient(port: port, timeoutSeconds: 20)
        #expect(answered(reconnected), "a client that reconnects is served")
        try await waitUntil("the reconnected client on a current processor") {
            server.processors.connectionCounts.reduce(0, +) == 12 - onRemoved + 1
        }

        channel.close()
        await pool.shutdown()
        await server.shutdown(bound.map(\.channel))
    }
}
