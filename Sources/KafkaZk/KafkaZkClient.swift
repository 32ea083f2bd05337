import Foundation
import KafkaCommon
import Logging
import ZooKeeper

/// Kafka's operations on ZooKeeper (Kafka's `KafkaZkClient`): start-up paths, cluster id, broker
/// registration, controller election and controller-epoch-fenced writes. Knows Kafka's znodes;
/// the session itself belongs to the `ZooKeeperClient` it wraps.
///
/// Isolation: stateless apart from the client; safe to call from any task.
public final class KafkaZkClient: Sendable {
    public let zooKeeper: ZooKeeperClient
    let logger: Logger
    public let time: any Time

    public init(zooKeeper: ZooKeeperClient, logger: Logger, time: any Time = SystemTime()) {
        self.zooKeeper = zooKeeper
        self.logger = logger
        self.time = time
    }

    /// Connects to `zookeeper.connect`, creating its chroot path first when it has one and the
    /// path is missing (as Kafka does, through a session without the chroot).
    public static func connect(
        _ connectString: String, sessionTimeout: Duration, connectionTimeout: Duration, logger: Logger,
        time: any Time = SystemTime()
    ) async throws -> KafkaZkClient {
        if let slash = connectString.firstIndex(of: "/") {
            let chroot = String(connectString[slash...])
            let hosts = String(connectString[..<slash])
            if chroot != "/" {
                let bootstrap = try await ZooKeeperClient.connect(
                    hosts, sessionTimeout: sessionTimeout, connectionTimeout: connectionTimeout, logger: logger)
                defer { Task { await bootstrap.close() } }
                if try await bootstrap.exists(chroot) == nil {
                    logger.info("Creating chroot path \(chroot) in ZooKeeper")
                    try await bootstrap.createRecursive(chroot)
                }
            }
        }
        let client = try await ZooKeeperClient.connect(
            connectString, sessionTimeout: sessionTimeout, connectionTimeout: connectionTimeout, logger: logger)
        return KafkaZkClient(zooKeeper: client, logger: logger, time: time)
    }

    public func close() async {
        await zooKeeper.close()
    }

    // MARK: - Start-up

    /// Creates every path of `PersistentZkPaths` that is missing.
    public func createTopLevelPaths() async throws {
        for path in PersistentZkPaths.all {
            if try await zooKeeper.exists(path) == nil {
                try await zooKeeper.createRecursive(path)
            }
        }
    }

    /// The cluster id from `/cluster/id`, created from `proposed` when the node is missing.
    public func getOrCreateClusterId(proposed: @autoclosure () -> String) async throws -> String {
        if let (bytes, _) = try await dataIfExists(ClusterIdZNode.path) {
            return try ClusterIdZNode.decode(bytes)
        }
        let id = proposed()
        do {
            try await zooKeeper.createRecursive("/cluster")
            try await zooKeeper.create(ClusterIdZNode.path, data: ClusterIdZNode.encode(id))
            logger.info("Created cluster id \(id)")
            return id
        } catch let error as ZooKeeperError where error.code == .nodeExists {
            return try ClusterIdZNode.decode(try await zooKeeper.data(ClusterIdZNode.path).data)
        }
    }

