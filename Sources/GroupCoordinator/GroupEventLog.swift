/// The INFO lines Kafka 2.3's GroupCoordinator writes as a group moves through a rebalance, worked
/// out from the group before and after one decision (so the pure state machine stays free of
/// logging and the broker logs what changed).
///
/// Kafka's wording is kept, so a log read next to Apache Kafka's reads the same:
/// `Preparing to rebalance group g in state PreparingRebalance with old generation 1
/// (__consumer_offsets-12)`, `Stabilized group g generation 2 (__consumer_offsets-12)`,
/// `Assignment received from leader for group g for generation 2`, `Member m in group g has
/// failed, removing it from the group`, `Group g with generation 3 is now empty
/// (__consumer_offsets-12)`. The "Preparing to rebalance" line ends with the rebalance's reason,
/// as Kafka 2.3's does: `(reason: Adding new member m with group instanceid None)`.
public enum GroupEventLog {
    /// What of a group the log lines depend on.
    public struct Snapshot: Equatable, Sendable {
        public var state: GroupState
        public var generationId: Int32
        public var memberIds: Set<String>
        /// Why the group last started a rebalance (``GroupMetadata/rebalanceReason``).
        public var rebalanceReason: String?

        public init(state: GroupState, generationId: Int32, memberIds: Set<String>, rebalanceReason: String? = nil) {
            self.state = state
            self.generationId = generationId
            self.memberIds = memberIds
            self.rebalanceReason = rebalanceReason
        }

        public init(_ group: GroupMetadata) {
            self.init(
                state: group.state, generationId: group.generationId, memberIds: Set(group.members.keys),
                rebalanceReason: group.rebalanceReason)
        }
    }

    /// Why members missing after the decision went: `has left` (LeaveGroup) or `has failed`
    /// (session timeout).
    public enum Removal: String, Sendable {
        case left = "has left"
        case failed = "has failed"
    }

    /// The lines for one decision on `groupId`, whose offsets partition is `partition`, in the
    /// order Kafka writes them: removed members, then the state change.
    public static func lines(
        groupId: String, partition: Int32, before: Snapshot?, after: Snapshot?, removal: Removal = .left
    ) -> [String] {
        let topicPartition = "__consumer_offsets-\(partition)"
        var lines: [String] = []
        if let before {
            let removed = before.memberIds.subtracting(after?.memberIds ?? []).sorted()
            lines += removed.map { "Member \($0) in group \(groupId) \(removal.rawValue), removing it from the group" }
        }
        guard let after, after.state != before?.state else { return lines }
        switch after.state {
        case .preparingRebalance:
            let old = before?.generationId ?? after.generationId
            let reason = after.rebalanceReason.map { " (reason: \($0))" } ?? ""
            lines.append("Preparing to rebalance group \(groupId) in state PreparingRebalance with old generation \(old) (\(topicPartition))\(reason)")
        case .completingRebalance:
            lines.append("Stabilized group \(groupId) generation \(after.generationId) (\(topicPartition))")
        case .stable where before?.state == .completingRebalance:
            lines.append("Assignment received from leader for group \(groupId) for generation \(after.generationId)")
        case .stable:
            // A rebalance in which every member kept its assignment (a static member's return).
            lines.append("Stabilized group \(groupId) generation \(after.generationId) (\(topicPartition))")
        case .empty where before != nil:
            lines.append("Group \(groupId) with generation \(after.generationId) is now empty (\(topicPartition))")
        case .empty, .dead:
            break
        }
        return lines
    }
}
