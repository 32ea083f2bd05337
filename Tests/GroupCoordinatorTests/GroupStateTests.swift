@testable import GroupCoordinator
import Testing

@Suite struct GroupStateTests {
    /// Kafka 2.3's table of valid previous states, written out pair by pair.
    static let validMoves: Set<String> = [
        "PreparingRebalance→Empty",
        "Stable→PreparingRebalance", "CompletingRebalance→PreparingRebalance", "Empty→PreparingRebalance",
        "PreparingRebalance→CompletingRebalance",
        "CompletingRebalance→Stable",
        "Stable→Dead", "PreparingRebalance→Dead", "CompletingRebalance→Dead", "Empty→Dead", "Dead→Dead",
    ]

    static let allPairs: [(GroupState, GroupState)] = GroupState.allCases.flatMap { from in
        GroupState.allCases.map { (from, $0) }
    }

    @Test(arguments: allPairs)
    func everyTransitionIsAllowedExactlyWhenKafkaAllowsIt(_ from: GroupState, _ to: GroupState) throws {
        var group = GroupMetadata(groupId: "g", state: from)
        let allowed = Self.validMoves.contains("\(from)→\(to)")
        if allowed {
            try group.transition(to: to, now: 42)
            #expect(group.state == to)
            #expect(group.currentStateTimestamp == 42)
        } else {
            #expect(throws: InvalidGroupStateTransition(groupId: "g", from: from, to: to)) {
                try group.transition(to: to, now: 42)
            }
            #expect(group.state == from, "a refused transition leaves the state unchanged")
            #expect(group.currentStateTimestamp == nil)
        }
    }

    @Test func canRebalanceOnlyFromEmptyCompletingAndStable() {
        let rebalancing = GroupState.allCases.filter { GroupMetadata(groupId: "g", state: $0).canRebalance }
        #expect(Set(rebalancing) == [.empty, .completingRebalance, .stable])
    }

    @Test func statesPrintKafkasNames() {
        #expect(GroupState.allCases.map(\.description) == ["Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead"])
    }
}
