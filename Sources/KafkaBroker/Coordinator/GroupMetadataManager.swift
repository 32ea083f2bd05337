import Foundation
import GroupCoordinator
import KafkaCommon
import KafkaProtocol
import KafkaRecords
import KafkaStorage
import Logging
import Synchronization

/// The groups and committed offsets of the `__consumer_offsets` partitions this broker leads
/// (Kafka's `GroupMetadataManager`).
///
/// Lifecycle of a partition here: when this broker becomes its leader (`scheduleLoad`, from
/// LeaderAndIsr) it is *loading*: its log is read from start to end with `OffsetsTopicLoad` on a
/// background queue, and requests for its groups are answered COORDINATOR_LOAD_IN_PROGRESS; then
/// it is *owned*: its groups and offsets are in `State` and served. When leadership moves away
/// (`unload`) its groups become Dead, their parked requests are answered NOT_COORDINATOR, and they
/// are forgotten; requests for them are answered NOT_COORDINATOR from then on.
///
/// Writes (`storeGroup`, `storeOffsets`) append records built with `OffsetsTopicRecord`'s builders
/// to the group's partition through `ReplicaManager.appendRecords`, with
/// `offsets.commit.required.acks` (-1: the whole ISR) and `offsets.commit.timeout.ms`, so that
/// they are answered, like an acks=all produce, once the high watermark passes them.
///
/// Isolation: one `Mutex` around `State`; the `GroupCoordinator` makes every group decision inside
/// it (`withState`), which serialises the decisions of all groups. Never held while appending,
/// loading or answering (an append may answer on the calling thread).
///
/// Invariants: a partition is never both loading and owned; every group in `groups` and every
/// entry of `offsets` belongs to an owned partition.
final class GroupMetadataManager: Sendable {
    struct State: Sendable {
        var loading: Set<Int32> = []
        var owned: Set<Int32> = []
        var groups: [String: GroupMetadata] = [:]
        /// Committed offsets by group, then partition (Kafka's `GroupMetadata.offsets`).
        var offsets: [String: [TopicPartition: OffsetCommitValue]] = [:]
    }

    let brokerId: BrokerId
    let config: GroupCoordinatorConfig
    let interBrokerProtocolVersion: ApiVersion
    let replicaManager: ReplicaManager
    let time: any Time
    let logger: Logger
    let partitionCount: Int32
    private let state = Mutex(State())
    private let loadQueue: DispatchQueue

    init(brokerId: BrokerId, config: GroupCoordinatorConfig, interBrokerProtocolVersion: ApiVersion,
         partitionCount: Int32, replicaManager: ReplicaManager, time: any Time, logger: Logger) {
        self.brokerId = brokerId
        self.config = config
        self.interBrokerProtocolVersion = interBrokerProtocolVersion
        self.partitionCount = partitionCount
        self.replicaManager = replicaManager
        self.time = time
        self.logger = logger
        loadQueue = DispatchQueue(label: "group-metadata-manager-\(brokerId)")
    }

    /// The `__consumer_offsets` partition of `groupId`.
    func partitionFor(_ groupId: String) -> Int32 {
        GroupPartitioning.partitionFor(groupId: groupId, partitionCount: partitionCount)
    }

    func topicPartition(_ partition: Int32) -> TopicPartition {
        TopicPartition(GroupCoordinatorConfig.offsetsTopicName, partition)
    }

