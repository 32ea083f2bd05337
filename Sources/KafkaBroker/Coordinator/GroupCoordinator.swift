import Foundation
import GroupCoordinator
import KafkaCommon
import KafkaProtocol
import KafkaPurgatory
import Logging
import Synchronization

/// The group coordinator's shell (Kafka's `GroupCoordinator`): checks that a request is for a
/// valid group this broker serves, lets the group's value decide (`GroupMetadata.handle…`, inside
/// the `GroupMetadataManager`'s lock), and performs the `GroupAction`s it returns: answering the
/// request or requests parked earlier, arming DelayedJoin / InitialDelayedJoin / DelayedHeartbeat
/// in their purgatories (on the timing wheel), and writing the group to `__consumer_offsets`.
///
/// Checks, in Kafka's order (`validateGroupStatus`): an empty group id is INVALID_GROUP_ID (only
/// null for OffsetCommit, OffsetFetch and DescribeGroups, which the wire cannot carry here); a
/// group whose partition this broker does not lead is NOT_COORDINATOR; one whose partition is
/// loading is COORDINATOR_LOAD_IN_PROGRESS (a Heartbeat is answered NONE then, a SyncGroup
/// REBALANCE_IN_PROGRESS, as Kafka 2.3 does).
///
/// Parked requests are remembered by `GroupRequestToken` with their answer callbacks; each is
/// answered exactly once, from whichever thread performs the answering action (a request
/// handler, the purgatory's timer executor, an append's completion, the load queue).
///
/// Isolation: each group is decided under its own lock (`GroupMetadataManager.withGroup`), so
/// groups progress independently; actions are performed after it is released. The callback
/// table has its own `Mutex`.
final class GroupCoordinator: Sendable {
    enum Callback: Sendable {
        case join(@Sendable (JoinGroupResult) -> Void)
        case sync(@Sendable (SyncGroupResult) -> Void)
        case heartbeat(@Sendable (ErrorCode) -> Void)
        case leave(@Sendable (ErrorCode) -> Void)
    }

    let manager: GroupMetadataManager
    let config: GroupConfig
    let offsetMetadataMaxBytes: Int32
    let time: any Time
    let logger: Logger
    let heartbeatPurgatory: DelayedOperationPurgatory<DelayedHeartbeatOperation>
    let joinPurgatory: DelayedOperationPurgatory<DelayedJoinOperation>
    private let callbacks = Mutex<(next: UInt64, table: [GroupRequestToken: Callback])>((0, [:]))
    /// Set between `startup` and `shutdown`: offset expiry runs.
    private let isExpiring = Atomic<Bool>(false)

    init(manager: GroupMetadataManager, time: any Time, logger: Logger) {
        self.manager = manager
        self.config = manager.config.groupConfig
        self.offsetMetadataMaxBytes = manager.config.offsetMetadataMaxBytes
        self.time = time
        self.logger = logger
        heartbeatPurgatory = DelayedOperationPurgatory(purgatoryName: "Heartbeat", brokerId: manager.brokerId)
        joinPurgatory = DelayedOperationPurgatory(purgatoryName: "Rebalance", brokerId: manager.brokerId)
    }

    // MARK: Leadership of __consumer_offsets partitions

    /// This broker became leader of `__consumer_offsets`-`partition` (Kafka's `onElection`).
    func onElection(_ partition: Int32) {
        manager.scheduleLoad(partition) { [weak self] loaded in
            for (groupId, actions) in loaded { self?.perform(actions, groupId: groupId, snapshot: nil) }
        }
    }

    /// This broker stopped leading `__consumer_offsets`-`partition` (Kafka's `onResignation`).
    func onResignation(_ partition: Int32) {
        for (groupId, actions) in manager.unload(partition) { perform(actions, groupId: groupId, snapshot: nil) }
    }

    /// Starts offset expiry, every `offsets.retention.check.interval.ms` (Kafka's
    /// `delete-expired-group-metadata` task).
    func startup() {
        isExpiring.store(true, ordering: .releasing)
        scheduleExpiry()
    }

