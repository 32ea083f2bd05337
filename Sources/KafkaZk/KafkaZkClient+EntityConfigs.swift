import KafkaCommon
import ZooKeeper

/// The dynamic configs of any entity type under `/config/<type>/<entity>` (Kafka's
/// `AdminZkClient.changeEntityConfig` and `KafkaZkClient.getEntityConfigs`): topics, and brokers
/// under their id or `<default>` (the cluster-wide default every broker applies beneath its own).
extension KafkaZkClient {
    /// Kafka's `ConfigType` names for the entity types this broker configures.
    public enum ConfigType {
        public static let topic = "topics"
        public static let broker = "brokers"
    }

    /// Kafka's `ConfigEntityName.Default`: the broker entity whose configs apply to every broker.
    public static let defaultBrokerEntity = "<default>"

    /// An entity's config overrides; empty when its znode does not exist.
    public func entityConfig(entityType: String, entity: String) async throws -> [String: String] {
        let path = ConfigEntityZNode.path(entityType: entityType, entity: entity)
        guard let (bytes, _) = try await dataIfExists(path) else { return [:] }
        return try ConfigEntityZNode.decode(path: path, bytes)
    }

    /// Replaces an entity's config overrides and announces the change with a persistent
    /// sequential `/config/changes/config_change_<seq>` naming `<type>/<entity>`, on which every
    /// broker re-reads the znode.
    public func changeEntityConfig(entityType: String, entity: String, config: [String: String]) async throws {
        let path = ConfigEntityZNode.path(entityType: entityType, entity: entity)
        do {
            try await zooKeeper.setData(path, data: ConfigEntityZNode.encode(config))
        } catch let error as ZooKeeperError where error.code == .noNode {
            try await zooKeeper.create(path, data: ConfigEntityZNode.encode(config))
        }
        try await zooKeeper.create(
            "\(ConfigEntityChangeNotificationZNode.path)/\(ConfigEntityChangeNotificationZNode.prefix)",
            data: ConfigEntityChangeNotificationZNode.encode(entityType: entityType, entity: entity),
            mode: .persistentSequential)
    }

    /// `/config/brokers/<id>`, or `/config/brokers/<default>` for `nil`.
    public func brokerConfig(_ id: BrokerId?) async throws -> [String: String] {
        try await entityConfig(entityType: ConfigType.broker, entity: id.map { String($0.rawValue) } ?? Self.defaultBrokerEntity)
    }

    /// Replaces `/config/brokers/<id>` (or `<default>` for `nil`) and notifies every broker.
    public func changeBrokerConfig(_ id: BrokerId?, config: [String: String]) async throws {
        try await changeEntityConfig(entityType: ConfigType.broker,
                                     entity: id.map { String($0.rawValue) } ?? Self.defaultBrokerEntity, config: config)
    }
}