    /// Runs `body` with the state locked. `body` must not call out (append, answer, purgatory).
    func withState<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        try state.withLock { try body(&$0) }
    }

    /// Whether this broker serves `groupId` now: nil when it does, else NOT_COORDINATOR or
    /// COORDINATOR_LOAD_IN_PROGRESS (Kafka's `validateGroupStatus`, after the group id check).
    func status(of groupId: String, in state: State) -> ErrorCode? {
        let partition = partitionFor(groupId)
        if state.loading.contains(partition) { return .coordinatorLoadInProgress }
        if !state.owned.contains(partition) { return .notCoordinator }
        return nil
    }

    // MARK: Loading and unloading

    /// Starts loading `partition` (Kafka's `scheduleLoadGroupAndOffsets`), unless it is loading or
    /// owned already; `onLoaded` gets the loaded groups' first actions (their session deadlines),
    /// on the load queue.
    func scheduleLoad(_ partition: Int32, onLoaded: @escaping @Sendable ([(String, [GroupAction])]) -> Void) {
        let started = state.withLock { state -> Bool in
            guard !state.loading.contains(partition), !state.owned.contains(partition) else { return false }
            state.loading.insert(partition)
            return true
        }
        guard started else { return }
        loadQueue.async { [self] in
            let startMs = time.milliseconds
            let load: OffsetsTopicLoad
            do {
                load = try readPartition(partition)
            } catch {
                logger.error("Error loading offsets from \(topicPartition(partition)): \(error)")
                state.withLock { _ = $0.loading.remove(partition) }
                return
            }
            let actions = install(load, partition: partition)
            logger.info("Finished loading offsets and group metadata from \(topicPartition(partition)) in \(time.milliseconds - startMs) milliseconds")
            onLoaded(actions)
        }
    }

    /// Reads the partition's log from its start to its end into an `OffsetsTopicLoad`.
    private func readPartition(_ partition: Int32) throws -> OffsetsTopicLoad {
        var load = OffsetsTopicLoad()
        guard let hosted = replicaManager.partition(topicPartition(partition)) else { return load }
        let (start, _, end) = hosted.offsets
        var offset = start
        let maxLength = Int(config.offsetsLoadBufferSize)
        while offset < end {
            let bytes = try hosted.log.withLock { log in
                try log.readBytes(try log.read(startOffset: offset, maxLength: maxLength, minOneMessage: true))
            }
            var batches = MemoryRecords(bytes).batches
            var progressed = false
            while let batch = batches.next() {
                if batch.nextOffset <= offset { continue }
                try load.apply(batch)
                offset = batch.nextOffset
                progressed = true
            }
            if !progressed { break }
        }
        return load
    }

    /// Turns a finished load into groups and offsets, if the partition is still loading (it may
    /// have been unloaded meanwhile). Groups that have offsets but no metadata become Empty groups.
    private func install(_ load: OffsetsTopicLoad, partition: Int32) -> [(String, [GroupAction])] {
        let now = time.milliseconds
        let groupConfig = config.groupConfig
        return state.withLock { state in
            guard state.loading.remove(partition) != nil else { return [] }
            state.owned.insert(partition)
            var actions: [(String, [GroupAction])] = []
            for (key, commit) in load.offsets {
                state.offsets[key.group, default: [:]][key.topicPartition] = commit.value
            }
            for (groupId, value) in load.groups {
                let members = value.members.map {
                    GroupMetadata.StoredMember(
                        memberId: $0.memberId, groupInstanceId: $0.groupInstanceId, clientId: $0.clientId,
                        clientHost: $0.clientHost, rebalanceTimeoutMs: $0.rebalanceTimeout,
                        sessionTimeoutMs: $0.sessionTimeout, subscription: $0.subscription, assignment: $0.assignment)
                }
                var group = GroupMetadata.loaded(
                    groupId: groupId, generationId: value.generation, protocolType: value.protocolType,
                    protocolName: value.protocol, leaderId: value.leader,
                    currentStateTimestamp: value.currentStateTimestamp == -1 ? nil : value.currentStateTimestamp,
                    members: members, now: now)
                actions.append((groupId, group.onGroupLoaded(now: now, config: groupConfig)))
                state.groups[groupId] = group
            }
            for groupId in Set(load.offsets.keys.map(\.group)) where state.groups[groupId] == nil {
                state.groups[groupId] = GroupMetadata(groupId: groupId, state: .empty, now: now)
            }
            return actions
        }
    }

    /// Stops serving `partition` (Kafka's `removeGroupsForPartition`): its groups become Dead and
    /// are forgotten with their offsets; returns what their parked requests must be answered.
    func unload(_ partition: Int32) -> [(String, [GroupAction])] {
        let now = time.milliseconds
        return state.withLock { state in
            state.loading.remove(partition)
            guard state.owned.remove(partition) != nil else { return [] }
            var actions: [(String, [GroupAction])] = []
            for groupId in state.groups.keys where partitionFor(groupId) == partition {
                actions.append((groupId, state.groups[groupId]!.onGroupUnloaded(now: now)))
                state.groups[groupId] = nil
                state.offsets[groupId] = nil
            }
            for groupId in state.offsets.keys where partitionFor(groupId) == partition {
                state.offsets[groupId] = nil
            }
            if !actions.isEmpty {
                logger.info("Unloaded \(actions.count) groups of \(topicPartition(partition))")
            }
            return actions
        }
    }
}
