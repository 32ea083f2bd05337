import KafkaCommon

/// `/config/<entityType>/<entity>`: persistent; an entity's dynamic configuration overrides
/// (`topics`, `brokers`, `clients`, `users`):
///
///     {"version":1,"config":{"retention.ms":"86400000","cleanup.policy":"compact"}}
///
/// Values are always strings. Keys are written in sorted order.
public enum ConfigEntityZNode {
    public static func path(entityType: String, entity: String) -> String { "/config/\(entityType)/\(entity)" }

    public static func encode(_ config: [String: String]) -> [UInt8] {
        Json.object([
            ("version", .int(1)),
            ("config", .object(config.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
        ]).bytes
    }

    public static func decode(path: String, _ bytes: [UInt8]) throws -> [String: String] {
        if bytes.isEmpty { return [:] }
        let json = try Json.parse(znode: path, bytes)
        guard let config = json["config"]?.objectValue else { return [:] }
        var result: [String: String] = [:]
        for (key, value) in config {
            guard let text = value.stringValue else { throw KafkaZkError.corruptZNode(path, "value of \(key) is not a string") }
            result[key] = text
        }
        return result
    }
}

/// `/config/changes/config_change_<seq>`: persistent sequential; tells every broker that an
/// entity's configuration changed: `{"version":2,"entity_path":"topics/orders"}`.
public enum ConfigEntityChangeNotificationZNode {
    public static let path = PersistentZkPaths.configChanges
    public static let prefix = "config_change_"

    public static func encode(entityType: String, entity: String) -> [UInt8] {
        Json.object([("version", .int(2)), ("entity_path", .string("\(entityType)/\(entity)"))]).bytes
    }

    /// (entity type, entity name) of a notification.
    public static func decode(path: String, _ bytes: [UInt8]) throws -> (entityType: String, entity: String) {
        let json = try Json.parse(znode: path, bytes)
        guard let entityPath = json["entity_path"]?.stringValue, let slash = entityPath.firstIndex(of: "/") else {
            throw KafkaZkError.corruptZNode(path, "no entity_path")
        }
        return (String(entityPath[..<slash]), String(entityPath[entityPath.index(after: slash)...]))
    }
}

/// `/admin/delete_topics/<topic>`: persistent, empty; a topic deletion request for the controller.
public enum DeleteTopicsTopicZNode {
    public static func path(_ topic: String) -> String { "\(PersistentZkPaths.deleteTopics)/\(topic)" }
}

/// `/isr_change_notification/isr_change_<seq>`: persistent sequential; partitions whose ISR a
/// leader changed, for the controller to propagate with UpdateMetadata:
/// `{"version":1,"partitions":[{"topic":"orders","partition":8}]}`.
public enum IsrChangeNotificationZNode {
    public static let path = PersistentZkPaths.isrChangeNotification
    public static let prefix = "isr_change_"

    public static func encode(_ partitions: [TopicPartition]) -> [UInt8] {
        Json.object([
            ("version", .int(1)),
            ("partitions", .array(partitions.map { .object([("topic", .string($0.topic)), ("partition", .int(Int64($0.partition)))]) })),
        ]).bytes
    }

    public static func decode(path: String, _ bytes: [UInt8]) throws -> [TopicPartition] {
        let json = try Json.parse(znode: path, bytes)
        guard let partitions = json["partitions"]?.arrayValue else { throw KafkaZkError.corruptZNode(path, "no partitions") }
        return try partitions.map { item in
            guard let topic = item["topic"]?.stringValue, let partition = item["partition"]?.intValue.flatMap({ Int32(exactly: $0) })
            else { throw KafkaZkError.corruptZNode(path, "bad partition entry") }
            return TopicPartition(topic, partition)
        }
    }
}
