import GroupCoordinator
import KafkaPurgatory

/// A member's session deadline in the heartbeat purgatory (Kafka's `DelayedHeartbeat`), watched
/// under `MemberKey(groupId, memberId)`. Completes early, doing nothing, once the group says the
/// member proved alive since (`GroupMetadata.isHeartbeatSatisfied`, checked when the member
/// heartbeats again); on expiry the coordinator asks the group to drop the member if it did not.
final class DelayedHeartbeatOperation: DelayedOperation, @unchecked Sendable {
    struct MemberKey: Hashable, Sendable {
        let groupId: String
        let memberId: String
    }

    let groupId: String
    let heartbeat: DelayedHeartbeat
    private weak var coordinator: GroupCoordinator?

    init(groupId: String, heartbeat: DelayedHeartbeat, coordinator: GroupCoordinator) {
        self.groupId = groupId
        self.heartbeat = heartbeat
        self.coordinator = coordinator
        super.init(delayMs: max(0, heartbeat.timeoutMs))
    }

    var key: MemberKey { MemberKey(groupId: groupId, memberId: heartbeat.memberId) }

    override func tryComplete() -> Bool {
        guard let coordinator else { return forceComplete() }
        return coordinator.isHeartbeatSatisfied(groupId: groupId, heartbeat) ? forceComplete() : false
    }

    override func onComplete() {}

    override func onExpiration() {
        coordinator?.onHeartbeatExpired(groupId: groupId, heartbeat)
    }
}

/// A rebalance's wait for the members in the join purgatory (Kafka's `DelayedJoin` and
/// `InitialDelayedJoin`), watched under the group id. The group completes a rebalance early
/// itself (its decisions return the answers); an operation the group no longer holds completes
/// here, doing nothing, when the group's key is checked. On expiry the coordinator hands it to
/// the group, which ignores it if stale.
final class DelayedJoinOperation: DelayedOperation, @unchecked Sendable {
    let groupId: String
    let join: DelayedJoin
    private weak var coordinator: GroupCoordinator?

    init(groupId: String, join: DelayedJoin, coordinator: GroupCoordinator) {
        self.groupId = groupId
        self.join = join
        self.coordinator = coordinator
        super.init(delayMs: max(0, join.delayMs))
    }

    override func tryComplete() -> Bool {
        guard let coordinator else { return forceComplete() }
        return coordinator.isJoinStale(groupId: groupId, join) ? forceComplete() : false
    }

    override func onComplete() {}

    override func onExpiration() {
        coordinator?.onJoinExpired(groupId: groupId, join)
    }
}
