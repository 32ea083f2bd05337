import Synchronization

/// Where a ZooKeeper client reports each request's latency (Kafka's `ZooKeeperClientMetrics`,
/// `kafka.server:type=ZooKeeperClientMetrics,name=ZooKeeperRequestLatencyMs`): from handing the
/// request to the C client to its completion, for each attempt that completed.
public protocol ZooKeeperLatencySink: AnyObject, Sendable {
    func requestCompleted(milliseconds: Double)
}

/// The client's hook to its latency sink: an atomic load and a nil check per request while none
/// is installed.
public final class ZooKeeperClientStats: Sendable {
    final class Sink: Sendable {
        let value: any ZooKeeperLatencySink
        init(_ value: any ZooKeeperLatencySink) { self.value = value }
    }

    private let sink = AtomicLazyReference<Sink>()

    public init() {}

    /// Installs `sink`; only the first call has an effect.
    public func install(_ sink: any ZooKeeperLatencySink) {
        _ = self.sink.storeIfNil(Sink(sink))
    }

    func completed(after duration: Duration) {
        guard let sink = sink.load()?.value else { return }
        let (seconds, attoseconds) = duration.components
        sink.requestCompleted(milliseconds: Double(seconds) * 1_000 + Double(attoseconds) / 1e15)
    }
}
