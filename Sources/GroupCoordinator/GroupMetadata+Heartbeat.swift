import KafkaProtocol

/// Heartbeats and session expiry: the decisions of Kafka 2.3's `handleHeartbeat`, its
/// `DelayedHeartbeat` (`tryCompleteHeartbeat`, `onExpireHeartbeat`) and
/// `completeAndScheduleNextHeartbeatExpiration`.
///
/// A member proves it is alive by heartbeating more often than its session timeout. Each
/// heartbeat (and each join or sync answer) moves the member's deadline forward: the group returns
/// a new ``DelayedHeartbeat``, and the previous one becomes harmless, because an expiry re-checks
/// the member's latest heartbeat against its own deadline. A member whose deadline passes without
/// news is dropped and the others rebalance. Heartbeats are also how members learn that a
/// rebalance started: the answer is REBALANCE_IN_PROGRESS, and the member rejoins.
extension GroupMetadata {
    /// Decides a Heartbeat. The broker has checked the group id and that it coordinates the group;
    /// for a group it does not know it answers UNKNOWN_MEMBER_ID without calling this.
    public mutating func handleHeartbeat(
        memberId: String, groupInstanceId: String?, generationId requestGeneration: Int32,
        token: GroupRequestToken, now: Int64
    ) -> [GroupAction] {
        let error: ErrorCode
        var actions: [GroupAction] = []
        if state == .dead {
            error = .coordinatorNotAvailable
        } else if isStaticMemberFenced(memberId: memberId, groupInstanceId: groupInstanceId) {
            error = .fencedInstanceId
        } else if !has(memberId: memberId) {
            error = .unknownMemberId
        } else if requestGeneration != generationId {
            error = .illegalGeneration
        } else {
            switch state {
            case .empty:
                error = .unknownMemberId
            case .completingRebalance:
                // Kafka 2.3 neither answers NONE nor moves the deadline here (later versions do):
                // the member should be sending SyncGroup, which keeps it alive while it waits.
                error = .rebalanceInProgress
            case .preparingRebalance:
                actions = completeAndScheduleNextHeartbeatExpiration(memberId, now: now)
                error = .rebalanceInProgress
            case .stable:
                actions = completeAndScheduleNextHeartbeatExpiration(memberId, now: now)
                error = .none
            case .dead:
                error = .coordinatorNotAvailable
            }
        }
        return actions + [.respondHeartbeat(token, error)]
    }

    /// Forgets a pending member id; a rebalance may have been waiting only for it.
    mutating func removePendingMemberAndUpdateGroup(_ memberId: String, now: Int64, config: GroupConfig) -> [GroupAction] {
        removePendingMember(memberId)
        return state == .preparingRebalance ? tryCompleteJoin(now: now, config: config) : []
    }

    /// Records that `memberId` is alive now and returns its next session deadline.
    mutating func completeAndScheduleNextHeartbeatExpiration(_ memberId: String, now: Int64) -> [GroupAction] {
        guard let member = members[memberId] else { return [] }
        return completeAndScheduleNextExpiration(memberId, timeoutMs: Int64(member.sessionTimeoutMs), now: now)
    }

    /// Records that `memberId` is alive now and returns a deadline `timeoutMs` away.
    mutating func completeAndScheduleNextExpiration(_ memberId: String, timeoutMs: Int64, now: Int64) -> [GroupAction] {
        guard members[memberId] != nil else { return [] }
        updateMember(memberId) { $0.latestHeartbeat = now }
        return [.scheduleHeartbeat(DelayedHeartbeat(memberId: memberId, isPending: false, deadline: now + timeoutMs, timeoutMs: timeoutMs))]
    }

    /// Whether `operation` may complete without expiring (Kafka's `tryCompleteHeartbeat`): a pending
    /// member id that has joined; a member that proved alive since, waits in a rebalance or a sync,
    /// or is leaving; or a member already gone. The owner may use it to free the operation early.
    public func isHeartbeatSatisfied(_ operation: DelayedHeartbeat) -> Bool {
        if operation.isPending { return has(memberId: operation.memberId) || !isPendingMember(operation.memberId) }
        guard let member = members[operation.memberId] else { return true }
        return member.shouldKeepAlive(deadline: operation.deadline) || member.isLeaving
    }

    /// The owner calls this when a ``DelayedHeartbeat``'s deadline passes (Kafka's
    /// `onExpireHeartbeat`): a pending member id that never came back is forgotten (which may let
    /// a rebalance complete); a member that has not proved alive by the deadline is dropped and
    /// the group rebalances (unless it is Empty or Dead). Anything else (a member gone already, or
    /// alive) changes nothing.
    public mutating func onHeartbeatExpired(_ operation: DelayedHeartbeat, now: Int64, config: GroupConfig) -> [GroupAction] {
        if operation.isPending {
            return removePendingMemberAndUpdateGroup(operation.memberId, now: now, config: config)
        }
        guard let member = members[operation.memberId], !member.shouldKeepAlive(deadline: operation.deadline) else {
            return []
        }
        return removeMemberAndUpdateGroup(
            operation.memberId, reason: "removing member \(operation.memberId) on heartbeat expiration", now: now, config: config)
    }
}
