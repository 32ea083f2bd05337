import Dispatch
import Synchronization

/// The same work on both delay queues, at growing sizes: insert n timers with delays spread
/// uniformly over `spreadMs`, cancel every other one (as most delayed requests complete before they
/// time out), then move the clock through the whole spread in `stepMs` steps until the rest have
/// fired. Each phase is timed and divided by its operations (n inserts, n/2 cancels, n/2 fires).
///
/// Both queues hand their due timers to a serial `DispatchQueue` (the wheel's executor; a queue of
/// the same kind for the heap) in one batch per clock step — `SystemTimer.advanceClock` submits
/// what it found due together — so "fire" compares the structures, not one queue's inline call
/// against the other's hand-off, nor one hand-off per timer against one per step. Time is simulated (`ManualTime`; the heap's `advance(to:)`):
/// nothing sleeps, so the figures are CPU time of the data structures alone.
public struct DelayQueueBenchmark: Sendable {
    public enum Queue: String, Sendable, CaseIterable {
        case wheel, heap
    }

    /// One measured run: nanoseconds per operation of each phase.
    public struct Row: Sendable {
        public let timers: Int
        public let queue: Queue
        public let insertNs: Double
        public let cancelNs: Double
        public let fireNs: Double
    }

    public var sizes: [Int]
    public var rounds: Int
    public var spreadMs: Int64
    public var stepMs: Int64
    public var seed: UInt64

    public init(
        sizes: [Int] = [10_000, 100_000, 1_000_000], rounds: Int = 3, spreadMs: Int64 = 30_000,
        stepMs: Int64 = 10, seed: UInt64 = 0x5EED
    ) {
        precondition(rounds > 0 && spreadMs > 0 && stepMs > 0)
        self.sizes = sizes
        self.rounds = rounds
        self.spreadMs = spreadMs
        self.stepMs = stepMs
        self.seed = seed
    }

    /// The delays of one workload: n values in 1…spreadMs from a fixed-seed generator, so every run
    /// and both queues see the same timers.
    public func delays(count: Int) -> [Int64] {
        var random = SplitMix64(seed: seed ^ UInt64(count))
        return (0..<count).map { _ in 1 + Int64(random.next() % UInt64(spreadMs)) }
    }

    /// Runs every size on both queues `rounds` times and keeps each phase's fastest round (the
    /// one least disturbed by other work on the machine). Rows: per size, wheel then heap.
    public func run(progress: (String) -> Void = { _ in }) async -> [Row] {
        var rows: [Row] = []
        for size in sizes {
            let delays = delays(count: size)
            for queue in Queue.allCases {
                var best: Row?
                for round in 1...rounds {
                    let row = await measure(queue, delays: delays)
                    progress("\(queue.rawValue) n=\(size) round \(round): \(Self.format(row))")
                    best = best.map {
                        Row(timers: size, queue: queue, insertNs: min($0.insertNs, row.insertNs),
                            cancelNs: min($0.cancelNs, row.cancelNs), fireNs: min($0.fireNs, row.fireNs))
                    } ?? row
                }
                rows.append(best!)
            }
        }
        return rows
    }

    /// One run of the workload on one queue.
    public func measure(_ queue: Queue, delays: [Int64]) async -> Row {
        switch queue {
        case .wheel: return await measureWheel(delays)
        case .heap: return await measureHeap(delays)
        }
    }

    private func measureWheel(_ delays: [Int64]) async -> Row {
        let fired = FireCounter()
        let queue = WheelDelayQueue(startMs: 0) { _ in fired.increment() }
        let clock = ContinuousClock()

        var timers: [WheelDelayQueue.Timer] = []
        timers.reserveCapacity(delays.count)
        let insert = clock.measure {
            for (id, delay) in delays.enumerated() { timers.append(queue.schedule(id: id, delayMs: delay)) }
        }
        let cancel = clock.measure {
            for index in stride(from: 1, to: timers.count, by: 2) { queue.cancel(timers[index]) }
        }
        let start = clock.now
        var now: Int64 = 0
        while now < spreadMs {
            now += stepMs
            queue.advance(to: now)
        }
        await queue.drain()
        let fire = start.duration(to: clock.now)
        return row(.wheel, delays.count, insert, cancel, fire, fired: fired.value, pending: queue.count)
    }

    private func measureHeap(_ delays: [Int64]) async -> Row {
        let fired = FireCounter()
        let executor = DispatchQueue(label: "executor-heap-delay-queue")
        // Due timers are collected during an advance and handed over together, as `SystemTimer`
        // hands over what one `advanceClock` found due.
        var due: [Int] = []
        let queue = HeapDelayQueue(startMs: 0) { due.append($0.id) }
        let clock = ContinuousClock()

        var timers: [HeapDelayQueue.Timer] = []
        timers.reserveCapacity(delays.count)
        let insert = clock.measure {
            for (id, delay) in delays.enumerated() { timers.append(queue.schedule(id: id, delayMs: delay)) }
        }
        let cancel = clock.measure {
            for index in stride(from: 1, to: timers.count, by: 2) { queue.cancel(timers[index]) }
        }
        let start = clock.now
        var now: Int64 = 0
        while now < spreadMs {
            now += stepMs
            queue.advance(to: now)
            if !due.isEmpty {
                let batch = due
                due.removeAll(keepingCapacity: true)
                executor.async { for _ in batch { fired.increment() } }  // the wheel's executor calls `fire(id)`
            }
        }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in executor.async { done.resume() } }
        let fire = start.duration(to: clock.now)
        return row(.heap, delays.count, insert, cancel, fire, fired: fired.value, pending: queue.count)
    }

    private func row(
        _ queue: Queue, _ count: Int, _ insert: Duration, _ cancel: Duration, _ fire: Duration, fired: Int, pending: Int
    ) -> Row {
        let cancelled = count / 2
        // The benchmark is only worth its figures if both queues did all the work.
        precondition(fired == count - cancelled && pending == 0, "\(queue): fired \(fired) of \(count - cancelled), \(pending) left")
        return Row(
            timers: count, queue: queue, insertNs: Self.nanoseconds(insert) / Double(count),
            cancelNs: Self.nanoseconds(cancel) / Double(max(1, cancelled)),
            fireNs: Self.nanoseconds(fire) / Double(max(1, count - cancelled)))
    }

    static func nanoseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1e9 + Double(attoseconds) / 1e9
    }

    static func format(_ row: Row) -> String {
        "insert \(Int(row.insertNs.rounded())) ns, cancel \(Int(row.cancelNs.rounded())) ns, fire \(Int(row.fireNs.rounded())) ns"
    }
}

/// Counts fired timers; incremented on an executor thread, read by the benchmark afterwards.
final class FireCounter: Sendable {
    private let count = Atomic<Int>(0)
    func increment() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .acquiring) }
}

/// A small, fast, fixed-seed generator (SplitMix64), so that workloads repeat exactly.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
