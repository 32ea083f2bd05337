@testable import GroupCoordinator
import KafkaProtocol
import NIOCore
import Testing

/// JoinGroup's answers and errors, one decision at a time.
@Suite struct JoinGroupTests {
    @Test(arguments: [5999, 1_800_001] as [Int32])
    func sessionTimeoutOutsideTheBrokersBoundsIsRefused(_ timeout: Int32) {
        var h = GroupHarness()
        let missing = h.join(memberId: "", sessionTimeoutMs: timeout)
        #expect(h.joinAnswer(missing) == .error(.invalidSessionTimeout, memberId: ""))
        #expect(h.group == nil, "no group is created")

        var (s, ids) = GroupHarness.stable(["a"])
        let known = s.join(memberId: ids[0], client: "a", sessionTimeoutMs: timeout)
        #expect(s.joinAnswer(known)?.errorCode == .invalidSessionTimeout)
        #expect(s.state == .stable)
    }

    @Test func boundsThemselvesAreAccepted() {
        var h = GroupHarness()
        let low = h.join(client: "a", sessionTimeoutMs: 6000, version: 4)
        let high = h.join(client: "b", sessionTimeoutMs: 1_800_000, version: 4)
        #expect(h.joinAnswer(low)?.errorCode == .memberIdRequired)
        #expect(h.joinAnswer(high)?.errorCode == .memberIdRequired)
    }

    @Test func memberIdForAGroupTheCoordinatorDoesNotKnow() {
        var h = GroupHarness()
        let join = h.join(memberId: "a-1")
        #expect(h.joinAnswer(join) == .error(.unknownMemberId, memberId: "a-1"))
        #expect(h.group == nil)
    }

    @Test func unknownMemberIdInAnExistingGroup() {
        var (h, _) = GroupHarness.stable(["a"])
        let join = h.join(memberId: "ghost", client: "x")
        #expect(h.joinAnswer(join) == .error(.unknownMemberId, memberId: "ghost"))
        #expect(h.state == .stable)
    }

    @Test func memberIdRequiredFromVersion4AndNotBefore() {
        var h = GroupHarness()
        let v4 = h.join(client: "a", version: 4)
        #expect(h.joinAnswer(v4)?.errorCode == .memberIdRequired)
        #expect(h.joinAnswer(v4)?.generationId == -1)
        #expect(h.group!.pendingMembers == ["a-uuid1"])
        #expect(h.group!.isEmpty)
        #expect(h.heartbeatTimers.contains(DelayedHeartbeat(memberId: "a-uuid1", isPending: true, deadline: h.now + 10_000, timeoutMs: 10_000)))

        let v3 = h.join(client: "b", version: 3)
        #expect(h.joinAnswer(v3) == nil, "v3 joins at once and waits for the rebalance")
        #expect(h.group!.has(memberId: "b-uuid2"))
    }

    @Test func pendingMemberIdIsForgottenAfterTheSessionTimeout() {
        var h = GroupHarness()
        let first = h.join(client: "a", version: 4)
        h.advance(by: 10_000)
        #expect(h.group!.pendingMembers.isEmpty)
        let late = h.join(memberId: h.joinAnswer(first)!.memberId, client: "a", version: 4)
        #expect(h.joinAnswer(late)?.errorCode == .unknownMemberId)
    }

    @Test func rebalanceWaitsForOutstandingPendingMembers() {
        var (h, ids) = GroupHarness.stable(["a"])
        // x gets a member id but does not come back; then the leader rejoins.
        let x = h.join(client: "x", version: 4)
        #expect(h.joinAnswer(x)?.errorCode == .memberIdRequired)
        #expect(h.state == .stable, "handing out an id does not rebalance")
        let a = h.join(memberId: ids[0], client: "a")
        #expect(h.joinAnswer(a) == nil, "a is the only member, but x's id is outstanding")
        h.advance(by: 10_000)
        #expect(h.joinAnswer(a)?.generationId == 2)
        #expect(h.joinAnswer(a)?.members.map(\.memberId) == [ids[0]])
    }

    @Test func newMemberCannotJoinAFullGroup() {
        var (h, ids) = GroupHarness.stable(["a", "b"], config: GroupConfig(maxSize: 2))
        let join = h.join(client: "c", version: 3)
        #expect(h.joinAnswer(join) == .error(.groupMaxSizeReached, memberId: ""))
        #expect(h.group!.size == 2)
        #expect(h.state == .stable)
        let known = h.join(memberId: ids[1], client: "b")
        #expect(h.joinAnswer(known)?.errorCode == ErrorCode.none, "members already in may rejoin")
    }

