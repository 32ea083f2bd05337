import KafkaCommon

/// The by-topic model of StopReplica that the controller builds and `ReplicaManager` applies,
/// whatever the version (hand-written: the wire layout is generated from
/// `Schemas/StopReplica.schema`).
///
/// On the wire v0 lists (topic, partition) pairs flat (`partitions`) and v1 groups the partition
/// indexes by topic (`topics`). A request holds its partitions in the field of the version it
/// was read at or built for; the other field is empty.
extension StopReplica.Request {
    /// A request carrying `topics` in the layout of `version`: as `topics` from v1; in v0
    /// flattened, in order, into one `partitions` entry per partition.
    public init(
        controllerId: BrokerId, controllerEpoch: ControllerEpoch, brokerEpoch: Int64 = -1, deletePartitions: Bool,
        topics: [StopReplica.Topic], version: Int16
    ) {
        self.init(controllerId: controllerId, controllerEpoch: controllerEpoch, brokerEpoch: brokerEpoch,
                  deletePartitions: deletePartitions)
        if version >= 1 {
            self.topics = topics
        } else {
            partitions = topics.flatMap { topic in
                topic.partitionIndexes.map { StopReplica.UngroupedPartition(topicName: topic.name, partitionIndex: $0) }
            }
        }
    }

    /// The partitions grouped by topic, whatever the version: `topics`, then the flat
    /// `partitions` cut into runs of one topic (a topic listed in two runs gives two groups, so
    /// flattening the groups gives back the flat list in its order).
    public var partitionsByTopic: [StopReplica.Topic] {
        guard !partitions.isEmpty else { return topics }
        return topics + groupingConsecutiveByTopic(partitions.map { ($0.topicName, $0.partitionIndex) }).map {
            StopReplica.Topic(name: $0.topic, partitionIndexes: $0.elements)
        }
    }
}
