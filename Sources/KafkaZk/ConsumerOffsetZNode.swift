import KafkaCommon

/// `/consumers/<group>/offsets/<topic>/<partition>`: persistent; the offset a group committed for
/// one partition through OffsetCommit v0, stored by Kafka 2.3 in ZooKeeper for the old Scala
/// consumer (later versions commit to `__consumer_offsets`). The data is the offset as a decimal
/// string in UTF-8 (`42`), nothing else; the parents (`/consumers/<group>`,
/// `/consumers/<group>/offsets`, `/consumers/<group>/offsets/<topic>`) have empty data.
public enum ConsumerOffsetZNode {
    public static func path(group: String, topicPartition: TopicPartition) -> String {
        "\(PersistentZkPaths.consumers)/\(group)/offsets/\(topicPartition.topic)/\(topicPartition.partition)"
    }

    public static func encode(_ offset: Int64) -> [UInt8] { Array(String(offset).utf8) }

    /// The offset the node holds; throws `corruptZNode` unless it is a decimal number (Kafka parses
    /// it with `toLong`, which fails the same way).
    public static func decode(path: String, _ bytes: [UInt8]) throws -> Int64 {
        guard let offset = Int64(String(decoding: bytes, as: UTF8.self)) else {
            throw KafkaZkError.corruptZNode(path, "not a decimal offset")
        }
        return offset
    }
}
