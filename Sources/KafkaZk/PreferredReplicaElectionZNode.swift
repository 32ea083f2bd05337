import KafkaCommon

/// `/admin/preferred_replica_election`: persistent, written by an operator (Kafka 2.3's
/// `kafka-preferred-replica-election.sh --zookeeper`, or by hand) to ask the controller to move the
/// leadership of the listed partitions back to their preferred replica, the first of each
/// assignment: `{"version":1,"partitions":[{"topic":"fo30","partition":8}]}`.
///
/// Lifecycle: the active controller watches for its creation (an exists watch), reads it, elects,
/// and deletes it (fenced by its epoch) when done; a new controller processes one it finds at
/// failover. While it exists no other election can be requested this way (creating it again fails
/// with NodeExists: "an election is in progress").
public enum PreferredReplicaElectionZNode {
    public static let path = "/admin/preferred_replica_election"

    public static func encode(_ partitions: some Sequence<TopicPartition>) -> [UInt8] {
        Json.object([
            ("version", .int(1)),
            ("partitions", .array(partitions.map {
                .object([("topic", .string($0.topic)), ("partition", .int(Int64($0.partition)))])
            })),
        ]).bytes
    }

    /// The partitions named, each once. Kafka reads them into a set, so duplicates are harmless.
    public static func decode(_ bytes: [UInt8]) throws -> Set<TopicPartition> {
        let json = try Json.parse(znode: path, bytes)
        guard let entries = json["partitions"]?.arrayValue else { throw KafkaZkError.corruptZNode(path, "no partitions") }
        var partitions: Set<TopicPartition> = []
        for entry in entries {
            guard let topic = entry["topic"]?.stringValue,
                  let partition = entry["partition"]?.intValue.flatMap({ Int32(exactly: $0) })
            else { throw KafkaZkError.corruptZNode(path, "bad partition entry") }
            partitions.insert(TopicPartition(topic, partition))
        }
        return partitions
    }
}
