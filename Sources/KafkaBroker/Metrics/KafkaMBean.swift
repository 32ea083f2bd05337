import Foundation

/// One of Kafka's metric MBeans (`kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=t`)
/// and the Prometheus names the Prometheus JMX exporter gives its attributes under the common
/// Kafka rules (`example_configs/kafka-2_0_0.yml`, `lowercaseOutputName: true`), so that the
/// dashboards and alerts written against Apache Kafka work against this broker unchanged.
///
/// The rules, as facts:
/// - the name is `kafka_<domain>_<type>_<name>`, lower-cased (the domain's dots become `_`:
///   `kafka.coordinator.group` → `kafka_coordinator_group`); label names and values keep their case;
/// - a meter whose name contains `PerSec` exports its `Count` as a counter `…_total`, the name cut
///   at `PerSec` (`MessagesInPerSec` → `…_messagesin_total`);
/// - a gauge exports its `Value` under the bare name;
/// - a timer or histogram exports its `Count` as `…_count` and its percentiles as the bare name
///   with a `quantile` label (`50thPercentile` → `"0.50"`, `999thPercentile` → `"0.999"`);
/// - the MBean's other key properties (`topic`, `request`, `delayedOperation`, …) become labels,
///   in the MBean's order.
public struct KafkaMBean: Sendable, Hashable, CustomStringConvertible {
    /// `server`, `network`, `controller`, `log`, `coordinator.group` (after `kafka.`).
    public var domain: String
    public var type: String
    public var name: String
    /// Further key properties, in the MBean's order.
    public var tags: [Tag]

    public struct Tag: Sendable, Hashable {
        public var key: String
        public var value: String
        public init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    public init(_ domain: String, type: String, name: String, tags: [Tag] = []) {
        self.domain = domain
        self.type = type
        self.name = name
        self.tags = tags
    }

    /// The MBean's object name as JMX prints it.
    public var description: String {
        (["kafka.\(domain):type=\(type)", "name=\(name)"] + tags.map { "\($0.key)=\($0.value)" }).joined(separator: ",")
    }

    /// The labels the exporter gives every attribute of this MBean.
    public var labels: [(String, String)] { tags.map { ($0.key, $0.value) } }

    private var base: String {
        "kafka_\(domain.replacingOccurrences(of: ".", with: "_"))_\(type)_".lowercased()
    }

    /// A meter's `Count` (`…PerSec`): `kafka_server_brokertopicmetrics_messagesin_total`.
    public var meterCountName: String {
        let cut = name.range(of: "PerSec").map { String(name[..<$0.lowerBound]) } ?? name
        return base + cut.lowercased() + "_total"
    }

    /// A gauge's `Value`: `kafka_server_replicamanager_partitioncount`.
    public var gaugeName: String { base + name.lowercased() }

    /// A timer's or histogram's `Count`: `kafka_network_requestmetrics_totaltimems_count`.
    public var histogramCountName: String { gaugeName + "_count" }

    /// A timer's or histogram's percentiles share the gauge name, told apart by `quantile`.
    public var quantileName: String { gaugeName }

    /// The `quantile` label the exporter derives from a Yammer percentile attribute
    /// (`50thPercentile` → `0.50`, `999thPercentile` → `0.999`).
    public static func quantileLabel(percentileDigits digits: String) -> String { "0." + digits }

    /// The percentile attributes a Yammer histogram has, as the exporter labels them.
    public static let yammerQuantiles: [(label: String, q: Double)] = [
        ("0.50", 0.50), ("0.75", 0.75), ("0.95", 0.95), ("0.98", 0.98), ("0.99", 0.99), ("0.999", 0.999),
    ]
}
