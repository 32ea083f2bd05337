@testable import GroupCoordinator
import NIOCore
import Testing

@Suite struct GroupSummaryTests {
    @Test func stableGroupShowsProtocolMetadataAndAssignments() {
        let (h, ids) = GroupHarness.stable(["a", "b"])
        let summary = h.group!.summary
        #expect(summary.state == "Stable")
        #expect(summary.protocolType == "consumer")
        #expect(summary.protocolName == "range")
        #expect(summary.members.map(\.memberId) == ids)
        #expect(summary.members.map(\.clientId) == ["a", "b"])
        #expect(summary.members.map(\.clientHost) == ["/127.0.0.1", "/127.0.0.1"])
        #expect(summary.members.map(\.metadata) == [bytes("sub"), bytes("sub")])
        #expect(summary.members.map(\.assignment) == [bytes("assigned-a"), bytes("assigned-b")])
        #expect(h.group!.overview == GroupOverview(groupId: "g", protocolType: "consumer"))
    }

    @Test func unsettledGroupHidesProtocolAndMemberData() {
        var (h, ids) = GroupHarness.stable(["a", "b"])
        h.join(memberId: ids[0], client: "a")
        let summary = h.group!.summary
        #expect(summary.state == "PreparingRebalance")
        #expect(summary.protocolName == "")
        #expect(summary.members.map(\.memberId) == ids)
        #expect(summary.members.allSatisfy { $0.metadata.readableBytes == 0 && $0.assignment.readableBytes == 0 })
    }

    @Test func unknownGroupIsReportedDead() {
        #expect(GroupSummary.dead.state == "Dead" && GroupSummary.dead.members.isEmpty)
        #expect(GroupSummary.noGroup.state == "")
    }
}
