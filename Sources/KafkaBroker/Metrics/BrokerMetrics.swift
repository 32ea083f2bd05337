import CoreMetrics
import KafkaCommon
import Prometheus
import Synchronization

/// A broker's metrics, kept when `admin.listener` is set: one Prometheus registry, filled through
/// swift-metrics (`CoreMetrics.Counter`/`Gauge` on a `PrometheusMetricsFactory` bound to this
/// registry, not the process-wide `MetricsSystem`, so that several brokers in one process keep
/// their own), and rendered in the Prometheus text format by `scrape`.
///
/// Two kinds of metric:
/// - counters moved where things happen (`BrokerTopicStats`, `RequestMetrics`, ISR changes):
///   relaxed atomic adds on handles created once;
/// - gauges computed from state at scrape time: `collectors` run at the start of every scrape and
///   set their gauges (partition counts, controller state, purgatory sizes, log offsets, …), so
///   nothing is pushed on every change.
///
/// Isolation: the registry is thread-safe; `collectors` is guarded by a `Mutex`; scrapes are
/// serialised by `scrapeLock` (collectors set gauges, then the registry is read).
public final class BrokerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let factory: PrometheusMetricsFactory
    /// The unlabeled series of families that also have labeled ones (the all-topics
    /// `BrokerTopicMetrics`): swift-prometheus keeps a family one or the other, so these live
    /// here and `scrape` merges the two renderings (`PrometheusTextMerge`).
    public let aggregateRegistry: PrometheusCollectorRegistry
    public let topicStats: BrokerTopicStats
    public let requestMetrics: RequestMetrics
    /// `kafka.server:type=ReplicaManager,name=IsrShrinksPerSec` / `IsrExpandsPerSec`.
    public let isrShrinks: CoreMetrics.Counter
    public let isrExpands: CoreMetrics.Counter
    public let fetcherLag = FetcherLagStats()

    /// Called at scrape time, in registration order; each sets the gauges it owns.
    public typealias Collector = @Sendable () async -> Void
    private let collectors = Mutex<[Collector]>([])
    private let scrapeLock = ScrapeLock()

    public init(time: any Time = SystemTime()) {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        let factory = PrometheusMetricsFactory(registry: registry)
        self.factory = factory
        let aggregateRegistry = PrometheusCollectorRegistry()
        self.aggregateRegistry = aggregateRegistry
        topicStats = BrokerTopicStats(factory: factory, aggregateFactory: PrometheusMetricsFactory(registry: aggregateRegistry))
        requestMetrics = RequestMetrics(factory: factory, time: time)
        isrShrinks = CoreMetrics.Counter(label: KafkaMBean("server", type: "ReplicaManager", name: "IsrShrinksPerSec").meterCountName,
                                         dimensions: [], factory: factory)
        isrExpands = CoreMetrics.Counter(label: KafkaMBean("server", type: "ReplicaManager", name: "IsrExpandsPerSec").meterCountName,
                                         dimensions: [], factory: factory)
    }

    /// An ISR written to ZooKeeper by this leader: a shrink or an expansion.
    public func isrUpdated(from oldCount: Int, to newCount: Int) {
        if newCount < oldCount { isrShrinks.increment(by: 1) } else if newCount > oldCount { isrExpands.increment(by: 1) }
    }

    /// A follower appended what its fetcher fetched (Kafka's ReplicationBytesIn and fetcher lag).
    public func followerFetched(_ tp: TopicPartition, bytes: Int, leaderHighWatermark: Int64, logEndOffset: Int64) {
        topicStats.replicationBytesIn.increment(by: bytes)
        fetcherLag.record(tp, leaderHighWatermark: leaderHighWatermark, logEndOffset: logEndOffset)
    }

    public func addCollector(_ collector: @escaping Collector) {
        collectors.withLock { $0.append(collector) }
    }

    /// A counter (Kafka meter `Count`) on this registry.
    public func counter(_ mbean: KafkaMBean) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: mbean.meterCountName, dimensions: mbean.labels, factory: factory)
    }

    /// A gauge (Kafka gauge `Value`) on this registry.
    public func gauge(_ mbean: KafkaMBean) -> CoreMetrics.Gauge {
        CoreMetrics.Gauge(label: mbean.gaugeName, dimensions: mbean.labels, factory: factory)
    }

    /// A timer or histogram on this registry.
    public func histogram(_ mbean: KafkaMBean) -> LatencyHistogram {
        LatencyHistogram(mbean, factory: factory)
    }

    /// Runs the collectors, then renders every metric in the Prometheus text format (0.0.4).
    public func scrape() async -> String {
        String(decoding: await scrapeBytes(), as: UTF8.self)
    }

    /// `scrape` as UTF-8 bytes, as the admin listener sends them.
    public func scrapeBytes() async -> [UInt8] {
        await scrapeLock.run {
            for collector in collectors.withLock({ $0 }) { await collector() }
            requestMetrics.publish()
            return PrometheusTextMerge.merge(registry.emitToBuffer(), aggregateRegistry.emitToBuffer())
        }
    }
}

/// Serialises scrapes without holding a thread: the collectors await the controller actor.
actor ScrapeLock {
    func run<T: Sendable>(_ body: @Sendable () async -> T) async -> T { await body() }
}
