import Foundation
import Glibc
import Synchronization

/// Real ZooKeeper servers (Debian's `zookeeper` package, run with the JVM) on free loopback ports
/// in a temporary directory: one standalone server or a quorum of several.
///
/// Servers use `tickTime=500`, so sessions may be as short as 1 s and as long as 10 s. Each runs
/// as a `ChildProcess`, so it dies with the test process even when the test crashes.
public final class ZooKeeperEnsemble: Sendable {
    public struct Server: Sendable {
        public let id: Int
        public let clientPort: Int
        public let peerPort: Int
        public let electionPort: Int
        public let directory: URL
    }

    public let servers: [Server]
    public let directory: URL
    private let processes: Mutex<[Int: ChildProcess]>

    /// The classpath of Debian's package; its jar's manifest names the dependencies.
    public static let classpath = "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar"
    public static let tickTimeMs = 500

    /// Starts `size` servers and waits until they serve (a quorum has a leader).
    public static func start(size: Int = 1, timeout: Duration = .seconds(60)) async throws -> ZooKeeperEnsemble {
        let directory = try makeTemporaryDirectory(prefix: "zk")
        let ports = freeLoopbackPorts(size * 3)
        let servers = (0..<size).map { index in
            Server(id: index + 1, clientPort: ports[index * 3], peerPort: ports[index * 3 + 1],
                   electionPort: ports[index * 3 + 2], directory: directory.appendingPathComponent("zk\(index + 1)"))
        }
        let ensemble = ZooKeeperEnsemble(servers: servers, directory: directory)
        for server in servers { try ensemble.writeConfig(server) }
        for server in servers { try ensemble.startServer(server.id) }
        do {
            try await ensemble.waitUntilServing(timeout: timeout)
        } catch {
            ensemble.stop()
            throw error
        }
        return ensemble
    }

    private init(servers: [Server], directory: URL) {
        self.servers = servers
        self.directory = directory
        self.processes = Mutex([:])
    }

    /// `host:port,…` of every server, with an optional chroot (`/kafka`).
    public func connectString(chroot: String = "") -> String {
        servers.map { "127.0.0.1:\($0.clientPort)" }.joined(separator: ",") + chroot
    }

    public var connectString: String { connectString() }

    private func writeConfig(_ server: Server) throws {
        let data = server.directory.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        var lines = [
            "tickTime=\(Self.tickTimeMs)",
            "initLimit=20",
            "syncLimit=10",
            "dataDir=\(data.path)",
            "clientPort=\(server.clientPort)",
            "clientPortAddress=127.0.0.1",
            "admin.enableServer=false",
            "4lw.commands.whitelist=*",
            "forceSync=no",
            "preAllocSize=4096",
            "maxClientCnxns=0",
        ]
        if servers.count > 1 {
            try "\(server.id)\n".write(to: data.appendingPathComponent("myid"), atomically: true, encoding: .utf8)
            lines.append("standaloneEnabled=false")
            for peer in servers {
                lines.append("server.\(peer.id)=127.0.0.1:\(peer.peerPort):\(peer.electionPort)")
            }
        }
        try (lines.joined(separator: "\n") + "\n")
            .write(to: server.directory.appendingPathComponent("zoo.cfg"), atomically: true, encoding: .utf8)
    }

    /// Starts (or restarts) server `id` with its existing data.
    public func startServer(_ id: Int) throws {
        let server = servers[id - 1]
        let process = try ChildProcess(
            name: "zookeeper-\(id)", executable: "/usr/bin/java",
            arguments: [
                "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-Dzookeeper.admin.enableServer=false",
                "-cp", Self.classpath, "org.apache.zookeeper.server.quorum.QuorumPeerMain",
                server.directory.appendingPathComponent("zoo.cfg").path,
            ],
            logFile: server.directory.appendingPathComponent("zookeeper.log"))
        processes.withLock { $0[id] = process }
    }

    /// kill -9 of server `id`.
    public func killServer(_ id: Int) async {
        let process = processes.withLock { $0.removeValue(forKey: id) }
        await process?.kill9()
    }

    /// The `Mode:` line of `srvr` (standalone, leader, follower), or nil when not serving.
    public func mode(of id: Int) -> String? {
        guard let answer = zooKeeperFourLetterWord("srvr", port: servers[id - 1].clientPort) else { return nil }
        for line in answer.split(separator: "\n") where line.hasPrefix("Mode: ") {
            return String(line.dropFirst("Mode: ".count))
        }
        return nil
    }

    /// Waits until every running server serves clients.
    public func waitUntilServing(timeout: Duration = .seconds(60)) async throws {
        let running = processes.withLock { Array($0.keys) }
        try await waitUntil("ZooKeeper servers \(running) to serve", timeout: timeout, every: .milliseconds(100)) {
            running.allSatisfy { mode(of: $0) != nil }
        }
    }

    /// Kills every server and removes the directory.
    public func stop() {
        let all = processes.withLock { processes in
            defer { processes.removeAll() }
            return Array(processes.values)
        }
        for process in all {
            process.send(SIGCONT)
            process.send(SIGKILL)
        }
        for process in all {
            for _ in 0..<500 where process.isRunning { usleep(10_000) }
        }
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Runs `body` with a fresh ensemble and stops it afterwards, whatever happens.
public func withZooKeeper<T>(
    size: Int = 1, _ body: (ZooKeeperEnsemble) async throws -> T
) async throws -> T {
    let ensemble = try await ZooKeeperEnsemble.start(size: size)
    defer { ensemble.stop() }
    return try await body(ensemble)
}
