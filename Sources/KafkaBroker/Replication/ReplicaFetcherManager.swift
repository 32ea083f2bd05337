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
/// `num.replica.fetchers` may change at run time (a dynamic broker config):
/// `resizeThreadPool` re-hashes every partition over the new count, each keeping its fetch
/// offset and leader epoch (Kafka's `AbstractFetcherManager.resizeThreadPool`).
///
/// Isolation: the fetcher table and the fetcher count are behind one `Mutex`, so a partition
/// is always added under the count in effect; each fetcher guards its own partitions.
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
    /// `num.replica.fetchers` in effect; changed only by `resizeThreadPool`, under `fetchers`' lock.
    private let fetcherCount: Mutex<Int>
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
        self.fetcherCount = Mutex(max(1, config.numReplicaFetchers))
        var logger = Logger(label: "kafka.server.ReplicaFetcherManager")
        logger[metadataKey: "broker"] = "\(brokerId)"
        self.logger = logger
    }

    /// The number of fetchers per leader in effect (`num.replica.fetchers`).
    var numFetchers: Int { fetcherCount.withLock { $0 } }

    /// Kafka's fetcher assignment: `Utils.abs(31 * topic.hashCode + partition) % num.replica.fetchers`.
    func fetcherId(for tp: TopicPartition) -> Int { Self.fetcherId(for: tp, fetchers: numFetchers) }

    static func fetcherId(for tp: TopicPartition, fetchers: Int) -> Int {
        let hash = Int32(31) &* JavaHash.stringHashCode(tp.topic) &+ tp.partition
        return Int(JavaHash.abs(hash)) % fetchers
    }

    /// Which fetcher each partition goes to with `fetchers` fetchers per leader.
    static func assignment(
        of partitions: [TopicPartition: InitialFetchState], fetchers: Int
    ) -> [FetcherKey: [TopicPartition: InitialFetchState]] {
        Dictionary(grouping: partitions) { FetcherKey(leader: $0.value.leader, fetcherId: fetcherId(for: $0.key, fetchers: fetchers)) }
            .mapValues { Dictionary(uniqueKeysWithValues: $0.map { ($0.key, $0.value) }) }
    }

    /// Starts fetching the given partitions, each from its leader, in the truncating state.
    func addFetcherForPartitions(_ partitions: [TopicPartition: InitialFetchState]) {
        fetchers.withLock { fetchers in addFetchers(partitions, to: &fetchers) }
    }

    /// Changes `num.replica.fetchers` (Kafka's `resizeThreadPool`): every partition is taken
    /// from its fetcher with its fetch offset and leader epoch and added again under the new
    /// count (so that the hash places it as it would a new partition); fetchers whose id is no
    /// longer below the count stop, and so do those left without partitions. A partition added
    /// again starts in the truncating state, from its fetch offset.
    func resizeThreadPool(_ newSize: Int) {
        let newSize = max(1, newSize)
        let stopped: [ReplicaFetcherThread] = fetchers.withLock { fetchers in
            let currentSize = fetcherCount.withLock { $0 }
            logger.info("Resizing fetcher thread pool size from \(currentSize) to \(newSize)")
            fetcherCount.withLock { $0 = newSize }
            guard newSize != currentSize else { return [] }
            var moved: [TopicPartition: InitialFetchState] = [:]
            for fetcher in fetchers.values {
                let partitions = fetcher.partitionsAndOffsets
                fetcher.removePartitions(Set(partitions.keys))
                moved.merge(partitions) { current, _ in current }
            }
            let retired = fetchers.filter { $0.key.fetcherId >= newSize }.map(\.key)
            let stopped = retired.compactMap { fetchers.removeValue(forKey: $0) }
            addFetchers(moved, to: &fetchers)
            return stopped
        }
        for fetcher in stopped { Task { await fetcher.shutdown() } }
        shutdownIdleFetcherThreads()
    }

    /// Adds `partitions` to their fetchers (created as needed), under the table's lock.
    private func addFetchers(_ partitions: [TopicPartition: InitialFetchState], to fetchers: inout [FetcherKey: ReplicaFetcherThread]) {
        guard let replicaManager, !partitions.isEmpty else { return }
        let grouped = Self.assignment(of: partitions, fetchers: fetcherCount.withLock { $0 })
        for (key, members) in grouped.sorted(by: { $0.key.fetcherId < $1.key.fetcherId }) {
            let fetcher = fetchers[key] ?? {
                let thread = ReplicaFetcherThread(
                    name: "ReplicaFetcherThread-\(key.fetcherId)-\(key.leader.id)", fetcherId: key.fetcherId,
                    sourceBroker: key.leader, brokerId: brokerId, config: config, time: time,
                    replicaManager: replicaManager)
                fetchers[key] = thread
                thread.start()
                return thread
            }()
            fetcher.addPartitions(members)
            logger.info("Added fetcher to broker \(key.leader) for partitions \(members.keys.map(\.description).sorted().joined(separator: ","))")
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
