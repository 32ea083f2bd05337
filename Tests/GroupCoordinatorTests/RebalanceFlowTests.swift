@testable import GroupCoordinator
import KafkaProtocol
import NIOCore
import Testing

/// Whole rebalances, request by request, on a manual clock.
@Suite struct RebalanceFlowTests {
    @Test func threeMembersFromFirstJoinGroupToStable() throws {
        var h = GroupHarness(config: GroupConfig(initialRebalanceDelayMs: 3000))
        let start = h.now

        // JoinGroup v4 without a member id: the coordinator makes one and asks for it back.
        let first = h.join(client: "a", version: 4)
        let idRequired = try #require(h.joinAnswer(first))
        #expect(idRequired.errorCode == .memberIdRequired)
        #expect(idRequired.memberId == "a-uuid1")
        #expect(h.state == .empty)
        #expect(h.group!.pendingMembers == ["a-uuid1"])

        // Back with the id: a is admitted, leads, and the first rebalance starts its initial delay.
        let a = h.join(memberId: "a-uuid1", client: "a", version: 4)
        #expect(h.state == .preparingRebalance)
        #expect(h.group!.leaderId == "a-uuid1")
        #expect(h.joinAnswer(a) == nil, "the JoinGroup waits for the rebalance")

        h.advance(by: 1000)
        let (b, bToken) = h.joinNewMember(client: "b")
        h.advance(by: 1000)
        let (c, cToken) = h.joinNewMember(client: "c")
        #expect(h.group!.newMemberAdded)

        // At 3 s the initial delay sees new arrivals and waits 3 s more; nobody has an answer yet.
        h.advance(by: 1000)
        #expect(h.state == .preparingRebalance)
        #expect(h.joinAnswer(a) == nil)
        h.advance(by: 3000)
        #expect(h.now - start == 6000)

        // Generation 1: everyone is answered; only the leader gets the members' metadata.
        #expect(h.state == .completingRebalance)
        let leaderAnswer = try #require(h.joinAnswer(a))
        #expect(leaderAnswer.errorCode == .none)
        #expect(leaderAnswer.generationId == 1)
        #expect(leaderAnswer.protocolName == "range")
        #expect(leaderAnswer.leaderId == "a-uuid1")
        #expect(leaderAnswer.members.map(\.memberId) == ["a-uuid1", b, c])
        #expect(leaderAnswer.members.allSatisfy { $0.metadata == bytes("sub") })
        for token in [bToken, cToken] {
            let answer = try #require(h.joinAnswer(token))
            #expect(answer.generationId == 1 && answer.leaderId == "a-uuid1" && answer.members.isEmpty)
        }

        // SyncGroup: followers wait for the leader; the leader's assignment is written, then handed out.
        let syncB = h.sync(memberId: b, generation: 1)
        let syncC = h.sync(memberId: c, generation: 1)
        #expect(h.syncAnswer(syncB) == nil && h.syncAnswer(syncC) == nil)
        h.holdStores = true
        let syncA = h.sync(memberId: "a-uuid1", generation: 1, assignment: ["a-uuid1": bytes("p0,p1"), b: bytes("p2,p3"), c: bytes("p4,p5")])
        #expect(h.stores.last == StoreGroup(generationId: 1, assignment: ["a-uuid1": bytes("p0,p1"), b: bytes("p2,p3"), c: bytes("p4,p5")]))
        #expect(h.state == .completingRebalance, "not Stable before the write completes")
        #expect(h.syncAnswer(syncA) == nil)
        h.completeHeldStore()

        #expect(h.state == .stable)
        #expect(h.syncAnswer(syncA) == SyncGroupResult(errorCode: .none, assignment: bytes("p0,p1")))
        #expect(h.syncAnswer(syncB) == SyncGroupResult(errorCode: .none, assignment: bytes("p2,p3")))
        #expect(h.syncAnswer(syncC) == SyncGroupResult(errorCode: .none, assignment: bytes("p4,p5")))
        #expect(h.heartbeat(memberId: c, generation: 1) == .none)
    }

