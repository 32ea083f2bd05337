@testable import GroupCoordinator
import NIOCore
import Testing

@Suite struct ProtocolSelectionTests {
    /// A Stable-like group whose members offer the given protocol lists, in preference order.
    func group(_ memberProtocols: [[String]], protocolType: String = "consumer") -> GroupMetadata {
        var group = GroupMetadata(groupId: "g", state: .preparingRebalance)
        for (index, names) in memberProtocols.enumerated() {
            group.add(MemberMetadata(
                memberId: "m\(index)", groupInstanceId: nil, clientId: "c", clientHost: "h",
                rebalanceTimeoutMs: 1000, sessionTimeoutMs: 1000, protocolType: protocolType,
                supportedProtocols: names.map { GroupProtocol(name: $0, metadata: ByteBuffer()) }, now: 0))
        }
        return group
    }

    @Test func emptyGroupTakesAnyNonEmptyTypeAndProtocols() {
        let empty = GroupMetadata(groupId: "g")
        #expect(empty.supportsProtocols(protocolType: "consumer", protocols: ["range"]))
        #expect(!empty.supportsProtocols(protocolType: "", protocols: ["range"]))
        #expect(!empty.supportsProtocols(protocolType: "consumer", protocols: []))
    }

    @Test func joiningMemberMustShareTypeAndOneCommonProtocol() {
        let g = group([["range", "roundrobin"], ["roundrobin", "sticky"]])
        #expect(g.candidateProtocols == ["roundrobin"])
        #expect(g.supportsProtocols(protocolType: "consumer", protocols: ["roundrobin"]))
        #expect(!g.supportsProtocols(protocolType: "consumer", protocols: ["range", "sticky"]), "range and sticky are each offered by only one member")
        #expect(!g.supportsProtocols(protocolType: "connect", protocols: ["roundrobin"]))
    }

    @Test func eachMemberVotesForItsFavouriteCandidate() {
        // Only range and roundrobin are common; two members prefer roundrobin, one range.
        let g = group([["sticky", "roundrobin", "range"], ["roundrobin", "range"], ["range", "roundrobin", "sticky"]])
        #expect(g.selectProtocol() == "roundrobin")
        #expect(group([["range", "roundrobin"]]).selectProtocol() == "range")
        #expect(GroupMetadata(groupId: "g").selectProtocol() == nil)
    }

    @Test func tiesGoWhereScalasGroupByIteratesFirst() {
        // One vote each. In a 16-bucket Scala HashMap "range" hashes to bucket 15, "sticky" to 12 and
        // "roundrobin" to 9; iteration runs from the last bucket, so the earlier-listed wins a tie.
        #expect(ScalaMapOrder.mutableBucket("range") == 15)
        #expect(ScalaMapOrder.mutableBucket("sticky") == 12)
        #expect(ScalaMapOrder.mutableBucket("roundrobin") == 9)
        #expect(group([["range", "roundrobin"], ["roundrobin", "range"]]).selectProtocol() == "range")
        #expect(group([["roundrobin", "range"], ["range", "roundrobin"]]).selectProtocol() == "range", "member order does not matter")
        #expect(group([["roundrobin", "sticky"], ["sticky", "roundrobin"]]).selectProtocol() == "sticky")
    }

    @Test func fiveWayTieFollowsTheHashTrieOrder() {
        // Five distinct votes make Scala build a hash trie; "e" has the lowest five-bit group.
        let all = ["a", "b", "c", "d", "e"]
        let members = all.map { first in [first] + all.filter { $0 != first } }
        #expect(ScalaMapOrder.groupByOrder(of: all) == ["e", "a", "b", "c", "d"])
        #expect(group(members).selectProtocol() == "e")
    }
}
