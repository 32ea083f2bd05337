@testable import Controller
import Foundation
import KafkaCommon
import KafkaProtocol
import KafkaTestKit
import KafkaZk
import Logging
import Synchronization
import Testing

/// The controller's senders against real loopback sockets: a request timeout closes the
/// connection and the request goes again on a new one; a removed broker's sender stops at once
/// wherever it is waiting, and its queue is dropped; brokers do not wait for each other.
@Suite struct ControllerChannelManagerTests {
    static let logger = Logger(label: "test.ControllerChannelManager")

    func broker(_ id: BrokerId, port: Int) -> BrokerInfo {
        BrokerInfo(id: id, endpoints: [EndPoint(listenerName: "PLAINTEXT", securityProtocol: .plaintext, host: "127.0.0.1", port: Int32(port))],
                   timestamp: 0)
    }

    func manager(_ settings: ControllerChannelManager.Settings) -> ControllerChannelManager {
        ControllerChannelManager(controllerId: 0, interBrokerListener: "PLAINTEXT", settings: settings, logger: Self.logger)
    }

    /// Waits at most `bound` for `task` to end; true if it did.
    func ends(_ task: Task<Void, Never>?, within bound: Duration) async -> Bool {
        guard let task else { return false }
        let ended = Mutex(false)
        let watcher = Task {
            await task.value
            ended.withLock { $0 = true }
        }
        do {
            try await waitUntil("the sender to stop", timeout: bound, every: .milliseconds(10)) { ended.withLock { $0 } }
        } catch {
            watcher.cancel()
            return false
        }
        return true
    }

    @Test func requestTimeoutClosesTheConnectionAndRetriesOnANewOne() async throws {
        // The first connection never answers; the second does.
        let stub = try BrokerListenerStub { connection, frame in
            connection == 0 ? nil : BrokerListenerStub.apiVersionsResponse(to: frame)
        }
        defer { stub.close() }
        let channels = manager(.init(requestTimeout: .milliseconds(300), retryBackoff: .milliseconds(20)))
        defer { channels.shutdown() }
        channels.addBroker(broker(1, port: stub.port))
        let answered = Mutex(0)
        let start = ContinuousClock.now
        channels.send(to: 1, ApiVersions.self, ApiVersions.Request(), version: 0) { _ in answered.withLock { $0 += 1 } }
        try await waitUntil("the retried request to be answered", timeout: .seconds(20)) { answered.withLock { $0 } == 1 }
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(300), "the first attempt waited for its timeout")
        let connections = stub.connections
        #expect(connections.count == 2)
        #expect(connections[0].frames.count == 1 && connections[1].frames.count == 1, "the same request, once on each")
        try await waitUntil("the timed-out connection to be closed", timeout: .seconds(10)) { stub.connections[0].closedByPeer }
    }

    @Test func removedSenderStopsWhileWaitingForAResponseAndDropsItsQueue() async throws {
        let stub = try BrokerListenerStub()
        defer { stub.close() }
        let channels = manager(.init(requestTimeout: .seconds(120)))
        channels.addBroker(broker(1, port: stub.port))
        let answered = Mutex(0)
        for _ in 0..<3 {
            channels.send(to: 1, ApiVersions.self, ApiVersions.Request(), version: 0) { _ in answered.withLock { $0 += 1 } }
        }
        try await waitUntil("the first request to reach the broker", timeout: .seconds(10)) { stub.frameCount == 1 }
        let sender = channels.removeBroker(1)
        #expect(await ends(sender, within: .seconds(15)), "cancelled while waiting for a 120 s response")
        #expect(!channels.brokerIds.contains(1))
        try await waitUntil("the connection to be closed", timeout: .seconds(10)) { stub.connections.first?.closedByPeer == true }
        #expect(stub.frameCount == 1, "the queued requests were dropped, not sent")
        #expect(stub.connections.count == 1)
        #expect(answered.withLock { $0 } == 0)
        // A request for a removed broker is dropped.
        channels.send(to: 1, ApiVersions.self, ApiVersions.Request(), version: 0)
        #expect(stub.connections.count == 1)
    }

    @Test func removedSenderStopsWhileBackingOff() async throws {
        // A port nobody listens on: every attempt is refused, then the sender backs off a minute.
        let refused = freeLoopbackPorts(1)[0]
        let channels = manager(.init(requestTimeout: .seconds(5), retryBackoff: .seconds(60), maxRetryBackoff: .seconds(60)))
        channels.addBroker(broker(1, port: refused))
        channels.send(to: 1, ApiVersions.self, ApiVersions.Request(), version: 0)
        // Whatever the sender is doing by now (connecting or backing off), it must stop at once.
        try await Task.sleep(for: .milliseconds(300))
        #expect(await ends(channels.removeBroker(1), within: .seconds(15)))
    }

    @Test func removedSenderStopsWhileIdle() async throws {
        let stub = try BrokerListenerStub()
        defer { stub.close() }
        let channels = manager(.init())
        channels.addBroker(broker(1, port: stub.port))
        #expect(await ends(channels.removeBroker(1), within: .seconds(15)))
        #expect(stub.connections.isEmpty, "no request, no connection")
    }

    @Test func cancelledConnectReturnsAtOnceAndClosesTheLateConnection() async throws {
        // An operation that ignores cancellation (as a NIO connect does) and succeeds late.
        let abandoned = Mutex<[Int]>([])
        let attempt = Task {
            try await abandoningOnCancel({
                await Task.detached { try? await Task.sleep(for: .seconds(2)) }.value
                return 42
            }, abandon: { value in abandoned.withLock { $0.append(value) } })
        }
        try await Task.sleep(for: .milliseconds(50))
        attempt.cancel()
        await #expect(throws: CancellationError.self) { try await attempt.value }
        // Returned before the operation ended (it sleeps 2 s): nothing was abandoned yet. No
        // bound on the time itself, which a loaded machine would stretch.
        #expect(abandoned.withLock { $0 }.isEmpty, "returned before the operation ended")
        try await waitUntil("the late result to be abandoned", timeout: .seconds(10)) { abandoned.withLock { $0 } == [42] }

        // Not cancelled: the operation's result, nothing abandoned.
        let value = try await abandoningOnCancel({ 7 }, abandon: { _ in Issue.record("nothing to abandon") })
        #expect(value == 7)
        // Cancelled before it starts: CancellationError at once.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await abandoningOnCancel({ 1 }, abandon: { _ in })
        }
        await #expect(throws: CancellationError.self) { try await early.value }
    }

    @Test func brokersDoNotWaitForEachOther() async throws {
        let silent = try BrokerListenerStub()
        defer { silent.close() }
        let answering = try BrokerListenerStub { _, frame in BrokerListenerStub.apiVersionsResponse(to: frame) }
        defer { answering.close() }
        let channels = manager(.init(requestTimeout: .seconds(120)))
        defer { channels.shutdown() }
        channels.addBroker(broker(1, port: silent.port))
        channels.addBroker(broker(2, port: answering.port))
        let answered = Mutex<[BrokerId]>([])
        // One batch: broker 1 first, which never answers.
        for id: BrokerId in [1, 2] {
            channels.send(to: id, ApiVersions.self, ApiVersions.Request(), version: 0) { _ in answered.withLock { $0.append(id) } }
        }
        try await waitUntil("broker 2 to answer while broker 1 hangs", timeout: .seconds(10)) { answered.withLock { $0 } == [2] }
        #expect(silent.frameCount == 1)
    }
}
