import Foundation

/// One standalone ZooKeeper server for a whole test process; each test works under a path or
/// chroot of its own, so tests can run in parallel. The server is killed when the process ends
/// (and by its `ChildProcess` guard if the process dies).
public actor SharedZooKeeper {
    public static let shared = SharedZooKeeper()
    private var starting: Task<ZooKeeperEnsemble, any Error>?

    /// The server, started by the first caller; callers arriving meanwhile wait for the same one
    /// (the actor is re-entered while the first start is suspended).
    public func get() async throws -> ZooKeeperEnsemble {
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
