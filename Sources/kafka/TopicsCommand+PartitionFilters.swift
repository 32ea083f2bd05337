import KafkaCommon
import KafkaProtocol

/// `kafka topics --describe --under-replicated-partitions | --unavailable-partitions` (Kafka's
/// `TopicCommand.DescribeOptions`): with a filter the topic summary lines are left out and only
/// the partitions it matches are listed, each in the usual partition line; a topic with none
/// prints nothing. Both filters together list the partitions matching either.
extension TopicsCommand {
    struct PartitionFilter: Equatable, Sendable {
        /// The ISR is smaller than the replica list.
        var underReplicated = false
        /// The partition has no leader (-1) or its leader is not a live broker.
        var unavailable = false

        var isActive: Bool { underReplicated || unavailable }

        func matches(_ partition: Metadata.Partition, liveBrokers: Set<BrokerId>) -> Bool {
            let isUnderReplicated = partition.isrNodes.count < partition.replicaNodes.count
            let isUnavailable = partition.leaderId == .none || !liveBrokers.contains(partition.leaderId)
            return (underReplicated && isUnderReplicated) || (unavailable && isUnavailable)
        }
    }

    var filter: PartitionFilter {
        PartitionFilter(underReplicated: underReplicatedPartitions, unavailable: unavailablePartitions)
    }

    /// The partition lines of `topic` that `filter` matches, in partition order.
    static func describe(_ topic: Metadata.Topic, filter: PartitionFilter, liveBrokers: Set<BrokerId>) -> String {
        topic.partitions.sorted { $0.partitionIndex < $1.partitionIndex }
            .filter { filter.matches($0, liveBrokers: liveBrokers) }
            .map { partitionLine(topic.name, $0) }.joined()
    }
}
