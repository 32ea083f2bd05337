import Foundation
import Glibc
import KafkaCommon
import KafkaTestKit
import KafkaZk
import Testing
import ZooKeeper

/// Three `kafka-server` processes on a three-node ZooKeeper ensemble, session timeout 4 s.
extension RealClusterTests {
    @Suite("Controller election with real brokers and a real ensemble", .serialized)
    struct ControllerElectionTests {
        static let sessionTimeout: Duration = .milliseconds(4000)

        @Test func exactlyOneControllerAndKillingItElectsAnother() async throws {
            try await withKafkaCluster { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                try await waitUntil("three registered brokers") { try await zk.liveBrokerIds() == [1, 2, 3] }
                let (controller, epoch) = try await waitFor("a controller") { try await zk.currentController() }
                try await waitUntil("the controller to log its election") {
                    !lines(cluster.broker(Int(controller.rawValue)).log, containing: "Elected as the controller").isEmpty
                }
                let elected = cluster.brokers.filter { !lines($0.log, containing: "Elected as the controller").isEmpty }
                #expect(elected.map(\.id) == [Int(controller.rawValue)], "exactly one broker was elected")
                #expect(epoch == ControllerEpoch(1))

                // The registration reads like Apache Kafka's.
                let registered = try #require(try await zk.brokerInfo(controller))
                #expect(registered.endpoints.map(\.connectionString) == ["PLAINTEXT://127.0.0.1:\(cluster.broker(Int(controller.rawValue)).port)"])

                let killedAt = ContinuousClock.now
                await cluster.broker(Int(controller.rawValue)).kill9()
                let (successor, newEpoch) = try await waitFor("a new controller", timeout: .seconds(20)) {
                    try await zk.currentController().flatMap { $0.0 != controller ? $0 : nil }
                }
                let elapsed = ContinuousClock.now - killedAt
                #expect(elapsed < Self.sessionTimeout + .seconds(2), "new controller after \(elapsed)")
                #expect(newEpoch == ControllerEpoch(epoch.rawValue + 1))
                #expect(try await zk.liveBrokerIds() == [1, 2, 3].map { BrokerId(Int32($0)) }.filter { $0 != controller })
                // The successor's view of the live brokers (at its failover, or at a later broker change)
                // no longer includes the dead broker.
                let survivors = [1, 2, 3].filter { $0 != Int(controller.rawValue) }.map(String.init).joined(separator: ",")
                try await waitUntil("the new controller to know the live brokers") {
                    let views = lines(cluster.broker(Int(successor.rawValue)).log, containing: "live brokers")
                    .filter { $0.contains("Initialized controller context") || $0.contains("Broker change:") }
                    return views.last?.contains("live brokers [\(survivors)]") == true
                        || views.last?.contains("all live brokers: [\(survivors)]") == true
                }
            }
        }

        @Test func pausedControllerResignsAndNeverActsWithItsOldEpoch() async throws {
            try await withKafkaCluster { cluster in
                defer { if ProcessInfo.processInfo.environment["PRINT_BROKER_LOGS"] != nil { cluster.printLogs() } }
                defer { keepBrokerLogs(cluster, test: "paused-controller") }
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let (controller, epoch) = try await waitFor("a controller") { try await zk.currentController() }
                let paused = cluster.broker(Int(controller.rawValue))
                let oldOwner = try #require(try await zk.registrationOwner(paused.id))

                paused.send(SIGSTOP)
                let stoppedAt = ContinuousClock.now
                let (successor, newEpoch) = try await waitFor("a new controller", timeout: .seconds(20)) {
                    try await zk.currentController().flatMap { $0.0 != controller ? $0 : nil }
                }
                #expect(ContinuousClock.now - stoppedAt < Self.sessionTimeout + .seconds(2))
                #expect(newEpoch == ControllerEpoch(epoch.rawValue + 1))
                try await waitUntil("the paused broker's registration to expire") { try await zk.registrationOwner(paused.id) == nil }

                paused.send(SIGCONT)
                try await waitUntil("the old controller to resign", timeout: .seconds(20)) {
                    !lines(paused.log, containing: "[Controller id=\(controller) epoch=\(epoch)] Resigned as the controller").isEmpty
                }
                // Once resumed, the broker learns of the expiry at its first look at the socket,
                // resigns, opens a new session and registers again: tens of milliseconds, a
                // session timeout of slack for a loaded machine. (A resumed broker that crashed —
                // a fenced /controller deletion reaching the expired C handle, fixed — used to
                // show up here as a registration that never came.)
                let newOwner = try await waitFor("the paused broker to register again",
                                                 timeout: Self.sessionTimeout + .seconds(6)) {
                    try await zk.registrationOwner(paused.id)
                }
                #expect(paused.isRunning, "the resumed broker is alive")
                #expect(newOwner != oldOwner, "registered with a new session")
                try await waitUntil("the resumed broker to watch the controller again") {
                    !lines(paused.log, containing: "Registered broker \(paused.id)").dropFirst().isEmpty
                }

                // The old controller did nothing with its old epoch after resuming: every line it wrote
                // with that epoch comes before its resignation, and the ensemble still names the successor.
                let log = paused.log.split(separator: "\n")
                let resignedAt = try #require(log.firstIndex { $0.contains("epoch=\(epoch)] Resigned as the controller") })
                #expect(log[(resignedAt + 1)...].allSatisfy { !$0.contains("[Controller id=\(controller) epoch=\(epoch)]") })
                let current = try #require(try await zk.currentController())
                #expect(current.0 == successor)
                #expect(current.1 == newEpoch)
                #expect(lines(paused.log, containing: "Elected as the controller").count == 1)
            }
        }

