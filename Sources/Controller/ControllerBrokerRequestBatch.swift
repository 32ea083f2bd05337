import KafkaCommon

/// The requests one controller event will send (Kafka's `ControllerBrokerRequestBatch`):
/// LeaderAndIsr per broker, and UpdateMetadata for every partition whose LeaderAndIsr goes out
/// (to every live broker) plus the partitions added explicitly.
///
/// It records partitions, not states: when the batch is sent, each partition goes out with the
/// leadership the context holds then, so a partition changed twice in one event (its ISR shrunk,
/// then a leader elected) is sent once, in its final state. A value owned by the event being
/// processed; `KafkaController.sendRequests(_:)` sends it, LeaderAndIsr first, as Kafka does.
public struct ControllerBrokerRequestBatch: Sendable, Equatable {
    /// Per broker, the partitions whose LeaderAndIsr it gets.
    public private(set) var leaderAndIsr: [BrokerId: Set<TopicPartition>] = [:]
    /// The partitions every live broker gets in UpdateMetadata.
    public private(set) var updateMetadataPartitions: Set<TopicPartition> = []
    /// UpdateMetadata goes out even without partitions (the live brokers changed).
    public private(set) var isUpdateMetadataRequested = false

    public init() {}

    public var isEmpty: Bool { leaderAndIsr.isEmpty && updateMetadataPartitions.isEmpty && !isUpdateMetadataRequested }

    /// `brokers` get the partition's LeaderAndIsr; every live broker its UpdateMetadata.
    public mutating func addLeaderAndIsr(_ partition: TopicPartition, to brokers: some Sequence<BrokerId>) {
        for broker in brokers { leaderAndIsr[broker, default: []].insert(partition) }
        updateMetadataPartitions.insert(partition)
    }

    /// Every live broker gets UpdateMetadata with these partitions (possibly none: the live
    /// brokers alone).
    public mutating func addUpdateMetadata(_ partitions: some Sequence<TopicPartition>) {
        updateMetadataPartitions.formUnion(partitions)
        isUpdateMetadataRequested = true
    }
}
