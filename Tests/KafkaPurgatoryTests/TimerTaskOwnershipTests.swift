import Dispatch
import KafkaCommon
import Synchronization
import Testing

@testable import KafkaPurgatory

/// The ownership rules that replaced `weak` references in the timer (see `TimerTask`,
/// `TimerTaskEntry`, `TimerTaskList`): the task↔entry cycle is broken whenever an entry stops being
/// current, nothing runs twice or after a cancel, and a timer dropped with tasks pending lets them
/// go. Mock clock throughout.
@Suite struct TimerTaskOwnershipTests {
    let time = MockTime(monotonicMs: 10_000)
    let log = RunLog()

    private func advance(_ timer: SystemTimer, to offset: Int64, from start: Int64) async {
        time.sleep(start + offset - time.monotonicMs)
        timer.advanceClock(timeoutMs: 0)
        await timer.drainExecutor()
    }

    @Test func aTaskMovedAcrossLevelsFiresOnceAndLetsGoOfItsEntry() async {
        let timer = SystemTimer(executorName: "test", time: time)
        let start = time.monotonicMs
        let task = RecordingTask(id: 1, delayMs: 1_234, log: log, time: time)  // level 2 → 1 → 0
        timer.add(task)
        weak var firstEntry = task.timerTaskEntry
        #expect(firstEntry != nil)
        for offset: Int64 in [100, 1_000, 1_200, 1_220, 1_233, 1_234, 2_000, 3_000] {
            await advance(timer, to: offset, from: start)
        }
        await advance(timer, to: 20_000, from: start)
        #expect(log.all == [RunLog.Run(id: 1, atMs: start + 1_234)])
        #expect(task.timerTaskEntry == nil, "running cleared the task's entry")
        #expect(firstEntry == nil, "and nothing else keeps the entry alive")
        #expect(timer.size == 0)
    }

    @Test func cancellingOrReAddingReleasesTheOldEntry() {
        let timer = SystemTimer(executorName: "test", time: time)
        let task = RecordingTask(id: 1, delayMs: 5_000, log: log, time: time)
        timer.add(task)
        weak var first = task.timerTaskEntry
        timer.add(task)
        weak var second = task.timerTaskEntry
        #expect(first == nil, "re-adding retired and released the first entry")
        #expect(second != nil && timer.size == 1)
        task.cancel()
        #expect(second == nil && task.timerTaskEntry == nil)
        #expect(timer.size == 0)
        task.cancel()  // idempotent
    }

    @Test func aTimerDroppedWithPendingTasksReleasesThem() {
        weak var pendingTask: RecordingTask?
        let kept = RecordingTask(id: 2, delayMs: 50_000, log: log, time: time)
        do {
            let timer = SystemTimer(executorName: "test", time: time)
            let task = RecordingTask(id: 1, delayMs: 1_000, log: log, time: time)
            pendingTask = task
            timer.add(task)
            timer.add(kept)
            #expect(timer.size == 2)
        }
        #expect(pendingTask == nil, "no task↔entry cycle outlives the timer")
        #expect(kept.timerTaskEntry == nil, "the buckets' deinit cleared the entry")
        kept.cancel()  // safe: there is no bucket left to point at
        #expect(log.all.isEmpty)
    }

    /// Several threads add, re-add and cancel while another moves the clock; cancels come from a
    /// different thread than the add. Tasks to be cancelled are due only after the concurrent phase
    /// (the clock moves at most 400 ms in it), so every cancel precedes the due time: exact counts.
    @Test func concurrentAddReAddAndCancelFromSeveralThreads() async {
        let timer = SystemTimer(executorName: "test", time: time)
        let start = time.monotonicMs
        let count = 20_000
        let tasks = (0..<count).map { id in
            RecordingTask(id: id, delayMs: id % 4 == 0 ? Int64(1_000 + id % 3_000) : Int64(1 + id % 5_000), log: log, time: time)
        }
        let published = Counter()  // adders that have finished
        let done = Counter()  // 1 once the cancels are done
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<3 {
                group.addTask {
                    for task in tasks where task.id % 3 == worker {
                        timer.add(task)
                        // Re-added before it can be due: still runs once.
                        if task.id % 5 == 0 && task.delayMs > 400 { timer.add(task) }
                    }
                    published.increment()
                }
            }
            group.addTask {
                // Cancels, from its own thread, every fourth task once all adds are published.
                while published.value < 3 { await Task.yield() }
                for task in tasks where task.id % 4 == 0 { task.cancel() }
                done.increment()
            }
            group.addTask {
                var moved: Int64 = 0
                while done.value == 0 && moved < 400 {
                    time.sleep(1)
                    moved += 1
                    timer.advanceClock(timeoutMs: 0)
                    await Task.yield()
                }
            }
        }
        #expect(time.monotonicMs - start <= 400)
        await advance(timer, to: 10_000, from: start)
        let ran = log.ids
        #expect(ran.count == Set(ran).count, "nothing ran twice")
        #expect(Set(ran) == Set((0..<count).filter { $0 % 4 != 0 }))
        #expect(timer.size == 0)
        #expect(tasks.allSatisfy { $0.timerTaskEntry == nil })
    }
}
