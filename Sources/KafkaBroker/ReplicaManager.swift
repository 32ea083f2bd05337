import KafkaCommon
import KafkaProtocol
import KafkaPurgatory
import KafkaStorage
import Logging
import Synchronization

/// The partitions this broker hosts and its role in each, as the controller's LeaderAndIsr
/// requests set them (Kafka's `ReplicaManager`): leaders take appends and serve fetches,
/// followers fetch from their leader (`ReplicaFetcherManager`); the ISR shrinks and expands here
/// (`ReplicaManager+Isr`); acks=all produces and fetches wait in the purgatories it owns.
/// The request path runs through it as in Kafka: KafkaApis → handler (decode, encode) →
/// `appendRecords` / `fetchMessages` (`ReplicaManager+Append`, `ReplicaManager+Fetch`) →
/// `Partition` → `Log`.
///
/// Rules, as in Kafka: a request from an older controller epoch is refused as a whole
/// (STALE_CONTROLLER_EPOCH); per partition, only a newer leader epoch changes anything (an
/// equal or older one is answered STALE_CONTROLLER_EPOCH and ignored); a partition whose
/// replicas do not include this broker is UNKNOWN_TOPIC_OR_PARTITION.
///
/// Isolation: one `Mutex` around the table; each `Partition` guards its own state. Role changes
/// are serialised by `stateChangeLock` (LeaderAndIsr and StopReplica never interleave); lock
/// order: `stateChangeLock`, then a partition's locks, then the fetcher manager's.
public final class ReplicaManager: Sendable {
    public struct PartitionRole: Sendable, Equatable {
        public var leader: BrokerId
        public var leaderEpoch: LeaderEpoch
        public var isr: [BrokerId]
        public var replicas: [BrokerId]
        public var zkVersion: Int32
        /// The epoch of the controller that set this role (written back with ISR changes).
        public var controllerEpoch: ControllerEpoch

        public init(leader: BrokerId, leaderEpoch: LeaderEpoch, isr: [BrokerId], replicas: [BrokerId], zkVersion: Int32,
                    controllerEpoch: ControllerEpoch) {
            self.leader = leader
            self.leaderEpoch = leaderEpoch
            self.isr = isr
            self.replicas = replicas
            self.zkVersion = zkVersion
            self.controllerEpoch = controllerEpoch
        }

        /// The role of a partition created by a LeaderAndIsr that has not been applied yet: no
        /// leader, no ISR, no epoch. Neither leader nor follower, so nothing acts on it (no ISR
        /// shrink, no fetch served) before `makeLeader` or `makeFollower` gives it its role.
        public static func unassigned(replicas: [BrokerId]) -> PartitionRole {
            PartitionRole(leader: .none, leaderEpoch: -1, isr: [], replicas: replicas, zkVersion: -1, controllerEpoch: .initial)
        }
    }

    public let brokerId: BrokerId
    let config: ReplicationConfig
    let time: any Time
    let stateChangeLogger: Logger
    let logger: Logger
    /// Opens (or creates) a partition's log with its topic's config (the LogManager).
    public typealias LogProvider = @Sendable (TopicPartition, LogConfig) throws -> Log
    let logProvider: LogProvider
    /// The high watermarks last checkpointed, read once at start-up (`replication-offset-checkpoint`).
    let checkpointedHighWatermarks: [TopicPartition: Int64]
    let isrStore: any IsrStore
    let fetchPurgatory: DelayedOperationPurgatory<DelayedFetch>
    let producePurgatory: DelayedOperationPurgatory<DelayedProduce>
    let fetcherManager: ReplicaFetcherManager
    private struct State {
        var controllerEpoch: ControllerEpoch = .initial
        var partitions: [TopicPartition: Partition] = [:]
    }
    private let state = Mutex(State())
    let stateChangeLock = Mutex(())
    /// Partitions whose ISR changed since the last notification (`ReplicaManager+Isr`).
    let isrChanges: Mutex<IsrChangeSet>
    /// ISR expansions waiting for the ISR writer (`ReplicaManager+Isr`).
    let isrUpdates = Mutex(IsrUpdateQueue())
    let backgroundTasks = Mutex<[Task<Void, Never>]>([])
    /// The broker's metrics, set once at start-up when `admin.listener` is on (`ReplicaManager+Metrics`).
    public let metrics = AtomicLazyReference<BrokerMetrics>()

    public convenience init(
        brokerId: BrokerId, config: ReplicationConfig, time: any Time = SystemTime(), isrStore: any IsrStore,
        checkpointedHighWatermarks: [TopicPartition: Int64] = [:], logProvider: @escaping LogProvider
    ) {
        self.init(brokerId: brokerId, config: config, time: time, isrStore: isrStore,
                  checkpointedHighWatermarks: checkpointedHighWatermarks, producePurgatory: nil, fetchPurgatory: nil,
                  logProvider: logProvider)
    }

