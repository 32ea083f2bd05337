import KafkaCommon
import Logging
import NIOPosix
import Synchronization

/// A leader's address, as LeaderAndIsr's live leaders give it.
public struct BrokerEndPoint: Sendable, Hashable, CustomStringConvertible {
    public var id: BrokerId
    public var host: String
    public var port: Int

    public var description: String { "\(id) (\(host):\(port))" }
}

/// Where a follower starts fetching a partition: its leader and epoch, and the offset to use when
/// leader epochs cannot tell where the local log really ends (its high watermark).
public struct InitialFetchState: Sendable, Equatable {
    public var leader: BrokerEndPoint
    public var leaderEpoch: LeaderEpoch
    public var initOffset: Int64
}

/// The follower's fetchers (Kafka's `ReplicaFetcherManager` / `AbstractFetcherManager`): one
/// `ReplicaFetcherThread` per (leader broker, fetcher id), where a partition's fetcher id is
/// `abs(31 × hash(topic) + partition) mod num.replica.fetchers` with Java's string hash — so a
/// partition always lands on the same fetcher, and all the partitions a broker follows from
/// one leader share `num.replica.fetchers` connections to it.
///
/// Isolation: the fetcher table is behind a `Mutex`; each fetcher guards its own partitions.
final class ReplicaFetcherManager: Sendable {
    struct FetcherKey: Hashable, Sendable {
        var leader: BrokerEndPoint
        var fetcherId: Int
    }

    let brokerId: BrokerId
    let config: ReplicationConfig
    let time: any Time
    let logger: Logger
    private let fetchers = Mutex<[FetcherKey: ReplicaFetcherThread]>([:])
    private let owner = Mutex<ReplicaManagerReference>(ReplicaManagerReference())

    /// The replica manager whose partitions the fetchers write to (set once, right after init:
    /// the two refer to each other, the manager weakly).
    var replicaManager: ReplicaManager? {
        get { owner.withLock { $0.value } }
        set { owner.withLock { $0.value = newValue } }
    }

    init(brokerId: BrokerId, config: ReplicationConfig, time: any Time) {
        self.brokerId = brokerId
        self.config = config
        self.time = time
        var logger = Logger(label: "kafka.server.ReplicaFetcherManager")
        logger[metadataKey: "broker"] = "\(brokerId)"
        self.logger = logger
    }

    /// Kafka's fetcher assignment: `Utils.abs(31 * topic.hashCode + partition) % num.replica.fetchers`.
    func fetcherId(for tp: TopicPartition) -> Int {
        let hash = Int32(31) &* JavaHash.stringHashCode(tp.topic) &+ tp.partition
        return Int(JavaHash.abs(hash)) % config.numReplicaFetchers
    }

    /// Starts fetching the given partitions, each from its leader, in the truncating state.
    func addFetcherForPartitions(_ partitions: [TopicPartition: InitialFetchState]) {
        guard let replicaManager else { return }
        let grouped = Dictionary(grouping: partitions) { FetcherKey(leader: $0.value.leader, fetcherId: fetcherId(for: $0.key)) }
        fetchers.withLock { fetchers in
            for (key, members) in grouped {
                let fetcher = fetchers[key] ?? {
                    let thread = ReplicaFetcherThread(
                        name: "ReplicaFetcherThread-\(key.fetcherId)-\(key.leader.id)", fetcherId: key.fetcherId,
                        sourceBroker: key.leader, brokerId: brokerId, config: config, time: time,
                        replicaManager: replicaManager)
                    fetchers[key] = thread
                    thread.start()
                    return thread
                }()
                fetcher.addPartitions(Dictionary(uniqueKeysWithValues: members.map { ($0.key, $0.value) }))
                logger.info("Added fetcher to broker \(key.leader) for partitions \(members.map(\.key.description).sorted().joined(separator: ","))")
            }
        }
    }

    /// Stops fetching the given partitions (whichever fetcher has them).
    func removeFetcherForPartitions(_ partitions: Set<TopicPartition>) {
        guard !partitions.isEmpty else { return }
        fetchers.withLock { fetchers in
            for fetcher in fetchers.values { fetcher.removePartitions(partitions) }
        }
    }

    /// Stops the fetchers left without partitions.
    func shutdownIdleFetcherThreads() {
        let idle: [ReplicaFetcherThread] = fetchers.withLock { fetchers in
            let keys = fetchers.filter { $0.value.partitionCount == 0 }.map(\.key)
            return keys.compactMap { fetchers.removeValue(forKey: $0) }
        }
        for fetcher in idle { Task { await fetcher.shutdown() } }
    }

    /// The fetchers as they are (tests and the live view).
    var fetcherThreads: [ReplicaFetcherThread] { fetchers.withLock { Array($0.values) } }

    func shutdown() async {
        let all = fetchers.withLock { fetchers in
            defer { fetchers = [:] }
            return Array(fetchers.values)
        }
        for fetcher in all { await fetcher.shutdown() }
    }
}

/// A weak reference, so the fetchers do not keep the replica manager alive.
struct ReplicaManagerReference: @unchecked Sendable {
    weak var value: ReplicaManager?
}
