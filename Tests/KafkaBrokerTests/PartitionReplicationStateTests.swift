import KafkaCommon
import KafkaProtocol
import Testing

@testable import KafkaBroker

/// The leader's bookkeeping: high watermark, caught-up times, ISR shrink and expand, acks=all.
@Suite struct PartitionReplicationStateTests {
    let lag: Int64 = 10_000

    func leader(isr: [BrokerId] = [1, 2, 3], replicas: [BrokerId] = [1, 2, 3], highWatermark: Int64 = 0,
                logEndOffset: Int64 = 0, nowMs: Int64 = 1_000) -> PartitionReplicationState {
        let role = ReplicaManager.PartitionRole(leader: 1, leaderEpoch: 5, isr: isr, replicas: replicas, zkVersion: 3, controllerEpoch: 2)
        var state = PartitionReplicationState(role: role, localBrokerId: 1, highWatermark: highWatermark)
        state.makeLeader(role, leaderLogEndOffset: logEndOffset, nowMs: nowMs)
        return state
    }

    @Test func highWatermarkIsTheSmallestLogEndOffsetInTheIsr() {
        var state = leader(logEndOffset: 10)
        let moved = state.maybeIncrementHighWatermark(leaderLogEndOffset: 10, nowMs: 1_000, replicaLagTimeMaxMs: lag)
        #expect(!moved,
                "followers whose progress is unknown hold it")
        state.updateFollowerFetchState(2, fetchOffset: 10, followerLogStartOffset: 0, leaderLogEndOffset: 10, nowMs: 1_100, replicaLagTimeMaxMs: lag)
        #expect(state.highWatermark == 0)
        let movedAgain = state.updateFollowerFetchState(3, fetchOffset: 7, followerLogStartOffset: 0, leaderLogEndOffset: 10, nowMs: 1_100, replicaLagTimeMaxMs: lag)
        #expect(movedAgain)
        #expect(state.highWatermark == 7)
        state.updateFollowerFetchState(3, fetchOffset: 10, followerLogStartOffset: 0, leaderLogEndOffset: 12, nowMs: 1_200, replicaLagTimeMaxMs: lag)
        #expect(state.highWatermark == 10)
    }

    @Test func highWatermarkNeverMovesBack() {
        var state = leader(highWatermark: 8, logEndOffset: 10)
        #expect(state.highWatermark == 8)
        state.updateFollowerFetchState(2, fetchOffset: 3, followerLogStartOffset: 0, leaderLogEndOffset: 10, nowMs: 1_100, replicaLagTimeMaxMs: lag)
        state.updateFollowerFetchState(3, fetchOffset: 3, followerLogStartOffset: 0, leaderLogEndOffset: 10, nowMs: 1_100, replicaLagTimeMaxMs: lag)
        #expect(state.highWatermark == 8)
    }

    @Test func aLeaderAloneInTheIsrCommitsWhatItAppends() {
        var state = leader(isr: [1], logEndOffset: 0, nowMs: 0)
        let moved = state.maybeIncrementHighWatermark(leaderLogEndOffset: 4, nowMs: lag * 2, replicaLagTimeMaxMs: lag)
        #expect(moved)
        #expect(state.highWatermark == 4)
    }

    @Test func aCaughtUpFollowerOutsideTheIsrHoldsTheHighWatermark() {
        // KAFKA-7128: a follower about to join must not find the high watermark above its end.
        var state = leader(isr: [1, 2], logEndOffset: 10)
        state.updateFollowerFetchState(2, fetchOffset: 10, followerLogStartOffset: 0, leaderLogEndOffset: 10, nowMs: 1_100, replicaLagTimeMaxMs: lag)
        #expect(state.highWatermark == 10, "replica 3 has never caught up, so it does not count")
        state.updateFollowerFetchState(3, fetchOffset: 10, followerLogStartOffset: 0, leaderLogEndOffset: 10, nowMs: 1_200, replicaLagTimeMaxMs: lag)
        let moved = state.maybeIncrementHighWatermark(leaderLogEndOffset: 15, nowMs: 1_300, replicaLagTimeMaxMs: lag)
        #expect(!moved)
        #expect(state.highWatermark == 10)
    }

    @Test func caughtUpTimeFollowsKafkasTwoRules() {
        var state = leader(logEndOffset: 10, nowMs: 0)
        // Reaching the leader's end at the fetch: caught up now.
        state.updateFollowerFetchState(2, fetchOffset: 10, followerLogStartOffset: 0, leaderLogEndOffset: 10, nowMs: 5_000, replicaLagTimeMaxMs: lag)
        #expect(state.followers[2]?.lastCaughtUpTimeMs == 5_000)
        // Behind the current end but at the end of the previous fetch: caught up at that fetch.
        state.updateFollowerFetchState(2, fetchOffset: 10, followerLogStartOffset: 0, leaderLogEndOffset: 20, nowMs: 6_000, replicaLagTimeMaxMs: lag)
        #expect(state.followers[2]?.lastCaughtUpTimeMs == 5_000)
        state.updateFollowerFetchState(2, fetchOffset: 20, followerLogStartOffset: 0, leaderLogEndOffset: 30, nowMs: 7_000, replicaLagTimeMaxMs: lag)
        #expect(state.followers[2]?.lastCaughtUpTimeMs == 6_000)
        // Behind both: unchanged.
        state.updateFollowerFetchState(2, fetchOffset: 25, followerLogStartOffset: 0, leaderLogEndOffset: 40, nowMs: 8_000, replicaLagTimeMaxMs: lag)
        #expect(state.followers[2]?.lastCaughtUpTimeMs == 6_000)
    }

    @Test func followersLaggingLongerThanTheMaxLeaveTheIsr() {
        var state = leader(logEndOffset: 10, nowMs: 0)
        state.updateFollowerFetchState(2, fetchOffset: 10, followerLogStartOffset: 0, leaderLogEndOffset: 10, nowMs: 9_000, replicaLagTimeMaxMs: lag)
        #expect(state.outOfSyncReplicas(nowMs: lag, maxLagMs: lag).isEmpty, "exactly the max lag is still in sync")
        #expect(state.outOfSyncReplicas(nowMs: lag + 1, maxLagMs: lag) == [3])
        #expect(state.outOfSyncReplicas(nowMs: 9_000 + lag + 1, maxLagMs: lag) == [2, 3])
    }

    @Test func aFollowerJoinsTheIsrAtTheHighWatermarkAndTheEpochStart() {
        var state = leader(isr: [1, 2], logEndOffset: 10)
        state.updateFollowerFetchState(2, fetchOffset: 12, followerLogStartOffset: 0, leaderLogEndOffset: 12, nowMs: 1_100, replicaLagTimeMaxMs: lag)
        #expect(state.highWatermark == 12)
        state.updateFollowerFetchState(3, fetchOffset: 9, followerLogStartOffset: 0, leaderLogEndOffset: 12, nowMs: 1_100, replicaLagTimeMaxMs: lag)
        #expect(state.replicaToAddToIsr(3) == nil, "below the high watermark")
        state.updateFollowerFetchState(3, fetchOffset: 12, followerLogStartOffset: 0, leaderLogEndOffset: 12, nowMs: 1_200, replicaLagTimeMaxMs: lag)
        #expect(state.replicaToAddToIsr(3) == 3)
        #expect(state.replicaToAddToIsr(2) == nil, "already in the ISR")
        state.isrUpdateInFlight = true
        #expect(state.replicaToAddToIsr(3) == nil, "one ISR change at a time")
    }

    @Test func aFollowerBelowTheEpochStartDoesNotJoin() {
        var state = leader(isr: [1], highWatermark: 0, logEndOffset: 20)
        // The high watermark was left behind by the previous leader; the follower reaches it but
        // not where this leader's epoch began.
        state.updateFollowerFetchState(2, fetchOffset: 15, followerLogStartOffset: 0, leaderLogEndOffset: 20, nowMs: 1_100, replicaLagTimeMaxMs: lag)
        #expect(state.replicaToAddToIsr(2) == nil)
        state.updateFollowerFetchState(2, fetchOffset: 20, followerLogStartOffset: 0, leaderLogEndOffset: 20, nowMs: 1_200, replicaLagTimeMaxMs: lag)
        #expect(state.replicaToAddToIsr(2) == 2)
    }

    @Test func acksAllWaitsForTheHighWatermarkAndChecksMinInSyncReplicas() {
        var state = leader(isr: [1, 2], logEndOffset: 10)
        #expect(state.acknowledgement(requiredOffset: 10, minInSyncReplicas: 2) == nil)
        state.updateFollowerFetchState(2, fetchOffset: 10, followerLogStartOffset: 0, leaderLogEndOffset: 10, nowMs: 1_100, replicaLagTimeMaxMs: lag)
        #expect(state.acknowledgement(requiredOffset: 10, minInSyncReplicas: 2) == ErrorCode.none)
        #expect(state.acknowledgement(requiredOffset: 10, minInSyncReplicas: 3) == .notEnoughReplicasAfterAppend)
        state.makeFollower(ReplicaManager.PartitionRole(leader: 2, leaderEpoch: 6, isr: [1, 2], replicas: [1, 2, 3], zkVersion: 4, controllerEpoch: 2))
        #expect(state.acknowledgement(requiredOffset: 10, minInSyncReplicas: 2) == .notLeaderForPartition)
        #expect(state.followers.isEmpty)
    }
}

