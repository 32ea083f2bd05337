import Foundation
import Glibc
import Synchronization

/// Real `kafka-server` processes on loopback ports, registered in a real ZooKeeper ensemble.
///
/// Each broker gets a free port, its own log directory and a `server.properties` written from
/// `overrides`; it runs as a `ChildProcess` (it dies with the test process) logging to
/// `<dir>/broker-<id>/server.log`.
public final class KafkaCluster: Sendable {
    public final class Broker: Sendable {
        public let id: Int
        public let port: Int
        public let directory: URL
        public let propertiesFile: URL
        private let process: Mutex<ChildProcess?>

        init(id: Int, port: Int, directory: URL, propertiesFile: URL) {
            self.id = id
            self.port = port
            self.directory = directory
            self.propertiesFile = propertiesFile
            self.process = Mutex(nil)
        }

        public var logFile: URL { directory.appendingPathComponent("server.log") }
        public var logDirectory: URL { directory.appendingPathComponent("data") }
        public var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }
        public var current: ChildProcess? { process.withLock { $0 } }
        public var pid: Int32? { current?.pid }

        /// Starts the process (again) with the same configuration and data; does not wait.
        public func start(extraArguments: [String] = []) throws {
            let child = try ChildProcess(
                name: "kafka-server-\(id)", executable: KafkaCluster.serverExecutable().path,
                arguments: [propertiesFile.path] + extraArguments, logFile: logFile)
            process.withLock { $0 = child }
        }

        /// How many times this broker has logged that it finished start-up.
        public var startedCount: Int { log.components(separatedBy: "started (kafka.server.KafkaServer)").count - 1 }

        public func send(_ signal: Int32) { current?.send(signal) }

        public func kill9() async { await current?.kill9() }

        /// SIGTERM and wait for the exit; returns the exit status.
        public func terminate(timeout: Duration = .seconds(30)) async -> Int32? {
            guard let current else { return nil }
            current.send(SIGTERM)
            return await current.waitForExit(timeout: timeout)
        }

