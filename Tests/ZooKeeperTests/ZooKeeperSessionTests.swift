import Foundation
import KafkaTestKit
import Synchronization
import Testing
@testable import ZooKeeper

/// Records the order in which session handlers are called.
final class OrderRecorder: ZooKeeperSessionHandler {
    let calls = LockedArray<String>()
    let sessionIdAtBefore = LockedArray<Int64>()
    let client: SendableMutex<ZooKeeperClient?> = SendableMutex(nil)
    func beforeInitializingSession() async {
        calls.append("before")
    }
    func afterInitializingSession() async {
        calls.append("after")
    }
}

@Suite("ZooKeeper sessions against a real server")
struct ZooKeeperSessionTests {
    @Test func sessionExpiryCreatesANewSession() async throws {
        // The client reaches the server through a proxy; cutting it is a network partition that
        // lasts until the ensemble has expired the session.
        let ensemble = try await SharedZooKeeper.shared.get()
        let proxy = try TCPProxy(targetPort: ensemble.servers[0].clientPort)
        defer { proxy.close() }
        let zk = try await ZooKeeperClient.connect(
            "127.0.0.1:\(proxy.port)", sessionTimeout: .seconds(2), connectionTimeout: .seconds(10), logger: testLogger)
        defer { Task { await zk.close() } }
        let (observer, base) = try await connectedClient()
        defer { Task { await observer.close() } }
        let recorder = EventRecorder(zk)
        let handler = OrderRecorder()
        zk.registerSessionHandler(name: "test", handler)
        try await zk.create(base, mode: .ephemeral)
        let oldSession = zk.sessionId

        proxy.block()
        try await waitUntil("the server to expire the partitioned session", timeout: .seconds(20)) {
            try await observer.exists(base) == nil
        }
        #expect(handler.calls.all.isEmpty, "nothing is told before the client learns of the expiry")
        proxy.unblock()

        try await waitUntil("expiry and a new session", timeout: .seconds(20)) {
            zk.sessionState == .connected && zk.sessionId != oldSession && handler.calls.all == ["before", "after"]
        }
        let states = recorder.sessionStates()
        let expiredAt = try #require(states.firstIndex(of: .expired))
        #expect(states[expiredAt...].contains(.connected))
        try await zk.create(base, mode: .ephemeral)
        #expect(try await observer.exists(base)?.ephemeralOwner == zk.sessionId)
    }

    @Test func anotherClientCanAttachToASession() async throws {
        let (zk, _) = try await connectedClient()
        defer { Task { await zk.close() } }
        let credentials = try #require(zk.sessionCredentials)
        let ensemble = try await SharedZooKeeper.shared.get()
        let other = try ZooKeeperClient(connectString: ensemble.connectString, sessionTimeout: .seconds(6),
                                        logger: testLogger, resuming: credentials)
        defer { Task { await other.close() } }
        try await other.waitUntilConnected(timeout: .seconds(10))
        #expect(other.sessionId == zk.sessionId)
    }

    @Test func sessionSurvivesTheLossOfItsServerInAnEnsemble() async throws {
        try await withZooKeeper(size: 3) { ensemble in
            let zk = try await ZooKeeperClient.connect(
                ensemble.connectString, sessionTimeout: .seconds(6), connectionTimeout: .seconds(20), logger: testLogger)
            defer { Task { await zk.close() } }
            let recorder = EventRecorder(zk)
            try await zk.create("/survivor", mode: .ephemeral)
            _ = try await zk.data("/survivor", watch: true)
            let session = zk.sessionId

            // Twice, kill the server the session is connected through: the client moves to
            // another server and keeps its session.
            for _ in 0..<2 {
                let server = try #require(zk.currentServer)
                let id = try #require(ensemble.servers.first { server.hasSuffix(":\($0.clientPort)") }?.id)
                await ensemble.killServer(id)
                try await waitUntil("a reconnection after losing server \(id)", timeout: .seconds(30)) {
                    zk.currentServer.map { $0 != server } ?? false
                }
                // Losing the quorum leader makes the others re-elect and drop their clients for a
                // moment: a call may meet CONNECTIONLOSS before the session settles on a server.
                try await waitUntil("the session's ephemeral node, read through another server", timeout: .seconds(30)) {
                    try await zk.exists("/survivor") != nil
                }
                try ensemble.startServer(id)
                try await ensemble.waitUntilServing()
            }
            #expect(zk.sessionId == session)
            #expect(!recorder.sessionStates().contains(.expired))
            #expect(recorder.sessionStates().contains(.connecting), "the disconnection was reported")
            #expect(try await zk.exists("/survivor")?.ephemeralOwner == session)

            // The watch armed before the failovers still fires.
            try await waitUntil("a write once the restarted server has rejoined", timeout: .seconds(30)) {
                try await zk.setData("/survivor", data: [1])
                return true
            }
            try await waitUntil("the watch set before the failovers") {
                recorder.watches.contains(WatchedEvent(kind: .nodeDataChanged, path: "/survivor"))
            }
        }
    }

    @Test func connectTimesOutWithoutServer() async throws {
        let port = freeLoopbackPorts(1)[0]
        await #expect(throws: ZooKeeperError(.operationTimeout)) {
            _ = try await ZooKeeperClient.connect("127.0.0.1:\(port)", sessionTimeout: .seconds(4),
                                                  connectionTimeout: .milliseconds(700), logger: testLogger)
        }
    }

    @Test func callsInFlightFinishExactlyOnceWhenClosed() async throws {
        let (zk, base) = try await connectedClient()
        try await zk.create(base, data: [1, 2, 3])
        let handle = zk.handleId
        let outcomes = LockedArray<Bool>()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<2000 {
                group.addTask {
                    do {
                        if index % 2 == 0 {
                            _ = try await zk.data(base)
                        } else {
                            _ = try await zk.exists(base + "/\(index)", watch: true)
                        }
                        outcomes.append(true)
                    } catch let error as ZooKeeperError {
                        #expect(error.code == .closing || error.code == .connectionLoss)
                        outcomes.append(false)
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(30))
            await zk.close()
            try await group.waitForAll()
        }
        #expect(outcomes.all.count == 2000, "every call finished exactly once")
        #expect(PendingCalls.shared.count(handle: handle) == 0, "the closed handle owes nothing")
        await #expect(throws: ZooKeeperError(.closing, path: base)) { try await zk.data(base) }
    }

    @Test func closeEndsEventStreams() async throws {
        let (zk, _) = try await connectedClient()
        let stream = zk.events()
        await zk.close()
        var last: ZooKeeperEvent?
        for await event in stream { last = event }
        #expect(last == .session(.closed, sessionId: zk.sessionId))
        #expect(zk.sessionState == .closed)
    }
}
