import KafkaCommon

/// A group's committed position in one partition: the identity of an offset commit record in
/// `__consumer_offsets` (Kafka's `GroupTopicPartition`, the key of `OffsetKey`). Later records of
/// the same identity replace earlier ones, which is what compaction keeps.
public struct GroupTopicPartition: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var topicPartition: TopicPartition

    public init(group: String, topicPartition: TopicPartition) {
        self.group = group
        self.topicPartition = topicPartition
    }

    /// `[group,topic,partition]`, as Kafka prints it.
    public var description: String { "[\(group),\(topicPartition.topic),\(topicPartition.partition)]" }
}

extension OffsetCommitKey {
    /// The group and partition the key names.
    public var groupTopicPartition: GroupTopicPartition {
        GroupTopicPartition(group: group, topicPartition: TopicPartition(topic, partition))
    }
}
