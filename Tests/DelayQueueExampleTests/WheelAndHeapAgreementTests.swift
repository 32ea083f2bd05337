import KafkaPurgatory
import Synchronization
import Testing

@testable import DelayQueueExample

/// The wheel (through `WheelDelayQueue`, the purgatory's `SystemTimer` on an injected clock) and
/// the heap do the same work in the benchmark; here they must also give the same answers: the same
/// timers fire in the same clock step, cancelled ones never.
@Suite struct WheelAndHeapAgreementTests {
    final class StepLog: Sendable {
        private let fired = Mutex<[Int: Int64]>([:])
        func record(_ id: Int, at step: Int64) { fired.withLock { $0[id] = step } }
        var all: [Int: Int64] { fired.withLock { $0 } }
    }

    /// The clock step the test is on, read by the wheel's executor thread.
    final class Step: Sendable {
        private let current = Atomic<Int64>(0)
        var value: Int64 {
            get { current.load(ordering: .acquiring) }
            set { current.store(newValue, ordering: .releasing) }
        }
    }

    @Test func bothQueuesFireTheSameTimersInTheSameStep() async {
        let wheelLog = StepLog()
        let heapLog = StepLog()
        let currentStep = Step()
        let wheel = WheelDelayQueue(startMs: 0) { id in wheelLog.record(id, at: currentStep.value) }
        var heapNow: Int64 = 0
        let heap = HeapDelayQueue(startMs: 0) { timer in heapLog.record(timer.id, at: heapNow) }

        // Delays across every wheel level up to the fourth (8 s ticks).
        let delays = DelayQueueBenchmark(spreadMs: 20_000, seed: 7).delays(count: 3_000)
        var wheelTimers: [WheelDelayQueue.Timer] = []
        var heapTimers: [HeapDelayQueue.Timer] = []
        for (id, delay) in delays.enumerated() {
            wheelTimers.append(wheel.schedule(id: id, delayMs: delay))
            heapTimers.append(heap.schedule(id: id, delayMs: delay))
        }
        #expect(wheel.timer.size == delays.count)
        for index in stride(from: 0, to: delays.count, by: 3) {
            wheel.cancel(wheelTimers[index])
            heap.cancel(heapTimers[index])
        }
        var step: Int64 = 0
        while step < 20_000 {
            step += 37
            currentStep.value = step
            heapNow = step
            wheel.advance(to: step)
            await wheel.drain()
            heap.advance(to: step)
        }
        let expected = Set(delays.indices.filter { $0 % 3 != 0 })
        #expect(Set(wheelLog.all.keys) == expected)
        #expect(wheelLog.all == heapLog.all)
        #expect(wheel.count == 0 && heap.count == 0)
    }

    @Test func theBenchmarkChecksThatBothQueuesDidAllTheWork() async {
        let benchmark = DelayQueueBenchmark(sizes: [2_000], rounds: 1, spreadMs: 3_000, stepMs: 10)
        let rows = await benchmark.run()
        #expect(rows.map(\.queue) == [.wheel, .heap])
        #expect(rows.allSatisfy { $0.timers == 2_000 && $0.insertNs > 0 && $0.cancelNs > 0 && $0.fireNs > 0 })
        let table = DelayQueueBenchmark.table(rows)
        #expect(table.contains("2,000      wheel"))
        #expect(table.contains("heap/wheel"))
    }
}
