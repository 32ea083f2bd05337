@testable import GroupCoordinator
import KafkaProtocol
import NIOCore
import Testing

@Suite struct SyncGroupTests {
    /// Two members a (leader) and b just after the JoinGroup answers of generation 1.
    func completing() -> (GroupHarness, a: String, b: String) {
        var h = GroupHarness()
        let (a, _) = h.joinNewMember(client: "a")
        let (b, _) = h.joinNewMember(client: "b")
        h.advance(by: 6000)
        return (h, a, b)
    }

    @Test func unknownMemberAndIllegalGeneration() {
        var (h, a, _) = completing()
        let ghost = h.sync(memberId: "ghost", generation: 1)
        #expect(h.syncAnswer(ghost) == .error(.unknownMemberId))
        let stale = h.sync(memberId: a, generation: 0)
        #expect(h.syncAnswer(stale) == .error(.illegalGeneration))
        #expect(h.state == .completingRebalance)
    }

    @Test func rebalanceInProgressWhilePreparing() {
        var (h, ids) = GroupHarness.stable(["a", "b"])
        h.join(memberId: ids[0], client: "a")
        let sync = h.sync(memberId: ids[1], generation: 1)
        #expect(h.syncAnswer(sync) == .error(.rebalanceInProgress))
    }

    @Test func deadGroupAndFencedInstance() throws {
        var (h, ids) = GroupHarness.stable(["a"])
        let fenced = h.sync(memberId: ids[0], generation: 1, instance: "someone-else")
        #expect(h.syncAnswer(fenced)?.errorCode == ErrorCode.none, "an instance id the group does not know fences nobody")
        try h.group!.transition(to: .dead, now: h.now)
        let dead = h.sync(memberId: ids[0], generation: 1)
        #expect(h.syncAnswer(dead) == .error(.coordinatorNotAvailable))
    }

    @Test func leaderAssignmentIsHandedOutAndMissingMembersGetNothing() {
        var (h, a, b) = completing()
        let syncB = h.sync(memberId: b, generation: 1)
        let syncA = h.sync(memberId: a, generation: 1, assignment: [a: bytes("all"), "stranger": bytes("x")])
        #expect(h.stores.last?.assignment == [a: bytes("all"), b: ByteBuffer(), "stranger": bytes("x")])
        #expect(h.syncAnswer(syncA) == SyncGroupResult(errorCode: .none, assignment: bytes("all")))
        #expect(h.syncAnswer(syncB) == SyncGroupResult(errorCode: .none, assignment: ByteBuffer()))
        #expect(h.state == .stable)
        // Synced members are held to their session again from now.
        #expect(h.heartbeatTimers.contains { $0.memberId == b && $0.deadline == h.now + 10_000 })
    }

    @Test func followerSyncingAfterStableGetsItsAssignmentAtOnce() {
        var (h, a, b) = completing()
        h.sync(memberId: a, generation: 1, assignment: [a: bytes("A"), b: bytes("B")])
        #expect(h.state == .stable)
        let late = h.sync(memberId: b, generation: 1)
        #expect(h.syncAnswer(late) == SyncGroupResult(errorCode: .none, assignment: bytes("B")))
    }

    @Test func failedWriteAnswersTheErrorAndRebalances() {
        var (h, a, b) = completing()
        h.holdStores = true
        let syncB = h.sync(memberId: b, generation: 1)
        let syncA = h.sync(memberId: a, generation: 1, assignment: [a: bytes("A"), b: bytes("B")])
        h.completeHeldStore(error: .notCoordinator)
        #expect(h.syncAnswer(syncA) == .error(.notCoordinator))
        #expect(h.syncAnswer(syncB) == .error(.notCoordinator))
        #expect(h.state == .preparingRebalance)
        #expect(h.group!.allMembers.allSatisfy { $0.assignment.readableBytes == 0 })
    }

    @Test func writeCompletingAfterTheGroupMovedOnChangesNothing() {
        var (h, a, b) = completing()
        h.holdStores = true
        h.sync(memberId: a, generation: 1, assignment: [a: bytes("A"), b: bytes("B")])
        // b changes its subscription before the write completes: a new rebalance starts.
        h.join(memberId: b, client: "b", protocols: [consumerRange("changed")])
        #expect(h.state == .preparingRebalance)
        h.completeHeldStore()
        #expect(h.state == .preparingRebalance)
        #expect(h.group!.member(a)!.assignment.readableBytes == 0)
    }
}
