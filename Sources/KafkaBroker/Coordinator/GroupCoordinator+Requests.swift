import GroupCoordinator
import KafkaCommon
import KafkaProtocol
import NIOCore
import Synchronization

/// The coordinator's entry points for the group APIs (Kafka's `GroupCoordinator.handle…`). Each
/// answers through its callback exactly once, now or when the group decides later; none blocks.
extension GroupCoordinator {
    func handleJoinGroup(groupId: String, _ request: JoinGroupParameters, respond: @escaping @Sendable (JoinGroupResult) -> Void) {
        if groupId.isEmpty { return respond(.error(.invalidGroupId, memberId: request.memberId)) }
        let token = register(.join(respond))
        let config = config
        let suffix = Self.memberIdSuffix()
        decide(groupId) { group, status, now in
            if let status { return [.respondJoin(token, .error(status, memberId: request.memberId))] }
            return GroupMetadata.handleJoinGroup(
                group: &group, groupId: groupId, request: request, token: token, memberIdSuffix: suffix, now: now,
                config: config)
        }
    }

    func handleSyncGroup(
        groupId: String, memberId: String, groupInstanceId: String?, generationId: Int32,
        assignment: [String: ByteBuffer], respond: @escaping @Sendable (SyncGroupResult) -> Void
    ) {
        if groupId.isEmpty { return respond(.error(.invalidGroupId)) }
        let token = register(.sync(respond))
        decide(groupId) { group, status, now in
            switch status {
            case .coordinatorLoadInProgress?: return [.respondSync(token, .error(.rebalanceInProgress))]
            case let error?: return [.respondSync(token, .error(error))]
            case nil: break
            }
            guard group != nil else { return [.respondSync(token, .error(.unknownMemberId))] }
            return group!.handleSyncGroup(
                memberId: memberId, groupInstanceId: groupInstanceId, generationId: generationId,
                assignment: assignment, token: token, now: now)
        }
    }

    func handleHeartbeat(
        groupId: String, memberId: String, groupInstanceId: String?, generationId: Int32,
        respond: @escaping @Sendable (ErrorCode) -> Void
    ) {
        if groupId.isEmpty { return respond(.invalidGroupId) }
        let token = register(.heartbeat(respond))
        decide(groupId) { group, status, now in
            switch status {
            case .coordinatorLoadInProgress?: return [.respondHeartbeat(token, .none)]
            case let error?: return [.respondHeartbeat(token, error)]
            case nil: break
            }
            guard group != nil else { return [.respondHeartbeat(token, .unknownMemberId)] }
            return group!.handleHeartbeat(
                memberId: memberId, groupInstanceId: groupInstanceId, generationId: generationId, token: token, now: now)
        }
    }

    func handleLeaveGroup(groupId: String, memberId: String, respond: @escaping @Sendable (ErrorCode) -> Void) {
        if groupId.isEmpty { return respond(.invalidGroupId) }
        let token = register(.leave(respond))
        let config = config
        decide(groupId) { group, status, now in
            if let status { return [.respondLeave(token, status)] }
            guard group != nil else { return [.respondLeave(token, .unknownMemberId)] }
            return group!.handleLeaveGroup(memberId: memberId, token: token, now: now, config: config)
        }
    }

    /// OffsetCommit (Kafka's `handleCommitOffsets`): a group member's commit at its generation, or
    /// a commit with generation -1 for a group without members (creating it Empty if unknown).
    /// Metadata longer than `offset.metadata.max.bytes` is OFFSET_METADATA_TOO_LARGE for its
    /// partition; the others are written and answered once acknowledged.
    func handleCommitOffsets(
        groupId: String, memberId: String, groupInstanceId: String?, generationId: Int32,
        offsets: [TopicPartition: OffsetCommitValue], respond: @escaping @Sendable ([TopicPartition: ErrorCode]) -> Void
    ) {
        let now = time.milliseconds
        var verdict: ErrorCode = .none
        var actions: [GroupAction] = []
        manager.withGroup(groupId) { slot, status in
            if let status {
                verdict = status
                return
            }
            guard var group = slot.group else {
                if generationId < 0 {
                    slot.group = GroupMetadata(groupId: groupId, state: .empty, now: now)
                } else {
                    verdict = .illegalGeneration
                }
                return
            }
            (verdict, actions) = group.validateOffsetCommit(
                memberId: memberId, groupInstanceId: groupInstanceId, generationId: generationId, now: now)
            slot.group = group
        }
        perform(actions, groupId: groupId, snapshot: nil)
        guard verdict == .none else { return respond(offsets.mapValues { _ in verdict }) }
        var errors: [TopicPartition: ErrorCode] = [:]
        var valid: [TopicPartition: OffsetCommitValue] = [:]
        for (tp, value) in offsets {
            if value.metadata.utf8.count > Int(offsetMetadataMaxBytes) {
                errors[tp] = .offsetMetadataTooLarge
            } else {
                valid[tp] = value
            }
        }
        let refused = errors
        manager.storeOffsets(groupId: groupId, offsets: valid) { stored in
            respond(refused.merging(stored) { $1 })
        }
    }