    private func scheduleExpiry() {
        let interval = Int(manager.config.offsetsRetentionCheckIntervalMs)
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(interval)) { [weak self] in
            guard let self, self.isExpiring.load(ordering: .acquiring) else { return }
            self.manager.cleanupGroupMetadata(now: self.time.milliseconds)
            self.scheduleExpiry()
        }
    }

    func shutdown() {
        isExpiring.store(false, ordering: .releasing)
        for operation in joinPurgatory.cancelAll() { operation.forceComplete() }
        for operation in heartbeatPurgatory.cancelAll() { operation.forceComplete() }
        joinPurgatory.shutdown()
        heartbeatPurgatory.shutdown()
    }

    // MARK: Deciding

    /// Parks `callback` under a fresh token.
    func register(_ callback: Callback) -> GroupRequestToken {
        callbacks.withLock { callbacks in
            callbacks.next += 1
            let token = GroupRequestToken(callbacks.next)
            callbacks.table[token] = callback
            return token
        }
    }

    /// Runs one decision for `groupId` under the group's lock and performs its actions after.
    /// `decide` gets the group (nil if unknown; it may create or change it), whether this broker
    /// serves it now (nil, NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS) and the time, and
    /// returns actions.
    /// What changed is logged at INFO in Kafka's words (``GroupEventLog``); members that are
    /// gone afterwards went for `removal`.
    func decide(
        _ groupId: String, removal: GroupEventLog.Removal = .left,
        _ decide: (inout GroupMetadata?, _ status: ErrorCode?, _ now: Int64) -> [GroupAction]
    ) {
        let now = time.milliseconds
        let (actions, before, snapshot) = manager.withGroup(groupId) { slot, status -> ([GroupAction], GroupMetadata?, GroupMetadata?) in
            var group = slot.group
            let before = group
            let actions = decide(&group, status, now)
            slot.group = group
            return (actions, before, group)
        }
        let lines = GroupEventLog.lines(
            groupId: groupId, partition: manager.partitionFor(groupId),
            before: before.map(GroupEventLog.Snapshot.init), after: snapshot.map(GroupEventLog.Snapshot.init), removal: removal)
        for line in lines { logger.info("\(line)") }
        perform(actions, groupId: groupId, snapshot: snapshot)
    }

    /// Performs a decision's actions. `snapshot` is the group as the decision left it (what a
    /// `storeGroup` writes).
    func perform(_ actions: [GroupAction], groupId: String, snapshot: GroupMetadata?) {
        for action in actions {
            switch action {
            case .respondJoin(let token, let result):
                if case .join(let respond)? = take(token) { respond(result) }
            case .respondSync(let token, let result):
                if case .sync(let respond)? = take(token) { respond(result) }
            case .respondHeartbeat(let token, let error):
                if case .heartbeat(let respond)? = take(token) { respond(error) }
            case .respondLeave(let token, let error):
                if case .leave(let respond)? = take(token) { respond(error) }
            case .scheduleHeartbeat(let heartbeat):
                let operation = DelayedHeartbeatOperation(groupId: groupId, heartbeat: heartbeat, coordinator: self)
                heartbeatPurgatory.checkAndComplete(operation.key)
                heartbeatPurgatory.tryCompleteElseWatch(operation, watchKeys: [operation.key])
            case .scheduleJoin(let join):
                joinPurgatory.checkAndComplete(groupId)
                joinPurgatory.tryCompleteElseWatch(
                    DelayedJoinOperation(groupId: groupId, join: join, coordinator: self), watchKeys: [groupId])
            case .storeGroup(let store):
                guard let snapshot else { continue }
                manager.storeGroup(snapshot, store) { [weak self] error in
                    guard let self else { return }
                    let config = self.config
                    self.decide(groupId) { group, _, now in
                        group?.onStoreGroupCompleted(store, error: error, now: now, config: config) ?? []
                    }
                }
            }
        }
    }

    private func take(_ token: GroupRequestToken) -> Callback? {
        callbacks.withLock { $0.table.removeValue(forKey: token) }
    }

    // MARK: Delayed operations

    func isHeartbeatSatisfied(groupId: String, _ heartbeat: DelayedHeartbeat) -> Bool {
        manager.withGroup(groupId) { slot, _ in slot.group.map { $0.isHeartbeatSatisfied(heartbeat) } ?? true }
    }

    func onHeartbeatExpired(groupId: String, _ heartbeat: DelayedHeartbeat) {
        let config = config
        decide(groupId, removal: .failed) { group, _, now in group?.onHeartbeatExpired(heartbeat, now: now, config: config) ?? [] }
    }

    func isJoinStale(groupId: String, _ join: DelayedJoin) -> Bool {
        manager.withGroup(groupId) { slot, _ in slot.group?.delayedJoin?.id != join.id }
    }

    func onJoinExpired(groupId: String, _ join: DelayedJoin) {
        let config = config
        decide(groupId) { group, _, now in group?.onDelayedJoinExpired(join, now: now, config: config) ?? [] }
    }

    /// A fresh member id suffix, as Java prints a random UUID.
    static func memberIdSuffix() -> String { UUID().uuidString.lowercased() }
}
