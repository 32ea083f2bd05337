import Foundation
import KafkaTestKit
import Logging
import ZooKeeper

/// One standalone ZooKeeper server for the whole test process; each test works under a path of
/// its own, so tests can run in parallel. The server is killed when the process ends.
actor SharedZooKeeper {
    static let shared = SharedZooKeeper()
    private var starting: Task<ZooKeeperEnsemble, any Error>?

    /// The server, started by the first caller; callers arriving meanwhile wait for the same one
    /// (the actor is re-entered while the first start is suspended).
    func get() async throws -> ZooKeeperEnsemble {
        if let starting { return try await starting.value }
        let task = Task {
            let started = try await ZooKeeperEnsemble.start(size: 1)
            SharedZooKeeperCleanup.install(started)
            return started
        }
        starting = task
        return try await task.value
    }
}

private enum SharedZooKeeperCleanup {
    nonisolated(unsafe) static var ensemble: ZooKeeperEnsemble?
    static func install(_ started: ZooKeeperEnsemble) {
        ensemble = started
        atexit { SharedZooKeeperCleanup.ensemble?.stop() }
    }
}

let testLogger: Logger = {
    var logger = Logger(label: "zookeeper-tests")
    logger.logLevel = .warning
    return logger
}()

/// A connected client of the shared server and a fresh base path for the test.
func connectedClient(chroot: String = "") async throws -> (ZooKeeperClient, String) {
    let ensemble = try await SharedZooKeeper.shared.get()
    let client = try await ZooKeeperClient.connect(
        ensemble.connectString(chroot: chroot), sessionTimeout: .seconds(6), connectionTimeout: .seconds(10),
        logger: testLogger)
    return (client, "/t-\(UUID().uuidString.prefix(8))")
}

/// Collects the events of a client's stream in the background, for assertions.
final class EventRecorder: Sendable {
    private let events = LockedArray<ZooKeeperEvent>()
    private let task: Task<Void, Never>

    init(_ client: ZooKeeperClient) {
        let stream = client.events()
        let events = self.events
        task = Task {
            for await event in stream { events.append(event) }
        }
    }

    var all: [ZooKeeperEvent] { events.all }

    var watches: [WatchedEvent] {
        all.compactMap { if case .watch(let event) = $0 { event } else { nil } }
    }

    func sessionStates() -> [SessionState] {
        all.compactMap { if case .session(let state, _) = $0 { state } else { nil } }
    }

    deinit { task.cancel() }
}

final class LockedArray<Element: Sendable>: Sendable {
    private let storage = SendableMutex<[Element]>([])
    func append(_ element: Element) { storage.withLock { $0.append(element) } }
    var all: [Element] { storage.withLock { $0 } }
}