/// Where a follower cuts its log after the leader-epoch exchange.
@Suite struct OffsetTruncationTests {
    @Test func sameEpochTruncatesToTheSmallerEnd() {
        // Leader: epoch 3 ends at 100. Follower: epoch 3 ends at its log end 120 (divergent tail).
        let decision = OffsetTruncation.decide(leaderEpoch: 3, leaderEndOffset: 100, localEndOffsetForLeaderEpoch: (3, 120),
                                               localLogEndOffset: 120, initialFetchOffset: 90)
        #expect(decision == OffsetTruncation(offset: 100, isComplete: true))
        let shorter = OffsetTruncation.decide(leaderEpoch: 3, leaderEndOffset: 100, localEndOffsetForLeaderEpoch: (3, 80),
                                              localLogEndOffset: 80, initialFetchOffset: 60)
        #expect(shorter == OffsetTruncation(offset: 80, isComplete: true), "nothing to cut: fetch from 80")
    }

    @Test func anEpochUnknownLocallyTruncatesToTheEpochBelowAndAsksAgain() {
        let decision = OffsetTruncation.decide(leaderEpoch: 4, leaderEndOffset: 100, localEndOffsetForLeaderEpoch: (2, 70),
                                               localLogEndOffset: 120, initialFetchOffset: 60)
        #expect(decision == OffsetTruncation(offset: 70, isComplete: false))
    }

