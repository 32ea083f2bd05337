import KafkaCommon
import KafkaZk
import ZooKeeper

/// What the active controller knows about the cluster (Kafka's `ControllerContext`): the epoch it
/// was elected with and the fence for its writes, the live brokers with their epochs, every
/// partition's assignment, leadership and state, and every replica's state.
///
/// A value owned by the `KafkaController` actor and touched only while it processes an event.
/// Loaded from ZooKeeper at failover, reset at resignation.
public struct ControllerContext: Sendable, Equatable {
    public var epoch: ControllerEpoch = .initial
    /// Version of `/controller_epoch` after this controller's election: every controller write is
    /// a multi that checks it, so a superseded controller cannot write.
    public var epochZkVersion: ZkVersion = ZkVersion(0)
    public var liveBrokers: [BrokerId: BrokerInfo] = [:]
    /// Broker epochs: the czxid of each broker's registration znode (changes on re-registration).
    public var liveBrokerEpochs: [BrokerId: Int64] = [:]
    /// Every partition's replicas in preference order (from `/brokers/topics/<t>`).
    public var partitionAssignments: [TopicPartition: [BrokerId]] = [:]
    /// Leader, ISR and epochs of the partitions that have them (from their state znodes).
    public var partitionLeadership: [TopicPartition: LeaderIsrAndControllerEpoch] = [:]
    /// Topics being deleted (Kafka's `topicsToBeDeleted`), each with the brokers that still hold
    /// one of its replicas not ReplicaDeletionSuccessful (kept by `TopicDeletionManager`).
    public var topicsToBeDeleted: [String: Set<BrokerId>] = [:]
    /// Topics being deleted whose partitions went OfflinePartition → NonExistentPartition
    /// (Kafka's `topicsWithDeletionStarted`): StopReplica answers count only for these.
    public var topicsWithDeletionStarted: Set<String> = []
    /// Topics being deleted whose deletion is halted (Kafka's `topicsIneligibleForDeletion`): a
    /// replica's broker is down, a replica failed to delete, or a reassignment is running. Only
    /// `TopicDeletionManager.resumeDeletionForTopics` takes a topic out again.
    public var topicsIneligibleForDeletion: Set<String> = []
    /// Each partition's state in the partition state machine.
    public var partitionStates: [TopicPartition: PartitionState] = [:]
    /// Each replica's state in the replica state machine (absent = `NonExistentReplica`).
    public var replicaStates: [PartitionReplica: ReplicaState] = [:]
    /// Brokers that asked for a controlled shutdown and are still registered (Kafka's
    /// `shuttingDownBrokerIds`). They stay in `liveBrokers` (they still get requests, and
    /// UpdateMetadata still lists them, as Kafka's `liveOrShuttingDownBrokers`) but no longer count
    /// as live: `liveBrokerIds` leaves them out, so no election picks them and UpdateMetadata lists
    /// their replicas as offline. A broker leaves the set when its registration goes.
    public var shuttingDownBrokerIds: Set<BrokerId> = []
    /// Partitions being reassigned, with their target replicas (RAR), as listed in
    /// `/admin/reassign_partitions` (Kafka's `partitionsBeingReassigned`).
    public var partitionsBeingReassigned: [TopicPartition: [BrokerId]] = [:]

    public init() {}

    /// The registered brokers that are not shutting down: the ones elections may pick.
    public var liveBrokerIds: Set<BrokerId> { Set(liveBrokers.keys).subtracting(shuttingDownBrokerIds) }

    /// Every registered broker, shutting down or not (Kafka's `liveOrShuttingDownBrokerIds`).
    public var liveOrShuttingDownBrokerIds: Set<BrokerId> { Set(liveBrokers.keys) }

    /// Whether `broker` counts as live for a replica (Kafka's `isReplicaOnline`): registered and,
    /// unless `includeShuttingDown`, not shutting down.
    public func isReplicaOnline(_ broker: BrokerId, includeShuttingDown: Bool = false) -> Bool {
        liveBrokers[broker] != nil && (includeShuttingDown || !shuttingDownBrokerIds.contains(broker))
    }

    public var allTopics: Set<String> { Set(partitionAssignments.keys.map(\.topic)) }

    public func isTopicQueuedUpForDeletion(_ topic: String) -> Bool { topicsToBeDeleted[topic] != nil }

    /// The partitions with a replica on `broker`.
    public func partitions(onBroker broker: BrokerId) -> [TopicPartition] {
        partitionAssignments.filter { $0.value.contains(broker) }.map(\.key).sorted()
    }

    /// Every replica hosted by one of `brokers`, in partition then broker order.
    public func replicas(onBrokers brokers: Set<BrokerId>) -> [PartitionReplica] {
        partitionAssignments.flatMap { tp, replicas in
            replicas.filter(brokers.contains).map { PartitionReplica(tp, $0) }
        }.sorted()
    }

    /// The difference between the registered brokers and the ones known: which came and went.
    public func brokerChanges(current: Set<BrokerId>) -> (added: [BrokerId], removed: [BrokerId]) {
        (current.subtracting(liveOrShuttingDownBrokerIds).sorted(), liveOrShuttingDownBrokerIds.subtracting(current).sorted())
    }

    /// Partitions whose leader is not a live broker (the dead leader's, and those already
    /// leaderless), except those of topics being deleted: they go (or stay) OfflinePartition
    /// when brokers fail. As in Kafka, a leader that is shutting down does not count as live.
    public func partitionsWithoutLiveLeader() -> [TopicPartition] {
        partitionLeadership.filter { tp, state in
            !isReplicaOnline(state.leaderAndIsr.leader) && !isTopicQueuedUpForDeletion(tp.topic)
        }.map(\.key).sorted()
    }

    /// The partitions Kafka's `triggerOnlinePartitionStateChange` tries to bring online: those in
    /// NewPartition (their state znode is still to be created) and those in OfflinePartition
    /// (a leader is to be elected), except those of topics being deleted.
    public func partitionsToTriggerOnline() -> (new: [TopicPartition], offline: [TopicPartition]) {
        var new: [TopicPartition] = []
        var offline: [TopicPartition] = []
        for (tp, state) in partitionStates where !isTopicQueuedUpForDeletion(tp.topic) {
            switch state {
            case .newPartition: new.append(tp)
            case .offlinePartition: offline.append(tp)
            case .onlinePartition, .nonExistentPartition: break
            }
        }
        return (new.sorted(), offline.sorted())
    }

    /// Forgets everything about a partition (its topic was deleted).
    public mutating func removePartition(_ tp: TopicPartition) {
        for replica in partitionAssignments[tp] ?? [] { replicaStates[PartitionReplica(tp, replica)] = nil }
        partitionAssignments[tp] = nil
        partitionLeadership[tp] = nil
        partitionStates[tp] = nil
    }
}

/// One replica: a partition on one broker (Kafka's `PartitionAndReplica`), the key of the replica
/// state machine.
public struct PartitionReplica: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let topicPartition: TopicPartition
    public let replica: BrokerId

    public init(_ topicPartition: TopicPartition, _ replica: BrokerId) {
        self.topicPartition = topicPartition
        self.replica = replica
    }

    public static func < (lhs: PartitionReplica, rhs: PartitionReplica) -> Bool {
        (lhs.topicPartition, lhs.replica) < (rhs.topicPartition, rhs.replica)
    }

    public var description: String { "[Topic=\(topicPartition.topic),Partition=\(topicPartition.partition),Replica=\(replica)]" }
}
