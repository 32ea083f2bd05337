import KafkaCommon

/// `/admin/reassign_partitions`: persistent; the partition reassignments an operator asked for
/// and the controller has not finished yet:
///
///     {"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[2,3,4]}]}
///
/// The admin tool creates it (and refuses while it exists: one reassignment at a time); the
/// active controller watches for its creation, starts every listed partition, rewrites it without
/// each partition it finishes and deletes it once the list is empty. A new controller reads it at
/// failover and resumes what is listed.
///
/// Kafka's reassignment files may also carry `"log_dirs":["any",…]` per partition (for moves
/// between a broker's log directories); it is accepted on reading and ignored, and never written
/// here (Kafka 2.3's controller does not write it either).
public enum ReassignPartitionsZNode {
    public static let path = "/admin/reassign_partitions"

    /// The znode's JSON, partitions in (topic, partition) order.
    public static func encode(_ reassignment: [TopicPartition: [BrokerId]]) -> [UInt8] {
        json(reassignment).bytes
    }

    public static func json(_ reassignment: [TopicPartition: [BrokerId]], logDirs: Bool = false) -> Json {
        let partitions = reassignment.sorted { $0.key < $1.key }.map { tp, replicas in
            var members: [(String, Json)] = [
                ("topic", .string(tp.topic)),
                ("partition", .int(Int64(tp.partition))),
                ("replicas", .array(replicas.map { .int(Int64($0.rawValue)) })),
            ]
            if logDirs { members.append(("log_dirs", .array(replicas.map { _ in .string("any") }))) }
            return Json.object(members)
        }
        return Json.object([("version", .int(1)), ("partitions", .array(partitions))])
    }

    /// The reassignment listed, in the znode's order (a partition listed twice is kept twice, for
    /// the tool to refuse; the controller takes the last).
    public static func decodeEntries(_ bytes: [UInt8], source: String = path) throws -> [(TopicPartition, [BrokerId])] {
        let json = try Json.parse(znode: source, bytes)
        guard let partitions = json["partitions"]?.arrayValue else {
            throw KafkaZkError.corruptZNode(source, "no partitions array")
        }
        return try partitions.map { entry in
            guard let topic = entry["topic"]?.stringValue,
                  let partition = entry["partition"]?.intValue.flatMap({ Int32(exactly: $0) }),
                  let replicas = entry["replicas"]?.arrayValue
            else { throw KafkaZkError.corruptZNode(source, "an entry lacks topic, partition or replicas") }
            let ids = try replicas.map { item in
                guard let id = item.intValue.flatMap({ Int32(exactly: $0) }) else {
                    throw KafkaZkError.corruptZNode(source, "bad replica in \(topic)-\(partition)")
                }
                return BrokerId(id)
            }
            return (TopicPartition(topic, partition), ids)
        }
    }

    public static func decode(_ bytes: [UInt8]) throws -> [TopicPartition: [BrokerId]] {
        Dictionary(try decodeEntries(bytes), uniquingKeysWith: { _, last in last })
    }
}