    /// `producePurgatory` and `fetchPurgatory` (Kafka's `delayedProducePurgatoryParam` and
    /// `delayedFetchPurgatoryParam`): nil for purgatories with their own timer on the system
    /// clock and an expiration reaper thread; unit tests pass ones whose timer runs on their
    /// injected clock, and advance it themselves.
    init(
        brokerId: BrokerId, config: ReplicationConfig, time: any Time = SystemTime(), isrStore: any IsrStore,
        checkpointedHighWatermarks: [TopicPartition: Int64] = [:],
        producePurgatory: DelayedOperationPurgatory<DelayedProduce>?,
        fetchPurgatory: DelayedOperationPurgatory<DelayedFetch>?,
        logProvider: @escaping LogProvider
    ) {
        self.brokerId = brokerId
        self.config = config
        self.time = time
        self.isrStore = isrStore
        self.checkpointedHighWatermarks = checkpointedHighWatermarks
        self.logProvider = logProvider
        // As in Kafka, the first propagation is counted from start-up, not from 1970.
        isrChanges = Mutex(IsrChangeSet(lastPropagationMs: time.milliseconds))
        stateChangeLogger = Logger(label: "state.change.logger")
        var logger = Logger(label: "kafka.server.ReplicaManager")
        logger[metadataKey: "broker"] = "\(brokerId)"
        self.logger = logger
        self.fetchPurgatory = fetchPurgatory ?? DelayedOperationPurgatory(purgatoryName: "Fetch", brokerId: brokerId)
        self.producePurgatory = producePurgatory ?? DelayedOperationPurgatory(purgatoryName: "Produce", brokerId: brokerId)
        fetcherManager = ReplicaFetcherManager(brokerId: brokerId, config: config, time: time)
        fetcherManager.replicaManager = self
    }

    public func partition(_ tp: TopicPartition) -> Partition? {
        state.withLock { $0.partitions[tp] }
    }

    public var allPartitions: [Partition] { state.withLock { Array($0.partitions.values) } }

    /// Wakes the produce and fetch requests waiting on `tp` (after an append, a high watermark
    /// move or a role change).
    func completeDelayedRequests(_ tp: TopicPartition) {
        producePurgatory.checkAndComplete(tp)
        fetchPurgatory.checkAndComplete(tp)
    }

    /// StopReplica from the controller: stops hosting the listed partitions (their fetchers
    /// stop first); with `deletePartitions`, their logs are deleted (renamed `-delete`, removed
    /// later) through `deleteLog`.
    public func stopReplicas(_ request: StopReplica.Request, deleteLog: (TopicPartition) throws -> Void) -> StopReplica.Response {
        stateChangeLock.withLock { _ in
            let accepted: Bool = state.withLock { state in
                guard request.controllerEpoch >= state.controllerEpoch else { return false }
                state.controllerEpoch = request.controllerEpoch
                return true
            }
            guard accepted else { return StopReplica.Response(errorCode: .staleControllerEpoch, partitionErrors: []) }
            let topics = request.partitionsByTopic
            let all = Set(topics.flatMap { topic in topic.partitionIndexes.map { TopicPartition(topic.name, $0) } })
            fetcherManager.removeFetcherForPartitions(all)
            var errors: [StopReplica.PartitionError] = []
            for topic in topics {
                for index in topic.partitionIndexes {
                    let tp = TopicPartition(topic.name, index)
                    if request.deletePartitions {
                        _ = state.withLock { $0.partitions.removeValue(forKey: tp) }
                    }
                    completeDelayedRequests(tp)
                    var code = ErrorCode.none
                    if request.deletePartitions {
                        do { try deleteLog(tp) } catch { code = .kafkaStorageError }
                    }
                    errors.append(StopReplica.PartitionError(topicName: topic.name, partitionIndex: index, errorCode: code))
                    stateChangeLogger.info("[Broker id=\(brokerId) epoch=\(request.controllerEpoch)] Stopped replica \(tp)\(request.deletePartitions ? " and deleted its log" : "")")
                }
            }
            return StopReplica.Response(errorCode: .none, partitionErrors: errors)
        }
    }

    /// Applies a LeaderAndIsr request (Kafka's `becomeLeaderOrFollower`), creating the logs of
    /// partitions new to this broker with `configs[topic]`: leaders stop fetching and start
    /// tracking their followers; followers fetch from their leader (through `liveLeaders`),
    /// truncating first by leader epoch. Returns the top-level error and one per partition.
    public func becomeLeaderOrFollower(_ request: LeaderAndIsr.Request, configs: [String: LogConfig]) -> LeaderAndIsr.Response {
        stateChangeLock.withLock { _ in applyLeaderAndIsr(request, configs: configs).response }
    }

