import Dispatch
import KafkaCommon
import Synchronization
import Testing

@testable import KafkaPurgatory

/// The purgatory and the completion cases of `DelayedOperation`, under a mock clock. The reaper is
/// off unless a test is about it; tests expire operations by moving the clock and calling
/// `purgatory.advanceClock(timeoutMs: 0)`.
@Suite struct DelayedOperationPurgatoryTests {
    let time = MockTime()
    let tp0 = TopicPartition("orders", 0)
    let tp1 = TopicPartition("orders", 1)

    private func makePurgatory(purgeInterval: Int = 1000) -> (DelayedOperationPurgatory<MockDelayedOperation>, SystemTimer) {
        let timer = SystemTimer(executorName: "test", time: time)
        let purgatory = DelayedOperationPurgatory<MockDelayedOperation>(
            purgatoryName: "test", timeoutTimer: timer, purgeInterval: purgeInterval, reaperEnabled: false)
        return (purgatory, timer)
    }

    /// Moves the clock, expires what is due and waits for the expired operations to finish.
    private func expire(after ms: Int64, _ purgatory: DelayedOperationPurgatory<MockDelayedOperation>, _ timer: SystemTimer) async {
        time.sleep(ms)
        purgatory.advanceClock(timeoutMs: 0)
        await timer.drainExecutor()
    }

    @Test func anOperationThatCanCompleteNeverWaits() {
        let (purgatory, _) = makePurgatory()
        let op = MockDelayedOperation(delayMs: 1_000, satisfied: true)
        #expect(purgatory.tryCompleteElseWatch(op, watchKeys: [tp0, tp1]))
        #expect(op.isCompleted)
        #expect(op.completeCalls.load(ordering: .relaxed) == 1)
        #expect(op.tryCompleteCalls.load(ordering: .relaxed) == 1)
        #expect(purgatory.watched == 0)
        #expect(purgatory.numDelayed == 0)
    }

    @Test func anEventOnOneOfSeveralKeysCompletesTheOperation() async {
        let (purgatory, timer) = makePurgatory()
        let op = MockDelayedOperation(delayMs: 1_000)
        let group = "group-a"
        #expect(!purgatory.tryCompleteElseWatch(op, watchKeys: [DelayedOperationKey(tp0), DelayedOperationKey(tp1), DelayedOperationKey(group)]))
        #expect(purgatory.watched == 3)
        #expect(purgatory.numDelayed == 1)

        #expect(purgatory.checkAndComplete(tp0) == 0, "nothing changed yet")
        op.isSatisfied.store(true, ordering: .relaxed)
        #expect(purgatory.checkAndComplete(tp1) == 1)
        #expect(op.completeCalls.load(ordering: .relaxed) == 1)
        #expect(purgatory.numDelayed == 0, "completion cancelled the expiry")
        #expect(purgatory.watched == 2, "still listed under the other keys")
        #expect(purgatory.checkAndComplete(group) == 0)
        #expect(purgatory.checkAndComplete(tp0) == 0)
        #expect(purgatory.watched == 0)

        await expire(after: 5_000, purgatory, timer)
        #expect(op.expirationCalls.load(ordering: .relaxed) == 0)
        #expect(op.completeCalls.load(ordering: .relaxed) == 1)
    }

    @Test func anOperationExpiresExactlyOnceAfterItsDelay() async {
        let (purgatory, timer) = makePurgatory()
        let op = MockDelayedOperation(delayMs: 100)
        #expect(!purgatory.tryCompleteElseWatch(op, watchKeys: [tp0]))
        await expire(after: 99, purgatory, timer)
        #expect(!op.isCompleted)
        await expire(after: 1, purgatory, timer)
        #expect(op.isCompleted)
        #expect(op.completeCalls.load(ordering: .relaxed) == 1)
        #expect(op.expirationCalls.load(ordering: .relaxed) == 1)
        #expect(op.hookOrder == ["complete", "expire"])
        #expect(purgatory.numDelayed == 0)

        op.isSatisfied.store(true, ordering: .relaxed)
        #expect(purgatory.checkAndComplete(tp0) == 0, "an expired operation does not complete again")
        #expect(op.completeCalls.load(ordering: .relaxed) == 1)
        #expect(purgatory.watched == 0)
    }

