import GroupCoordinator
import Testing

@Suite struct GroupEventLogTests {
    typealias Snapshot = GroupEventLog.Snapshot

    static func lines(_ before: Snapshot?, _ after: Snapshot?, removal: GroupEventLog.Removal = .left) -> [String] {
        GroupEventLog.lines(groupId: "g", partition: 12, before: before, after: after, removal: removal)
    }

    @Test func aRebalanceReadsAsKafkaLogsIt() {
        let stable1 = Snapshot(state: .stable, generationId: 1, memberIds: ["a"])
        let preparing = Snapshot(state: .preparingRebalance, generationId: 1, memberIds: ["a", "b"])
        let completing = Snapshot(state: .completingRebalance, generationId: 2, memberIds: ["a", "b"])
        let stable2 = Snapshot(state: .stable, generationId: 2, memberIds: ["a", "b"])
        #expect(Self.lines(stable1, preparing)
            == ["Preparing to rebalance group g in state PreparingRebalance with old generation 1 (__consumer_offsets-12)"])
        #expect(Self.lines(preparing, completing) == ["Stabilized group g generation 2 (__consumer_offsets-12)"])
        #expect(Self.lines(completing, stable2) == ["Assignment received from leader for group g for generation 2"])
        #expect(Self.lines(stable2, stable2).isEmpty, "no change, no line")
    }

    @Test func removedMembersComeFirstWithTheirReason() {
        let before = Snapshot(state: .stable, generationId: 2, memberIds: ["a", "b"])
        let after = Snapshot(state: .preparingRebalance, generationId: 2, memberIds: ["a"])
        #expect(Self.lines(before, after, removal: .failed) == [
            "Member b in group g has failed, removing it from the group",
            "Preparing to rebalance group g in state PreparingRebalance with old generation 2 (__consumer_offsets-12)",
        ])
        let empty = Snapshot(state: .empty, generationId: 3, memberIds: [])
        #expect(Self.lines(Snapshot(state: .preparingRebalance, generationId: 2, memberIds: ["a"]), empty) == [
            "Member a in group g has left, removing it from the group",
            "Group g with generation 3 is now empty (__consumer_offsets-12)",
        ])
    }

    @Test func aNewGroupStartsLogging() {
        #expect(Self.lines(nil, Snapshot(state: .empty, generationId: 0, memberIds: [])).isEmpty)
        #expect(Self.lines(nil, Snapshot(state: .preparingRebalance, generationId: 0, memberIds: ["a"]))
            == ["Preparing to rebalance group g in state PreparingRebalance with old generation 0 (__consumer_offsets-12)"])
    }
}