    @Test func undefinedAnswersFallBack() {
        #expect(OffsetTruncation.decide(leaderEpoch: -1, leaderEndOffset: -1, localEndOffsetForLeaderEpoch: (3, 120),
                                        localLogEndOffset: 120, initialFetchOffset: 90) == OffsetTruncation(offset: 90, isComplete: true))
        #expect(OffsetTruncation.decide(leaderEpoch: -1, leaderEndOffset: 110, localEndOffsetForLeaderEpoch: (3, 120),
                                        localLogEndOffset: 120, initialFetchOffset: 90) == OffsetTruncation(offset: 110, isComplete: true))
        #expect(OffsetTruncation.decide(leaderEpoch: 1, leaderEndOffset: 50, localEndOffsetForLeaderEpoch: (-1, -1),
                                        localLogEndOffset: 120, initialFetchOffset: 90) == OffsetTruncation(offset: 50, isComplete: true))
    }
}

/// Kafka's fetcher assignment: Java's string hash.
@Suite struct FetcherAssignmentTests {
    @Test func javaStringHash() {
        #expect(JavaHash.stringHashCode("") == 0)
        #expect(JavaHash.stringHashCode("a") == 97)
        #expect(JavaHash.stringHashCode("orders") == -1008770331)
        #expect(JavaHash.stringHashCode("__consumer_offsets") == -970371369)
    }
}

extension PartitionReplicationStateTests {
    @Test func aLeaderAloneInTheIsrCommitsItsWholeLogOnElection() {
        // After a restart the checkpointed high watermark may be stale.
        let alone = leader(isr: [1], highWatermark: 3, logEndOffset: 40)
        #expect(alone.highWatermark == 40)
        let withFollowers = leader(isr: [1, 2], highWatermark: 3, logEndOffset: 40)
        #expect(withFollowers.highWatermark == 3, "followers whose log end is unknown hold it")
    }
}
