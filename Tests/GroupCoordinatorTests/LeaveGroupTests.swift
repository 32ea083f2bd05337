@testable import GroupCoordinator
import KafkaProtocol
import NIOCore
import Testing

@Suite struct LeaveGroupTests {
    @Test func unknownMemberOrDeadGroup() throws {
        var (h, ids) = GroupHarness.stable(["a"])
        #expect(h.leave(memberId: "ghost") == .unknownMemberId)
        #expect(h.state == .stable)
        try h.group!.transition(to: .dead, now: h.now)
        #expect(h.leave(memberId: ids[0]) == .coordinatorNotAvailable)
    }

    @Test func pendingMemberIdLeavingIsForgottenAndStopsHoldingTheRebalance() {
        var (h, ids) = GroupHarness.stable(["a"])
        let x = h.join(client: "x", version: 4)
        let pending = h.joinAnswer(x)!.memberId
        let a = h.join(memberId: ids[0], client: "a")
        #expect(h.joinAnswer(a) == nil, "the rebalance waits for the pending id")
        #expect(h.leave(memberId: pending) == .none)
        #expect(h.group!.pendingMembers.isEmpty)
        #expect(h.joinAnswer(a)?.generationId == 2)
    }

    @Test func leavingDuringARebalanceLetsItComplete() {
        var (h, ids) = GroupHarness.stable(["a", "b"])
        let a = h.join(memberId: ids[0], client: "a")
        #expect(h.joinAnswer(a) == nil)
        #expect(h.leave(memberId: ids[1]) == .none)
        #expect(h.joinAnswer(a)?.generationId == 2)
        #expect(h.joinAnswer(a)?.members.map(\.memberId) == [ids[0]])
    }

    @Test func leaderLeavingHandsLeadershipOn() {
        var (h, ids) = GroupHarness.stable(["a", "b", "c"])
        #expect(h.leave(memberId: ids[0]) == .none)
        #expect(h.group!.leaderId == ids[1])
        let b = h.join(memberId: ids[1], client: "b")
        let c = h.join(memberId: ids[2], client: "c")
        #expect(h.joinAnswer(b)?.leaderId == ids[1])
        #expect(h.joinAnswer(b)?.members.count == 2)
        #expect(h.joinAnswer(c)?.members == [])
    }

    @Test func leavingInCompletingRebalanceTellsParkedSyncsToRejoin() {
        var h = GroupHarness()
        let (_, _) = h.joinNewMember(client: "a")
        let (b, _) = h.joinNewMember(client: "b")
        let (c, _) = h.joinNewMember(client: "c")
        h.advance(by: 6000)
        let sync = h.sync(memberId: b, generation: 1)
        #expect(h.leave(memberId: c) == .none)
        #expect(h.syncAnswer(sync) == .error(.rebalanceInProgress))
        #expect(h.state == .preparingRebalance)
    }
}
