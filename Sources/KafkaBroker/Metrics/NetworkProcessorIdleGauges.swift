import CoreMetrics
import Synchronization

/// The network processors' idle gauges: `kafka.network:type=SocketServer,name=NetworkProcessorAvgIdlePercent`
/// and each processor's `kafka.network:type=Processor,name=IdlePercent,networkProcessor=N`, set
/// at scrape time from `NetworkProcessorIdle`. The gauge of a processor removed by a resize
/// (`num.network.threads` lowered) goes away.
///
/// Isolation: everything under one `Mutex`; only scrapes (serialised) call `update`.
final class NetworkProcessorIdleGauges: Sendable {
    private struct State {
        var idle = NetworkProcessorIdle()
        var perProcessor: [Int: CoreMetrics.Gauge] = [:]
    }

    private let metrics: BrokerMetrics
    private let average: CoreMetrics.Gauge
    private let state = Mutex(State())

    init(metrics: BrokerMetrics) {
        self.metrics = metrics
        average = metrics.gauge(KafkaMBean("network", type: "SocketServer", name: "NetworkProcessorAvgIdlePercent"))
    }

    static func processorMBean(_ index: Int) -> KafkaMBean {
        KafkaMBean("network", type: "Processor", name: "IdlePercent", tags: [.init("networkProcessor", "\(index)")])
    }

    func update(clocks: [NetworkProcessorGroup.ProcessorClock], now: UInt64) {
        let metrics = self.metrics
        let average = self.average
        state.withLock { state in
            let (fractions, mean) = state.idle.update(now: now, clocks: clocks)
            average.record(mean)
            let present = Set(fractions.map { $0.index })
            for (index, gauge) in state.perProcessor where !present.contains(index) {
                gauge.destroy()
                state.perProcessor[index] = nil
            }
            for (index, idle) in fractions {
                let gauge = state.perProcessor[index] ?? metrics.gauge(Self.processorMBean(index))
                state.perProcessor[index] = gauge
                gauge.record(idle)
            }
        }
    }
}
