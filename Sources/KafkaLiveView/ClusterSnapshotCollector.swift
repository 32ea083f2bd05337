import Foundation
import KafkaCommon
import KafkaZk
import ZooKeeper

/// Takes `ClusterSnapshot`s: reads ZooKeeper (`/controller`, `/controller_epoch`, `/brokers/ids`,
/// every topic's assignment and partition state znodes, in batches) and asks every live broker
/// that registered an admin listener for its `/internals.json`, all brokers at once, each bounded
/// by `internalsTimeout`.
///
/// Used by `kafka cluster --watch` (once a second) and by a broker's live page (`LiveViewHub`,
/// every 250 ms while a page is open). Cost per snapshot: 4 ZooKeeper reads plus 2 batched
/// reads (topics, partition states) and one HTTP request per broker.
public struct ClusterSnapshotCollector: Sendable {
    public let zkClient: KafkaZkClient
    public let internalsTimeout: Duration
    private let fetcher: InternalsFetcher

    public init(zkClient: KafkaZkClient, internalsTimeout: Duration = .milliseconds(800)) {
        self.zkClient = zkClient
        self.internalsTimeout = internalsTimeout
        self.fetcher = InternalsFetcher()
    }

    public func snapshot() async throws -> ClusterSnapshot {
        let view = try await readZooKeeper()
        let internals = await readInternals(view)
        return ClusterSnapshot.assemble(zooKeeper: view, internals: internals,
                                        takenAtMs: Int64(Date().timeIntervalSince1970 * 1000))
    }

    public func readZooKeeper() async throws -> ClusterSnapshot.ZooKeeperView {
        let controller = try await zkClient.controllerId()
        let epoch = try await zkClient.controllerEpoch()
        let ids = try await zkClient.liveBrokerIds()
        let registrations = try await zkClient.brokerRegistrations(batch: ids)
        var brokers: [Int32: (endpoints: [String], adminListener: String?)] = [:]
        for (id, registration) in registrations {
            brokers[id.rawValue] = (registration.info.endpoints.map(\.connectionString), registration.info.adminListener)
        }
        let topics = try await zkClient.allTopics().sorted()
        let assignments = try await zkClient.topicAssignments(batch: topics)
        var assigned: [(TopicPartition, [BrokerId])] = []
        for topic in topics {
            guard let assignment = assignments[topic]?.assignment else { continue }
            for partition in assignment.keys.sorted() { assigned.append((TopicPartition(topic, partition), assignment[partition]!)) }
        }
        let states = try await zkClient.dataIfExists(batch: assigned.map { TopicPartitionStateZNode.path($0.0) })
        var partitions: [ClusterSnapshot.PartitionZNode] = []
        for ((tp, replicas), node) in zip(assigned, states) {
            var partition = ClusterSnapshot.PartitionZNode(
                topic: tp.topic, partition: tp.partition, replicas: replicas.map(\.rawValue), leader: nil, leaderEpoch: -1,
                isr: [], modifiedMs: 0)
            if let (bytes, stat) = node,
               let state = try? TopicPartitionStateZNode.decode(tp, bytes, zkVersion: stat.version) {
                partition.leader = state.leaderAndIsr.leader.rawValue
                partition.leaderEpoch = state.leaderAndIsr.leaderEpoch.rawValue
                partition.isr = state.leaderAndIsr.isr.map(\.rawValue)
                partition.modifiedMs = stat.mtime
            }
            partitions.append(partition)
        }
        return ClusterSnapshot.ZooKeeperView(
            controllerId: controller?.rawValue ?? -1, controllerEpoch: epoch?.epoch.rawValue ?? 0, brokers: brokers,
            partitions: partitions)
    }

    /// Every live broker's internals, asked for at once; brokers without an admin listener or that
    /// did not answer within `internalsTimeout` are absent.
    public func readInternals(_ view: ClusterSnapshot.ZooKeeperView) async -> [Int32: BrokerInternals] {
        let timeout = internalsTimeout
        let fetcher = fetcher
        return await withTaskGroup(of: (Int32, BrokerInternals?).self) { group in
            for (id, broker) in view.brokers {
                guard let listener = broker.adminListener, let address = AdminAddress(parsing: listener) else { continue }
                group.addTask {
                    guard let body = try? await fetcher.get(host: address.host, port: address.port, path: "/internals.json",
                                                            timeout: timeout),
                          let internals = try? JSONDecoder().decode(BrokerInternals.self, from: Data(body))
                    else { return (id, nil) }
                    return (id, internals)
                }
            }
            var result: [Int32: BrokerInternals] = [:]
            for await (id, internals) in group { if let internals { result[id] = internals } }
            return result
        }
    }
}

/// `http://host:port` as registered in `admin_listener` (`[v6]` brackets allowed).
struct AdminAddress: Equatable {
    var host: String
    var port: Int

    init?(parsing text: String) {
        guard text.hasPrefix("http://") else { return nil }
        var rest = Substring(text.dropFirst("http://".count))
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]) else { return nil }
        var host = rest[..<colon]
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard !host.isEmpty else { return nil }
        self.host = String(host)
        self.port = port
    }
}