        public var isRunning: Bool { current?.isRunning ?? false }
    }

    public let ensemble: ZooKeeperEnsemble
    public let chroot: String
    public let directory: URL
    public let brokers: [Broker]

    /// The `zookeeper.connect` the brokers use.
    public var zkConnect: String { ensemble.connectString(chroot: chroot) }

    /// Writes configurations for brokers `ids` and starts them, waiting until each has started.
    /// `brokerOverrides` go on top of `overrides` for the brokers they name (e.g. `broker.rack`).
    public static func start(
        ids: [Int] = [1, 2, 3], ensemble: ZooKeeperEnsemble, chroot: String = "/kafka",
        sessionTimeoutMs: Int = 4000, overrides: [String: String] = [:], brokerOverrides: [Int: [String: String]] = [:],
        timeout: Duration = .seconds(60)
    ) async throws -> KafkaCluster {
        let directory = try makeTemporaryDirectory(prefix: "kafka-cluster")
        let ports = freeLoopbackPorts(ids.count)
        var brokers: [Broker] = []
        for (index, id) in ids.enumerated() {
            let brokerDirectory = directory.appendingPathComponent("broker-\(id)")
            try FileManager.default.createDirectory(at: brokerDirectory, withIntermediateDirectories: true)
            let properties = brokerDirectory.appendingPathComponent("server.properties")
            var settings: [String: String] = [
                "broker.id": "\(id)",
                "listeners": "PLAINTEXT://127.0.0.1:\(ports[index])",
                "log.dirs": brokerDirectory.appendingPathComponent("data").path,
                "zookeeper.connect": ensemble.connectString(chroot: chroot),
                "zookeeper.session.timeout.ms": "\(sessionTimeoutMs)",
                "zookeeper.connection.timeout.ms": "15000",
            ]
            settings.merge(overrides) { $1 }
            settings.merge(brokerOverrides[id] ?? [:]) { $1 }
            let text = settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n") + "\n"
            try text.write(to: properties, atomically: true, encoding: .utf8)
            brokers.append(Broker(id: id, port: ports[index], directory: brokerDirectory, propertiesFile: properties))
        }
        let cluster = KafkaCluster(ensemble: ensemble, chroot: chroot, directory: directory, brokers: brokers)
        do {
            for broker in brokers { try broker.start() }
            for broker in brokers { try await cluster.waitUntilStarted(broker, timeout: timeout) }
        } catch {
            await cluster.stop()
            throw error
        }
        return cluster
    }

    private init(ensemble: ZooKeeperEnsemble, chroot: String, directory: URL, brokers: [Broker]) {
        self.ensemble = ensemble
        self.chroot = chroot
        self.directory = directory
        self.brokers = brokers
    }

    public func broker(_ id: Int) -> Broker {
        guard let broker = brokers.first(where: { $0.id == id }) else { preconditionFailure("no broker \(id)") }
        return broker
    }

    /// Waits until the broker has logged one more start-up than `previousStarts`.
    public func waitUntilStarted(_ broker: Broker, previousStarts: Int = 0, timeout: Duration = .seconds(60)) async throws {
        try await waitUntil("broker \(broker.id) to start", timeout: timeout, every: .milliseconds(100)) {
            if broker.startedCount > previousStarts { return true }
            if let status = broker.current?.exitStatus {
                throw BrokerExited(id: broker.id, status: status, log: broker.log)
            }
            return false
        }
    }

    /// Prints the end of every broker's log (after a failure, for the CI output).
    public func printLogs(lines: Int = 80) {
        for broker in brokers {
            let tail = broker.log.split(separator: "\n").suffix(lines).joined(separator: "\n")
            print("----- broker \(broker.id) log (last \(lines) lines) -----\n\(tail)")
        }
    }

    /// Kills every broker and removes the directory.
    public func stop() async {
        for broker in brokers { await broker.kill9() }
        try? FileManager.default.removeItem(at: directory)
    }

    /// The `kafka-server` built beside the test bundle (or `$KAFKA_SERVER_BIN`).
    public static func serverExecutable() -> URL {
        if let path = ProcessInfo.processInfo.environment["KAFKA_SERVER_BIN"] { return URL(fileURLWithPath: path) }
        var candidates: [URL] = []
        if let bundle = Bundle.main.executableURL { candidates.append(bundle.deletingLastPathComponent()) }
        let argument0 = URL(fileURLWithPath: CommandLine.arguments[0])
        candidates.append(argument0.deletingLastPathComponent())
        candidates.append(argument0.deletingLastPathComponent().deletingLastPathComponent())
        for directory in candidates {
            var current = directory
            for _ in 0..<4 {
                let executable = current.appendingPathComponent("kafka-server")
                if FileManager.default.isExecutableFile(atPath: executable.path) { return executable }
                current = current.deletingLastPathComponent()
            }
        }
        preconditionFailure("kafka-server not found near \(candidates); build it or set KAFKA_SERVER_BIN")
    }
}

public struct BrokerExited: Error, CustomStringConvertible {
    public let id: Int
    public let status: Int32
    public let log: String
    public var description: String { "broker \(id) exited with status \(status):\n\(log.suffix(3000))" }
}

/// Runs `body` with a fresh ensemble and cluster, stopping both afterwards.
public func withKafkaCluster<T>(
    zooKeepers: Int = 3, ids: [Int] = [1, 2, 3], sessionTimeoutMs: Int = 4000, overrides: [String: String] = [:],
    brokerOverrides: [Int: [String: String]] = [:],
    _ body: (KafkaCluster) async throws -> T
) async throws -> T {
    try await withZooKeeper(size: zooKeepers) { ensemble in
        let cluster = try await KafkaCluster.start(
            ids: ids, ensemble: ensemble, sessionTimeoutMs: sessionTimeoutMs, overrides: overrides,
            brokerOverrides: brokerOverrides)
        do {
            let result = try await body(cluster)
            await cluster.stop()
            return result
        } catch {
            cluster.printLogs()
            await cluster.stop()
            throw error
        }
    }
}
