import KafkaProtocol

/// JoinGroup: the decisions of Kafka 2.3's `GroupCoordinator.handleJoinGroup`.
///
/// How a rebalance goes, seen from the coordinator:
/// 1. A consumer that wants to be in the group sends JoinGroup with the protocols it can use (for a
///    consumer: the assignors it knows, each with its subscription). A new consumer has no member
///    id yet; the coordinator makes one (`<client id>-<UUID>`). From JoinGroup v4 it hands the id
///    back at once with MEMBER_ID_REQUIRED and the consumer joins again with it, so that a consumer
///    whose first JoinGroup times out does not leave a ghost member behind.
/// 2. A join from a new member, or from a member whose protocols changed, or from the leader,
///    starts a rebalance: the group goes to PreparingRebalance and every member must send JoinGroup
///    again. The coordinator parks the JoinGroups (members learn of the rebalance from their
///    heartbeats, which answer REBALANCE_IN_PROGRESS) until all known members have rejoined or the
///    longest rebalance timeout has passed; members that did not rejoin by then are dropped.
/// 3. The coordinator then starts a new generation: it picks the protocol by vote and answers
///    every parked JoinGroup. The leader (the first member to have joined) gets every member's
///    metadata; the others get only the generation, the protocol and the leader's id.
/// 4. SyncGroup (``GroupMetadata/handleSyncGroup(memberId:groupInstanceId:generationId:assignment:token:now:)``)
///    carries the leader's assignment to everyone.
///
/// Generations fence the past: a request carrying an older generation gets ILLEGAL_GENERATION, one
/// from a member the group dropped gets UNKNOWN_MEMBER_ID, and the member must join again.
///
/// Static members (KIP-345, JoinGroup v5) carry a `group.instance.id` that survives restarts. A
/// static member that restarts within its session timeout comes back without its member id; the
/// coordinator recognises the instance, gives it a new member id in its old place (with its old
/// assignment) and does not rebalance, so a rolling restart does not shuffle partitions. Its old
/// member id is fenced from then on (FENCED_INSTANCE_ID), which also stops a duplicate instance.
/// A static member that stays away longer than its session timeout is dropped like any other.
extension GroupMetadata {
    /// Decides a JoinGroup for the group `group`, which is nil when the coordinator knows no such
    /// group: only a member without a member id may create it (as an Empty group); any other gets
    /// UNKNOWN_MEMBER_ID. The broker has checked the group id and that it coordinates the group.
    ///
    /// - Parameters:
    ///   - token: identifies this request in the returned ``GroupAction/respondJoin(_:_:)``, which
    ///     may come now or from a later call when the rebalance completes.
    ///   - memberIdSuffix: a fresh UUID string for a member id the coordinator may need to make.
    public static func handleJoinGroup(
        group: inout GroupMetadata?, groupId: String, request: JoinGroupParameters,
        token: GroupRequestToken, memberIdSuffix: String, now: Int64, config: GroupConfig
    ) -> [GroupAction] {
        if let existing = group {
            var updated = existing
            let actions = updated.handleJoinGroup(
                request, token: token, memberIdSuffix: memberIdSuffix, now: now, config: config)
            group = updated
            return actions
        }
        guard validSessionTimeout(request.sessionTimeoutMs, config) else {
            return [.respondJoin(token, .error(.invalidSessionTimeout, memberId: request.memberId))]
        }
        guard request.isUnknownMember else {
            return [.respondJoin(token, .error(.unknownMemberId, memberId: request.memberId))]
        }
        var created = GroupMetadata(groupId: groupId, state: .empty, now: now)
        let actions = created.handleJoinGroup(
            request, token: token, memberIdSuffix: memberIdSuffix, now: now, config: config)
        group = created
        return actions
    }

    /// Decides a JoinGroup for this group; see ``handleJoinGroup(group:groupId:request:token:memberIdSuffix:now:config:)``.
    public mutating func handleJoinGroup(
        _ request: JoinGroupParameters, token: GroupRequestToken, memberIdSuffix: String,
        now: Int64, config: GroupConfig
    ) -> [GroupAction] {
        guard Self.validSessionTimeout(request.sessionTimeoutMs, config) else {
            return [.respondJoin(token, .error(.invalidSessionTimeout, memberId: request.memberId))]
        }
        var actions: [GroupAction]
        let isOverCapacity = size > Int(config.maxSize)
        if (isOverCapacity && members[request.memberId].map { !$0.isAwaitingJoin } == true)
            || (request.isUnknownMember && size >= Int(config.maxSize))
        {
            // An oversized group (group.max.size was lowered) sheds the members that have not
            // rejoined yet; a new member cannot join a full group.
            remove(memberId: request.memberId)
            removeStaticMember(request.groupInstanceId)
            actions = [.respondJoin(token, .error(.groupMaxSizeReached, memberId: Self.unknownMemberId))]
        } else if request.isUnknownMember {
            actions = joinUnknownMember(request, token: token, memberIdSuffix: memberIdSuffix, now: now, config: config)
        } else {
            actions = joinKnownMember(request, token: token, now: now, config: config)
        }
        if state == .preparingRebalance {
            actions += tryCompleteJoin(now: now, config: config)
        }
        return actions
    }

