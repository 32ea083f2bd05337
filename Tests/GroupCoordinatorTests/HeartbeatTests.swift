@testable import GroupCoordinator
import KafkaProtocol
import NIOCore
import Testing

@Suite struct HeartbeatTests {
    @Test func stableMemberHeartbeatsAndMovesItsDeadline() {
        var (h, ids) = GroupHarness.stable(["a"])
        h.advance(by: 4000)
        let before = h.heartbeatTimers.count
        #expect(h.heartbeat(memberId: ids[0], generation: 1) == .none)
        #expect(h.heartbeatTimers.count == before + 1)
        #expect(h.heartbeatTimers.last == DelayedHeartbeat(memberId: ids[0], isPending: false, deadline: h.now + 10_000, timeoutMs: 10_000))
        #expect(h.group!.member(ids[0])!.latestHeartbeat == h.now)
        // The older deadline passes harmlessly.
        h.advance(by: 9000)
        #expect(h.group!.has(memberId: ids[0]))
        h.advance(by: 1000)
        #expect(!h.group!.has(memberId: ids[0]))
    }

    @Test func errorsForStrangersStaleGenerationsAndFencedInstances() throws {
        var (h, ids) = GroupHarness.stable(["a"])
        #expect(h.heartbeat(memberId: "ghost", generation: 1) == .unknownMemberId)
        #expect(h.heartbeat(memberId: ids[0], generation: 0) == .illegalGeneration)
        #expect(h.heartbeat(memberId: ids[0], generation: 2) == .illegalGeneration)

        var s = GroupHarness()
        let t = s.join(instance: "i1", client: "c", version: 5)
        s.advance(by: 3000)
        let id = s.joinAnswer(t)!.memberId
        #expect(s.heartbeat(memberId: "old-incarnation", generation: 1, instance: "i1") == .fencedInstanceId)
        #expect(s.heartbeat(memberId: id, generation: 1, instance: "i1") == .rebalanceInProgress, "CompletingRebalance")

        try h.group!.transition(to: .dead, now: h.now)
        #expect(h.heartbeat(memberId: ids[0], generation: 1) == .coordinatorNotAvailable)
    }

    @Test func duringARebalanceHeartbeatsSayRejoin() {
        var (h, ids) = GroupHarness.stable(["a", "b"])
        h.join(memberId: ids[0], client: "a")
        let before = h.heartbeatTimers.count
        #expect(h.heartbeat(memberId: ids[1], generation: 1) == .rebalanceInProgress)
        #expect(h.heartbeatTimers.count == before + 1, "PreparingRebalance still keeps the member alive")
    }

    @Test func completingRebalanceDoesNotMoveTheDeadline() {
        var h = GroupHarness()
        let (a, _) = h.joinNewMember(client: "a")
        h.advance(by: 3000)
        #expect(h.state == .completingRebalance)
        let before = h.heartbeatTimers.count
        #expect(h.heartbeat(memberId: a, generation: 1) == .rebalanceInProgress)
        #expect(h.heartbeatTimers.count == before)
    }

    @Test func memberOfAnEmptyGroupIsUnknown() {
        // Not reachable through requests; a group loaded in an odd state must still answer sanely.
        var group = GroupMetadata(groupId: "g", state: .empty)
        group.add(MemberMetadata(
            memberId: "m", groupInstanceId: nil, clientId: "c", clientHost: "h", rebalanceTimeoutMs: 1,
            sessionTimeoutMs: 1, protocolType: "consumer", supportedProtocols: [consumerRange()], now: 0))
        let actions = group.handleHeartbeat(memberId: "m", groupInstanceId: nil, generationId: 0, token: GroupRequestToken(1), now: 0)
        #expect(actions == [.respondHeartbeat(GroupRequestToken(1), .unknownMemberId)])
    }

    @Test func satisfiedExpectationsMayBeFreedEarly() {
        var (h, ids) = GroupHarness.stable(["a"])
        let old = h.heartbeatTimers.last!
        #expect(!h.group!.isHeartbeatSatisfied(old))
        h.advance(by: 1000)
        _ = h.heartbeat(memberId: ids[0], generation: 1)
        #expect(h.group!.isHeartbeatSatisfied(old))
        #expect(h.group!.isHeartbeatSatisfied(DelayedHeartbeat(memberId: "gone", isPending: false, deadline: 0, timeoutMs: 0)))
    }
}