    /// The same, then (still under the state-change lock, so that role changes are reported in
    /// the order they were applied) tells `onLeadershipChange` which partitions became leader —
    /// only those this broker did not lead already, as Kafka's `makeLeaders` returns them (a new
    /// leader epoch for a partition it leads is "Skipped … since it is already the leader") — and
    /// which it now follows (every follower the request set without error).
    public func becomeLeaderOrFollower(
        _ request: LeaderAndIsr.Request, configs: [String: LogConfig],
        onLeadershipChange: (_ newLeaders: [TopicPartition], _ followers: [TopicPartition]) -> Void
    ) -> LeaderAndIsr.Response {
        stateChangeLock.withLock { _ in
            let applied = applyLeaderAndIsr(request, configs: configs)
            if applied.response.errorCode == .none { onLeadershipChange(applied.newLeaders, applied.followers) }
            return applied.response
        }
    }

    private func applyLeaderAndIsr(
        _ request: LeaderAndIsr.Request, configs: [String: LogConfig]
    ) -> (response: LeaderAndIsr.Response, newLeaders: [TopicPartition], followers: [TopicPartition]) {
        let prefix = "[Broker id=\(brokerId) epoch=\(request.controllerEpoch)]"
        let accepted: ControllerEpoch? = state.withLock { state in
            guard request.controllerEpoch >= state.controllerEpoch else { return state.controllerEpoch }
            state.controllerEpoch = request.controllerEpoch
            return nil
        }
        if let latest = accepted {
            stateChangeLogger.warning("\(prefix) Ignoring LeaderAndIsr from controller \(request.controllerId) with epoch \(request.controllerEpoch): the latest known epoch is \(latest)")
            return (LeaderAndIsr.Response(errorCode: .staleControllerEpoch, partitionErrors: []), [], [])
        }
        let startNs = time.nanoseconds
        var errors: [LeaderAndIsr.PartitionError] = []
        var leaders: [(Partition, PartitionRole)] = []
        var followers: [(Partition, PartitionRole)] = []
        var created: Set<TopicPartition> = []
        for topic in request.partitionStatesByTopic {
            for requested in topic.partitionStates {
                let tp = TopicPartition(topic.topicName, requested.partitionIndex)
                func answer(_ code: ErrorCode) {
                    errors.append(LeaderAndIsr.PartitionError(topicName: tp.topic, partitionIndex: tp.partition, errorCode: code))
                }
                guard requested.replicas.contains(brokerId) else {
                    answer(.unknownTopicOrPartition)
                    continue
                }
                let role = PartitionRole(leader: requested.leader, leaderEpoch: requested.leaderEpoch, isr: requested.isr,
                                         replicas: requested.replicas, zkVersion: requested.zkVersion,
                                         controllerEpoch: requested.controllerEpoch)
                let partition: Partition
                if let existing = self.partition(tp) {
                    let current = existing.role
                    if requested.leaderEpoch <= current.leaderEpoch {
                        stateChangeLogger.warning("\(prefix) Ignoring LeaderAndIsr for \(tp): leader epoch \(requested.leaderEpoch) is not newer than \(current.leaderEpoch)")
                        answer(.staleControllerEpoch)
                        continue
                    }
                    partition = existing
                } else {
                    do {
                        let log = try logProvider(tp, configs[tp.topic] ?? LogConfig())
                        // Its role is given below, with the others': until then it is no leader
                        // (a leader's ISR shrink must not find followers it has not heard of yet).
                        partition = Partition(topicPartition: tp, localBrokerId: brokerId,
                                              role: .unassigned(replicas: requested.replicas), log: log,
                                              highWatermark: checkpointedHighWatermarks[tp] ?? 0, time: time)
                        state.withLock { $0.partitions[tp] = partition }
                        created.insert(tp)
                    } catch {
                        stateChangeLogger.error("\(prefix) Could not create the log of \(tp): \(error)")
                        answer(.kafkaStorageError)
                        continue
                    }
                }
                answer(.none)
                if requested.leader == brokerId { leaders.append((partition, role)) } else { followers.append((partition, role)) }
            }
        }
        let rolesNs = time.nanoseconds
        let newLeaders = makeLeaders(leaders, controller: (request.controllerId, request.controllerEpoch), prefix: prefix)
        makeFollowers(followers, created: created, liveLeaders: request.liveLeaders, prefix: prefix)
        fetcherManager.shutdownIdleFetcherThreads()
        let endNs = time.nanoseconds
        logger.info("Applied LeaderAndIsr from controller \(request.controllerId) epoch \(request.controllerEpoch): \(leaders.count) leaders, \(followers.count) followers, \(created.count) logs created in \((rolesNs - startNs) / 1_000_000) ms, roles applied in \((endNs - rolesNs) / 1_000_000) ms")
        return (LeaderAndIsr.Response(errorCode: .none, partitionErrors: errors), newLeaders, followers.map(\.0.topicPartition))
    }

