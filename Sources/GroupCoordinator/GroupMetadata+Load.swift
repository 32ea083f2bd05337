import KafkaProtocol
import NIOCore

/// A group's life on a coordinator: built from its last record in `__consumer_offsets` when the
/// broker becomes leader of the group's partition, and marked Dead when it stops leading it
/// (Kafka's `GroupMetadata.loadGroup`, `onGroupLoaded` and `onGroupUnloaded`).
extension GroupMetadata {
    /// One member as the group's metadata record stores it: the protocol it was chosen for, with
    /// its metadata for that protocol, and its assignment.
    public struct StoredMember: Sendable, Equatable {
        public var memberId: String
        public var groupInstanceId: String?
        public var clientId: String
        public var clientHost: String
        /// Record version 0 has none; pass the session timeout for it.
        public var rebalanceTimeoutMs: Int32
        public var sessionTimeoutMs: Int32
        public var subscription: ByteBuffer
        public var assignment: ByteBuffer

        public init(
            memberId: String, groupInstanceId: String?, clientId: String, clientHost: String,
            rebalanceTimeoutMs: Int32, sessionTimeoutMs: Int32, subscription: ByteBuffer, assignment: ByteBuffer
        ) {
            self.memberId = memberId
            self.groupInstanceId = groupInstanceId
            self.clientId = clientId
            self.clientHost = clientHost
            self.rebalanceTimeoutMs = rebalanceTimeoutMs
            self.sessionTimeoutMs = sessionTimeoutMs
            self.subscription = subscription
            self.assignment = assignment
        }
    }

    /// A group rebuilt from its metadata record: Stable with the stored generation if it has
    /// members, else Empty. Each member offers only the stored protocol. The first stored member
    /// is the leader unless the record names one. Call ``onGroupLoaded(now:config:)`` next.
    public static func loaded(
        groupId: String, generationId: Int32, protocolType: String?, protocolName: String?,
        leaderId: String?, currentStateTimestamp: Int64?, members stored: [StoredMember], now: Int64
    ) -> GroupMetadata {
        var group = GroupMetadata(groupId: groupId, state: stored.isEmpty ? .empty : .stable, now: now)
        group.generationId = generationId
        group.protocolName = protocolName
        group.leaderId = leaderId
        group.currentStateTimestamp = currentStateTimestamp
        let type = (protocolType?.isEmpty ?? true) ? nil : protocolType
        for member in stored {
            group.add(MemberMetadata(
                memberId: member.memberId, groupInstanceId: member.groupInstanceId, clientId: member.clientId,
                clientHost: member.clientHost, rebalanceTimeoutMs: member.rebalanceTimeoutMs,
                sessionTimeoutMs: member.sessionTimeoutMs, protocolType: type ?? "",
                supportedProtocols: [GroupProtocol(name: protocolName ?? "", metadata: member.subscription)],
                assignment: member.assignment, now: now))
            group.addStaticMember(member.groupInstanceId, memberId: member.memberId)
        }
        group.protocolType = type
        return group
    }

    /// Starts a freshly loaded group (Kafka's `onGroupLoaded`): every member gets a session
    /// deadline from now, and a group over `group.max.size` rebalances so that members can commit
    /// before the excess ones are shed.
    public mutating func onGroupLoaded(now: Int64, config: GroupConfig) -> [GroupAction] {
        var actions: [GroupAction] = []
        if size > Int(config.maxSize) {
            // Kafka's words, with its quirks: the config printed as a Scala case class followed by
            // ".groupMaxSize", and "Rebalacing".
            let printed = "GroupConfig(\(config.minSessionTimeoutMs),\(config.maxSessionTimeoutMs),\(config.maxSize),\(config.initialRebalanceDelayMs))"
            actions += prepareRebalance(
                reason: "Freshly-loaded group is over capacity (\(printed).groupMaxSize). Rebalacing in order to give a chance for consumers to commit offsets",
                now: now, config: config)
        }
        for id in memberIds {
            actions += completeAndScheduleNextHeartbeatExpiration(id, now: now)
        }
        return actions
    }

    /// Marks the group Dead because this broker no longer coordinates it (Kafka's
    /// `onGroupUnloaded`): parked JoinGroups and SyncGroups are answered NOT_COORDINATOR, so the
    /// members look for the new coordinator.
    public mutating func onGroupUnloaded(now: Int64) -> [GroupAction] {
        let previous = state
        // Dead follows every state.
        try? transition(to: .dead, now: now)
        var actions: [GroupAction] = []
        switch previous {
        case .empty, .dead:
            break
        case .preparingRebalance:
            for member in allMembers {
                guard let token = member.awaitingJoin else { continue }
                actions.append(.respondJoin(token, .error(.notCoordinator, memberId: member.memberId)))
                updateMember(member.memberId) { $0.awaitingJoin = nil }
            }
        case .stable, .completingRebalance:
            for member in allMembers {
                guard let token = member.awaitingSync else { continue }
                actions.append(.respondSync(token, .error(.notCoordinator)))
                updateMember(member.memberId) { $0.awaitingSync = nil }
            }
        }
        return actions
    }
}
