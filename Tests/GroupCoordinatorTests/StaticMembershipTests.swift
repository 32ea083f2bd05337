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
        #expect(ids == ["i1-uuid1", "i2-uuid2"], "a static member's id starts with its instance id")
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
        #expect(answer.memberId == "i2-uuid3")
        #expect(answer.generationId == 1)
        #expect(answer.leaderId == ids[0])
        #expect(answer.protocolName == "range")
        #expect(h.state == .stable, "no rebalance")
        #expect(h.group!.generationId == 1)
        #expect(h.group!.staticMembers["i2"] == "i2-uuid3")

        let sync = h.sync(memberId: "i2-uuid3", generation: 1, instance: "i2")
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
        #expect(h.group!.has(memberId: "i2-uuid3"))
    }

    @Test func restartedLeaderStaysLeaderUnderItsNewId() throws {
        var (h, _) = try stableStaticGroup()
        let rejoin = h.join(instance: "i1", client: "c1", version: 5)
        let answer = try #require(h.joinAnswer(rejoin))
        #expect(answer.leaderId == answer.memberId)
        #expect(answer.members.isEmpty, "the leader had the member list at the last rebalance")
        #expect(h.group!.leaderId == answer.memberId)
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

    @Test func staticMemberRejoiningWithoutIdDuringARebalanceKeepsItsId() throws {
        var (h, ids) = try stableStaticGroup()
        h.join(memberId: ids[0], instance: "i1", client: "c1", version: 5)
        #expect(h.state == .preparingRebalance)
        let rejoin = h.join(instance: "i2", client: "c2", version: 5)
        #expect(h.joinAnswer(rejoin)?.memberId == ids[1])
        #expect(h.joinAnswer(rejoin)?.generationId == 2)
    }

    @Test func unknownInstanceWithAMemberIdMustJoinAsNew() throws {
        var (h, ids) = try stableStaticGroup()
        let join = h.join(memberId: ids[1], instance: "i9", client: "c2", version: 5)
        #expect(h.joinAnswer(join)?.errorCode == .unknownMemberId)
    }
}
