/// The network processors' idle fractions (Kafka's `IdlePercent` per processor,
/// `kafka.network:type=Processor,name=IdlePercent,networkProcessor=N`, and their average,
/// `kafka.network:type=SocketServer,name=NetworkProcessorAvgIdlePercent`), computed at scrape
/// time from each processor thread's CPU time (`NetworkProcessorGroup.processorClocks`).
///
/// A processor's fraction is `1 - cpu/wall` over the window since the sample taken at an
/// earlier scrape (since the thread started, at the first scrape that sees it), clamped to 0...1.
/// Windows shorter than `minimumWindowNanos` keep the previous fraction and sample, so scrapes
/// in quick succession do not turn one burst into 0% idle. Kafka's are one-minute rates; these
/// cover the scrape interval.
///
/// A value (no I/O, no clock read): the caller passes the clocks and the time.
struct NetworkProcessorIdle: Sendable {
    static let minimumWindowNanos: UInt64 = 1_000_000_000

    struct Sample: Sendable {
        var wallNanos: UInt64
        var cpuNanos: UInt64
        var idle: Double
    }

    /// By processor serial: a processor removed and another added never share a sample.
    private(set) var samples: [Int: Sample] = [:]

    /// Takes the processors' figures at `now` (monotonic nanoseconds) and returns each one's idle
    /// fraction, by `index`, and their average (1 when there are none).
    mutating func update(now: UInt64, clocks: [NetworkProcessorGroup.ProcessorClock]) -> (perProcessor: [(index: Int, idle: Double)], average: Double) {
        var next: [Int: Sample] = [:]
        var fractions: [(index: Int, idle: Double)] = []
        for clock in clocks {
            let previous = samples[clock.serial] ?? Sample(wallNanos: clock.startedNanos, cpuNanos: 0, idle: 1)
            let sample: Sample
            if now > previous.wallNanos, now - previous.wallNanos >= Self.minimumWindowNanos || samples[clock.serial] == nil {
                let wall = Double(now - previous.wallNanos)
                let cpu = Double(clock.cpuNanos >= previous.cpuNanos ? clock.cpuNanos - previous.cpuNanos : 0)
                sample = Sample(wallNanos: now, cpuNanos: clock.cpuNanos, idle: max(0, min(1, 1 - cpu / wall)))
            } else {
                sample = previous
            }
            next[clock.serial] = sample
            fractions.append((clock.index, sample.idle))
        }
        samples = next
        let average = fractions.isEmpty ? 1 : fractions.reduce(0) { $0 + $1.idle } / Double(fractions.count)
        return (fractions, average)
    }
}
