import KafkaCommon
import Synchronization
import Testing

@testable import KafkaPurgatory

/// Thousands of operations over shared keys, completed by concurrent events while the timer
/// expires others: every operation completes exactly once and nothing stays watched.
@Suite struct PurgatoryStressTests {
    @Test func everyOperationCompletesExactlyOnceUnderConcurrentCompletionAndExpiry() async {
        let time = MockTime()
        let timer = SystemTimer(executorName: "stress", time: time)
        let purgatory = DelayedOperationPurgatory<MockDelayedOperation>(
            purgatoryName: "stress", timeoutTimer: timer, purgeInterval: 100, reaperEnabled: false)
        let operationCount = 5_000
        let partitions = (0..<64).map { TopicPartition("stress", Int32($0)) }

        // Kinds of operation, by id:
        //   id % 10 == 1            satisfied from the start: completes inside tryCompleteElseWatch
        //   id % 4 == 0, id % 8 == 4  short delay, never satisfied: must expire
        //   id % 8 == 0             short delay, and satisfied by an event: expiry and event race
        //   otherwise               long delay: must be completed by an event
        func isExpiringOnly(_ id: Int) -> Bool { id % 8 == 4 && id % 10 != 1 }
        func isSatisfiedByEvent(_ id: Int) -> Bool { !isExpiringOnly(id) }
        let operations = (0..<operationCount).map { id in
            MockDelayedOperation(
                id: id, delayMs: id % 4 == 0 ? Int64(1 + id % 250) : 1_000_000, satisfied: id % 10 == 1)
        }
        func keys(of id: Int) -> [TopicPartition] {
            Array(Set([id % 64, (id * 7 + 3) % 64, (id * 13 + 5) % 64].map { partitions[$0] }))
        }

        let producersDone = Counter()
        await withTaskGroup(of: Void.self) { group in
            // Four request handlers put operations into the purgatory.
            for worker in 0..<4 {
                group.addTask {
                    for op in operations where op.id % 4 == worker {
                        purgatory.tryCompleteElseWatch(op, watchKeys: keys(of: op.id))
                        if op.id % 50 == 0 { await Task.yield() }
                    }
                    producersDone.increment()
                }
            }
            // Two "replica managers" make conditions true and announce them on one of the keys.
            for worker in 0..<2 {
                group.addTask {
                    for op in operations.reversed() where op.id % 2 == worker && isSatisfiedByEvent(op.id) {
                        op.isSatisfied.store(true, ordering: .sequentiallyConsistent)
                        let keys = keys(of: op.id)
                        purgatory.checkAndComplete(keys[op.id % keys.count])
                        if op.id % 50 == 0 { await Task.yield() }
                    }
                }
            }
            // The clock, driven as the reaper would, while the others run.
            group.addTask {
                var step = 0
                while producersDone.value < 4 || step < 300 {
                    time.sleep(1)
                    purgatory.advanceClock(timeoutMs: 0)
                    step += 1
                    await Task.yield()
                }
            }
        }

        // Everything short has expired or will at the next advance; the long ones were all
        // satisfied by events.
        time.sleep(1_000)
        purgatory.advanceClock(timeoutMs: 0)
        await timer.drainExecutor()
        #expect(await waitUntil(timeout: .seconds(30)) { operations.allSatisfy(\.isCompleted) })

        let completeCounts = operations.map { $0.completeCalls.load(ordering: .relaxed) }
        #expect(completeCounts.allSatisfy { $0 == 1 }, "onComplete counts other than 1: \(completeCounts.enumerated().filter { $0.element != 1 }.prefix(10))")
        #expect(operations.allSatisfy { $0.expirationCalls.load(ordering: .relaxed) <= 1 })
        for op in operations where isExpiringOnly(op.id) {
            #expect(op.expirationCalls.load(ordering: .relaxed) == 1, "operation \(op.id) should have expired")
        }
        for op in operations where op.id % 4 != 0 {
            #expect(op.expirationCalls.load(ordering: .relaxed) == 0, "operation \(op.id) must not expire")
        }
        #expect(operations.allSatisfy { $0.hookOrder.first == "complete" })
        #expect(operations.reduce(0) { $0 + $1.violations.load(ordering: .relaxed) } == 0, "tryComplete overlapped")

        // Completed operations linger under their other keys until a purge (whose trigger is an
        // estimate) or a check of those keys drops them. Checking every key completes nothing more
        // and leaves nothing watched.
        #expect(partitions.reduce(0) { $0 + purgatory.checkAndComplete($1) } == 0)
        #expect(purgatory.watched == 0)
        #expect(purgatory.numDelayed == 0)
        #expect(timer.size == 0)
    }
}
