import GroupCoordinator

/// The group counts of `kafka.coordinator.group:type=GroupMetadataManager` (`NumGroups`,
/// `NumGroupsPreparingRebalance`, …), from the states of the groups this coordinator owns.
struct GroupCountsByState: Equatable {
    /// The gauges' names, in the order of `inNameOrder`.
    static let names = [
        "NumGroupsPreparingRebalance", "NumGroupsCompletingRebalance", "NumGroupsStable", "NumGroupsDead", "NumGroupsEmpty",
    ]
    var total = 0
    var inNameOrder = [0, 0, 0, 0, 0]

    init(_ states: [GroupState]) {
        total = states.count
        for state in states {
            switch state {
            case .preparingRebalance: inNameOrder[0] += 1
            case .completingRebalance: inNameOrder[1] += 1
            case .stable: inNameOrder[2] += 1
            case .dead: inNameOrder[3] += 1
            case .empty: inNameOrder[4] += 1
            }
        }
    }
}
