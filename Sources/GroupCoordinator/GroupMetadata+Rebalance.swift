import KafkaProtocol

/// Starting and completing rebalances, and the delayed operations that drive them (Kafka's
/// `prepareRebalance`, `DelayedJoin`, `InitialDelayedJoin` and `onCompleteJoin`).
extension GroupMetadata {
    /// Starts a rebalance if the state allows one (Empty, CompletingRebalance, Stable); in
    /// PreparingRebalance one is under way already, and a Dead group never rebalances.
    mutating func maybePrepareRebalance(reason: String, now: Int64, config: GroupConfig) -> [GroupAction] {
        guard canRebalance else { return [] }
        return prepareRebalance(reason: reason, now: now, config: config)
    }

    /// Kafka's `prepareRebalance`: members waiting for an assignment are told to rejoin
    /// (REBALANCE_IN_PROGRESS), the group moves to PreparingRebalance, and the wait for members is
    /// armed. An empty group's first rebalance waits `group.initial.rebalance.delay.ms` whatever
    /// happens, so that consumers started together join one rebalance; later rebalances wait at
    /// most the longest rebalance timeout and end as soon as every member has rejoined. `reason`
    /// is kept in ``rebalanceReason`` for the log.
    mutating func prepareRebalance(reason: String, now: Int64, config: GroupConfig) -> [GroupAction] {
        var actions: [GroupAction] = []
        if state == .completingRebalance {
            actions += resetAndPropagateAssignmentError(.rebalanceInProgress, now: now)
        }
        let kind: DelayedJoin.Kind
        let delayMs: Int64
        if state == .empty {
            let configured = Int64(config.initialRebalanceDelayMs)
            kind = .initial(configuredDelayMs: configured, remainingMs: max(Int64(rebalanceTimeoutMs) - configured, 0))
            delayMs = configured
        } else {
            kind = .rebalance
            delayMs = Int64(rebalanceTimeoutMs)
        }
        // Guarded by canRebalance: PreparingRebalance follows Empty, CompletingRebalance and Stable.
        try? transition(to: .preparingRebalance, now: now)
        rebalanceReason = reason
        actions += armDelayedJoin(kind, delayMs: delayMs, now: now, config: config)
        return actions
    }

    /// Arms a join operation and, as the purgatory's `tryCompleteElseWatch` does, completes it at
    /// once if it may.
    mutating func armDelayedJoin(_ kind: DelayedJoin.Kind, delayMs: Int64, now: Int64, config: GroupConfig) -> [GroupAction] {
        nextDelayedJoinId += 1
        let operation = DelayedJoin(id: nextDelayedJoinId, kind: kind, deadline: now + delayMs, delayMs: delayMs)
        delayedJoin = operation
        return [.scheduleJoin(operation)] + tryCompleteJoin(now: now, config: config)
    }

    /// Kafka's `tryCompleteJoin` on the current join operation (the purgatory's `checkAndComplete`
    /// under the group's key): a rebalance wait completes once every member has rejoined; the
    /// initial wait never completes early.
    mutating func tryCompleteJoin(now: Int64, config: GroupConfig) -> [GroupAction] {
        guard let operation = delayedJoin, operation.kind == .rebalance, hasAllMembersJoined else { return [] }
        delayedJoin = nil
        return onCompleteJoin(now: now, config: config)
    }

    /// The owner calls this when a ``DelayedJoin``'s deadline passes. A stale operation (completed
    /// already, or replaced) is ignored. An initial wait during which new members arrived waits
    /// again, for the configured delay or what is left of the rebalance timeout; otherwise the
    /// rebalance completes with whoever has rejoined.
    public mutating func onDelayedJoinExpired(_ operation: DelayedJoin, now: Int64, config: GroupConfig) -> [GroupAction] {
        guard delayedJoin?.id == operation.id else { return [] }
        delayedJoin = nil
        if case let .initial(configured, remaining) = operation.kind, newMemberAdded, remaining != 0 {
            newMemberAdded = false
            let delay = min(configured, remaining)
            let left = max(remaining - operation.delayMs, 0)
            nextDelayedJoinId += 1
            let next = DelayedJoin(
                id: nextDelayedJoinId, kind: .initial(configuredDelayMs: configured, remainingMs: left),
                deadline: now + delay, delayMs: delay)
            delayedJoin = next
            return [.scheduleJoin(next)]
        }
        return onCompleteJoin(now: now, config: config)
    }

