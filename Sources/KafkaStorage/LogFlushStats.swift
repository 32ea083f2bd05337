import Foundation
import Synchronization

/// Where the log's fsyncs are reported (Kafka's `LogFlushStats`,
/// `kafka.log:type=LogFlushStats,name=LogFlushRateAndTimeMs`). Like Kafka's, it is one per
/// process: the first broker whose metrics are on installs the sink.
public protocol LogFlushStatsSink: AnyObject, Sendable {
    func flushed(milliseconds: Double)
}

public enum LogFlushStats {
    final class Sink: Sendable {
        let value: any LogFlushStatsSink
        init(_ value: any LogFlushStatsSink) { self.value = value }
    }

    private static let sink = AtomicLazyReference<Sink>()

    /// Installs `sink`; only the first call in a process has an effect.
    public static func install(_ sink: any LogFlushStatsSink) {
        _ = Self.sink.storeIfNil(Sink(sink))
    }

    /// Runs one flush's fsyncs, timing them when a sink is installed (otherwise an atomic load
    /// and a nil check).
    public static func time<T>(_ body: () throws -> T) rethrows -> T {
        guard let sink = sink.load()?.value else { return try body() }
        let started = DispatchTime.now().uptimeNanoseconds
        defer { sink.flushed(milliseconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000) }
        return try body()
    }
}
