import Foundation
import KafkaLiveView
import KafkaTestKit
import Logging
import Synchronization
import Testing

@testable import KafkaBroker

/// The admin listener on Hummingbird: `/events` writes each hub event as it is published and lets
/// go of the hub when the page goes; `close` returns with a page still connected, ending its
/// stream cleanly; the fallback answers (404 with the hint, 405) and HEAD.
@Suite("Admin listener (Hummingbird)")
struct AdminListenerTests {
    static func liveListener(hub: LiveViewHub?) async throws -> AdminListener {
        let internals = BrokerInternals(brokerId: 1, timeMs: 0, replicas: [], purgatories: [], stateChangeLog: [])
        let metrics = BrokerMetrics()
        metrics.topicStats.appended("orders", messages: 2, bytes: 10)
        return try await AdminListener.bind(
            AdminListenerAddress(host: "127.0.0.1", port: 0), metrics: metrics,
            liveView: LiveViewRoutes(internals: { internals }, hub: hub), logger: Logger(label: "test"))
    }

    /// A hub whose own loop never delivers (its snapshots fail): the test publishes by hand.
    static func handDrivenHub() -> LiveViewHub {
        LiveViewHub(interval: .seconds(3600), logger: Logger(label: "test")) { throw LiveViewHubTests.NoSnapshot() }
    }

    /// The `data:` lines of the complete `snapshot` events in `text`, decoded.
    static func snapshotMessages(_ text: String) throws -> [LiveViewHub.Message] {
        try text.components(separatedBy: "event: snapshot\ndata: ").dropFirst().compactMap { rest in
            rest.firstIndex(of: "\n").map { String(rest[..<$0]) }
        }.map { try JSONDecoder().decode(LiveViewHub.Message.self, from: Data($0.utf8)) }
    }

    @Test("/events writes each published event as it comes and unsubscribes when the client goes")
    func eventsStream() async throws {
        let hub = Self.handDrivenHub()
        defer { hub.close() }
        let listener = try await Self.liveListener(hub: hub)
        defer { Task { await listener.close() } }
        let connection = try await RawHTTPConnection(port: listener.boundAddress.port)
        try connection.send("GET /events HTTP/1.1\r\nHost: test\r\n\r\n")
        try await connection.read(until: "the stream's start") { $0.contains("retry: 1000\n\n") }
        #expect(connection.received.hasPrefix("HTTP/1.1 200"))
        #expect(connection.received.lowercased().contains("content-type: text/event-stream\r\n"))
        try await waitUntil("the page to subscribe") { hub.subscriberCount == 1 }

        hub.publish(LiveViewHubTests.snapshot(isr: [1, 2], at: 1))
        try await connection.read(until: "the first snapshot") { (try? Self.snapshotMessages($0).count) == 1 }
        hub.publish(LiveViewHubTests.snapshot(isr: [1], at: 2))
        try await connection.read(until: "the second snapshot") { (try? Self.snapshotMessages($0).count) == 2 }
        let messages = try Self.snapshotMessages(connection.received)
        #expect(messages.map(\.snapshot.takenAtMs) == [1, 2])
        #expect(messages[1].changes.map(\.text) == ["ISR of t-0 shrank: 1,2 -> 1 (2 out)"])

        // The page goes: the stream's next write (an event or the keep-alive) fails and the hub
        // loses its only subscriber, which stops its snapshot loop.
        connection.close()
        try await waitUntil("the stream to unsubscribe after the client left") { hub.subscriberCount == 0 }
    }

    @Test("close returns with an /events client connected, ending its stream cleanly")
    func closeWithAnOpenStream() async throws {
        let hub = Self.handDrivenHub()
        defer { hub.close() }
        let listener = try await Self.liveListener(hub: hub)
        let port = listener.boundAddress.port
        let connection = try await RawHTTPConnection(port: port)
        defer { connection.close() }
        try connection.send("GET /events HTTP/1.1\r\nHost: test\r\n\r\n")
        try await connection.read(until: "the stream's start") { $0.contains("retry: 1000\n\n") }
        try await waitUntil("the page to subscribe") { hub.subscriberCount == 1 }

        let closed = Atomic(false)
        Task {
            await listener.close()
            closed.store(true, ordering: .sequentiallyConsistent)
        }
        try await waitUntil("close to return", timeout: .seconds(60)) { closed.load(ordering: .sequentiallyConsistent) }
        // The stream was finished, not cut: its chunked body ends with the last-chunk marker, and
        // the server closed the connection.
        try await connection.readToEnd()
        #expect(connection.sawEndOfStream)
        #expect(connection.received.hasSuffix("0\r\n\r\n"))
        #expect(hub.subscriberCount == 0)
        await #expect(throws: HTTPGet.Failure.self) { _ = try await RawHTTPConnection(port: port) }
    }

    @Test("404 with the hint, 405 for other methods, HEAD, and /metrics beside the live view")
    func fallbackAnswers() async throws {
        let listener = try await Self.liveListener(hub: nil)
        defer { Task { await listener.close() } }
        let port = listener.boundAddress.port

        let metrics = try await HTTPGet.get(host: "127.0.0.1", port: port, path: "/metrics")
        #expect(metrics.status == 200 && metrics.contentType == "text/plain; version=0.0.4; charset=utf-8")
        #expect(BrokerMetricsTests.sample(metrics.body, #"kafka_server_brokertopicmetrics_messagesin_total{topic="orders"}"#) == 2)

        let notFound = try await HTTPGet.get(host: "127.0.0.1", port: port, path: "/nowhere?x=1")
        #expect(notFound.status == 404)
        #expect(notFound.body == "not found: /nowhere (the metrics are at /metrics)\n")

        let post = try await RawHTTPConnection(port: port)
        defer { post.close() }
        try post.send("POST /metrics HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        try await post.readToEnd()
        #expect(post.received.hasPrefix("HTTP/1.1 405"))
        #expect(post.received.hasSuffix("\r\n\r\nmethod not allowed\n"))

        let head = try await RawHTTPConnection(port: port)
        defer { head.close() }
        try head.send("HEAD /internals.json HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        try await head.readToEnd()
        #expect(head.received.hasPrefix("HTTP/1.1 200"))
        #expect(head.received.lowercased().contains("content-type: application/json\r\n"))
        #expect(head.received.hasSuffix("\r\n\r\n"))
    }

    @Test("a port in use fails bind, so the broker's startup reports it")
    func bindFailureThrows() async throws {
        let first = try await Self.liveListener(hub: nil)
        defer { Task { await first.close() } }
        await #expect(throws: (any Error).self) {
            let second = try await AdminListener.bind(first.boundAddress, metrics: BrokerMetrics(), logger: Logger(label: "test"))
            await second.close()
        }
        // The first listener still answers.
        #expect(try await HTTPGet.get(host: "127.0.0.1", port: first.boundAddress.port, path: "/metrics").status == 200)
    }
}
