import Foundation
import KafkaCommon
import KafkaTestKit
import KafkaZk
import Logging
import Synchronization
import ZooKeeper

let testLogger: Logger = {
    var logger = Logger(label: "kafka-zk-tests")
    logger.logLevel = .warning
    return logger
}()

/// A clock standing still, so that the timestamps written to znodes are known.
struct FixedTime: Time {
    var milliseconds: Int64
    var nanoseconds: UInt64 { 0 }
}

/// A chroot of its own on the shared server (like `zookeeper.connect=host:port/t-<uuid>`), the
/// clients a test opened under it, and a client outside the chroot for looking at raw znodes.
/// `withZkChroot` closes every client when the test ends, whatever happens.
final class ZkChroot: Sendable {
    let ensemble: ZooKeeperEnsemble
    let chroot: String
    /// A session outside the chroot, to look at (or tamper with) znodes as an operator with
    /// zkCli would; `absolute(_:)` turns a path under the chroot into one it understands.
    let root: ZooKeeperClient
    private let clients = Mutex<[KafkaZkClient]>([])

    fileprivate init(ensemble: ZooKeeperEnsemble, root: ZooKeeperClient) {
        self.ensemble = ensemble
        self.chroot = "/t-\(UUID().uuidString)"
        self.root = root
    }

    /// `host:port/t-<uuid>`.
    var connectString: String { ensemble.connectString(chroot: chroot) }

    /// A new `KafkaZkClient` (a session of its own) under the chroot.
    func client(time: any Time = SystemTime(), sessionTimeout: Duration = .seconds(6)) async throws -> KafkaZkClient {
        let client = try await KafkaZkClient.connect(
            connectString, sessionTimeout: sessionTimeout, connectionTimeout: .seconds(10), logger: testLogger,
            time: time)
        clients.withLock { $0.append(client) }
        return client
    }

    /// The absolute path of a path under the chroot.
    func absolute(_ path: String) -> String { path == "/" ? chroot : chroot + path }

    /// Data and Stat of a path under the chroot, read outside it; nil when missing.
    func znode(_ path: String) async throws -> (data: [UInt8], stat: ZooKeeperStat)? {
        do {
            return try await root.data(absolute(path))
        } catch let error as ZooKeeperError where error.code == .noNode {
            return nil
        }
    }

    /// The data of a path under the chroot as text, or nil when missing.
    func text(_ path: String) async throws -> String? {
        try await znode(path).map { String(decoding: $0.data, as: UTF8.self) }
    }

    fileprivate func closeAll() async {
        let all = clients.withLock { clients in
            defer { clients.removeAll() }
            return clients
        }
        for client in all { await client.close() }
        await root.close()
    }
}

/// Runs `body` with a fresh chroot on the shared server; closes every client afterwards.
func withZkChroot<T>(_ body: (ZkChroot) async throws -> T) async throws -> T {
    let ensemble = try await SharedZooKeeper.shared.get()
    let root = try await ZooKeeperClient.connect(
        ensemble.connectString, sessionTimeout: .seconds(6), connectionTimeout: .seconds(10), logger: testLogger)
    let chroot = ZkChroot(ensemble: ensemble, root: root)
    do {
        let result = try await body(chroot)
        await chroot.closeAll()
        return result
    } catch {
        await chroot.closeAll()
        throw error
    }
}

/// The registration of broker `id` on `PLAINTEXT://127.0.0.1:<port>`.
func plaintextBroker(_ id: BrokerId, port: Int32 = 9092, timestamp: Int64 = 1795293281540) -> BrokerInfo {
    BrokerInfo(
        id: id, endpoints: [EndPoint(listenerName: "PLAINTEXT", securityProtocol: .plaintext, host: "127.0.0.1", port: port)],
        jmxPort: -1, timestamp: timestamp)
}