    static func validSessionTimeout(_ timeoutMs: Int32, _ config: GroupConfig) -> Bool {
        timeoutMs >= config.minSessionTimeoutMs && timeoutMs <= config.maxSessionTimeoutMs
    }

    /// A member id for a new member (Kafka 2.3's `generateMemberId`): for a dynamic member its
    /// client id, a dash and a UUID; for a static member its instance id, a dash and the time the
    /// group entered its current state (so an instance that restarts twice while the group stays in
    /// one state gets the same member id twice, as on Kafka 2.3).
    func makeMemberId(_ request: JoinGroupParameters, suffix uuid: String) -> String {
        if let instanceId = request.groupInstanceId {
            return instanceId + "-" + String(currentStateTimestamp ?? -1)
        }
        return request.clientId + "-" + uuid
    }

    /// A static member that comes back without its member id (it restarted): Kafka 2.3's static
    /// branch of `doUnknownJoinGroup`. It takes its old place under a new member id, keeping its
    /// assignment and its place as leader; requests of the old incarnation still parked are
    /// answered FENCED_INSTANCE_ID. The group does not rebalance for it: in Stable and
    /// CompletingRebalance it is answered at once with the current generation (and no member
    /// list, even if it leads), and in PreparingRebalance its JoinGroup waits with the others.
    ///
    /// As in Kafka 2.3.0, the answer names the leader as it was before the replacement, so a
    /// restarted leader is told that its old member id leads.
    private mutating func rejoinStaticMember(
        instanceId: String, oldMemberId: String, newMemberId: String, protocols: [GroupProtocol],
        token: GroupRequestToken, now: Int64
    ) -> [GroupAction] {
        let previousLeader = leaderId
        guard let (_, fenced) = replaceGroupInstance(
            oldMemberId: oldMemberId, newMemberId: newMemberId, groupInstanceId: instanceId)
        else { return [.respondJoin(token, .error(.unknownMemberId, memberId: Self.unknownMemberId))] }
        var actions = fenced
        actions += completeAndScheduleNextHeartbeatExpiration(newMemberId, now: now)
        updateMember(newMemberId) {
            $0.supportedProtocols = protocols
            $0.awaitingJoin = token
        }
        switch state {
        case .stable, .completingRebalance:
            updateMember(newMemberId) { $0.awaitingJoin = nil }
            actions.append(.respondJoin(token, JoinGroupResult(
                errorCode: .none, generationId: generationId, protocolName: protocolName ?? "",
                leaderId: previousLeader ?? "", memberId: newMemberId, members: [])))
        case .preparingRebalance:
            break
        case .empty, .dead:
            // Not reachable: an Empty group has no static member and a Dead one was answered
            // before. Kafka throws; the member is told to start over instead.
            updateMember(newMemberId) { $0.awaitingJoin = nil }
            actions.append(.respondJoin(token, .error(.unknownMemberId, memberId: Self.unknownMemberId)))
        }
        return actions
    }

    /// Kafka's `doUnknownJoinGroup`: a member without a member id.
    private mutating func joinUnknownMember(
        _ request: JoinGroupParameters, token: GroupRequestToken, memberIdSuffix: String,
        now: Int64, config: GroupConfig
    ) -> [GroupAction] {
        if state == .dead {
            // The group is being removed (deleted, or its partition moved away): find the
            // coordinator again and rejoin.
            return [.respondJoin(token, .error(.coordinatorNotAvailable, memberId: Self.unknownMemberId))]
        }
        guard supportsProtocols(protocolType: request.protocolType, protocols: Set(request.protocols.map(\.name))) else {
            return [.respondJoin(token, .error(.inconsistentGroupProtocol, memberId: Self.unknownMemberId))]
        }
        let newMemberId = makeMemberId(request, suffix: memberIdSuffix)
        if let instanceId = request.groupInstanceId, let oldMemberId = staticMembers[instanceId] {
            return rejoinStaticMember(
                instanceId: instanceId, oldMemberId: oldMemberId, newMemberId: newMemberId,
                protocols: request.protocols, token: token, now: now)
        }
        if request.requiresKnownMemberId {
            addPendingMember(newMemberId)
            let expiry = DelayedHeartbeat(
                memberId: newMemberId, isPending: true, deadline: now + Int64(request.sessionTimeoutMs),
                timeoutMs: Int64(request.sessionTimeoutMs))
            return [.scheduleHeartbeat(expiry), .respondJoin(token, .error(.memberIdRequired, memberId: newMemberId))]
        }
        return addMemberAndRebalance(request, memberId: newMemberId, token: token, now: now, config: config)
    }

