import Dispatch
import KafkaCommon
import Synchronization
import Testing

@testable import KafkaPurgatory

/// The whole timer (tick 1 ms, 20 slots) under a mock clock: a test moves the clock, calls
/// `advanceClock(timeoutMs: 0)` (which never sleeps) and waits for the executor with
/// `drainExecutor()`.
@Suite struct SystemTimerTests {
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

    @Test func tasksExpireInOrderAtTheirTickAcrossWheelLevels() async {
        let timer = makeTimer()
        let start = time.monotonicMs
        let delays: [Int64] = [0, 1, 19, 20, 21, 399, 400, 8_000, 1_000_000]
        // Added in scrambled order; ids are the delays.
        for delay in [400, 1, 1_000_000, 21, 0, 19, 8_000, 399, 20] as [Int64] {
            timer.add(RecordingTask(id: Int(delay), delayMs: delay, log: log, time: time))
        }
        #expect(timer.wheels.map(\.tickMs) == [1, 20, 400, 8_000, 160_000], "10^6 ms needs five levels")
        await timer.drainExecutor()
        #expect(log.all == [RunLog.Run(id: 0, atMs: start)], "delay 0 runs at once")
        #expect(timer.size == 8)

        // Millisecond by millisecond through the first two levels: each task runs in its own tick.
        for offset in Int64(1)...450 {
            await advance(timer, to: offset, from: start)
            let expected = delays.filter { $0 <= offset }.map(Int.init)
            #expect(log.ids == expected, "at +\(offset)")
        }
        // Then jump to just before and exactly at each far expiration.
        for delay in [8_000, 1_000_000] as [Int64] {
            await advance(timer, to: delay - 1, from: start)
            #expect(!log.ids.contains(Int(delay)), "\(delay) ran early")
            await advance(timer, to: delay, from: start)
            #expect(log.ids.last == Int(delay))
        }
        #expect(log.all == delays.map { RunLog.Run(id: Int($0), atMs: start + $0) })
        #expect(timer.size == 0)
        #expect(timer.queuedBuckets == 0)
    }

    @Test func aTaskMovesDownTheWheelsAsInTheWorkedExample() async {
        let timer = makeTimer()
        let start = time.monotonicMs  // 10000, a multiple of every tick below 160 s
        timer.add(RecordingTask(id: 1, delayMs: 1_234, log: log, time: time))
        await advance(timer, to: 1_199, from: start)
        #expect(timer.wheels[0].currentTime == start, "nothing was due yet")
        await advance(timer, to: 1_200, from: start)  // the level-2 bucket [1200, 1600) is flushed
        #expect(timer.wheels[1].bucket(atSlot: Int(((start + 1_234) / 20) % 20)).expirationMs == start + 1_220)
        await advance(timer, to: 1_220, from: start)  // the level-1 bucket [1220, 1240) is flushed
        #expect(timer.wheels[0].bucket(atSlot: Int((start + 1_234) % 20)).expirationMs == start + 1_234)
        #expect(timer.wheels[2].currentTime == start + 1_200)
        await advance(timer, to: 1_233, from: start)
        #expect(log.all.isEmpty)
        await advance(timer, to: 1_234, from: start)
        #expect(log.all == [RunLog.Run(id: 1, atMs: start + 1_234)])
    }

    @Test func cancelledTasksNeverRun() async {
        let timer = makeTimer()
        let start = time.monotonicMs
        let delays: [Int64] = Array(1...100) + [450, 9_000, 200_000]
        let tasks = delays.enumerated().map { RecordingTask(id: $0.offset, delayMs: $0.element, log: log, time: time) }
        for task in tasks { timer.add(task) }
        #expect(timer.size == tasks.count)
        for task in tasks where task.id % 2 == 1 { task.cancel() }
        #expect(timer.size == tasks.count - tasks.count / 2)
        tasks[1].cancel()  // twice: harmless

        await advance(timer, to: 300_000, from: start)
        #expect(Set(log.ids) == Set(tasks.map(\.id).filter { $0 % 2 == 0 }))
        #expect(log.ids.count == Set(log.ids).count, "each ran once")
        #expect(timer.size == 0)
    }

    @Test func aTaskCancelledOnItsWayToTheExecutorDoesNotRun() async {
        let timer = makeTimer()
        let gate = DispatchSemaphore(value: 0)
        let blockerRunning = Counter()
        timer.add(RecordingTask(id: 1, delayMs: 1, log: log, time: time) {
            blockerRunning.increment()
            gate.wait()
        })
        let late = RecordingTask(id: 2, delayMs: 2, log: log, time: time)
        timer.add(late)
        time.sleep(2)
        timer.advanceClock(timeoutMs: 0)  // both are handed to the serial executor
        #expect(await waitUntil { blockerRunning.value > 0 })
        #expect(timer.size == 0)
        late.cancel()
        gate.signal()
        await timer.drainExecutor()
        #expect(log.ids == [1])
    }

    @Test func anAlreadyExpiredTaskRunsAtOnce() async {
        let timer = makeTimer()
        timer.add(RecordingTask(id: 1, delayMs: 0, log: log, time: time))
        timer.add(RecordingTask(id: 2, delayMs: -5, log: log, time: time))
        await timer.drainExecutor()
        #expect(log.ids == [1, 2])
        #expect(timer.size == 0)

        // The wheels only move in advanceClock; a task due before their current time still runs
        // at once rather than waiting for the next advance.
        time.sleep(100)
        timer.add(RecordingTask(id: 3, delayMs: 0, log: log, time: time))
        await timer.drainExecutor()
        #expect(log.ids == [1, 2, 3])
        #expect(timer.queuedBuckets == 0)
    }

