import KafkaClient
import KafkaCommon
import KafkaProtocol
import KafkaRecords
import KafkaStorage
import Logging
import NIOPosix
import Synchronization

/// Fetches, for this follower, every partition it follows from one leader on one connection
/// (Kafka's `ReplicaFetcherThread` / `AbstractFetcherThread`), as a task looping over:
///
/// 1. Truncation, for partitions that just started following: their latest local leader epochs
///    go to the leader in one OffsetForLeaderEpoch request; each answer says where the local log
///    must be cut (`OffsetTruncation`). A log with no epoch is cut at the high watermark.
/// 2. One Fetch with `replica_id` set, every ready partition from its fetch offset (its log end
///    offset) with its current leader epoch; the leader holds it up to `replica.fetch.wait.max.ms`
///    until `replica.fetch.min.bytes` are there. Within a fetch session (KIP-227,
///    `FetchSessionHandler`) only the partitions whose fetch changed are sent; a leader that
///    keeps no session gets every partition every time.
/// 3. Each partition's batches are appended unchanged (`Partition.appendRecordsAsFollower`):
///    same offsets, epochs and bytes as the leader's, so the two logs stay byte-identical; the
///    follower's high watermark follows the leader's.
///
/// Errors: OFFSET_OUT_OF_RANGE resets the fetch offset (the leader's log start or end, through
/// ListOffsets); FENCED_LEADER_EPOCH drops the partition (a newer LeaderAndIsr is coming);
/// NOT_LEADER_FOR_PARTITION, UNKNOWN_LEADER_EPOCH and the rest delay it by
/// `replica.fetch.backoff.ms`; a lost connection delays them all and reconnects.
///
/// Threading, as in Kafka, where each fetcher is a thread of its own doing blocking network
/// reads and log appends: each fetcher has an event loop of its own; the loop task runs on it
/// (`EventLoopTaskExecutor`), and so does its connection to the leader. A fetch round — write the
/// request, read the response, append, write the next request — stays on that one thread, with
/// no hand-off between threads, and its appends hold up no other connection.
///
/// Isolation: the partition table is behind a `Mutex`, shared with the fetcher manager's adds
/// and removes; everything else belongs to the loop task. A response is applied to a partition
/// only if its fetch state is still the one the request was built from.
final class ReplicaFetcherThread: Sendable {
    let name: String
    let fetcherId: Int
    let sourceBroker: BrokerEndPoint
    let brokerId: BrokerId
    let config: ReplicationConfig
    let time: any Time
    let logger: Logger
    private let replicaManager: ReplicaManagerReference
    private let partitions = Mutex<[TopicPartition: PartitionFetchState]>([:])
    private let loop = Mutex<Task<Void, Never>?>(nil)
    /// The connection in use, so that `shutdown` can close it under a request in flight.
    private let liveConnection = Mutex<BrokerConnection?>(nil)
    private let rounds = Mutex(0)
    /// The fetcher's thread: the loop task and its connection run there. Shut down with the
    /// fetcher.
    private let eventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    static let fetchVersion: Int16 = 11
    static let offsetForLeaderEpochVersion: Int16 = 3
    static let listOffsetsVersion: Int16 = 5

    init(name: String, fetcherId: Int, sourceBroker: BrokerEndPoint, brokerId: BrokerId, config: ReplicationConfig,
         time: any Time, replicaManager: ReplicaManager) {
        self.name = name
        self.fetcherId = fetcherId
        self.sourceBroker = sourceBroker
        self.brokerId = brokerId
        self.config = config
        self.time = time
        self.replicaManager = ReplicaManagerReference(value: replicaManager)
        var logger = Logger(label: "kafka.server.ReplicaFetcherThread")
        logger[metadataKey: "fetcher"] = "\(name)"
        logger[metadataKey: "broker"] = "\(brokerId)"
        self.logger = logger
    }

    var partitionCount: Int { partitions.withLock { $0.count } }

    /// A counter of fetch rounds (the rotation of the partition order).
    func nextRound() -> Int { rounds.withLock { round in defer { round = (round + 1) % 1_000_000 }; return round } }
    var fetchStates: [TopicPartition: PartitionFetchState] { partitions.withLock { $0 } }
    /// One partition's fetch state (without copying the whole table, which a response of a
    /// thousand partitions would otherwise do a thousand times).
    func fetchState(_ tp: TopicPartition) -> PartitionFetchState? { partitions.withLock { $0[tp] } }

    func addPartitions(_ added: [TopicPartition: InitialFetchState]) {
        partitions.withLock { partitions in
            for (tp, initial) in added {
                partitions[tp] = PartitionFetchState(fetchOffset: initial.initOffset, currentLeaderEpoch: initial.leaderEpoch,
                                                     phase: .truncating)
            }
        }
    }

    func removePartitions(_ removed: Set<TopicPartition>) {
        partitions.withLock { partitions in
            for tp in removed { partitions[tp] = nil }
        }
    }

