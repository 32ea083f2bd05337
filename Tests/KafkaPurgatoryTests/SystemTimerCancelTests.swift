import KafkaCommon
import Testing

@testable import KafkaPurgatory

/// Cancelling at every point of a timer task's life, under a mock clock (tick 1 ms, 20 slots):
/// the cases `SystemTimerTests` does not cover — after the task ran, and after its bucket on a
/// coarse wheel was flushed and the task moved down to a finer one.
@Suite struct SystemTimerCancelTests {
    let time = MockTime(monotonicMs: 10_000)
    let log = RunLog()

    private func makeTimer() -> SystemTimer {
        SystemTimer(executorName: "test", time: time)
    }

    /// Moves the mock clock to `start + offset` and lets the timer catch up.
    private func advance(_ timer: SystemTimer, to offset: Int64, from start: Int64) async {
        time.sleep(start + offset - time.monotonicMs)
        timer.advanceClock(timeoutMs: 0)
        await timer.drainExecutor()
    }

    @Test func cancelAfterTheTaskRanChangesNothing() async {
        let timer = makeTimer()
        let start = time.monotonicMs
        let ran = RecordingTask(id: 1, delayMs: 5, log: log, time: time)
        let pending = RecordingTask(id: 2, delayMs: 500, log: log, time: time)
        timer.add(ran)
        timer.add(pending)
        await advance(timer, to: 5, from: start)
        #expect(log.ids == [1])
        #expect(timer.size == 1)

        ran.cancel()
        #expect(timer.size == 1, "cancelling a task that ran does not touch the others")
        #expect(ran.timerTaskEntry == nil)
        await advance(timer, to: 500, from: start)
        #expect(log.all == [RunLog.Run(id: 1, atMs: start + 5), RunLog.Run(id: 2, atMs: start + 500)])

        // A task that ran and was then cancelled can be scheduled again, and runs again.
        timer.add(ran)
        await advance(timer, to: 505, from: start)
        #expect(log.ids == [1, 2, 1])
        #expect(timer.size == 0)
    }

    /// The worked example's task (due at +1234) is cancelled at each stage of its way down the
    /// wheels: still on level 2, after the level-2 bucket moved it to level 1, after level 1 moved
    /// it to level 0. It never runs, and the buckets it passed through are left empty.
    @Test(arguments: [Int64(0), 1_200, 1_220, 1_233])
    func cancelWhileTheTaskMovesDownTheWheels(cancelAt offset: Int64) async {
        let timer = makeTimer()
        let start = time.monotonicMs  // 10000, a multiple of every tick up to 8 s
        let task = RecordingTask(id: 1, delayMs: 1_234, log: log, time: time)
        let witness = RecordingTask(id: 2, delayMs: 1_234, log: log, time: time)
        timer.add(task)
        timer.add(witness)
        #expect(timer.wheels.count == 3)
        if offset > 0 { await advance(timer, to: offset, from: start) }
        let level = offset < 1_200 ? 2 : offset < 1_220 ? 1 : 0
        let tick = timer.wheels[level].tickMs
        let bucket = timer.wheels[level].bucket(atSlot: Int(((start + 1_234) / tick) % 20))
        #expect(Set(bucket.tasks.map { ($0 as! RecordingTask).id }) == [1, 2], "both are on level \(level)")

        task.cancel()
        #expect(timer.size == 1)
        #expect(bucket.tasks.map { ($0 as! RecordingTask).id } == [2])
        await advance(timer, to: 1_233, from: start)
        #expect(log.all.isEmpty)
        await advance(timer, to: 1_234, from: start)
        #expect(log.all == [RunLog.Run(id: 2, atMs: start + 1_234)], "only the witness ran, on time")
        #expect(timer.size == 0)
        #expect(timer.queuedBuckets == 0)
    }

    /// Tasks on five levels at once, every other one cancelled before anything is due: the rest
    /// run at their own millisecond, the cancelled ones never, whatever level they waited on.
    @Test func cancelBeforeFireOnEveryLevel() async {
        let timer = makeTimer()
        let start = time.monotonicMs
        let delays: [Int64] = [3, 7, 25, 390, 401, 7_999, 8_001, 159_999, 160_001, 500_000]
        let tasks = delays.enumerated().map { RecordingTask(id: $0.offset, delayMs: $0.element, log: log, time: time) }
        for task in tasks { timer.add(task) }
        #expect(timer.wheels.map(\.tickMs) == [1, 20, 400, 8_000, 160_000])
        for task in tasks where task.id % 2 == 1 { task.cancel() }
        #expect(timer.size == 5)
        for delay in delays {
            await advance(timer, to: delay - 1, from: start)
            await advance(timer, to: delay, from: start)
        }
        let kept = tasks.filter { $0.id % 2 == 0 }
        #expect(log.all == kept.map { RunLog.Run(id: $0.id, atMs: start + $0.delayMs) })
        #expect(timer.size == 0)
    }
}