    @Test func aMemberLeavingTriggersARebalance() throws {
        var (h, ids) = GroupHarness.stable(["a", "b", "c"])
        #expect(h.group!.generationId == 1)
        #expect(h.leave(memberId: ids[2]) == .none)
        #expect(h.state == .preparingRebalance)
        #expect(h.heartbeat(memberId: ids[0], generation: 1) == .rebalanceInProgress)

        let a = h.join(memberId: ids[0], client: "a")
        #expect(h.joinAnswer(a) == nil, "b has not rejoined yet")
        let b = h.join(memberId: ids[1], client: "b")
        // Every remaining member rejoined: the rebalance completes without waiting for its timeout.
        #expect(h.state == .completingRebalance)
        #expect(h.joinAnswer(a)?.generationId == 2)
        #expect(h.joinAnswer(a)?.members.map(\.memberId) == [ids[0], ids[1]])
        #expect(h.joinAnswer(b)?.members == [])
        #expect(h.heartbeat(memberId: ids[2], generation: 1) == .unknownMemberId)
    }

    @Test func aMemberWhoseSessionExpiresIsDroppedAndTheOthersRebalance() {
        var (h, ids) = GroupHarness.stable(["a", "b"])
        // a heartbeats every 3 s, b never again.
        for _ in 0..<4 {
            h.advance(by: 3000)
            _ = h.heartbeat(memberId: ids[0], generation: 1)
        }
        #expect(h.group!.has(memberId: ids[0]))
        #expect(!h.group!.has(memberId: ids[1]), "b's 10 s session ran out")
        #expect(h.state == .preparingRebalance)
        let a = h.join(memberId: ids[0], client: "a")
        #expect(h.joinAnswer(a)?.generationId == 2)
        #expect(h.joinAnswer(a)?.members.map(\.memberId) == [ids[0]])
    }

    @Test func aMemberThatDoesNotRejoinInTimeIsDropped() {
        var (h, ids) = GroupHarness.stable(["a", "b"])
        // The leader's JoinGroup starts a rebalance; b keeps heartbeating but never rejoins.
        let a = h.join(memberId: ids[0], client: "a")
        #expect(h.state == .preparingRebalance)
        for _ in 0..<9 {
            h.advance(by: 3000)
            #expect(h.heartbeat(memberId: ids[1], generation: 1) == .rebalanceInProgress)
        }
        #expect(h.joinAnswer(a) == nil)
        // At the rebalance timeout (30 s) the group moves on without b.
        h.advance(by: 3000)
        #expect(h.joinAnswer(a)?.generationId == 2)
        #expect(h.joinAnswer(a)?.members.map(\.memberId) == [ids[0]])
        #expect(h.heartbeat(memberId: ids[1], generation: 1) == .unknownMemberId)
    }

    @Test func lastMemberLeavingEmptiesTheGroupAndWritesIt() {
        var (h, ids) = GroupHarness.stable(["a"])
        #expect(h.leave(memberId: ids[0]) == .none)
        #expect(h.state == .empty)
        #expect(h.group!.generationId == 2)
        #expect(h.group!.protocolName == nil && h.group!.leaderId == nil)
        #expect(h.stores.last == StoreGroup(generationId: 2, assignment: [:]))
    }

    @Test func initialDelayStopsAtTheRebalanceTimeout() {
        // Rebalance timeout 5 s, initial delay 3 s: the wait is extended once, by the 2 s left.
        var h = GroupHarness(config: GroupConfig(initialRebalanceDelayMs: 3000))
        let a = h.join(client: "a", rebalanceTimeoutMs: 5000, version: 3)
        h.advance(by: 1000)
        h.join(client: "b", rebalanceTimeoutMs: 5000, version: 3)
        h.advance(by: 2000)
        #expect(h.joinAnswer(a) == nil)
        h.join(client: "c", rebalanceTimeoutMs: 5000, version: 3)
        h.advance(by: 1999)
        #expect(h.joinAnswer(a) == nil)
        h.advance(by: 1)
        #expect(h.joinAnswer(a)?.members.count == 3, "c arrived during the extension but the timeout is spent")
        #expect(h.state == .completingRebalance)
    }
}
