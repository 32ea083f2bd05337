import Dispatch
import KafkaCommon
import KafkaPurgatory
import Synchronization

/// Seed 000 §IV's delay queue, for real: a "delayed message" is not written to its topic when it is
/// sent but parked in a delay queue, and delivered once its delay has passed; a message withdrawn
/// before then is never delivered. Here the queue is the purgatory's `SystemTimer` on the real
/// clock, with one reaper loop calling `advanceClock(timeoutMs:)` as Kafka's
/// ExpiredOperationReaper does; "delivering" a message records how late it was.
///
/// What the run shows: `count` timers scheduled while the reaper runs, every `cancelEvery`-th
/// cancelled right after it is scheduled, the rest fired once, never before they are due, and (the
/// wheel's tick being 1 ms) within a few milliseconds of it unless the machine is busy.
public struct DelayedMessageDemo: Sendable {
    public struct Report: Sendable {
        public let scheduled: Int
        public let cancelled: Int
        public let delivered: Int
        /// Cancelled messages that were delivered all the same: the reaper fired them between the
        /// `add` and the `cancel` (only if the scheduling thread stalled for over a millisecond).
        public let firedBeforeCancel: Int
        /// Messages delivered twice, and delivered before they were due: both must be 0.
        public let duplicates: Int
        public let early: Int

        /// Every message delivered once or cancelled, none twice, none early.
        public var isConsistent: Bool {
            duplicates == 0 && early == 0 && delivered + cancelled - firedBeforeCancel == scheduled
        }
        /// Lateness percentiles (delivery time minus due time), in milliseconds.
        public let latenessP50Ms: Int
        public let latenessP99Ms: Int
        public let latenessMaxMs: Int
        public let scheduleSeconds: Double
        public let totalSeconds: Double
    }

    public var count: Int
    public var maxDelayMs: Int64
    public var cancelEvery: Int

    public init(count: Int = 1_000_000, maxDelayMs: Int64 = 2_000, cancelEvery: Int = 2) {
        precondition(count > 0 && maxDelayMs > 0 && cancelEvery > 0)
        self.count = count
        self.maxDelayMs = maxDelayMs
        self.cancelEvery = cancelEvery
    }

    public func run() async -> Report {
        let time = SystemTime()
        let timer = SystemTimer(executorName: "delayed-messages", time: time)
        let deliveries = Deliveries(slots: Int(maxDelayMs) + 1_000)
        let clock = ContinuousClock()
        let start = clock.now

        // The reaper, from the start: waits for the next bucket, up to 200 ms at a time (Kafka's
        // reaper waits 200 ms too), until told to stop.
        let stop = Flag()
        let reaper = DispatchGroup()
        DispatchQueue(label: "expiration-reaper").async(group: reaper) {
            while !stop.isSet { timer.advanceClock(timeoutMs: 200) }
        }

        var random = SplitMix64(seed: 0xDE1A7)
        var cancelled = 0
        var lastDueNs: UInt64 = 0
        for id in 0..<count {
            let delay = 1 + Int64(random.next() % UInt64(maxDelayMs))
            let dueNs = time.nanoseconds + UInt64(delay) * 1_000_000
            lastDueNs = max(lastDueNs, dueNs)
            let message = DelayedMessage(id: id, dueNs: dueNs, delayMs: delay, time: time, deliveries: deliveries)
            timer.add(message)
            if id % cancelEvery == cancelEvery - 1 {
                // Withdrawn at once. Marked first: if the reaper fired it in between (a thread
                // descheduled for over a millisecond), the delivery shows as fired-before-cancel.
                deliveries.markCancelled(id)
                message.cancel()
                cancelled += 1
            }
        }
        let scheduled = clock.now
        // Past the last due time with nothing linked into the wheels, every timer has been handed
        // to the executor or cancelled (a due bucket's timers go straight to the executor).
        while timer.size > 0 || time.nanoseconds <= lastDueNs {
            try? await Task.sleep(for: .milliseconds(10))
        }
        stop.set()
        timer.shutdown()  // wakes the reaper if it is waiting
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            reaper.notify(queue: .global()) { done.resume() }
        }
        await timer.drainExecutor()
        let end = clock.now

        let summary = deliveries.summary()
        return Report(
            scheduled: count, cancelled: cancelled, delivered: summary.delivered,
            firedBeforeCancel: summary.deliveredAfterCancel, duplicates: summary.duplicates, early: summary.early,
            latenessP50Ms: summary.percentile(0.50), latenessP99Ms: summary.percentile(0.99),
            latenessMaxMs: summary.maxLateness,
            scheduleSeconds: DelayQueueBenchmark.nanoseconds(start.duration(to: scheduled)) / 1e9,
            totalSeconds: DelayQueueBenchmark.nanoseconds(start.duration(to: end)) / 1e9)
    }
}

/// A message parked until `dueNs`; running it "delivers" it.
final class DelayedMessage: TimerTask, @unchecked Sendable {
    let id: Int
    private let dueNs: UInt64
    private let time: any Time
    private let deliveries: Deliveries

    init(id: Int, dueNs: UInt64, delayMs: Int64, time: any Time, deliveries: Deliveries) {
        self.id = id
        self.dueNs = dueNs
        self.time = time
        self.deliveries = deliveries
        super.init(delayMs: delayMs)
    }

    override func run() {
        let now = time.nanoseconds
        deliveries.record(id: id, latenessNs: Int64(bitPattern: now &- dueNs))
    }
}

/// What was delivered, how late, and which ids were cancelled. Written on the timer's executor
/// (one thread) and by the demo; a mutex keeps the two apart.
final class Deliveries: Sendable {
    struct Summary {
        var delivered = 0
        var deliveredAfterCancel = 0
        var duplicates = 0
        var early = 0
        var maxLateness = 0
        var histogram: [Int]

        func percentile(_ fraction: Double) -> Int {
            let target = Int((Double(delivered) * fraction).rounded(.up))
            var seen = 0
            for (ms, n) in histogram.enumerated() {
                seen += n
                if seen >= max(1, target) { return ms }
            }
            return histogram.count
        }
    }

    private struct State {
        var summary: Summary
        var cancelled: Set<Int> = []
        var delivered: Set<Int> = []
    }
    private let state: Mutex<State>

    init(slots: Int) {
        state = Mutex(State(summary: Summary(histogram: Array(repeating: 0, count: slots))))
    }

    func markCancelled(_ id: Int) {
        state.withLock { _ = $0.cancelled.insert(id) }
    }

    func record(id: Int, latenessNs: Int64) {
        state.withLock { state in
            state.summary.delivered += 1
            if !state.delivered.insert(id).inserted { state.summary.duplicates += 1 }
            if state.cancelled.contains(id) { state.summary.deliveredAfterCancel += 1 }
            if latenessNs < -1_000_000 { state.summary.early += 1 }  // the wheel works in whole ms
            let ms = Int(max(0, latenessNs) / 1_000_000)
            state.summary.maxLateness = max(state.summary.maxLateness, ms)
            state.summary.histogram[min(ms, state.summary.histogram.count - 1)] += 1
        }
    }

    func summary() -> Summary {
        state.withLock { $0.summary }
    }
}

/// A one-way switch shared between threads.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}
