import Foundation
import KafkaTestKit
import Logging
import ZooKeeper

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