    /// A new cluster id: a random UUID in unpadded URL-safe base64 (22 characters), like Kafka's.
    public static func generateClusterId() -> String {
        let uuid = UUID().uuid
        let bytes = withUnsafeBytes(of: uuid) { Data($0) }
        return bytes.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    // MARK: - Brokers

    /// Registers the broker under `/brokers/ids/<id>` (ephemeral) and returns the czxid of the node.
    ///
    /// If the node exists and belongs to this session (a retry after a lost connection), that is
    /// success. If it belongs to another session, it may be the registration of this broker's own
    /// previous incarnation, killed before its session expired: wait up to `staleRegistrationWait`
    /// for it to go. If it is still there, a live broker has this id: `brokerIdInUse`.
    @discardableResult
    public func registerBroker(_ info: BrokerInfo, staleRegistrationWait: Duration) async throws -> Int64 {
        let path = BrokerIdZNode.path(info.id)
        let data = BrokerIdZNode.encode(info)
        let clock = ContinuousClock()
        let deadline = clock.now + staleRegistrationWait
        var announcedWait = false
        while true {
            let events = zooKeeper.events()
            do {
                try await zooKeeper.create(path, data: data, mode: .ephemeral)
                let stat = try await zooKeeper.exists(path)
                logger.info("Registered broker \(info.id) at path \(path) with addresses: \(info.endpoints.map(\.connectionString).joined(separator: ","))")
                return stat?.czxid ?? 0
            } catch let error as ZooKeeperError where error.code == .nodeExists {
                guard let stat = try await zooKeeper.exists(path, watch: true) else { continue }
                if stat.ephemeralOwner == zooKeeper.sessionId {
                    logger.info("Broker \(info.id) is already registered by this session")
                    return stat.czxid
                }
                let owner = stat.ephemeralOwner
                let existing = (try? await dataIfExists(path)).flatMap { $0 }.flatMap { try? BrokerIdZNode.decode(id: info.id, $0.0) }
                guard clock.now < deadline else {
                    throw KafkaZkError.brokerIdInUse(info.id, owner: owner,
                                                     endpoints: existing?.endpoints.map(\.connectionString) ?? [])
                }
                if !announcedWait {
                    logger.warning("\(path) exists with owner session 0x\(String(UInt64(bitPattern: owner), radix: 16)); waiting up to \(staleRegistrationWait) for a stale registration to expire")
                    announcedWait = true
                }
                try await waitForDeletion(of: path, events: events, until: deadline)
            }
        }
    }

    /// Waits until a watched node's deletion shows up in `events`, or the deadline passes.
    private func waitForDeletion(of path: String, events: AsyncStream<ZooKeeperEvent>, until deadline: ContinuousClock.Instant) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in events {
                    if case .watch(let watched) = event, watched.path == path { return }
                }
            }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    public func brokerInfo(_ id: BrokerId) async throws -> BrokerInfo? {
        guard let (bytes, _) = try await dataIfExists(BrokerIdZNode.path(id)) else { return nil }
        return try BrokerIdZNode.decode(id: id, bytes)
    }

    /// The ids under `/brokers/ids`, sorted; with `watch`, arms a children watch.
    public func liveBrokerIds(watch: Bool = false) async throws -> [BrokerId] {
        let names = try await zooKeeper.children(BrokerIdsZNode.path, watch: watch).names
        return names.compactMap { name in Int32(name).map { BrokerId($0) } }.sorted()
    }

    /// Every registered broker, sorted by id (brokers that vanish meanwhile are left out).
    public func allBrokersInCluster() async throws -> [BrokerInfo] {
        var brokers: [BrokerInfo] = []
        for id in try await liveBrokerIds() {
            if let info = try await brokerInfo(id) { brokers.append(info) }
        }
        return brokers
    }

    // MARK: - Helpers

    /// Data and Stat of a node, or nil when it does not exist.
    public func dataIfExists(_ path: String, watch: Bool = false) async throws -> ([UInt8], ZooKeeperStat)? {
        do {
            let (data, stat) = try await zooKeeper.data(path, watch: watch)
            return (data, stat)
        } catch let error as ZooKeeperError where error.code == .noNode {
            return nil
        }
    }
}

extension KafkaZkClient {
    /// A new broker sequence number: the version of `/brokers/seqid` after an unconditional
    /// setData (Kafka adds `reserved.broker.max.id` to it to make a generated broker id).
    public func generateBrokerSequenceId() async throws -> Int32 {
        do {
            return try await zooKeeper.setData(PersistentZkPaths.brokerSequenceId, data: []).version
        } catch let error as ZooKeeperError where error.code == .noNode {
            try await zooKeeper.createRecursive(PersistentZkPaths.brokerSequenceId)
            return try await zooKeeper.setData(PersistentZkPaths.brokerSequenceId, data: []).version
        }
    }
}
