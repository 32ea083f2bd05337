import Controller
import CoreMetrics
import KafkaCommon
import KafkaPurgatory
import KafkaStorage
import Logging
import ZooKeeper

/// A purgatory as its metrics see it (`kafka.server:type=DelayedOperationPurgatory`).
protocol PurgatoryGauges: Sendable {
    var purgatoryName: String { get }
    /// Operations watched, counted once per key watched (Kafka's `PurgatorySize`).
    var watched: Int { get }
    /// Operations not yet completed (Kafka's `NumDelayedOperations`).
    var numDelayed: Int { get }
}

extension DelayedOperationPurgatory: PurgatoryGauges {}

/// What the scrape-time collectors read: the broker's parts, handed over once they exist.
struct MetricsSources: Sendable {
    var replicaManager: ReplicaManager?
    var controller: KafkaController?
    var groupCoordinator: GroupCoordinator?
    var purgatories: [any PurgatoryGauges]
    var networkProcessors: NetworkProcessorGroup? = nil
}

/// Counts ZooKeeper session expirations (Kafka's `SessionExpireListener`): the client calls it
/// once per expired session, before it creates the next.
struct SessionExpireCounter: ZooKeeperSessionHandler {
    let expires: CoreMetrics.Counter

    func beforeInitializingSession() async { expires.increment(by: 1) }
    func afterInitializingSession() async {}
}

/// `kafka.controller:type=ControllerStats`: one timer per controller state
/// (`ControllerChangeRateAndTimeMs`, `LeaderElectionRateAndTimeMs` for a broker change,
/// `TopicChangeRateAndTimeMs`, …) fed with the time of every event of that state, and
/// `UncleanLeaderElectionsPerSec` (a meter), fed by the controller's `ControllerStats`.
final class ControllerStatsMetrics: ControllerStatsSink {
    /// Indexed by `ControllerState.value`; nil for `.idle` and the values no state has.
    let timers: [LatencyHistogram?]
    let uncleanElections: CoreMetrics.Counter

    init(_ metrics: BrokerMetrics) {
        var timers = [LatencyHistogram?](repeating: nil, count: (ControllerState.allStates.map(\.value).max() ?? 0) + 1)
        for state in ControllerState.allStates {
            guard let name = state.rateAndTimeMetricName else { continue }
            timers[state.value] = metrics.histogram(KafkaMBean("controller", type: "ControllerStats", name: name))
        }
        self.timers = timers
        uncleanElections = metrics.counter(KafkaMBean("controller", type: "ControllerStats", name: "UncleanLeaderElectionsPerSec"))
    }

    func eventProcessed(_ state: ControllerState, milliseconds: Double) { timers[state.value]?.record(milliseconds: milliseconds) }
    func uncleanLeaderElection() { uncleanElections.increment(by: 1) }

    /// Sets every timer's quantile gauges (at scrape time).
    func publish() {
        for timer in timers { timer?.publish() }
    }
}

/// `kafka.log:type=LogFlushStats,name=LogFlushRateAndTimeMs`, fed by the log's flushes.
final class LogFlushMetrics: LogFlushStatsSink {
    let flushes: LatencyHistogram

    init(_ metrics: BrokerMetrics) {
        flushes = metrics.histogram(KafkaMBean("log", type: "LogFlushStats", name: "LogFlushRateAndTimeMs"))
    }

    func flushed(milliseconds: Double) { flushes.record(milliseconds: milliseconds) }
}

/// `kafka.server:type=ZooKeeperClientMetrics,name=ZooKeeperRequestLatencyMs`, fed by the
/// broker's ZooKeeper client.
final class ZooKeeperLatencyMetrics: ZooKeeperLatencySink {
    let latency: LatencyHistogram

    init(_ metrics: BrokerMetrics) {
        latency = metrics.histogram(KafkaMBean("server", type: "ZooKeeperClientMetrics", name: "ZooKeeperRequestLatencyMs"))
    }

    func requestCompleted(milliseconds: Double) { latency.record(milliseconds: milliseconds) }
}

/// The admin listener and the gauges computed at scrape time.
extension KafkaServer {
    /// The admin listener's address as bound (a configured port 0 replaced by the kernel's
    /// choice); nil when `admin.listener` is unset.
    public var boundAdminListener: AdminListenerAddress? { adminListener?.boundAddress }

    /// Registers the scrape-time collectors and binds `admin.listener` (when set).
    func startAdminListener(sources: MetricsSources) async throws {
        guard let address = config.adminListener, let metrics else { return }
        Self.registerCollectors(metrics, sources: sources, brokerId: brokerId)
        if let zooKeeper = zkClient?.zooKeeper {
            let latency = ZooKeeperLatencyMetrics(metrics)
            zooKeeper.stats.install(latency)
            metrics.addCollector { latency.latency.publish() }
        }
        zkClient?.zooKeeper.registerSessionHandler(
            name: "metrics", SessionExpireCounter(expires: metrics.counter(
                KafkaMBean("server", type: "SessionExpireListener", name: "ZooKeeperExpiresPerSec"))))
        let liveView = Self.liveViewRoutes(brokerId: brokerId, sources: sources, zkClient: zkClient)
        adminListener = try await AdminListener.bind(address, metrics: metrics, liveView: liveView,
                                                     logger: Logger(label: "kafka.server.AdminListener"))
    }

