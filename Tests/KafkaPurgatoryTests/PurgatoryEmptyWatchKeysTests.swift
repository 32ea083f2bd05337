import KafkaCommon
import Testing

@testable import KafkaPurgatory

/// An operation handed to the purgatory with no watch key: nothing could ever complete it by an
/// event, so the purgatory answers it at once instead of trapping (a Fetch naming no partition,
/// issue 8 item 10).
@Suite struct PurgatoryEmptyWatchKeysTests {
    let time = MockTime()

    private func makePurgatory() -> DelayedOperationPurgatory<MockDelayedOperation> {
        DelayedOperationPurgatory<MockDelayedOperation>(
            purgatoryName: "test", timeoutTimer: SystemTimer(executorName: "test", time: time), reaperEnabled: false)
    }

    @Test func anUnsatisfiedOperationWithNoKeysIsCompletedAtOnce() {
        let purgatory = makePurgatory()
        let op = MockDelayedOperation(delayMs: 1_000)
        #expect(purgatory.tryCompleteElseWatch(op, watchKeys: [TopicPartition]()))
        #expect(op.isCompleted)
        #expect(op.completeCalls.load(ordering: .relaxed) == 1)
        #expect(op.expirationCalls.load(ordering: .relaxed) == 0, "answered, not expired")
        #expect(purgatory.watched == 0)
        #expect(purgatory.numDelayed == 0, "never scheduled on the timer")
    }

    @Test func aSatisfiedOperationWithNoKeysCompletesOnce() {
        let purgatory = makePurgatory()
        let op = MockDelayedOperation(delayMs: 1_000, satisfied: true)
        #expect(purgatory.tryCompleteElseWatch(op, watchKeys: [String]()))
        #expect(op.completeCalls.load(ordering: .relaxed) == 1)
        #expect(op.tryCompleteCalls.load(ordering: .relaxed) == 1)
    }
}
