import KafkaCommon

/// The requests one controller event will send (Kafka's `ControllerBrokerRequestBatch`):
/// LeaderAndIsr per broker, UpdateMetadata for every partition whose LeaderAndIsr goes out (to
/// every live broker) plus the partitions added explicitly, and StopReplica per broker.
///
/// It records partitions, not states: when the batch is sent, each partition goes out with the
/// leadership the context holds then, so a partition changed twice in one event (its ISR shrunk,
/// then a leader elected) is sent once, in its final state. A value filled by the state machines'
/// plans for the event being processed; `KafkaController.sendRequests(_:)` sends it, LeaderAndIsr
/// first, then UpdateMetadata, then StopReplica, as Kafka does.
public struct ControllerBrokerRequestBatch: Sendable, Equatable {
    /// Per broker, the partitions whose LeaderAndIsr it gets.
    public private(set) var leaderAndIsr: [BrokerId: Set<TopicPartition>] = [:]
    /// Partitions whose LeaderAndIsr says `isNew` (just created: the replicas may create their
    /// logs). Once new, a partition stays new for the whole batch, as in Kafka.
    public private(set) var newPartitions: Set<TopicPartition> = []
    /// The partitions every live broker gets in UpdateMetadata.
    public private(set) var updateMetadataPartitions: Set<TopicPartition> = []
    /// UpdateMetadata goes out even without partitions (the live brokers changed).
    public private(set) var isUpdateMetadataRequested = false
    /// Per broker, the partitions it is to stop replicating, each with whether it deletes them.
    public private(set) var stopReplica: [BrokerId: [TopicPartition: Bool]] = [:]

    public init() {}

    public var isEmpty: Bool {
        leaderAndIsr.isEmpty && updateMetadataPartitions.isEmpty && !isUpdateMetadataRequested && stopReplica.isEmpty
    }

    /// `brokers` get the partition's LeaderAndIsr; every live broker its UpdateMetadata.
    public mutating func addLeaderAndIsr(_ partition: TopicPartition, to brokers: some Sequence<BrokerId>, isNew: Bool = false) {
        for broker in brokers { leaderAndIsr[broker, default: []].insert(partition) }
        if isNew { newPartitions.insert(partition) }
        updateMetadataPartitions.insert(partition)
    }

    /// Every live broker gets UpdateMetadata with these partitions (possibly none: the live
    /// brokers alone).
    public mutating func addUpdateMetadata(_ partitions: some Sequence<TopicPartition>) {
        updateMetadataPartitions.formUnion(partitions)
        isUpdateMetadataRequested = true
    }

    /// `broker` stops replicating `partition`, deleting its log when `deletePartition` (a
    /// deletion requested once stays requested).
    public mutating func addStopReplica(_ partition: TopicPartition, to broker: BrokerId, deletePartition: Bool) {
        stopReplica[broker, default: [:]][partition] = deletePartition || (stopReplica[broker]?[partition] ?? false)
    }

    /// Adds everything `other` records.
    public mutating func merge(_ other: ControllerBrokerRequestBatch) {
        for (broker, partitions) in other.leaderAndIsr { leaderAndIsr[broker, default: []].formUnion(partitions) }
        newPartitions.formUnion(other.newPartitions)
        updateMetadataPartitions.formUnion(other.updateMetadataPartitions)
        isUpdateMetadataRequested = isUpdateMetadataRequested || other.isUpdateMetadataRequested
        for (broker, partitions) in other.stopReplica {
            for (partition, delete) in partitions { addStopReplica(partition, to: broker, deletePartition: delete) }
        }
    }
}
