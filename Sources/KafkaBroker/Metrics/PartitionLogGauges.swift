import CoreMetrics
import KafkaCommon
import Synchronization

/// The per-partition log gauges (`kafka.log:type=Log`): `Size`, `LogStartOffset`,
/// `LogEndOffset`, `NumLogSegments`, tagged `topic` and `partition`. Created when a partition is
/// first seen at a scrape, set from its log at each scrape (under the log's lock, briefly), and
/// removed once the partition is no longer hosted here.
///
/// Isolation: `gauges` under a `Mutex`; only scrapes (serialised) call `update`.
final class PartitionLogGauges: Sendable {
    struct Gauges: Sendable {
        let size: CoreMetrics.Gauge
        let logStartOffset: CoreMetrics.Gauge
        let logEndOffset: CoreMetrics.Gauge
        let numLogSegments: CoreMetrics.Gauge

        var all: [CoreMetrics.Gauge] { [size, logStartOffset, logEndOffset, numLogSegments] }
    }

    private let metrics: BrokerMetrics
    private let gauges = Mutex<[TopicPartition: Gauges]>([:])

    init(metrics: BrokerMetrics) {
        self.metrics = metrics
    }

    static func mbean(_ name: String, _ tp: TopicPartition) -> KafkaMBean {
        KafkaMBean("log", type: "Log", name: name, tags: [.init("topic", tp.topic), .init("partition", "\(tp.partition)")])
    }

    func update(_ partitions: [Partition]) {
        let present = Set(partitions.map(\.topicPartition))
        let table = gauges.withLock { table -> [TopicPartition: Gauges] in
            for (tp, gone) in table where !present.contains(tp) {
                for gauge in gone.all { gauge.destroy() }
                table[tp] = nil
            }
            for tp in present where table[tp] == nil {
                table[tp] = Gauges(size: metrics.gauge(Self.mbean("Size", tp)),
                                   logStartOffset: metrics.gauge(Self.mbean("LogStartOffset", tp)),
                                   logEndOffset: metrics.gauge(Self.mbean("LogEndOffset", tp)),
                                   numLogSegments: metrics.gauge(Self.mbean("NumLogSegments", tp)))
            }
            return table
        }
        for partition in partitions {
            guard let gauges = table[partition.topicPartition] else { continue }
            guard let figures = try? partition.log.withLock({ log in
                (log.size, log.logStartOffset, log.logEndOffset, log.numberOfSegments)
            }) else { continue }
            gauges.size.record(figures.0)
            gauges.logStartOffset.record(figures.1)
            gauges.logEndOffset.record(figures.2)
            gauges.numLogSegments.record(figures.3)
        }
    }
}