    @Test func reAddingATaskReschedulesIt() async {
        let timer = makeTimer()
        let start = time.monotonicMs
        let task = RecordingTask(id: 1, delayMs: 10, log: log, time: time)
        timer.add(task)
        await advance(timer, to: 5, from: start)
        timer.add(task)
        #expect(timer.size == 1, "the first schedule was dropped")
        await advance(timer, to: 10, from: start)
        #expect(log.all.isEmpty)
        await advance(timer, to: 15, from: start)
        #expect(log.all == [RunLog.Run(id: 1, atMs: start + 15)])
    }

    @Test func aHugeDelayNeitherOverflowsNorRuns() async {
        let timer = makeTimer()
        let task = RecordingTask(id: 1, delayMs: .max, log: log, time: time)
        timer.add(task)
        #expect(timer.size == 1)
        time.sleep(1_000_000_000)
        timer.advanceClock(timeoutMs: 0)
        await timer.drainExecutor()
        #expect(!timer.advanceClock(timeoutMs: 5), "a bounded wait on a head due in 10^11 years")
        #expect(log.all.isEmpty)
        task.cancel()
        #expect(timer.size == 0)
    }

    @Test func advanceClockReportsWhetherAnythingWasDue() async {
        let timer = makeTimer()
        #expect(!timer.advanceClock(timeoutMs: 0))
        timer.add(RecordingTask(id: 1, delayMs: 30, log: log, time: time))
        #expect(!timer.advanceClock(timeoutMs: 0))
        time.sleep(30)
        #expect(timer.advanceClock(timeoutMs: 0))
        #expect(!timer.advanceClock(timeoutMs: 0))
        await timer.drainExecutor()
        #expect(log.ids == [1])
    }

    @Test func aBlockedAdvanceWakesWhenTheMockClockMoves() async {
        let timer = makeTimer()
        timer.add(RecordingTask(id: 1, delayMs: 500, log: log, time: time))
        let advanced = Counter()
        onOwnThread {
            if timer.advanceClock(timeoutMs: 60_000) { advanced.increment() }
        }
        time.sleep(500)
        timer.wakeUp()
        #expect(await waitUntil { advanced.value > 0 })
        await timer.drainExecutor()
        #expect(log.ids == [1])
    }

    @Test func theRealClockWaitsForTheHead() async {
        let timer = SystemTimer(executorName: "real")
        let log = RunLog()
        timer.add(RecordingTask(id: 7, delayMs: 20, log: log, time: time))
        let clock = ContinuousClock()
        let started = clock.now
        // The first due bucket may be a coarse one whose tick starts before 20 ms; keep advancing
        // until the task itself has run. The deadline is checked before an advance, never between
        // an advance and the check of the log: a test task starved past the deadline while it
        // drained (a loaded CI machine) still gets its one more advance.
        while log.ids.isEmpty {
            let pastDeadline = clock.now - started >= .seconds(60)
            timer.advanceClock(timeoutMs: 200)
            await timer.drainExecutor()
            if pastDeadline { break }
        }
        #expect(log.ids == [7])
        #expect(clock.now - started >= .milliseconds(15), "ran after \(clock.now - started)")
    }

    @Test func shutdownStopsTheTimerAndReleasesAWaiter() async {
        let timer = makeTimer()
        timer.add(RecordingTask(id: 1, delayMs: 50, log: log, time: time))
        let returned = Counter()
        onOwnThread {
            _ = timer.advanceClock(timeoutMs: 60_000)
            returned.increment()
        }
        #expect(await waitUntil { timer.waitingAdvancers == 1 }, "the advancer waits before the shutdown")
        #expect(returned.value == 0)
        timer.shutdown()
        #expect(await waitUntil { returned.value > 0 })
        time.sleep(100)
        #expect(!timer.advanceClock(timeoutMs: 0))
        timer.add(RecordingTask(id: 2, delayMs: 0, log: log, time: time))
        await timer.drainExecutor()
        #expect(log.all.isEmpty, "pending tasks stay unexecuted; new ones are ignored")
    }

    @Test func concurrentAddsAndCancelsWhileTheClockRuns() async {
        let timer = makeTimer()
        let start = time.monotonicMs
        let count = 4_000
        // Tasks to be cancelled are due only after the concurrent phase (300 ms), so a cancel can
        // never come after the run.
        let tasks = (0..<count).map {
            RecordingTask(id: $0, delayMs: $0 % 3 == 0 ? Int64(301 + $0 % 400) : Int64(1 + $0 % 700), log: log, time: time)
        }
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for task in tasks where task.id % 4 == worker {
                        timer.add(task)
                        if task.id % 3 == 0 { task.cancel() }
                    }
                }
            }
            group.addTask {
                for _ in 0..<300 {
                    time.sleep(1)
                    timer.advanceClock(timeoutMs: 0)
                    await Task.yield()
                }
            }
        }
        await advance(timer, to: 5_000, from: start)
        let ran = log.ids
        #expect(ran.count == Set(ran).count, "nothing ran twice")
        #expect(Set(ran) == Set((0..<count).filter { $0 % 3 != 0 }))
        #expect(timer.size == 0)
    }
}
