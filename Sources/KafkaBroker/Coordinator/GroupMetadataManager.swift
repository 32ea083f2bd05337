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
/// it is *owned*: its groups and offsets are in their `GroupEntry`s and served. When leadership
/// moves away (`unload`) its groups become Dead, their parked requests are answered
/// NOT_COORDINATOR, and they are forgotten; requests for them are answered NOT_COORDINATOR from
/// then on.
///
/// Writes (`storeGroup`, `storeOffsets`) append records built with `OffsetsTopicRecord`'s builders
/// to the group's partition through `ReplicaManager.appendRecords`, with
/// `offsets.commit.required.acks` (-1: the whole ISR) and `offsets.commit.timeout.ms`, so that
/// they are answered, like an acks=all produce, once the high watermark passes them.
///
/// Isolation: each group has its own lock (`GroupEntry`, Kafka's group lock): the
/// `GroupCoordinator` makes a group's decisions inside it (`withGroup`), so different groups are
/// decided at the same time. The manager's own `Mutex` guards only the partitions' status and
/// the table of entries, and is taken briefly, after a group's lock when both are needed. No lock
/// is held while appending, loading or answering (an append may answer on the calling thread).
///
/// Invariants: a partition is never both loading and owned; an entry that holds a group or
/// offsets belongs to an owned partition (others are transient: dropped once their decision,
/// an error answer, is made).
final class GroupMetadataManager: Sendable {
    struct State: Sendable {
        var loading: Set<Int32> = []
        var owned: Set<Int32> = []
        /// Every group this broker knows, by group id.
        var groups: [String: GroupEntry] = [:]
        /// The groups each producer has pending transactional offsets in (Kafka's
        /// `openGroupsForProducer`): where a transaction's marker must complete them.
        var openGroupsForProducer: [Int64: Set<String>] = [:]
        /// Transaction markers written to a partition while it loads (producer id, COMMIT?), in
        /// order: applied to the loaded groups when the load is installed, since the load may
        /// have read the log before them.
        var completionsDuringLoad: [Int32: [(producerId: Int64, isCommit: Bool)]] = [:]
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

    /// Runs `body` on `groupId`'s slot with the group locked (creating its entry if needed), with
    /// whether this broker serves the group now (nil, NOT_COORDINATOR or
    /// COORDINATOR_LOAD_IN_PROGRESS). `body` must not call out (append, answer, purgatory). An
    /// entry left with neither group nor offsets is dropped.
    func withGroup<Result>(_ groupId: String, _ body: (inout GroupEntry.Slot, _ status: ErrorCode?) -> Result) -> Result {
        while true {
            let entry = state.withLock { state in
                if let entry = state.groups[groupId] { return entry }
                let entry = GroupEntry(groupId: groupId, partition: partitionFor(groupId))
                state.groups[groupId] = entry
                return entry
            }
            let outcome: Result? = entry.withLock { slot in
                let (isCurrent, status) = state.withLock { ($0.groups[groupId] === entry, self.status(of: groupId, in: $0)) }
                // Dropped or replaced (an unload, a load) since it was looked up: look again.
                guard isCurrent else { return nil }
                let result = body(&slot, status)
                if slot.isEmpty { dropIfCurrent(entry) }
                return result
            }
            if let outcome { return outcome }
        }
    }

    /// Runs `body` on every entry of an owned partition (with its group id), one group at a
    /// time, each under its lock; entries left empty are dropped.
    func forEachGroup(_ body: (_ groupId: String, inout GroupEntry.Slot) -> Void) {
        let entries = state.withLock { state in state.groups.values.filter { state.owned.contains($0.partition) } }
        for entry in entries.sorted(by: { $0.groupId < $1.groupId }) {
            entry.withLock { slot in
                guard isCurrentAndOwned(entry) else { return }
                body(entry.groupId, &slot)
                if slot.isEmpty { dropIfCurrent(entry) }
            }
        }
    }