    /// Kafka's `doJoinGroup`: a member that names its member id.
    private mutating func joinKnownMember(
        _ request: JoinGroupParameters, token: GroupRequestToken, now: Int64, config: GroupConfig
    ) -> [GroupAction] {
        let memberId = request.memberId
        if state == .dead {
            return [.respondJoin(token, .error(.coordinatorNotAvailable, memberId: memberId))]
        }
        guard supportsProtocols(protocolType: request.protocolType, protocols: Set(request.protocols.map(\.name))) else {
            return [.respondJoin(token, .error(.inconsistentGroupProtocol, memberId: memberId))]
        }
        if isPendingMember(memberId) {
            // The second JoinGroup of the MEMBER_ID_REQUIRED exchange: the member is admitted now.
            // Pending ids are only handed to dynamic members (Kafka throws if a static one shows up).
            guard request.groupInstanceId == nil else {
                return [.respondJoin(token, .error(.unknownMemberId, memberId: memberId))]
            }
            return addMemberAndRebalance(request, memberId: memberId, token: token, now: now, config: config)
        }
        if isStaticMemberFenced(memberId: memberId, groupInstanceId: request.groupInstanceId) {
            return [.respondJoin(token, .error(.fencedInstanceId, memberId: memberId))]
        }
        let instanceUnknown = request.groupInstanceId != nil && !hasStaticMember(request.groupInstanceId)
        guard let member = members[memberId], !instanceUnknown else {
            // A member the group dropped (or an instance it no longer knows): it must forget its
            // member id and join as new.
            return [.respondJoin(token, .error(.unknownMemberId, memberId: memberId))]
        }
        switch state {
        case .preparingRebalance:
            return updateMemberAndRebalance(memberId, protocols: request.protocols, token: token, now: now, config: config)
        case .completingRebalance:
            guard member.matches(request.protocols) else {
                return updateMemberAndRebalance(memberId, protocols: request.protocols, token: token, now: now, config: config)
            }
            // The member lost the JoinGroup answer of this generation: give it again.
            return [.respondJoin(token, currentGenerationResult(for: memberId, includeMembers: isLeader(memberId)))]
        case .stable:
            if isLeader(memberId) || !member.matches(request.protocols) {
                // A changed subscription, or the leader asking for a rebalance (it does so when
                // topic metadata changes what it would assign), starts a new generation.
                return updateMemberAndRebalance(memberId, protocols: request.protocols, token: token, now: now, config: config)
            }
            // A follower with nothing new may go straight to SyncGroup.
            return [.respondJoin(token, currentGenerationResult(for: memberId, includeMembers: false))]
        case .empty, .dead:
            // A member of an Empty group cannot exist; have the client start over.
            return [.respondJoin(token, .error(.unknownMemberId, memberId: memberId))]
        }
    }

    /// The JoinGroup answer for the current generation.
    func currentGenerationResult(for memberId: String, includeMembers: Bool) -> JoinGroupResult {
        JoinGroupResult(
            errorCode: .none, generationId: generationId, protocolName: protocolName ?? "",
            leaderId: leaderId ?? "", memberId: memberId,
            members: includeMembers ? (currentMemberMetadata ?? []) : [])
    }

    /// Kafka's `addMemberAndRebalance`: admits a new member, parks its JoinGroup, and starts a
    /// rebalance if none is under way.
    mutating func addMemberAndRebalance(
        _ request: JoinGroupParameters, memberId: String, token: GroupRequestToken, now: Int64,
        config: GroupConfig
    ) -> [GroupAction] {
        var member = MemberMetadata(
            memberId: memberId, groupInstanceId: request.groupInstanceId, clientId: request.clientId,
            clientHost: request.clientHost, rebalanceTimeoutMs: request.rebalanceTimeoutMs,
            sessionTimeoutMs: request.sessionTimeoutMs, protocolType: request.protocolType,
            supportedProtocols: request.protocols, now: now)
        member.isNew = true
        member.awaitingJoin = token
        // During the group's first rebalance, each arrival lets the initial delay run once more.
        if state == .preparingRebalance && generationId == 0 { newMemberAdded = true }
        add(member)
        // A new member cannot heartbeat until it has its first JoinGroup answer, so it is held to
        // the new-member timeout rather than its session timeout.
        var actions = completeAndScheduleNextExpiration(memberId, timeoutMs: MemberMetadata.newMemberJoinTimeoutMs, now: now)
        if member.isStaticMember {
            addStaticMember(request.groupInstanceId, memberId: memberId)
        } else {
            removePendingMember(memberId)
        }
        // Kafka prints the instance id as a Scala Option.
        let instance = request.groupInstanceId.map { "Some(\($0))" } ?? "None"
        actions += maybePrepareRebalance(
            reason: "Adding new member \(memberId) with group instanceid \(instance)", now: now, config: config)
        return actions
    }

    /// Kafka's `updateMemberAndRebalance`: records the member's (possibly new) protocols, parks
    /// its JoinGroup, and starts a rebalance if none is under way.
    mutating func updateMemberAndRebalance(
        _ memberId: String, protocols: [GroupProtocol], token: GroupRequestToken, now: Int64,
        config: GroupConfig
    ) -> [GroupAction] {
        updateMember(memberId) {
            $0.supportedProtocols = protocols
            // A JoinGroup parked earlier by the same member is superseded by this one.
            $0.awaitingJoin = token
        }
        return maybePrepareRebalance(reason: "Updating metadata for member \(memberId)", now: now, config: config)
    }
}
