import Atomics
import CoreMetrics
import Prometheus

/// A Kafka timer or histogram (`TotalTimeMs`, `LogFlushRateAndTimeMs`, …) exported as the JMX
/// exporter exports Kafka's Yammer histograms: `<name>_count{…}` (a counter) and
/// `<name>{…,quantile="0.50"|…|"0.999"}` (gauges).
///
/// Cheap to record: `record` finds the bucket by a scan of a fixed array of bounds and does two
/// relaxed atomic adds (the bucket, and the `_count` counter); no lock, no allocation. The
/// quantiles are computed at scrape time (`publish`) from the bucket counts, by linear
/// interpolation within the bucket holding the rank, as `histogram_quantile` does.
///
/// Difference from Kafka: Yammer's percentiles come from an exponentially decaying sample (about
/// the last five minutes); these are over every value since the broker started, to the bucket
/// resolution below.
///
/// Isolation: atomics only; `publish` may run concurrently with `record` (a scrape sees each
/// bucket's count at some moment during the scrape).
public final class LatencyHistogram: Sendable {
    /// Bucket upper bounds in milliseconds; a last, unbounded bucket follows.
    public static let bounds: [Double] = [
        0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 25, 50, 75, 100, 150, 250, 500, 750,
        1_000, 1_500, 2_500, 5_000, 10_000, 30_000, 60_000,
    ]

    let mbean: KafkaMBean
    private let buckets: [ManagedAtomic<Int>]
    private let count: CoreMetrics.Counter
    private let quantiles: [CoreMetrics.Gauge]
    /// The bucket total at the last `publish` (−1 before the first, so that it sets the gauges).
    private let publishedTotal = ManagedAtomic(-1)

    init(_ mbean: KafkaMBean, factory: PrometheusMetricsFactory) {
        self.mbean = mbean
        buckets = (0...Self.bounds.count).map { _ in ManagedAtomic(0) }
        count = CoreMetrics.Counter(label: mbean.histogramCountName, dimensions: mbean.labels, factory: factory)
        quantiles = KafkaMBean.yammerQuantiles.map { quantile in
            CoreMetrics.Gauge(label: mbean.quantileName, dimensions: mbean.labels + [("quantile", quantile.label)],
                              factory: factory)
        }
    }

    /// Records one value, in milliseconds (negative counts as 0).
    public func record(milliseconds value: Double) {
        var index = 0
        let bounds = Self.bounds
        while index < bounds.count, value > bounds[index] { index += 1 }
        buckets[index].wrappingIncrement(ordering: .relaxed)
        count.increment()
    }

    /// Records the time from `start` to `end`, monotonic nanoseconds.
    public func record(fromNanos start: UInt64, toNanos end: UInt64) {
        record(milliseconds: end > start ? Double(end - start) / 1_000_000 : 0)
    }

    /// The bucket counts, one more than `bounds` (the last is unbounded).
    public var bucketCounts: [Int] { buckets.map { $0.load(ordering: .relaxed) } }

    /// The estimated `q`-quantile of the recorded values (0 when none).
    public static func quantile(_ q: Double, bucketCounts counts: [Int]) -> Double {
        let total = counts.reduce(0, +)
        guard total > 0 else { return 0 }
        let rank = q * Double(total)
        var cumulative = 0
        for (index, bucketCount) in counts.enumerated() {
            let below = cumulative
            cumulative += bucketCount
            guard Double(cumulative) >= rank, bucketCount > 0 else { continue }
            let lower = index == 0 ? 0 : bounds[index - 1]
            guard index < bounds.count else { return lower }
            let fraction = (rank - Double(below)) / Double(bucketCount)
            return lower + (bounds[index] - lower) * max(0, min(1, fraction))
        }
        return bounds[bounds.count - 1]
    }

    /// Sets the quantile gauges from the bucket counts (at scrape time). A histogram that recorded
    /// nothing since the last publish keeps its gauges as they are (most APIs see no request
    /// between two scrapes): only the bucket counts are read for those. The total compared and
    /// the quantiles come from the same snapshot of the counts.
    func publish() {
        let counts = bucketCounts
        let total = counts.reduce(0, &+)
        guard publishedTotal.exchange(total, ordering: .relaxed) != total else { return }
        for (gauge, quantile) in zip(quantiles, KafkaMBean.yammerQuantiles) {
            gauge.record(Self.quantile(quantile.q, bucketCounts: counts))
        }
    }
}
