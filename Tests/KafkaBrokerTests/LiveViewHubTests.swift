import Foundation
import KafkaLiveView
import KafkaTestKit
import Logging
import Synchronization
import Testing

@testable import KafkaBroker

/// The live page's server side: the hub pushes a snapshot only when its content changed, with
/// the changes named; a new page gets the last one at once; the admin listener serves the page,
/// `/internals.json`, and still `/metrics`.
@Suite("Live view hub and routes")
struct LiveViewHubTests {
    /// Collects the events a subscriber receives.
    final class Received: Sendable {
        private let events = Mutex<[String]>([])
        func append(_ text: String) { events.withLock { $0.append(text) } }
        var all: [String] { events.withLock { $0 } }

        func messages() throws -> [LiveViewHub.Message] {
            try all.map { event in
                #expect(event.hasPrefix("event: snapshot\ndata: ") && event.hasSuffix("\n\n"))
                let json = event.dropFirst("event: snapshot\ndata: ".count).dropLast(2)
                #expect(!json.contains("\n"))
                return try JSONDecoder().decode(LiveViewHub.Message.self, from: Data(json.utf8))
            }
        }
    }

    struct NoSnapshot: Error {}

    static func snapshot(isr: [Int32], at ms: Int64) -> ClusterSnapshot {
        ClusterSnapshot(
            takenAtMs: ms, controllerId: 1, controllerEpoch: 2,
            brokers: [.init(id: 1, endpoints: [], adminListener: nil, internalsRead: false)],
            partitions: [.init(topic: "t", partition: 0, leader: 1, leaderEpoch: 0, isr: isr, replicas: [1, 2], stateModifiedMs: 0,
                               replicaStates: [])],
            purgatories: [], stateChangeLog: [])
    }

    @Test("pushes on change only, with the changes named; a late subscriber gets the last snapshot")
    func pushesOnChange() throws {
        // The loop's own snapshots fail: the test publishes by hand.
        let hub = LiveViewHub(interval: .seconds(3600), logger: Logger(label: "test")) { throw NoSnapshot() }
        defer { hub.close() }
        let first = Received()
        let id = hub.subscribe { first.append($0) }
        #expect(first.all.isEmpty)
        hub.publish(Self.snapshot(isr: [1, 2], at: 1))
        hub.publish(Self.snapshot(isr: [1, 2], at: 2))
        hub.publish(Self.snapshot(isr: [1], at: 3))
        let messages = try first.messages()
        #expect(messages.map(\.snapshot.takenAtMs) == [1, 3])
        #expect(messages[0].changes.isEmpty)
        #expect(messages[1].changes.map(\.text) == ["ISR of t-0 shrank: 1,2 -> 1 (2 out)"])

        let late = Received()
        let lateId = hub.subscribe { late.append($0) }
        #expect(try late.messages().map(\.snapshot.takenAtMs) == [3])
        #expect(try late.messages()[0].changes.isEmpty)
        hub.unsubscribe(id)
        hub.unsubscribe(lateId)
        #expect(hub.subscriberCount == 0)
    }

    @Test("the admin listener serves the page and /internals.json, and passes other paths on")
    func routes() async throws {
        let internals = BrokerInternals(
            brokerId: 7, timeMs: 5, replicas: [.init(topic: "t", partition: 0, leader: 7, leaderEpoch: 1, highWatermark: 3,
                                                      logEndOffset: 4, followers: [.init(broker: 8, logEndOffset: 3)])],
            purgatories: [.init(name: "Produce", delayed: 1, watched: 2)], stateChangeLog: [.init(timeMs: 4, text: "line")])
        let listener = try await AdminListener.bind(
            AdminListenerAddress(host: "127.0.0.1", port: 0), metrics: BrokerMetrics(),
            liveView: LiveViewRoutes(internals: { internals }, hub: nil), logger: Logger(label: "test"))
        defer { Task { await listener.close() } }
        let port = listener.boundAddress.port
        let page = try await HTTPGet.get(host: "127.0.0.1", port: port, path: "/")
        #expect(page.status == 200 && page.contentType == "text/html; charset=utf-8")
        #expect(page.body == LiveViewPage.html)
        let json = try await HTTPGet.get(host: "127.0.0.1", port: port, path: "/internals.json")
        #expect(json.status == 200 && json.contentType == "application/json")
        #expect(try JSONDecoder().decode(BrokerInternals.self, from: Data(json.body.utf8)) == internals)
        #expect(try await HTTPGet.get(host: "127.0.0.1", port: port, path: "/metrics").status == 200)
        #expect(try await HTTPGet.get(host: "127.0.0.1", port: port, path: "/elsewhere").status == 404)
        // Without a ZooKeeper connection to watch, the stream says so and ends.
        let events = try await HTTPGet.get(host: "127.0.0.1", port: port, path: "/events")
        #expect(events.contentType == "text/event-stream" && events.body.hasPrefix("event: off\n"))
    }
}