    static func registerCollectors(_ metrics: BrokerMetrics, sources: MetricsSources, brokerId: BrokerId) {
        if let replicaManager = sources.replicaManager {
            registerReplicaManager(metrics, replicaManager)
            registerLogs(metrics, replicaManager)
        }
        if let controller = sources.controller { registerController(metrics, controller) }
        let flushes = LogFlushMetrics(metrics)
        LogFlushStats.install(flushes)
        metrics.addCollector { flushes.flushes.publish() }
        if let groupCoordinator = sources.groupCoordinator { registerGroups(metrics, groupCoordinator) }
        if let processors = sources.networkProcessors { registerNetworkProcessors(metrics, processors) }
        registerPurgatories(metrics, sources.purgatories + (sources.replicaManager.map {
            [$0.producePurgatory, $0.fetchPurgatory] as [any PurgatoryGauges]
        } ?? []) + (sources.groupCoordinator.map {
            [$0.heartbeatPurgatory, $0.joinPurgatory] as [any PurgatoryGauges]
        } ?? []))
    }

    private static func registerReplicaManager(_ metrics: BrokerMetrics, _ replicaManager: ReplicaManager) {
        func gauge(_ name: String) -> CoreMetrics.Gauge { metrics.gauge(KafkaMBean("server", type: "ReplicaManager", name: name)) }
        let partitionCount = gauge("PartitionCount")
        let leaderCount = gauge("LeaderCount")
        let underReplicated = gauge("UnderReplicatedPartitions")
        let underMinIsr = gauge("UnderMinIsrPartitionCount")
        let offlineReplicas = gauge("OfflineReplicaCount")
        let maxLag = metrics.gauge(KafkaMBean("server", type: "ReplicaFetcherManager", name: "MaxLag",
                                              tags: [.init("clientId", "Replica")]))
        metrics.addCollector {
            let gauges = replicaManager.gauges()
            partitionCount.record(gauges.partitionCount)
            leaderCount.record(gauges.leaderCount)
            underReplicated.record(gauges.underReplicatedPartitions)
            underMinIsr.record(gauges.underMinIsrPartitionCount)
            offlineReplicas.record(gauges.offlineReplicaCount)
            maxLag.record(metrics.fetcherLag.maxLag(followed: gauges.followed))
        }
    }

    private static func registerController(_ metrics: BrokerMetrics, _ controller: KafkaController) {
        func gauge(_ name: String) -> CoreMetrics.Gauge { metrics.gauge(KafkaMBean("controller", type: "KafkaController", name: name)) }
        let active = gauge("ActiveControllerCount")
        let offline = gauge("OfflinePartitionsCount")
        let imbalance = gauge("PreferredReplicaImbalanceCount")
        let topics = gauge("GlobalTopicCount")
        let partitions = gauge("GlobalPartitionCount")
        let state = gauge("ControllerState")
        let stats = ControllerStatsMetrics(metrics)
        controller.stats.install(stats)
        metrics.addCollector {
            let current = controller.currentState
            let gauges = await controller.metricGauges()
            active.record(gauges.activeControllerCount)
            offline.record(gauges.offlinePartitionsCount)
            imbalance.record(gauges.preferredReplicaImbalanceCount)
            topics.record(gauges.globalTopicCount)
            partitions.record(gauges.globalPartitionCount)
            state.record(current.value)
            stats.publish()
        }
    }

    private static func registerPurgatories(_ metrics: BrokerMetrics, _ purgatories: [any PurgatoryGauges]) {
        let gauges = purgatories.map { purgatory in
            let tags: [KafkaMBean.Tag] = [.init("delayedOperation", purgatory.purgatoryName)]
            return (purgatory,
                    metrics.gauge(KafkaMBean("server", type: "DelayedOperationPurgatory", name: "PurgatorySize", tags: tags)),
                    metrics.gauge(KafkaMBean("server", type: "DelayedOperationPurgatory", name: "NumDelayedOperations", tags: tags)))
        }
        metrics.addCollector {
            for (purgatory, size, delayed) in gauges {
                size.record(purgatory.watched)
                delayed.record(purgatory.numDelayed)
            }
        }
    }

    private static func registerGroups(_ metrics: BrokerMetrics, _ coordinator: GroupCoordinator) {
        func gauge(_ name: String) -> CoreMetrics.Gauge {
            metrics.gauge(KafkaMBean("coordinator.group", type: "GroupMetadataManager", name: name))
        }
        let all = gauge("NumGroups")
        let byState = GroupCountsByState.names.map { gauge($0) }
        metrics.addCollector {
            let counts = GroupCountsByState(coordinator.manager.currentGroups().groups.map(\.state))
            all.record(counts.total)
            for (gauge, count) in zip(byState, counts.inNameOrder) { gauge.record(count) }
        }
    }

    /// `kafka.log:type=Log,name=Size|LogStartOffset|LogEndOffset|NumLogSegments,topic=…,partition=…`
    /// for every partition hosted here; the gauges of a partition that went away are removed.
    private static func registerLogs(_ metrics: BrokerMetrics, _ replicaManager: ReplicaManager) {
        let table = PartitionLogGauges(metrics: metrics)
        metrics.addCollector {
            table.update(replicaManager.allPartitions)
        }
    }

    /// `kafka.network:type=SocketServer,name=NetworkProcessorAvgIdlePercent` and each processor's
    /// `IdlePercent` (`NetworkProcessorIdleGauges`).
    private static func registerNetworkProcessors(_ metrics: BrokerMetrics, _ processors: NetworkProcessorGroup) {
        let gauges = NetworkProcessorIdleGauges(metrics: metrics)
        metrics.addCollector {
            gauges.update(clocks: processors.processorClocks, now: NetworkProcessorGroup.monotonicNanos())
        }
    }
}
