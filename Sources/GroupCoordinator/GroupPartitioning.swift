import KafkaCommon

/// Which partition of `__consumer_offsets` holds a group, and so which broker coordinates it: the
/// leader of partition `abs(javaHashCode(group.id)) % offsets.topic.num.partitions`.
///
/// The hash must be Java's `String.hashCode` (over UTF-16 code units, wrapping int32 arithmetic)
/// and the abs Kafka's `Utils.abs`, which maps `Int32.min` to 0, so that a group lands on the same
/// partition here as on Apache Kafka and `__consumer_offsets` data copied from it stays valid.
public enum GroupPartitioning {
    /// The `__consumer_offsets` partition of `groupId` when the topic has `partitionCount` partitions.
    public static func partitionFor(groupId: String, partitionCount: Int32) -> Int32 {
        precondition(partitionCount > 0, "offsets.topic.num.partitions must be positive")
        return JavaHash.abs(JavaHash.stringHashCode(groupId)) % partitionCount
    }
}
