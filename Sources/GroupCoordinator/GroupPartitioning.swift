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
        let hash = javaHashCode(groupId)
        let positive = hash == .min ? 0 : abs(hash)
        return positive % partitionCount
    }

    /// Java's `String.hashCode`: `s[0]·31^(n-1) + … + s[n-1]` over UTF-16 code units, in int32.
    public static func javaHashCode(_ string: String) -> Int32 {
        var hash: Int32 = 0
        for unit in string.utf16 {
            hash = hash &* 31 &+ Int32(unit)
        }
        return hash
    }
}
