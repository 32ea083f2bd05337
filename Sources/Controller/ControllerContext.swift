import KafkaCommon
import KafkaZk
import ZooKeeper

/// What the active controller knows about the cluster (Kafka's `ControllerContext`): the epoch it
/// was elected with and the fence for its writes, and the live brokers with their epochs.
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
    /// Topics being deleted, with the replicas (brokers) that have not yet deleted their logs.
    public var topicsToBeDeleted: [String: Set<BrokerId>] = [:]
    /// Each partition's state in the partition state machine.
    public var partitionStates: [TopicPartition: PartitionState] = [:]

    public init() {}

    public var liveBrokerIds: Set<BrokerId> { Set(liveBrokers.keys) }

    public var allTopics: Set<String> { Set(partitionAssignments.keys.map(\.topic)) }

    /// The partitions with a replica on `broker`.
    public func partitions(onBroker broker: BrokerId) -> [TopicPartition] {
        partitionAssignments.filter { $0.value.contains(broker) }.map(\.key).sorted()
    }

    /// The difference between the registered brokers and the ones known: which came and went.
    public func brokerChanges(current: Set<BrokerId>) -> (added: [BrokerId], removed: [BrokerId]) {
        (current.subtracting(liveBrokerIds).sorted(), liveBrokerIds.subtracting(current).sorted())
    }
}
