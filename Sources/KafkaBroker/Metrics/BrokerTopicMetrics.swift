import CoreMetrics
import Prometheus

/// The counters of `kafka.server:type=BrokerTopicMetrics` for one topic (`topic=<name>`) or for
/// all topics (no tag): Kafka's `BrokerTopicMetrics`.
///
/// Every counter is created once, when the topic is first seen; moving one is a relaxed atomic
/// add on the Prometheus counter behind it (`CoreMetrics.Counter.increment` is inlinable and
/// calls the handler directly): no lock, no allocation.
public final class BrokerTopicMetrics: Sendable {
    /// The topic, nil for the all-topics set.
    public let topic: String?
    public let messagesIn: CoreMetrics.Counter
    public let bytesIn: CoreMetrics.Counter
    public let bytesOut: CoreMetrics.Counter
    public let bytesRejected: CoreMetrics.Counter
    public let failedProduceRequests: CoreMetrics.Counter
    public let failedFetchRequests: CoreMetrics.Counter
    public let totalProduceRequests: CoreMetrics.Counter
    public let totalFetchRequests: CoreMetrics.Counter

    /// Kafka's meter names, in Kafka's order.
    public static let meterNames = [
        "MessagesInPerSec", "BytesInPerSec", "BytesOutPerSec", "BytesRejectedPerSec", "FailedProduceRequestsPerSec",
        "FailedFetchRequestsPerSec", "TotalProduceRequestsPerSec", "TotalFetchRequestsPerSec",
    ]

    public static func mbean(_ name: String, topic: String?) -> KafkaMBean {
        KafkaMBean("server", type: "BrokerTopicMetrics", name: name, tags: topic.map { [.init("topic", $0)] } ?? [])
    }

    init(topic: String?, factory: PrometheusMetricsFactory) {
        self.topic = topic
        func counter(_ name: String) -> CoreMetrics.Counter {
            let mbean = Self.mbean(name, topic: topic)
            return CoreMetrics.Counter(label: mbean.meterCountName, dimensions: mbean.labels, factory: factory)
        }
        messagesIn = counter("MessagesInPerSec")
        bytesIn = counter("BytesInPerSec")
        bytesOut = counter("BytesOutPerSec")
        bytesRejected = counter("BytesRejectedPerSec")
        failedProduceRequests = counter("FailedProduceRequestsPerSec")
        failedFetchRequests = counter("FailedFetchRequestsPerSec")
        totalProduceRequests = counter("TotalProduceRequestsPerSec")
        totalFetchRequests = counter("TotalFetchRequestsPerSec")
    }
}
