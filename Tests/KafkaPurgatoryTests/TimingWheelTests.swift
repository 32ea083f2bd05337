import KafkaCommon
import Synchronization
import Testing

@testable import KafkaPurgatory

/// The wheel's parts on their own: buckets (`TimerTaskList`), entries, one `TimingWheel` and the
/// `DelayQueue`, driven by a mock clock.
@Suite struct TimingWheelTests {
    let time = MockTime(monotonicMs: 0)
    let log = RunLog()

    private func entry(_ id: Int, expiringAt expirationMs: Int64) -> TimerTaskEntry {
        TimerTaskEntry(task: RecordingTask(id: id, delayMs: 0, log: log, time: time), expirationMs: expirationMs)
    }

    @Test func bucketExpirationChangesOncePerRotation() {
        let bucket = TimerTaskList(taskCounter: TaskCounter())
        #expect(bucket.expirationMs == -1)
        #expect(bucket.setExpiration(40))
        #expect(!bucket.setExpiration(40), "same rotation: no second enqueue")
        bucket.flush { _ in }
        #expect(bucket.expirationMs == -1, "a flushed bucket is unused again")
        #expect(bucket.setExpiration(60))
    }

    @Test func bucketIsQueuedOncePerRotation() {
        let queue = DelayQueue(time: time)
        let wheel = TimingWheel(tickMs: 1, wheelSize: 20, startMs: 0, taskCounter: TaskCounter(), queue: queue)
        #expect(wheel.add(entry(1, expiringAt: 5)))
        #expect(wheel.add(entry(2, expiringAt: 5)))
        #expect(queue.count == 1, "two tasks in one bucket, one queue entry")
        #expect(wheel.bucket(atSlot: 5).expirationMs == 5)

        time.sleep(5)
        let due = try! #require(queue.poll())
        #expect(due === wheel.bucket(atSlot: 5))
        wheel.advanceClock(to: due.expirationMs)
        var flushed: [Int64] = []
        due.flush { flushed.append($0.expirationMs) }
        #expect(flushed == [5, 5])
        #expect(queue.count == 0)

        // One rotation later the same slot holds tick 25; the first add queues the bucket again.
        wheel.advanceClock(to: 10)
        #expect(wheel.add(entry(3, expiringAt: 25)))
        #expect(wheel.add(entry(4, expiringAt: 25)))
        #expect(wheel.bucket(atSlot: 5).expirationMs == 25)
        #expect(queue.count == 1)
    }

    @Test func addRefusesExpiredAndCancelledEntries() {
        let counter = TaskCounter()
        let wheel = TimingWheel(tickMs: 1, wheelSize: 20, startMs: 100, taskCounter: counter, queue: DelayQueue(time: time))
        #expect(!wheel.add(entry(1, expiringAt: 100)), "due within the current tick")
        #expect(!wheel.add(entry(2, expiringAt: 50)), "in the past")
        let cancelled = entry(3, expiringAt: 150)
        cancelled.task.cancel()
        #expect(cancelled.isCancelled)
        #expect(!wheel.add(cancelled))
        #expect(wheel.add(entry(4, expiringAt: 101)))
        #expect(counter.value == 1)
    }

    @Test func overflowWheelsAreCreatedOnDemandWithCoarserTicks() {
        let wheel = TimingWheel(tickMs: 1, wheelSize: 20, startMs: 0, taskCounter: TaskCounter(), queue: DelayQueue(time: time))
        #expect(wheel.add(entry(1, expiringAt: 19)))
        #expect(wheel.overflowWheel == nil, "19 ms fits the finest wheel")
        #expect(wheel.add(entry(2, expiringAt: 1_000_000)))
        var ticks: [Int64] = []
        var level: TimingWheel? = wheel
        while let current = level {
            ticks.append(current.tickMs)
            #expect(current.interval == current.tickMs * 20)
            level = current.overflowWheel
        }
        #expect(ticks == [1, 20, 400, 8_000, 160_000])
    }

    @Test func startTimeIsRoundedDownToTheTick() {
        let wheel = TimingWheel(tickMs: 10, wheelSize: 8, startMs: 1_234, taskCounter: TaskCounter(), queue: DelayQueue(time: time))
        #expect(wheel.currentTime == 1_230)
        wheel.advanceClock(to: 1_239)
        #expect(wheel.currentTime == 1_230, "less than a tick ahead: no move")
        wheel.advanceClock(to: 1_257)
        #expect(wheel.currentTime == 1_250)
    }