        @Test func losingOneZooKeeperServerKeepsEveryBrokerRegistered() async throws {
            try await withKafkaCluster { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                try await waitUntil("three registered brokers") { try await zk.liveBrokerIds() == [1, 2, 3] }
                let owners = try await [1, 2, 3].asyncMap { try await zk.registrationOwner($0) }
                let (controller, epoch) = try await waitFor("a controller") { try await zk.currentController() }
                // The server goes as soon as there is a controller, maybe while it is still taking
                // over: its requests wait for the session to reconnect (see
                // ZooKeeperServerLossDuringFailoverTests for a kill made to land in a failover).

                // Kill the server most brokers are likely connected to: the first of the connect string.
                await cluster.ensemble.killServer(1)
                // For longer than a session timeout, every broker stays registered with its session,
                // and the controller stays put.
                let until = ContinuousClock.now + Self.sessionTimeout * 2
                while ContinuousClock.now < until {
                    #expect(try await zk.liveBrokerIds() == [1, 2, 3])
                    try await Task.sleep(for: .milliseconds(250))
                }
                #expect(try await [1, 2, 3].asyncMap { try await zk.registrationOwner($0) } == owners)
                let current = try #require(try await zk.currentController())
                #expect(current.0 == controller && current.1 == epoch)
            }
        }

        @Test func sigtermDeregistersAtOnceAndExitsZero() async throws {
            try await withKafkaCluster { cluster in
                let zk = try await observe(cluster)
                defer { Task { await zk.close() } }
                let (controller, epoch) = try await waitFor("a controller") { try await zk.currentController() }
                let follower = try #require(cluster.brokers.first { $0.id != Int(controller.rawValue) })

                // Ordering, not wall-clock bounds: the broker's session was alive until its process
                // exited, so a session expiry could remove its znodes only a session timeout after
                // the exit. Znodes already gone when `terminate()` returns were deleted by the broker
                // itself, at shutdown.
                #expect(await follower.terminate() == 0)
                #expect(try await zk.registrationOwner(follower.id) == nil, "deregistered before it exited")
                #expect(!lines(follower.log, containing: "shut down completed").isEmpty)

                let leaving = cluster.broker(Int(controller.rawValue))
                #expect(await leaving.terminate() == 0)
                #expect(try await zk.registrationOwner(leaving.id) == nil, "deregistered before it exited")
                #expect(try await zk.currentController()?.0 != controller, "resigned /controller before it exited")
                let (successor, newEpoch) = try await waitFor("the last broker to take over", timeout: .seconds(20)) {
                    try await zk.currentController().flatMap { $0.0 != controller ? $0 : nil }
                }
                #expect(successor != BrokerId(Int32(follower.id)))
                #expect(newEpoch == ControllerEpoch(epoch.rawValue + 1))
                #expect(!lines(leaving.log, containing: "epoch=\(epoch)] Resigned as the controller").isEmpty)
            }
        }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