    /// OffsetFetch (Kafka's `handleFetchOffsets`): the error for the whole request, or each
    /// requested partition's committed offset (nil when none); all the group's when `partitions`
    /// is nil.
    func handleFetchOffsets(groupId: String, partitions: [TopicPartition]?) -> (ErrorCode, [(TopicPartition, OffsetCommitValue?)]) {
        manager.withGroup(groupId) { slot, status in
            if let status { return (status, []) }
            return (.none, manager.fetchOffsets(slot, partitions: partitions))
        }
    }

    /// ListGroups: the groups this broker coordinates; COORDINATOR_LOAD_IN_PROGRESS (with those
    /// loaded so far) while a partition is loading.
    func handleListGroups() -> (ErrorCode, [GroupOverview]) {
        let (groups, isLoading) = manager.currentGroups()
        let overviews = groups.filter { $0.state != .dead }.map(\.overview).sorted { $0.groupId < $1.groupId }
        return (isLoading ? .coordinatorLoadInProgress : .none, overviews)
    }

    /// DescribeGroups for one group: an error, or its summary (Dead for a group it does not know).
    func handleDescribeGroup(_ groupId: String) -> (ErrorCode, GroupSummary) {
        manager.withGroup(groupId) { slot, status in
            if let status { return (status, .noGroup) }
            return (.none, slot.group?.summary ?? .dead)
        }
    }

    /// DeleteGroups (Kafka's `handleDeleteGroups`): an Empty group becomes Dead, is forgotten with
    /// its offsets, and tombstones are written for both; a group with members is NON_EMPTY_GROUP,
    /// an unknown or Dead one GROUP_ID_NOT_FOUND. `respond` gets every group's error once the
    /// tombstones are written.
    func handleDeleteGroups(_ groupIds: [String], respond: @escaping @Sendable ([String: ErrorCode]) -> Void) {
        let now = time.milliseconds
        var results: [String: ErrorCode] = [:]
        var deleted: [(groupId: String, partitions: [TopicPartition], generationId: Int32)] = []
        for groupId in groupIds {
            if groupId.isEmpty {
                results[groupId] = .invalidGroupId
                continue
            }
            manager.withGroup(groupId) { slot, status in
                if let status {
                    results[groupId] = status
                } else if var group = slot.group, group.state != .dead {
                    guard group.state == .empty else {
                        results[groupId] = .nonEmptyGroup
                        return
                    }
                    try? group.transition(to: .dead, now: now)
                    slot.group = nil
                    deleted.append((groupId, Array(slot.offsets.keys), group.generationId))
                    slot.offsets = [:]
                    slot.pendingTransactionalOffsets.removeAll()
                } else {
                    results[groupId] = .groupIdNotFound
                }
            }
        }
        guard !deleted.isEmpty else { return respond(results) }
        let pending = Mutex((remaining: deleted.count, results: results))
        for (groupId, partitions, generationId) in deleted {
            manager.storeGroupDeletion(groupId: groupId, partitions: partitions, generationId: generationId) { error in
                let done: [String: ErrorCode]? = pending.withLock { pending in
                    pending.results[groupId] = error
                    pending.remaining -= 1
                    return pending.remaining == 0 ? pending.results : nil
                }
                if let done { respond(done) }
            }
        }
    }
}