    @Test func addingToAnotherBucketMovesTheEntry() {
        let counter = TaskCounter()
        let first = TimerTaskList(taskCounter: counter)
        let second = TimerTaskList(taskCounter: counter)
        let moving = entry(1, expiringAt: 10)
        first.add(moving)
        first.add(entry(2, expiringAt: 10))
        #expect(counter.value == 2)
        second.add(moving)
        #expect(moving.list === second)
        #expect(first.tasks.map { ($0 as! RecordingTask).id } == [2])
        #expect(second.tasks.map { ($0 as! RecordingTask).id } == [1])
        #expect(counter.value == 2)
    }

    @Test func cancelUnlinksAndReAddRetiresTheOldEntry() {
        let counter = TaskCounter()
        let bucket = TimerTaskList(taskCounter: counter)
        let task = RecordingTask(id: 1, delayMs: 0, log: log, time: time)
        let old = TimerTaskEntry(task: task, expirationMs: 10)
        bucket.add(old)
        let new = TimerTaskEntry(task: task, expirationMs: 20)
        #expect(old.isCancelled && !new.isCancelled)
        #expect(old.list == nil, "the retired entry was unlinked")
        #expect(counter.value == 0)
        bucket.add(new)
        task.cancel()
        #expect(new.isCancelled)
        #expect(bucket.tasks.isEmpty)
        #expect(counter.value == 0)
    }

    @Test func flushHandsOverEntriesInInsertionOrder() {
        let counter = TaskCounter()
        let bucket = TimerTaskList(taskCounter: counter)
        let entries = (0..<5).map { entry($0, expiringAt: 7) }
        for e in entries { bucket.add(e) }
        bucket.remove(entries[2])
        var seen: [Int] = []
        bucket.flush { seen.append(($0.task as! RecordingTask).id) }
        #expect(seen == [0, 1, 3, 4])
        #expect(counter.value == 0)
        #expect(entries.allSatisfy { $0.list == nil })
    }

    @Test func delayQueueYieldsDueBucketsByExpiration() {
        let queue = DelayQueue(time: time)
        let counter = TaskCounter()
        for expiration: Int64 in [30, 10, 20, 40] {
            let bucket = TimerTaskList(taskCounter: counter)
            _ = bucket.setExpiration(expiration)
            queue.offer(bucket)
        }
        #expect(queue.poll() == nil, "nothing due at 0")
        time.sleep(25)
        #expect(queue.poll()?.expirationMs == 10)
        #expect(queue.poll()?.expirationMs == 20)
        #expect(queue.poll() == nil)
        time.sleep(100)
        #expect(queue.poll(timeoutMs: 0)?.expirationMs == 30)
        #expect(queue.poll(timeoutMs: 0)?.expirationMs == 40)
        #expect(queue.count == 0)
    }

    @Test func delayQueueTimesOutWhenTheMockClockStandsStill() {
        let queue = DelayQueue(time: time)
        let bucket = TimerTaskList(taskCounter: TaskCounter())
        _ = bucket.setExpiration(5)
        queue.offer(bucket)
        let clock = ContinuousClock()
        let started = clock.now
        #expect(queue.poll(timeoutMs: 30) == nil)
        let waited = clock.now - started
        #expect(waited >= .milliseconds(25) && waited < .seconds(5), "waited \(waited)")
        let immediate = clock.now
        #expect(queue.poll(timeoutMs: 0) == nil)
        #expect(clock.now - immediate < .seconds(1))
    }

    @Test func delayQueueWaiterWakesWhenTheTestMovesTheClock() async {
        let queue = DelayQueue(time: time)
        let bucket = TimerTaskList(taskCounter: TaskCounter())
        _ = bucket.setExpiration(50)
        queue.offer(bucket)
        let result = Mutex<Int64?>(nil)
        onOwnThread {
            let due = queue.poll(timeoutMs: 60_000)
            result.withLock { $0 = due?.expirationMs ?? -1 }
        }
        #expect(await waitUntil { queue.waitingPollers == 1 }, "the poller has looked at the clock and waits")
        #expect(result.withLock { $0 } == nil, "still waiting: nothing is due by the mock clock")
        time.sleep(50)
        queue.wakeUp()
        #expect(await waitUntil(timeout: .seconds(10)) { result.withLock { $0 } != nil })
        #expect(result.withLock { $0 } == 50)
    }

    @Test func closingTheDelayQueueReleasesWaiters() async {
        let queue = DelayQueue(time: time)
        let returned = Counter()
        onOwnThread {
            _ = queue.poll(timeoutMs: 60_000)
            returned.increment()
        }
        #expect(await waitUntil { queue.waitingPollers == 1 }, "the poller waits before the queue closes")
        queue.close()
        #expect(await waitUntil(timeout: .seconds(10)) { returned.value > 0 })
        #expect(queue.waitingPollers == 0)
    }
}
