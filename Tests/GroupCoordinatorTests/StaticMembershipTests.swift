@testable import GroupCoordinator
import KafkaProtocol
import NIOCore
import Testing

/// Static membership (KIP-345, JoinGroup v5): members known by `group.instance.id`.
@Suite struct StaticMembershipTests {
    /// A Stable group of static members i1 (leader) and i2, each assigned `assigned-<instance>`.
    func stableStaticGroup() throws -> (GroupHarness, [String]) {
        var h = GroupHarness(config: GroupConfig(initialRebalanceDelayMs: 3000))
        // A static member is not asked for a member id first, even on v5.
        let t1 = h.join(instance: "i1", client: "c1", version: 5)
        let t2 = h.join(instance: "i2", client: "c2", version: 5)
        h.advance(by: 6000)
        let ids = [try #require(h.joinAnswer(t1)?.memberId), try #require(h.joinAnswer(t2)?.memberId)]
        // A static member's id is its instance id and the time the group entered its state.
        #expect(ids == ["i1-1000000", "i2-1000000"])
        #expect(h.group!.staticMembers == ["i1": ids[0], "i2": ids[1]])
        h.syncEveryone(ids, generation: 1, assignments: [ids[0]: bytes("assigned-i1"), ids[1]: bytes("assigned-i2")])
        #expect(h.state == .stable)
        return (h, ids)
    }

    @Test func restartWithinSessionTimeoutKeepsAssignmentWithoutNewGeneration() throws {
        var (h, ids) = try stableStaticGroup()
        h.advance(by: 5000)
        #expect(h.heartbeat(memberId: ids[0], generation: 1) == .none)

        // i2 restarts: it comes back without its member id, before its 10 s session runs out.
        let rejoin = h.join(instance: "i2", client: "c2", version: 5)
        let answer = try #require(h.joinAnswer(rejoin))
        #expect(answer.errorCode == .none)
        #expect(answer.memberId == "i2-1006000", "the group has been Stable since 1 006 000")
        #expect(answer.generationId == 1)
        #expect(answer.leaderId == ids[0])
        #expect(answer.protocolName == "range")
        #expect(h.state == .stable, "no rebalance")
        #expect(h.group!.generationId == 1)
        #expect(h.group!.staticMembers["i2"] == "i2-1006000")

        let sync = h.sync(memberId: "i2-1006000", generation: 1, instance: "i2")
        #expect(h.syncAnswer(sync) == SyncGroupResult(errorCode: .none, assignment: bytes("assigned-i2")))
        #expect(h.heartbeat(memberId: ids[0], generation: 1) == .none, "the other member sees no rebalance")

        // The old incarnation, if it still runs, is fenced everywhere.
        #expect(h.heartbeat(memberId: ids[1], generation: 1, instance: "i2") == .fencedInstanceId)
        let oldJoin = h.join(memberId: ids[1], instance: "i2", client: "c2", version: 5)
        #expect(h.joinAnswer(oldJoin)?.errorCode == .fencedInstanceId)
        let oldSync = h.sync(memberId: ids[1], generation: 1, instance: "i2")
        #expect(h.syncAnswer(oldSync)?.errorCode == .fencedInstanceId)

        // The new incarnation's session started at its rejoin: it survives the old one's deadline.
        h.advance(by: 6000)
        #expect(h.group!.has(memberId: "i2-1006000"))
    }

    @Test func restartedLeaderLeadsUnderItsNewIdButIsToldTheOldOne() throws {
        var (h, ids) = try stableStaticGroup()
        let rejoin = h.join(instance: "i1", client: "c1", version: 5)
        let answer = try #require(h.joinAnswer(rejoin))
        #expect(h.group!.leaderId == answer.memberId)
        // Kafka 2.3.0 names the leader as it was before the replacement.
        #expect(answer.leaderId == ids[0])
        #expect(answer.members.isEmpty, "the leader had the member list at the last rebalance")
        #expect(h.state == .stable)
    }

    @Test func staticMemberThatStopsIsDroppedWhenItsSessionEnds() throws {
        var (h, ids) = try stableStaticGroup()
        // The leader rejoins; i2 neither rejoins nor heartbeats.
        let lead = h.join(memberId: ids[0], instance: "i1", client: "c1", version: 5)
        h.advance(by: 9999)
        #expect(h.group!.has(memberId: ids[1]))
        #expect(h.state == .preparingRebalance)
        h.advance(by: 1)
        // Its session (10 s) ended during the wait: it was dropped, which completed the rebalance.
        #expect(!h.group!.has(memberId: ids[1]))
        #expect(h.joinAnswer(lead)?.members.map(\.memberId) == [ids[0]])
        #expect(h.group!.staticMembers == ["i1": ids[0]])
    }

    @Test func staticMemberSurvivesTheEndOfARebalanceItMissed() throws {
        // Session 60 s, rebalance timeout 30 s: a dynamic member would be dropped at 30 s, a static
        // one stays in the group, without a JoinGroup answer.
        var h = GroupHarness(config: GroupConfig(initialRebalanceDelayMs: 3000))
        let t1 = h.join(instance: "i1", client: "c1", sessionTimeoutMs: 60_000, version: 5)
        let t2 = h.join(instance: "i2", client: "c2", sessionTimeoutMs: 60_000, version: 5)
        h.advance(by: 6000)
        let ids = [h.joinAnswer(t1)!.memberId, h.joinAnswer(t2)!.memberId]
        h.syncEveryone(ids, generation: 1, assignments: [:])
        let lead = h.join(memberId: ids[0], instance: "i1", client: "c1", sessionTimeoutMs: 60_000, version: 5)
        h.advance(by: 30_000)
        #expect(h.joinAnswer(lead)?.generationId == 2)
        #expect(h.joinAnswer(lead)?.members.map(\.memberId) == ids)
        #expect(h.group!.has(memberId: ids[1]))
    }

    @Test func staticMemberRejoiningWithoutIdDuringARebalanceTakesANewIdAndWaits() throws {
        // Three static members; i3 is slow to rejoin, so the rebalance keeps waiting.
        var h = GroupHarness()
        let tokens = ["i1", "i2", "i3"].map { h.join(instance: $0, client: "c", version: 5) }
        h.advance(by: 6000)
        let ids = tokens.map { h.joinAnswer($0)!.memberId }
        h.syncEveryone(ids, generation: 1, assignments: [:])
        h.advance(by: 1000)
        let lead = h.join(memberId: ids[0], instance: "i1", client: "c", version: 5)
        #expect(h.state == .preparingRebalance)
        // The old incarnation of i2 rejoins, then i2 restarts: the old parked JoinGroup is fenced.
        let old = h.join(memberId: ids[1], instance: "i2", client: "c", version: 5)
        #expect(h.joinAnswer(old) == nil)
        let rejoin = h.join(instance: "i2", client: "c", version: 5)
        #expect(h.joinAnswer(old) == .error(.fencedInstanceId, memberId: ids[1]))
        #expect(h.joinAnswer(rejoin) == nil, "the new incarnation waits for the rebalance")
        h.join(memberId: ids[2], instance: "i3", client: "c", version: 5)
        #expect(h.joinAnswer(rejoin)?.memberId == "i2-1007000", "the group has been rebalancing since 1 007 000")
        #expect(h.joinAnswer(rejoin)?.generationId == 2)
        #expect(h.joinAnswer(lead)?.members.map(\.memberId) == [ids[0], "i2-1007000", ids[2]])
    }

    @Test func staticMemberRejoiningWithoutIdInCompletingRebalanceIsAnsweredAtOnce() throws {
        var h = GroupHarness()
        let t1 = h.join(instance: "i1", client: "c1", version: 5)
        h.advance(by: 3000)
        let id = try #require(h.joinAnswer(t1)?.memberId)
        #expect(h.state == .completingRebalance)
        let rejoin = h.join(instance: "i1", client: "c1", version: 5)
        let answer = try #require(h.joinAnswer(rejoin))
        #expect(answer.errorCode == .none && answer.generationId == 1 && answer.memberId != id)
        #expect(h.state == .completingRebalance)
    }

    @Test func unknownInstanceWithAMemberIdMustJoinAsNew() throws {
        var (h, ids) = try stableStaticGroup()
        let join = h.join(memberId: ids[1], instance: "i9", client: "c2", version: 5)
        #expect(h.joinAnswer(join)?.errorCode == .unknownMemberId)
    }
}