    func start() {
        let executor = EventLoopTaskExecutor(eventLoopGroup.next())
        loop.withLock { task in
            task = Task(executorPreference: executor) { [self] in await run() }
        }
    }

    /// Stops the loop: cancels it and closes its connection, which fails a request still waiting
    /// for the leader (a fetch may wait `replica.fetch.wait.max.ms` there, a dead leader longer);
    /// then stops the fetcher's thread.
    func shutdown() async {
        let task = loop.withLock { $0 }
        task?.cancel()
        await liveConnection.withLock { $0 }?.close()
        await task?.value
        try? await eventLoopGroup.shutdownGracefully()
    }

    // MARK: - The loop

    private func run() async {
        var connection: BrokerConnection?
        var session = FetchSessionHandler()
        while !Task.isCancelled {
            do {
                let alive: Bool
                if let connection { alive = await connection.isActive } else { alive = false }
                if !alive {
                    connection = try await BrokerConnection.connect(
                        host: sourceBroker.host, port: sourceBroker.port, clientId: "broker-\(brokerId)-fetcher-\(fetcherId)",
                        group: eventLoopGroup, timeout: .milliseconds(config.socketTimeoutMs),
                        maxResponseSize: Int(config.fetchResponseMaxBytes) + 1_048_576)
                    liveConnection.withLock { $0 = connection }
                    if Task.isCancelled { break }
                }
                let worked = try await doWork(connection!, &session)
                if !worked { try await Task.sleep(for: .milliseconds(idleWaitMs)) }
            } catch is CancellationError {
                break
            } catch {
                if Task.isCancelled { break }
                logger.warning("Error in fetch from broker \(sourceBroker): \(error); retrying in \(config.fetchBackoffMs) ms")
                await connection?.close()
                connection = nil
                session.handleSendError()
                delayAll()
                try? await Task.sleep(for: .milliseconds(config.fetchBackoffMs))
            }
        }
        await connection?.close()
    }

    /// How long the loop rests when no partition is ready: until the nearest delay ends, at most
    /// 50 ms (partitions added meanwhile are picked up then).
    private var idleWaitMs: Int64 {
        let now = time.milliseconds
        let nearest = partitions.withLock { $0.values.compactMap(\.delayedUntilMs).min() }
        return max(1, min(50, (nearest ?? now + 50) - now))
    }

    /// One round: truncation if any partition needs it, else one fetch. False when there was
    /// nothing to do.
    private func doWork(_ connection: BrokerConnection, _ session: inout FetchSessionHandler) async throws -> Bool {
        let now = time.milliseconds
        let ready = partitions.withLock { $0.filter { $0.value.isReady(nowMs: now) } }
        let truncating = ready.filter { $0.value.phase == .truncating }
        if !truncating.isEmpty {
            try await truncate(truncating, connection)
            return true
        }
        let fetching = ready.filter { $0.value.phase == .fetching }
        guard !fetching.isEmpty else { return false }
        try await fetch(fetching, connection, &session)
        return true
    }

    func delay(_ tp: TopicPartition, ifStill state: PartitionFetchState) {
        let until = time.milliseconds + config.fetchBackoffMs
        partitions.withLock { partitions in
            if partitions[tp] == state { partitions[tp]?.delayedUntilMs = until }
        }
    }

    private func delayAll() {
        let until = time.milliseconds + config.fetchBackoffMs
        partitions.withLock { partitions in
            for tp in partitions.keys { partitions[tp]?.delayedUntilMs = until }
        }
    }

    /// Replaces a partition's state, if it is still `old` (not removed or re-added meanwhile).
    func update(_ tp: TopicPartition, from old: PartitionFetchState, to new: PartitionFetchState?) {
        partitions.withLock { partitions in
            if partitions[tp] == old { partitions[tp] = new }
        }
    }

    func localPartition(_ tp: TopicPartition) -> Partition? {
        replicaManager.value?.partition(tp)
    }

    /// The broker's metrics, when on (replication bytes in, fetcher lag).
    var brokerMetrics: BrokerMetrics? { replicaManager.value?.metrics.load() }

    /// Sends `request` to the leader, failing with `ReplicationError.timedOut` when no answer
    /// comes within `replica.socket.timeout.ms` (a hung or paused leader must not hold the
    /// fetcher forever). The timeout closes the connection — the only way to fail a request in
    /// flight — and the loop then opens a new one.
    func send<API: KafkaAPI>(_ api: API.Type, _ request: API.Request, version: Int16,
                             on connection: BrokerConnection) async throws -> API.Response where API.Response: Sendable, API.Request: Sendable {
        let timeoutMs = config.socketTimeoutMs + Int64(config.fetchWaitMaxMs)
        do {
            return try await connection.send(api, request, version: version, timeout: .milliseconds(timeoutMs))
        } catch BrokerConnectionError.timedOut {
            throw ReplicationError.timedOut(API.key.description, timeoutMs)
        }
    }
}