    /// The groups of the owned partitions as they are now (each read under its lock), and
    /// whether a partition is loading.
    func currentGroups() -> (groups: [GroupMetadata], isLoading: Bool) {
        let (entries, isLoading) = state.withLock { state in
            (state.groups.values.filter { state.owned.contains($0.partition) }, !state.loading.isEmpty)
        }
        return (entries.compactMap { entry in entry.withLock { $0.group } }, isLoading)
    }

    private func isCurrentAndOwned(_ entry: GroupEntry) -> Bool {
        state.withLock { $0.groups[entry.groupId] === entry && $0.owned.contains(entry.partition) }
    }

    private func dropIfCurrent(_ entry: GroupEntry) {
        state.withLock { state in
            if state.groups[entry.groupId] === entry { state.groups[entry.groupId] = nil }
        }
    }

    /// Whether this broker serves `groupId` now: nil when it does, else NOT_COORDINATOR or
    /// COORDINATOR_LOAD_IN_PROGRESS (Kafka's `validateGroupStatus`, after the group id check).
    func status(of groupId: String, in state: State) -> ErrorCode? {
        let partition = partitionFor(groupId)
        if state.loading.contains(partition) { return .coordinatorLoadInProgress }
        if !state.owned.contains(partition) { return .notCoordinator }
        return nil
    }

    // MARK: Producers with open transactions

    /// Records that `producerId` has pending offsets in `groupId` (Kafka's `addProducerGroup`).
    func addProducerGroup(_ producerId: Int64, _ groupId: String) {
        state.withLock { _ = $0.openGroupsForProducer[producerId, default: []].insert(groupId) }
    }

    /// Kafka's `removeProducerGroup`.
    func removeProducerGroup(_ producerId: Int64, _ groupId: String) {
        state.withLock { state in
            state.openGroupsForProducer[producerId]?.remove(groupId)
            if state.openGroupsForProducer[producerId]?.isEmpty == true { state.openGroupsForProducer[producerId] = nil }
        }
    }

    /// The groups of `partitions` in which `producerId` has pending offsets (Kafka's
    /// `groupsBelongingToPartitions`), sorted.
    func groupsBelongingToPartitions(_ producerId: Int64, _ partitions: Set<Int32>) -> [String] {
        state.withLock { state in
            (state.openGroupsForProducer[producerId] ?? []).filter { partitions.contains(partitionFor($0)) }.sorted()
        }
    }

    /// Keeps a marker written to partitions that are loading, for their install; returns the
    /// partitions of `partitions` that are not loading.
    func deferCompletionWhileLoading(producerId: Int64, partitions: Set<Int32>, isCommit: Bool) -> Set<Int32> {
        state.withLock { state in
            let loading = partitions.intersection(state.loading)
            for partition in loading { state.completionsDuringLoad[partition, default: []].append((producerId, isCommit)) }
            return partitions.subtracting(loading)
        }
    }

    /// Applies markers met while loading to the loaded `slots`, in order, and forgets the
    /// groups they complete in `openGroups`. A marker the load has already read finds nothing
    /// pending for its producer and changes nothing.
    static func apply(
        _ completions: [(producerId: Int64, isCommit: Bool)], to slots: inout [String: GroupEntry.Slot],
        openGroups: inout [Int64: Set<String>]
    ) {
        for (producerId, isCommit) in completions {
            for groupId in openGroups.removeValue(forKey: producerId) ?? [] {
                guard var slot = slots[groupId] else { continue }
                slot.pendingTransactionalOffsets.complete(
                    producerId: producerId, isCommit: isCommit, committed: &slot.offsets, batchOffsets: &slot.offsetBatchOffsets)
                slots[groupId] = slot
            }
        }
    }

    // MARK: Loading and unloading

