import KafkaProtocol

/// LeaveGroup: the decisions of Kafka 2.3's `handleLeaveGroup` (one member per request, v0–2).
extension GroupMetadata {
    /// Decides a LeaveGroup: the member is dropped at once, without waiting for its session to
    /// expire, and the others rebalance (or, in PreparingRebalance, the rebalance stops waiting
    /// for it). A pending member id (handed out with MEMBER_ID_REQUIRED) is forgotten. A Dead group
    /// answers COORDINATOR_NOT_AVAILABLE and an unknown member UNKNOWN_MEMBER_ID; the broker
    /// answers UNKNOWN_MEMBER_ID itself for a group it does not know.
    public mutating func handleLeaveGroup(
        memberId: String, token: GroupRequestToken, now: Int64, config: GroupConfig
    ) -> [GroupAction] {
        if state == .dead {
            return [.respondLeave(token, .coordinatorNotAvailable)]
        }
        if isPendingMember(memberId) {
            return removePendingMemberAndUpdateGroup(memberId, now: now, config: config) + [.respondLeave(token, .none)]
        }
        guard has(memberId: memberId) else {
            return [.respondLeave(token, .unknownMemberId)]
        }
        updateMember(memberId) { $0.isLeaving = true }
        return removeMemberAndUpdateGroup(memberId, reason: "removing member \(memberId) on LeaveGroup", now: now, config: config)
            + [.respondLeave(token, .none)]
    }
}
