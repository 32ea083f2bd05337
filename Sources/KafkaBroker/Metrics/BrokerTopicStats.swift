import Atomics
import CoreMetrics
import Prometheus
import Synchronization

/// The `BrokerTopicMetrics` of every topic seen, and of all topics together (Kafka's
/// `BrokerTopicStats`), plus the replication meters that have no topic tag.
///
/// The hot path: the produce and fetch paths call `record…` once per partition. The topic's
/// counters are found in an immutable table published through an atomic reference: one atomic
/// load, one dictionary lookup (hashing the topic `String` the request already holds allocates
/// nothing), then relaxed atomic adds. Only the first sight of a topic takes `creationLock` and
/// allocates (its counters and a new table, copied from the old one).
///
/// Isolation: `table` is replaced whole, under `creationLock`; readers never lock.
public final class BrokerTopicStats: Sendable {
    final class Table: AtomicReference, Sendable {
        let byTopic: [String: BrokerTopicMetrics]
        init(_ byTopic: [String: BrokerTopicMetrics]) { self.byTopic = byTopic }
    }

    public let allTopics: BrokerTopicMetrics
    public let replicationBytesIn: CoreMetrics.Counter
    public let replicationBytesOut: CoreMetrics.Counter
    private let factory: PrometheusMetricsFactory
    private let table = ManagedAtomic(Table([:]))
    private let creationLock = Mutex(())

    /// `aggregateFactory`: for the all-topics series, unlabeled in families that have labeled
    /// ones (see `BrokerMetrics.aggregateRegistry`).
    init(factory: PrometheusMetricsFactory, aggregateFactory: PrometheusMetricsFactory) {
        self.factory = factory
        allTopics = BrokerTopicMetrics(topic: nil, factory: aggregateFactory)
        func counter(_ name: String) -> CoreMetrics.Counter {
            let mbean = BrokerTopicMetrics.mbean(name, topic: nil)
            return CoreMetrics.Counter(label: mbean.meterCountName, dimensions: mbean.labels, factory: factory)
        }
        replicationBytesIn = counter("ReplicationBytesInPerSec")
        replicationBytesOut = counter("ReplicationBytesOutPerSec")
    }

    /// The topic's counters, created on first sight.
    public func topic(_ topic: String) -> BrokerTopicMetrics {
        if let metrics = table.load(ordering: .acquiring).byTopic[topic] { return metrics }
        return creationLock.withLock { _ in
            let current = table.load(ordering: .acquiring)
            if let metrics = current.byTopic[topic] { return metrics }
            let metrics = BrokerTopicMetrics(topic: topic, factory: factory)
            var byTopic = current.byTopic
            byTopic[topic] = metrics
            table.store(Table(byTopic), ordering: .releasing)
            return metrics
        }
    }

    /// The topics seen so far.
    public var topics: [String] { Array(table.load(ordering: .acquiring).byTopic.keys) }

    // MARK: - The calls on the request paths (one line each where they are made)

    /// A produce request's partition of `topic`, before the append (Kafka counts every request).
    public func produceRequested(_ topic: String) {
        self.topic(topic).totalProduceRequests.increment(by: 1)
        allTopics.totalProduceRequests.increment(by: 1)
    }

    /// An append to a leader of `topic`: `messages` records, `bytes` bytes.
    public func appended(_ topic: String, messages: Int64, bytes: Int) {
        let metrics = self.topic(topic)
        metrics.messagesIn.increment(by: messages)
        metrics.bytesIn.increment(by: bytes)
        allTopics.messagesIn.increment(by: messages)
        allTopics.bytesIn.increment(by: bytes)
    }

    /// An append to `topic` that failed; `rejectedBytes` > 0 when the records were refused
    /// (too large, corrupt, invalid), as Kafka counts BytesRejected.
    public func produceFailed(_ topic: String, rejectedBytes: Int) {
        let metrics = self.topic(topic)
        metrics.failedProduceRequests.increment(by: 1)
        allTopics.failedProduceRequests.increment(by: 1)
        if rejectedBytes > 0 {
            metrics.bytesRejected.increment(by: rejectedBytes)
            allTopics.bytesRejected.increment(by: rejectedBytes)
        }
    }

    /// A fetch request's partition of `topic`, before the read (Kafka counts every read, a
    /// delayed fetch's second read too).
    public func fetchRequested(_ topic: String) {
        self.topic(topic).totalFetchRequests.increment(by: 1)
        allTopics.totalFetchRequests.increment(by: 1)
    }

    /// A read of `topic` that failed unexpectedly (Kafka does not count the expected errors:
    /// unknown partition, not leader, fenced epoch, offset out of range, storage).
    public func fetchFailed(_ topic: String) {
        self.topic(topic).failedFetchRequests.increment(by: 1)
        allTopics.failedFetchRequests.increment(by: 1)
    }

    /// Records refused by validation (`code`: a record batch error's Kafka code). Like Kafka,
    /// only a batch too large (MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE) counts its bytes as
    /// rejected; validation errors are expected errors, not failed requests.
    public func recordsRejected(_ topic: String, code: Int16, bytes: Int) {
        guard code == 10 || code == 18, bytes > 0 else { return }
        self.topic(topic).bytesRejected.increment(by: bytes)
        allTopics.bytesRejected.increment(by: bytes)
    }

    /// Bytes of `topic` sent in a fetch response; a follower's fetch counts as replication only.
    public func bytesOut(_ topic: String, bytes: Int, fromFollower: Bool) {
        if fromFollower {
            replicationBytesOut.increment(by: bytes)
        } else {
            self.topic(topic).bytesOut.increment(by: bytes)
            allTopics.bytesOut.increment(by: bytes)
        }
    }
}
