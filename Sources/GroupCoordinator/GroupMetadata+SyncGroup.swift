import KafkaProtocol
import NIOCore

/// SyncGroup: the decisions of Kafka 2.3's `handleSyncGroup` / `doSyncGroup`.
///
/// After a rebalance every member sends SyncGroup. The followers' requests are parked; the
/// leader's carries the assignment it computed from the metadata it received in its JoinGroup
/// answer. The coordinator writes the group with that assignment to its `__consumer_offsets`
/// partition and, once the write is done, answers every parked SyncGroup with the member's share
/// and the group becomes Stable. A member that syncs after that gets its share at once.
extension GroupMetadata {
    /// Decides a SyncGroup. `assignment` (member id → assignment bytes) is empty except from the
    /// leader. The broker has checked the group id and that it coordinates the group; it answers
    /// UNKNOWN_MEMBER_ID itself for a group it does not know, and REBALANCE_IN_PROGRESS while the
    /// group's partition is still loading (the rebalance in flight is lost, so members rejoin).
    public mutating func handleSyncGroup(
        memberId: String, groupInstanceId: String?, generationId requestGeneration: Int32,
        assignment: [String: ByteBuffer], token: GroupRequestToken, now: Int64
    ) -> [GroupAction] {
        if state == .dead {
            return [.respondSync(token, .error(.coordinatorNotAvailable))]
        }
        if isStaticMemberFenced(memberId: memberId, groupInstanceId: groupInstanceId) {
            return [.respondSync(token, .error(.fencedInstanceId))]
        }
        guard let member = members[memberId] else {
            return [.respondSync(token, .error(.unknownMemberId))]
        }
        guard requestGeneration == generationId else {
            return [.respondSync(token, .error(.illegalGeneration))]
        }
        switch state {
        case .empty, .dead:
            return [.respondSync(token, .error(.unknownMemberId))]
        case .preparingRebalance:
            return [.respondSync(token, .error(.rebalanceInProgress))]
        case .completingRebalance:
            updateMember(memberId) { $0.awaitingSync = token }
            guard isLeader(memberId) else { return [] }
            // Members the leader left out get an empty assignment.
            var complete = assignment
            for id in memberIds where complete[id] == nil { complete[id] = ByteBuffer() }
            return [.storeGroup(StoreGroup(generationId: generationId, assignment: complete))]
        case .stable:
            return [.respondSync(token, SyncGroupResult(errorCode: .none, assignment: member.assignment))]
                + completeAndScheduleNextHeartbeatExpiration(memberId, now: now)
        }
    }

    /// The owner calls this when the write of a ``StoreGroup`` completes with `error` (NONE on
    /// success). For the leader's assignment, if the group is still completing the same
    /// generation: on success every member gets its assignment and the group is Stable; on failure
    /// the parked SyncGroups get the error and the group rebalances. A write that completes after
    /// the group moved on changes nothing, and the write of an empty group needs nothing more.
    public mutating func onStoreGroupCompleted(_ store: StoreGroup, error: ErrorCode, now: Int64, config: GroupConfig) -> [GroupAction] {
        guard state == .completingRebalance, store.generationId == generationId else { return [] }
        if error != .none {
            // The write was the leader's assignment, from its SyncGroup.
            let reason = "error when storing group assignment during SyncGroup (member: \(leaderId ?? ""))"
            return resetAndPropagateAssignmentError(error, now: now) + maybePrepareRebalance(reason: reason, now: now, config: config)
        }
        for id in memberIds {
            updateMember(id) { $0.assignment = store.assignment[id] ?? ByteBuffer() }
        }
        let actions = propagateAssignment(.none, now: now)
        // Guarded: Stable follows CompletingRebalance.
        try? transition(to: .stable, now: now)
        return actions
    }
}