    @Test func forceCompleteSucceedsForExactlyOneCaller() async {
        let op = MockDelayedOperation(delayMs: 100)
        let winners = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask { if op.forceComplete() { winners.increment() } }
            }
        }
        #expect(winners.value == 1)
        #expect(op.completeCalls.load(ordering: .relaxed) == 1)
        #expect(!op.forceComplete())
    }

    @Test func completedOperationsArePurgedAfterPurgeInterval() {
        let (purgatory, _) = makePurgatory(purgeInterval: 10)
        let ops = (0..<30).map { MockDelayedOperation(id: $0, delayMs: 10_000) }
        for op in ops { purgatory.tryCompleteElseWatch(op, watchKeys: [tp0, tp1]) }
        #expect(purgatory.watched == 60)
        for op in ops { op.isSatisfied.store(true, ordering: .relaxed) }
        #expect(purgatory.checkAndComplete(tp0) == 30)
        #expect(purgatory.watched == 30, "completed operations linger under tp1")
        #expect(purgatory.numDelayed == 0)

        purgatory.advanceClock(timeoutMs: 0)  // 30 watched - 0 delayed > 10: purge
        #expect(purgatory.watched == 0)
    }

    @Test func noPurgeBelowPurgeInterval() {
        let (purgatory, _) = makePurgatory(purgeInterval: 100)
        let ops = (0..<30).map { MockDelayedOperation(id: $0, delayMs: 10_000) }
        for op in ops { purgatory.tryCompleteElseWatch(op, watchKeys: [tp0, tp1]) }
        for op in ops { op.isSatisfied.store(true, ordering: .relaxed) }
        #expect(purgatory.checkAndComplete(tp0) == 30)
        purgatory.advanceClock(timeoutMs: 0)
        #expect(purgatory.watched == 30)
        #expect(purgatory.purgeCompleted() == 30)
        #expect(purgatory.watched == 0)
    }

    @Test func cancelForKeyStopsWatchingWithoutCompleting() async {
        let (purgatory, timer) = makePurgatory()
        let ops = (0..<3).map { MockDelayedOperation(id: $0, delayMs: 50) }
        for op in ops { purgatory.tryCompleteElseWatch(op, watchKeys: [tp0]) }
        #expect(purgatory.numDelayed == 3)
        let cancelled = purgatory.cancel(forKey: tp0)
        #expect(cancelled.map(\.id) == [0, 1, 2])
        #expect(purgatory.watched == 0)
        #expect(purgatory.numDelayed == 0)
        await expire(after: 100, purgatory, timer)
        #expect(ops.allSatisfy { !$0.isCompleted })
    }

    @Test func cancelAllReturnsEveryWaitingOperationOnceAndCompletesNone() async {
        let (purgatory, timer) = makePurgatory()
        let ops = (0..<3).map { MockDelayedOperation(id: $0, delayMs: 50) }
        purgatory.tryCompleteElseWatch(ops[0], watchKeys: [tp0, tp1])
        purgatory.tryCompleteElseWatch(ops[1], watchKeys: [tp1])
        purgatory.tryCompleteElseWatch(ops[2], watchKeys: [tp0])
        let cancelled = purgatory.cancelAll()
        #expect(cancelled.map(\.id).sorted() == [0, 1, 2], "each once, though op 0 was watched under two keys")
        #expect(purgatory.watched == 0)
        #expect(purgatory.numDelayed == 0)
        await expire(after: 100, purgatory, timer)
        #expect(ops.allSatisfy { !$0.isCompleted })
    }

    @Test func aTryCompleteThatFindsTheLockHeldIsRetriedByTheHolder() async {
        // Thread A is inside tryComplete (holding the lock) when the condition becomes true and
        // thread B calls maybeTryComplete. B must not block, and A must retry (completion case 1/2
        // of maybeTryComplete).
        final class GatedOperation: DelayedOperation, @unchecked Sendable {
            let entered = Atomic<Bool>(false)
            let gate = DispatchSemaphore(value: 0)
            let isSatisfied = Atomic<Bool>(false)
            let calls = Atomic<Int>(0)
            let completions = Atomic<Int>(0)
            override func tryComplete() -> Bool {
                let ready = isSatisfied.load(ordering: .sequentiallyConsistent)
                if calls.add(1, ordering: .relaxed).newValue == 1 {
                    entered.store(true, ordering: .releasing)
                    gate.wait()
                }
                return ready ? forceComplete() : false
            }
            override func onComplete() { completions.add(1, ordering: .relaxed) }
            override func onExpiration() {}
        }
        let op = GatedOperation(delayMs: 1_000)
        let resultOfA = Mutex<Bool?>(nil)
        onOwnThread {
            let completed = op.maybeTryComplete()
            resultOfA.withLock { $0 = completed }
        }
        #expect(await waitUntil { op.entered.load(ordering: .acquiring) })
        op.isSatisfied.store(true, ordering: .sequentiallyConsistent)
        #expect(!op.maybeTryComplete(), "B leaves the attempt to A")
        #expect(!op.isCompleted)
        op.gate.signal()
        #expect(await waitUntil { resultOfA.withLock { $0 } != nil })
        #expect(resultOfA.withLock { $0 } == true)
        #expect(op.calls.load(ordering: .relaxed) == 2)
        #expect(op.completions.load(ordering: .relaxed) == 1)
    }

    @Test func aSharedReentrantLockLetsItsHolderComplete() {
        let (purgatory, _) = makePurgatory()
        let groupLock = ReentrantLock()
        let op = MockDelayedOperation(delayMs: 1_000, lock: groupLock)
        #expect(!purgatory.tryCompleteElseWatch(op, watchKeys: ["group-b"]))
        groupLock.withLock {
            op.isSatisfied.store(true, ordering: .relaxed)
            #expect(purgatory.checkAndComplete("group-b") == 1)
        }
        #expect(op.completeCalls.load(ordering: .relaxed) == 1)
    }

    @Test func keysOfMixedTypesAreOneNamespace() {
        #expect(DelayedOperationKey(DelayedOperationKey(tp0)) == DelayedOperationKey(tp0), "no double wrapping")
        #expect(DelayedOperationKey(tp0) != DelayedOperationKey("orders-0"))
        let (purgatory, _) = makePurgatory()
        let op = MockDelayedOperation(delayMs: 1_000)
        #expect(!purgatory.tryCompleteElseWatch(op, watchKeys: [DelayedOperationKey(tp0), DelayedOperationKey("group-c")]))
        op.isSatisfied.store(true, ordering: .relaxed)
        #expect(purgatory.checkAndComplete("orders-0") == 0, "a string is not the partition")
        #expect(purgatory.checkAndComplete(tp0) == 1, "the plain key finds what the wrapped key watched")
    }

    @Test func theReaperExpiresOperationsAndStops() async {
        let timer = SystemTimer(executorName: "reaper-test", time: time)
        let purgatory = DelayedOperationPurgatory<MockDelayedOperation>(
            purgatoryName: "reaper-test", timeoutTimer: timer, reaperEnabled: true)
        let op = MockDelayedOperation(delayMs: 50)
        #expect(!purgatory.tryCompleteElseWatch(op, watchKeys: [tp0]))
        #expect(await waitUntil { timer.waitingAdvancers == 1 }, "the reaper has looked at the clock and waits")
        #expect(!op.isCompleted, "the mock clock has not moved")
        time.sleep(50)
        timer.wakeUp()  // the reaper is blocked in the delay queue; make it look at the clock
        #expect(await waitUntil { op.expirationCalls.load(ordering: .relaxed) == 1 })
        #expect(op.completeCalls.load(ordering: .relaxed) == 1)

        let clock = ContinuousClock()
        let started = clock.now
        purgatory.shutdown()
        #expect(clock.now - started < .seconds(5))
        #expect(!timer.advanceClock(timeoutMs: 0))
    }
}