    /// Kafka's `makeLeaders`: fetching stops, then each partition becomes leader of its epoch.
    /// Returns the partitions this broker did not lead before (Kafka's `partitionsToMakeLeaders`).
    private func makeLeaders(
        _ leaders: [(Partition, PartitionRole)], controller: (id: BrokerId, epoch: ControllerEpoch), prefix: String
    ) -> [TopicPartition] {
        guard !leaders.isEmpty else { return [] }
        fetcherManager.removeFetcherForPartitions(Set(leaders.map(\.0.topicPartition)))
        var newLeaders: [TopicPartition] = []
        for (partition, role) in leaders {
            let wasLeader = partition.isLeader
            partition.makeLeader(role)
            if wasLeader {
                stateChangeLogger.info("\(prefix) Skipped the become-leader state change after marking its partition as leader from controller \(controller.id) epoch \(controller.epoch) for partition \(partition.topicPartition) (last update controller epoch \(role.controllerEpoch)) since it is already the leader for the partition.")
            } else {
                newLeaders.append(partition.topicPartition)
            }
            stateChangeLogger.info("\(prefix) Became leader for \(partition.topicPartition) with leader epoch \(role.leaderEpoch), ISR [\(role.isr.map(\.description).joined(separator: ","))], high watermark \(partition.highWatermark)")
            completeDelayedRequests(partition.topicPartition)
        }
        return newLeaders
    }

    /// Kafka's `makeFollowers`: the partition follows its new leader; its fetcher is restarted
    /// from the high watermark in the truncating state (the leader-epoch exchange decides where
    /// the local log really ends); waiting produces and fetches are answered (NOT_LEADER).
    private func makeFollowers(_ followers: [(Partition, PartitionRole)], created: Set<TopicPartition>,
                               liveLeaders: [LeaderAndIsr.LiveLeader], prefix: String) {
        guard !followers.isEmpty else { return }
        var changed: [Partition] = []
        for (partition, role) in followers {
            if partition.makeFollower(role) || created.contains(partition.topicPartition) { changed.append(partition) }
            stateChangeLogger.info("\(prefix) Became follower of broker \(role.leader) for \(partition.topicPartition) with leader epoch \(role.leaderEpoch)")
            completeDelayedRequests(partition.topicPartition)
        }
        fetcherManager.removeFetcherForPartitions(Set(changed.map(\.topicPartition)))
        var toFetch: [TopicPartition: InitialFetchState] = [:]
        for partition in changed {
            let role = partition.role
            guard let leader = liveLeaders.first(where: { $0.brokerId == role.leader }) else {
                stateChangeLogger.warning("\(prefix) Cannot follow \(partition.topicPartition): its leader \(role.leader) is not among the live leaders")
                continue
            }
            toFetch[partition.topicPartition] = InitialFetchState(
                leader: BrokerEndPoint(id: leader.brokerId, host: leader.hostName, port: Int(leader.port)),
                leaderEpoch: role.leaderEpoch, initOffset: partition.highWatermark)
        }
        fetcherManager.addFetcherForPartitions(toFetch)
    }

    /// Shutdown: answers now every produce and fetch still waiting in the purgatories, with what
    /// they have (a produce its ISR has not acknowledged: REQUEST_TIMED_OUT), so the request
    /// handlers can finish instead of holding the shutdown for up to a request timeout.
    public func completeDelayedRequestsForShutdown() {
        for tp in allPartitions.map(\.topicPartition) {
            for operation in producePurgatory.cancel(forKey: tp) { operation.forceComplete() }
            for operation in fetchPurgatory.cancel(forKey: tp) { operation.forceComplete() }
        }
    }

    /// Stops the fetchers and the background tasks, then writes the high watermark checkpoint.
    public func shutdown(checkpoint: ([TopicPartition: Int64]) -> Void) async {
        for task in backgroundTasks.withLock({ $0 }) { task.cancel() }
        await fetcherManager.shutdown()
        checkpoint(highWatermarks)
        producePurgatory.shutdown()
        fetchPurgatory.shutdown()
    }

    /// Every hosted partition's high watermark (for `replication-offset-checkpoint`).
    public var highWatermarks: [TopicPartition: Int64] {
        Dictionary(uniqueKeysWithValues: allPartitions.map { ($0.topicPartition, $0.highWatermark) })
    }
}
