import Foundation
import KafkaTestKit
import Synchronization
import Testing
@testable import ZooKeeper

/// A request's outcome, set once by the task that ran it.
private final class Outcome: Sendable {
    private let value = Mutex<Result<Void, ZooKeeperError>?>(nil)
    var result: Result<Void, ZooKeeperError>? { value.withLock { $0 } }
    func set(_ result: Result<Void, ZooKeeperError>) { value.withLock { $0 = result } }
    /// The code of the error the request ended with (nil: not ended, or succeeded).
    var errorCode: ZooKeeperError.Code? {
        guard case .failure(let error) = result else { return nil }
        return error.code
    }
}

/// Requests across a lost connection, through a proxy the test cuts (the server itself stays up).
@Suite("ZooKeeper requests wait out a lost connection")
struct ZooKeeperReconnectTests {
    private func proxiedClient(sessionTimeout: Duration) async throws -> (ZooKeeperClient, TCPProxy) {
        let ensemble = try await SharedZooKeeper.shared.get()
        let proxy = try TCPProxy(targetPort: ensemble.servers[0].clientPort)
        let zk = try await ZooKeeperClient.connect(
            "127.0.0.1:\(proxy.port)", sessionTimeout: sessionTimeout, connectionTimeout: .seconds(10), logger: testLogger)
        return (zk, proxy)
    }

    private func run(_ body: @escaping @Sendable () async throws -> Void) -> (Task<Void, Never>, Outcome) {
        let outcome = Outcome()
        let task = Task {
            do {
                try await body()
                outcome.set(.success(()))
            } catch let error as ZooKeeperError {
                outcome.set(.failure(error))
            } catch {
                outcome.set(.failure(ZooKeeperError(.other(0))))
            }
        }
        return (task, outcome)
    }

    @Test func aRequestIssuedWhileDisconnectedWaitsAndLandsInTheSameSession() async throws {
        let (zk, proxy) = try await proxiedClient(sessionTimeout: .seconds(10))
        defer { proxy.close() }
        defer { Task { await zk.close() } }
        let (observer, base) = try await connectedClient()
        defer { Task { await observer.close() } }
        let session = zk.sessionId

        proxy.block()
        try await waitUntil("the client to see the lost connection") { !zk.sessionState.isConnected }
        let (task, outcome) = run { try await zk.create(base, mode: .ephemeral) }
        // The C client fails what it has queued at each connection attempt that fails; before
        // this change such a request ended with connectionLoss within this time.
        let until = ContinuousClock.now + .seconds(2)
        while ContinuousClock.now < until {
            #expect(outcome.result == nil, "the request waits while the session lives")
            try await Task.sleep(for: .milliseconds(100))
        }
        proxy.unblock()
        await task.value
        #expect(try outcome.result?.get() != nil, "created after the reconnect: \(String(describing: outcome.result))")
        #expect(zk.sessionId == session)
        #expect(try await observer.exists(base)?.ephemeralOwner == session)
    }

    @Test func requestsCutInFlightAreSentAgainOnceReconnected() async throws {
        let (zk, proxy) = try await proxiedClient(sessionTimeout: .seconds(10))
        defer { proxy.close() }
        defer { Task { await zk.close() } }
        let base = "/t-\(UUID().uuidString.prefix(8))"
        try await zk.create(base, data: Array("value".utf8))

        // Many reads in flight when the connection goes: each one still gets its answer.
        let reads = Task {
            try await withThrowingTaskGroup(of: [UInt8].self) { group in
                for _ in 0..<2000 { group.addTask { try await zk.data(base).data } }
                var answers: [[UInt8]] = []
                for try await answer in group { answers.append(answer) }
                return answers
            }
        }
        proxy.block()
        try await waitUntil("the client to see the lost connection") { !zk.sessionState.isConnected }
        proxy.unblock()
        let answers = try await reads.value
        #expect(answers.count == 2000)
        #expect(answers.allSatisfy { $0 == Array("value".utf8) })
        try await zk.delete(base)
    }

    @Test func batchReadsWaitOutALostConnectionAndAreSentAgain() async throws {
        let (zk, proxy) = try await proxiedClient(sessionTimeout: .seconds(10))
        defer { proxy.close() }
        defer { Task { await zk.close() } }
        let base = "/t-\(UUID().uuidString.prefix(8))"
        try await zk.create(base, data: Array("value".utf8))
        let paths = Array(repeating: base, count: 2000) + [base + "-missing"]

        // A batch in flight when the connection goes: every read still gets its own answer.
        let inFlight = Task { await zk.data(batch: paths) }
        proxy.block()
        try await waitUntil("the client to see the lost connection") { !zk.sessionState.isConnected }
        // A batch issued while disconnected waits for the reconnect.
        let issuedWhileDown = Task { await zk.data(batch: [base]) }
        proxy.unblock()
        for answers in [await inFlight.value, await issuedWhileDown.value] {
            for answer in answers.dropLast(answers.count == 1 ? 0 : 1) {
                #expect(try answer.get().data == Array("value".utf8))
            }
        }
        let last = try #require(await inFlight.value.last)
        #expect(throws: ZooKeeperError.self) { try last.get() }
        if case .failure(let error) = last { #expect(error.code == .noNode) }
        try await zk.delete(base)
    }

    @Test func aWaitingRequestFailsWithSessionExpiredAndDoesNotMoveToTheNewSession() async throws {
        let (zk, proxy) = try await proxiedClient(sessionTimeout: .seconds(2))
        defer { proxy.close() }
        defer { Task { await zk.close() } }
        let (observer, base) = try await connectedClient()
        defer { Task { await observer.close() } }
        try await zk.create(base, mode: .ephemeral)
        let child = "\(base)-waiting"

        proxy.block()
        try await waitUntil("the client to see the lost connection") { !zk.sessionState.isConnected }
        let (task, outcome) = run { try await zk.create(child, mode: .ephemeral) }
        try await waitUntil("the server to expire the partitioned session", timeout: .seconds(20)) {
            try await observer.exists(base) == nil
        }
        #expect(outcome.result == nil)
        proxy.unblock()
        await task.value
        #expect(outcome.errorCode == .sessionExpired)
        try await waitUntil("a new session") { zk.sessionState == .connected }
        #expect(try await observer.exists(child) == nil, "not created in the new session")
    }

    @Test func closingTheClientEndsAWaitingRequest() async throws {
        let (zk, proxy) = try await proxiedClient(sessionTimeout: .seconds(10))
        defer { proxy.close() }
        proxy.block()
        try await waitUntil("the client to see the lost connection") { !zk.sessionState.isConnected }
        let (task, outcome) = run { _ = try await zk.exists("/") }
        await zk.close()
        await task.value
        #expect(outcome.errorCode == .closing)
    }
}
