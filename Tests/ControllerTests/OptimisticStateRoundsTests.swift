import Controller
import KafkaCommon
import KafkaZk
import Testing

private let p0 = TopicPartition("t", 0)
private let p1 = TopicPartition("t", 1)
private let p2 = TopicPartition("t", 2)
private let gone = TopicPartition("deleting", 0)

/// Which partitions each round of an optimistic partition-state update decides from the
/// controller's cache and which it reads first.
@Suite struct OptimisticStateRoundsTests {
    private func context() -> ControllerContext {
        var context = stateMachineContext(assignments: [p0: [1, 2, 3], p1: [1, 2, 3], p2: [1, 2, 3], gone: [1, 2, 3]])
        context.partitionLeadership[p0] = partitionState(leader: 1, isr: [1, 2, 3], zkVersion: 4)
        context.partitionLeadership[p1] = partitionState(leader: 1, isr: [1, 2, 3], zkVersion: 9)
        context.partitionLeadership[gone] = partitionState(leader: KafkaZk.LeaderAndIsr.leaderDuringDelete, isr: [1, 2, 3])
        context.topicsToBeDeleted["deleting"] = [1, 2, 3]
        return context
    }

    @Test func theFirstRoundDecidesFromTheCacheAndReadsOnlyWhatItCannot() {
        let context = context()
        var rounds = OptimisticStateRounds([p2, p1, p0, gone], maxAttempts: 3)
        let first = rounds.nextRound(context: context) { _, _ in true }
        #expect(first?.partitions == [gone, p0, p1, p2])
        #expect(first?.fromCache == [p0: context.partitionLeadership[p0]!, p1: context.partitionLeadership[p1]!],
                "cached with their zkVersion")
        #expect(first?.toRead == [gone, p2], "not cached, or rewritten in memory by a deletion")
    }

    @Test func aCachedStateThatDecidesNoWriteIsReadInstead() {
        var rounds = OptimisticStateRounds([p0, p1], maxAttempts: 3)
        let first = rounds.nextRound(context: context()) { tp, _ in tp == p0 }
        #expect(first?.fromCache.keys.sorted() == [p0])
        #expect(first?.toRead == [p1], "a decision to leave p1 alone is taken from a fresh read only")
    }

    /// A state this controller wrote and has not yet announced in a LeaderAndIsr cannot have
    /// changed: even a decision to leave it as it is is taken from the cache.
    @Test func aStateWrittenButNotYetAnnouncedIsTrustedForANoOp() {
        var context = context()
        context.unannouncedStateWrites = [p1]
        var rounds = OptimisticStateRounds([p0, p1], maxAttempts: 3)
        let first = rounds.nextRound(context: context) { _, _ in false }
        #expect(first?.fromCache.keys.sorted() == [p1])
        #expect(first?.toRead == [p0])
    }

    @Test func aConflictIsReadAloneInTheNextRound() {
        var rounds = OptimisticStateRounds([p0, p1], maxAttempts: 3)
        _ = rounds.nextRound(context: context()) { _, _ in true }
        rounds.finishRound(conflicts: [p1])
        let second = rounds.nextRound(context: context()) { _, _ in true }
        #expect(second?.partitions == [p1] && second?.toRead == [p1] && second?.fromCache.isEmpty == true,
                "only the conflicting partition, read, never from the cache again")
        rounds.finishRound(conflicts: [])
        #expect(rounds.nextRound(context: context()) { _, _ in true } == nil)
        #expect(!rounds.isExhausted)
    }

    @Test func theAttemptsRunOut() {
        var rounds = OptimisticStateRounds([p0], maxAttempts: 2)
        _ = rounds.nextRound(context: context()) { _, _ in true }
        rounds.finishRound(conflicts: [p0])
        _ = rounds.nextRound(context: context()) { _, _ in true }
        rounds.finishRound(conflicts: [p0])
        #expect(rounds.nextRound(context: context()) { _, _ in true } == nil)
        #expect(rounds.isExhausted && rounds.remaining == [p0])
    }

    /// The re-read of a conflicting partition shows a newer controller's write: the ISR shrink
    /// skips it (no write planned), as Kafka does.
    @Test func aConflictReadBackFromANewerControllerIsSkipped() {
        var context = context()
        var rounds = OptimisticStateRounds([p0, p1], maxAttempts: 3)
        _ = rounds.nextRound(context: context) { _, _ in true }
        rounds.finishRound(conflicts: [p1])
        let second = rounds.nextRound(context: context) { _, _ in true }
        #expect(second?.toRead == [p1])
        let reRead = [p1: partitionState(leader: 2, isr: [2, 3], zkVersion: 10, controllerEpoch: 6)]
        let plan = ReplicaStateMachine().removeFromIsr([p1: [3]], states: reRead, context: &context)
        #expect(plan.leaderAndIsrUpdates.isEmpty)
        #expect(plan.log.contains { $0.level == .error && $0.message.contains("written by a newer controller (epoch 6)") })
    }
}
