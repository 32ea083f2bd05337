@testable import GroupCoordinator
import KafkaProtocol
import NIOCore
import Testing

@Suite struct GroupLoadTests {
    func stored(_ id: String, instance: String? = nil) -> GroupMetadata.StoredMember {
        GroupMetadata.StoredMember(
            memberId: id, groupInstanceId: instance, clientId: "c", clientHost: "/10.0.0.1",
            rebalanceTimeoutMs: 30_000, sessionTimeoutMs: 10_000, subscription: bytes("sub-\(id)"),
            assignment: bytes("asg-\(id)"))
    }

    @Test func loadedGroupWithMembersIsStableAndServesItsAssignments() {
        var h = GroupHarness()
        h.group = GroupMetadata.loaded(
            groupId: "g", generationId: 7, protocolType: "consumer", protocolName: "range", leaderId: "m2",
            currentStateTimestamp: 123, members: [stored("m1"), stored("m2", instance: "i2")], now: h.now)
        #expect(h.state == .stable)
        #expect(h.group!.leaderId == "m2")
        #expect(h.group!.staticMembers == ["i2": "m2"])
        #expect(h.group!.currentStateTimestamp == 123)
        h.perform(h.group!.onGroupLoaded(now: h.now, config: h.config))
        #expect(h.heartbeatTimers.map(\.memberId) == ["m1", "m2"])
        let sync = h.sync(memberId: "m1", generation: 7)
        #expect(h.syncAnswer(sync) == SyncGroupResult(errorCode: .none, assignment: bytes("asg-m1")))
        #expect(h.group!.summary.members.map(\.metadata) == [bytes("sub-m1"), bytes("sub-m2")])
        // Nobody heartbeats: both sessions end and the group empties.
        h.advance(by: 10_000)
        #expect(h.group!.isEmpty)
        #expect(h.state == .empty)
        #expect(h.group!.generationId == 8)
    }

    @Test func loadedGroupWithoutMembersIsEmpty() {
        let group = GroupMetadata.loaded(
            groupId: "g", generationId: 3, protocolType: "", protocolName: nil, leaderId: nil,
            currentStateTimestamp: nil, members: [], now: 0)
        #expect(group.state == .empty)
        #expect(group.protocolType == nil)
        #expect(group.generationId == 3)
    }

    @Test func oversizedLoadedGroupRebalances() {
        var h = GroupHarness(config: GroupConfig(maxSize: 1))
        h.group = GroupMetadata.loaded(
            groupId: "g", generationId: 1, protocolType: "consumer", protocolName: "range", leaderId: "m1",
            currentStateTimestamp: nil, members: [stored("m1"), stored("m2")], now: h.now)
        h.perform(h.group!.onGroupLoaded(now: h.now, config: h.config))
        #expect(h.state == .preparingRebalance)
    }

    @Test func unloadingAnswersParkedRequestsNotCoordinator() {
        var (h, ids) = GroupHarness.stable(["a", "b"])
        let join = h.join(memberId: ids[0], client: "a")
        h.perform(h.group!.onGroupUnloaded(now: h.now))
        #expect(h.state == .dead)
        #expect(h.joinAnswer(join) == .error(.notCoordinator, memberId: ids[0]))
        // The pending rebalance wait ends without effect on a Dead group.
        h.advance(by: 30_000)
        #expect(h.state == .dead)

        var s = GroupHarness()
        let (a, _) = s.joinNewMember(client: "a")
        let (b, _) = s.joinNewMember(client: "b")
        s.advance(by: 6000)
        let parked = s.sync(memberId: b, generation: 1)
        s.perform(s.group!.onGroupUnloaded(now: s.now))
        #expect(s.syncAnswer(parked) == .error(.notCoordinator))
        #expect(s.group!.has(memberId: a))
    }
}