    /// Starts loading `partition` (Kafka's `scheduleLoadGroupAndOffsets`), unless it is loading
    /// ("Already loading …", as Kafka logs it) or owned already (LeaderAndIsr does not call it
    /// then: a partition this broker leads is not elected again); `onLoaded` gets the loaded
    /// groups' first actions (their session deadlines), on the load queue.
    func scheduleLoad(_ partition: Int32, onLoaded: @escaping @Sendable ([(String, [GroupAction])]) -> Void) {
        let started = state.withLock { state -> Bool? in
            if state.loading.contains(partition) { return false }
            if state.owned.contains(partition) { return nil }
            state.loading.insert(partition)
            return true
        }
        switch started {
        case true?: logger.info("Scheduling loading of offsets and group metadata from \(topicPartition(partition))")
        case false?: logger.info("Already loading offsets and group metadata from \(topicPartition(partition))")
        case nil: break
        }
        guard started == true else { return }
        loadQueue.async { [self] in
            let startMs = time.milliseconds
            let load: OffsetsTopicLoad
            do {
                load = try readPartition(partition)
            } catch {
                logger.error("Error loading offsets from \(topicPartition(partition)): \(error)")
                state.withLock { state in
                    state.loading.remove(partition)
                    state.completionsDuringLoad[partition] = nil
                }
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
        var slots: [String: GroupEntry.Slot] = [:]
        for (key, commit) in load.offsets {
            slots[key.group, default: GroupEntry.Slot()].offsets[key.topicPartition] = commit.value
            slots[key.group, default: GroupEntry.Slot()].offsetBatchOffsets[key.topicPartition] = commit.batchBaseOffset
        }
        // Transactions still open at the log's end: their offsets wait for the marker.
        var openGroups: [Int64: Set<String>] = [:]
        for (producerId, pending) in load.pendingOffsets {
            var byGroup: [String: [TopicPartition: OffsetsTopicLoad.Commit]] = [:]
            for (key, commit) in pending { byGroup[key.group, default: [:]][key.topicPartition] = commit }
            for (groupId, offsets) in byGroup {
                slots[groupId, default: GroupEntry.Slot()].pendingTransactionalOffsets.load(producerId: producerId, offsets: offsets)
                openGroups[producerId, default: []].insert(groupId)
            }
        }
        var actions: [(String, [GroupAction])] = []
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
            slots[groupId, default: GroupEntry.Slot()].group = group
        }
        for groupId in Array(slots.keys) where slots[groupId]?.group == nil {
            slots[groupId]?.group = GroupMetadata(groupId: groupId, state: .empty, now: now)
        }
        return state.withLock { state in
            guard state.loading.remove(partition) != nil else { return [] }
            let completions = state.completionsDuringLoad.removeValue(forKey: partition) ?? []
            Self.apply(completions, to: &slots, openGroups: &openGroups)
            state.owned.insert(partition)
            for (groupId, slot) in slots {
                state.groups[groupId] = GroupEntry(groupId: groupId, partition: partition, slot: slot)
            }
            state.openGroupsForProducer.merge(openGroups) { $0.union($1) }
            return actions
        }
    }

    /// Stops serving `partition` (Kafka's `removeGroupsForPartition`): its groups become Dead and
    /// are forgotten with their offsets; returns what their parked requests must be answered.
    func unload(_ partition: Int32) -> [(String, [GroupAction])] {
        let now = time.milliseconds
        let dropped: [GroupEntry]? = state.withLock { state in
            state.loading.remove(partition)
            state.completionsDuringLoad[partition] = nil
            guard state.owned.remove(partition) != nil else { return nil }
            let entries = state.groups.values.filter { $0.partition == partition }
            for entry in entries { state.groups[entry.groupId] = nil }
            let removed = Set(entries.map(\.groupId))
            state.openGroupsForProducer = state.openGroupsForProducer.compactMapValues { groups in
                let kept = groups.subtracting(removed)
                return kept.isEmpty ? nil : kept
            }
            return entries
        }
        guard let dropped else { return [] }
        var actions: [(String, [GroupAction])] = []
        for entry in dropped.sorted(by: { $0.groupId < $1.groupId }) {
            entry.withLock { slot in
                if var group = slot.group {
                    actions.append((entry.groupId, group.onGroupUnloaded(now: now)))
                }
                slot = GroupEntry.Slot()
            }
        }
        if !actions.isEmpty {
            logger.info("Unloaded \(actions.count) groups of \(topicPartition(partition))")
        }
        return actions
    }
}