    /// Kafka's `onCompleteJoin`: the end of PreparingRebalance.
    /// - Dynamic members that did not rejoin are dropped (static ones are kept until their session
    ///   times out, so that a restarting instance finds its place).
    /// - If members remain but none rejoined, the rebalance waits once more.
    /// - Otherwise the next generation starts: an empty group becomes Empty and is written to the
    ///   log; a group with members moves to CompletingRebalance, every parked JoinGroup is answered
    ///   (the leader's with all members' metadata) and heartbeat expectations start.
    mutating func onCompleteJoin(now: Int64, config: GroupConfig) -> [GroupAction] {
        for failed in notYetRejoinedMembers where !failed.isStaticMember {
            remove(memberId: failed.memberId)
            removeStaticMember(failed.groupInstanceId)
        }
        if state == .dead { return [] }
        if !maybeElectNewJoinedLeader() && !members.isEmpty {
            return armDelayedJoin(.rebalance, delayMs: Int64(rebalanceTimeoutMs), now: now, config: config)
        }
        // Guarded: the group is in PreparingRebalance here (the only state with a join operation
        // that is not Dead).
        guard (try? initNextGeneration(now: now)) != nil else { return [] }
        if state == .empty {
            return [.storeGroup(StoreGroup(generationId: generationId, assignment: [:]))]
        }
        var actions: [GroupAction] = []
        for member in allMembers {
            if let token = member.awaitingJoin {
                actions.append(.respondJoin(token, currentGenerationResult(for: member.memberId, includeMembers: isLeader(member.memberId))))
                updateMember(member.memberId) { $0.awaitingJoin = nil }
            }
            actions += completeAndScheduleNextHeartbeatExpiration(member.memberId, now: now)
            updateMember(member.memberId) { $0.isNew = false }
        }
        return actions
    }

    /// Kafka's `removeMemberAndUpdateGroup`: drops a member (answering its parked JoinGroup with
    /// UNKNOWN_MEMBER_ID) and rebalances the others; in PreparingRebalance, its departure may be
    /// what the rebalance was waiting for. `reason` is the rebalance's, should one start.
    mutating func removeMemberAndUpdateGroup(_ memberId: String, reason: String, now: Int64, config: GroupConfig) -> [GroupAction] {
        guard let member = members[memberId] else { return [] }
        var actions: [GroupAction] = []
        if let token = member.awaitingJoin {
            actions.append(.respondJoin(token, .error(.unknownMemberId, memberId: Self.unknownMemberId)))
        }
        remove(memberId: memberId)
        removeStaticMember(member.groupInstanceId)
        switch state {
        case .dead, .empty: break
        case .stable, .completingRebalance: actions += maybePrepareRebalance(reason: reason, now: now, config: config)
        case .preparingRebalance: actions += tryCompleteJoin(now: now, config: config)
        }
        return actions
    }

    /// Answers every parked SyncGroup with `error` and no assignment, after clearing all
    /// assignments (Kafka's `resetAndPropagateAssignmentError`).
    mutating func resetAndPropagateAssignmentError(_ error: ErrorCode, now: Int64) -> [GroupAction] {
        for id in memberIds { updateMember(id) { $0.assignment = .init() } }
        return propagateAssignment(error, now: now)
    }

    /// Answers every parked SyncGroup with the member's assignment and `error`, and restarts
    /// those members' heartbeat expectations (their sessions were not checked while they waited).
    mutating func propagateAssignment(_ error: ErrorCode, now: Int64) -> [GroupAction] {
        var actions: [GroupAction] = []
        for member in allMembers {
            guard let token = member.awaitingSync else { continue }
            actions.append(.respondSync(token, SyncGroupResult(errorCode: error, assignment: member.assignment)))
            updateMember(member.memberId) { $0.awaitingSync = nil }
            actions += completeAndScheduleNextHeartbeatExpiration(member.memberId, now: now)
        }
        return actions
    }
}