    @Test func oversizedGroupShedsMembersThatHaveNotRejoined() {
        var (h, ids) = GroupHarness.stable(["a", "b", "c"])
        h.config.maxSize = 2
        let join = h.join(memberId: ids[2], client: "c")
        #expect(h.joinAnswer(join) == .error(.groupMaxSizeReached, memberId: ""))
        #expect(!h.group!.has(memberId: ids[2]))
    }

    @Test func inconsistentProtocolTypeOrNoCommonProtocol() {
        var (h, _) = GroupHarness.stable(["a"])
        let connect = h.join(client: "x", protocolType: "connect", version: 3)
        #expect(h.joinAnswer(connect) == .error(.inconsistentGroupProtocol, memberId: ""))
        let roundrobin = h.join(client: "y", protocols: protocols("roundrobin"), version: 3)
        #expect(h.joinAnswer(roundrobin) == .error(.inconsistentGroupProtocol, memberId: ""))
        var empty = GroupHarness()
        let noProtocols = empty.join(client: "z", protocols: [], version: 3)
        #expect(empty.joinAnswer(noProtocols)?.errorCode == .inconsistentGroupProtocol)
        #expect(h.group!.size == 1 && h.state == .stable)
    }

    @Test func deadGroupSendsMembersToFindTheCoordinatorAgain() throws {
        var (h, ids) = GroupHarness.stable(["a"])
        try h.group!.transition(to: .dead, now: h.now)
        let newMember = h.join(client: "x", version: 3)
        let knownMember = h.join(memberId: ids[0], client: "a")
        #expect(h.joinAnswer(newMember)?.errorCode == .coordinatorNotAvailable)
        #expect(h.joinAnswer(knownMember)?.errorCode == .coordinatorNotAvailable)
    }

    @Test func rejoinInCompletingRebalanceWithSameMetadataGetsTheGenerationAgain() {
        var h = GroupHarness()
        let (a, _) = h.joinNewMember(client: "a")
        let (b, _) = h.joinNewMember(client: "b")
        h.advance(by: 6000)
        #expect(h.state == .completingRebalance)
        let again = h.join(memberId: a, client: "a")
        #expect(h.joinAnswer(again)?.generationId == 1)
        #expect(h.joinAnswer(again)?.members.map(\.memberId) == [a, b], "the leader gets the members again")
        let follower = h.join(memberId: b, client: "b")
        #expect(h.joinAnswer(follower)?.members == [])
        #expect(h.state == .completingRebalance)
    }

    @Test func changedMetadataInCompletingRebalanceRestartsTheRebalance() {
        var h = GroupHarness()
        let (a, _) = h.joinNewMember(client: "a")
        let (b, _) = h.joinNewMember(client: "b")
        h.advance(by: 6000)
        let parkedSync = h.sync(memberId: b, generation: 1)
        #expect(h.syncAnswer(parkedSync) == nil)
        h.join(memberId: a, client: "a", protocols: [consumerRange("new-subscription")])
        #expect(h.state == .preparingRebalance)
        #expect(h.syncAnswer(parkedSync) == .error(.rebalanceInProgress), "parked syncs are told to rejoin")
    }

    @Test func stableFollowerWithSameMetadataIsAnsweredAtOnce() {
        var (h, ids) = GroupHarness.stable(["a", "b"])
        let join = h.join(memberId: ids[1], client: "b")
        #expect(h.joinAnswer(join) == JoinGroupResult(errorCode: .none, generationId: 1, protocolName: "range", leaderId: ids[0], memberId: ids[1], members: []))
        #expect(h.state == .stable)
    }

    @Test func stableLeaderOrChangedMetadataRebalances() {
        var (h, ids) = GroupHarness.stable(["a", "b"])
        h.join(memberId: ids[0], client: "a")
        #expect(h.state == .preparingRebalance)

        var (g, gids) = GroupHarness.stable(["a", "b"])
        g.join(memberId: gids[1], client: "b", protocols: [consumerRange("other")])
        #expect(g.state == .preparingRebalance)
        #expect(g.group!.member(gids[1])!.supportedProtocols == [consumerRange("other")])
    }
}
