@testable import GroupCoordinator
import KafkaProtocol
import Testing

/// Each way into PreparingRebalance records Kafka 2.3's reason, and the "Preparing to rebalance"
/// INFO line ends with it as Kafka's does (`… (__consumer_offsets-12) (reason: …)`).
@Suite struct RebalanceReasonTests {
    static func line(_ before: GroupMetadata?, _ after: GroupMetadata?, removal: GroupEventLog.Removal = .left) -> [String] {
        GroupEventLog.lines(
            groupId: "g", partition: 12, before: before.map(GroupEventLog.Snapshot.init),
            after: after.map(GroupEventLog.Snapshot.init), removal: removal)
    }

    @Test func aNewDynamicMemberStartsTheFirstRebalance() {
        var h = GroupHarness()
        h.join(client: "c", version: 3)
        let memberId = h.group!.memberIds[0]
        #expect(h.group?.rebalanceReason == "Adding new member \(memberId) with group instanceid None")
        #expect(Self.line(nil, h.group) == [
            "Preparing to rebalance group g in state PreparingRebalance with old generation 0 (__consumer_offsets-12) (reason: Adding new member \(memberId) with group instanceid None)",
        ])
    }

    @Test func aStaticMemberIsNamedAsAScalaOption() {
        var h = GroupHarness()
        h.join(instance: "i-1", client: "c")
        let memberId = h.group!.memberIds[0]
        #expect(h.group?.rebalanceReason == "Adding new member \(memberId) with group instanceid Some(i-1)")
    }

    @Test func theLeaderRejoiningAStableGroupUpdatesItsMetadata() {
        var (h, ids) = GroupHarness.stable(["a", "b"])
        let before = h.group
        h.join(memberId: ids[0], client: "a", version: 4)
        #expect(h.group?.rebalanceReason == "Updating metadata for member \(ids[0])")
        #expect(Self.line(before, h.group) == [
            "Preparing to rebalance group g in state PreparingRebalance with old generation 1 (__consumer_offsets-12) (reason: Updating metadata for member \(ids[0]))",
        ])
    }

    @Test func aLeavingMemberAndAnExpiredOneSayWhy() {
        var (h, ids) = GroupHarness.stable(["a", "b", "c"])
        let before = h.group
        #expect(h.leave(memberId: ids[2]) == .none)
        #expect(Self.line(before, h.group) == [
            "Member \(ids[2]) in group g has left, removing it from the group",
            "Preparing to rebalance group g in state PreparingRebalance with old generation 1 (__consumer_offsets-12) (reason: removing member \(ids[2]) on LeaveGroup)",
        ])

        var (expiring, members) = GroupHarness.stable(["a", "b"])
        // Only "a" keeps heartbeating; "b"'s session (10 s) runs out.
        for _ in 0..<4 {
            expiring.advance(by: 3000)
            _ = expiring.heartbeat(memberId: members[0], generation: 1)
        }
        #expect(expiring.group?.rebalanceReason == "removing member \(members[1]) on heartbeat expiration")
    }

    @Test func aFailedAssignmentWriteNamesTheLeader() {
        var h = GroupHarness()
        h.holdStores = true
        let a = h.joinNewMember(client: "a")
        h.advance(by: 3000)
        h.sync(memberId: a.memberId, generation: 1, assignment: [a.memberId: bytes("x")])
        h.completeHeldStore(error: .notCoordinator)
        #expect(h.group?.state == .preparingRebalance)
        #expect(h.group?.rebalanceReason == "error when storing group assignment during SyncGroup (member: \(a.memberId))")
    }

    @Test func aLoadedGroupOverItsMaximumSizePrintsTheConfigAsScalaDoes() {
        var (h, _) = GroupHarness.stable(["a", "b", "c"])
        let config = GroupConfig(maxSize: 2, initialRebalanceDelayMs: 0)
        _ = h.group!.onGroupLoaded(now: h.now, config: config)
        #expect(h.group?.rebalanceReason
            == "Freshly-loaded group is over capacity (GroupConfig(6000,1800000,2,0).groupMaxSize). Rebalacing in order to give a chance for consumers to commit offsets")
    }
}
