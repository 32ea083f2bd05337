import KafkaCommon
import KafkaStorage
import KafkaZk
import Logging
import Synchronization
import ZooKeeper

/// Applies dynamic config changes to this broker (Kafka's `DynamicConfigManager` with its
/// `ZkNodeChangeNotificationListener` over `/config/changes`), for two entity types:
/// - `topics`: whoever changes `/config/topics/<t>` (AlterConfigs, on any broker) also creates a
///   persistent sequential `/config/changes/config_change_<seq>` naming the topic; the topic's
///   `LogConfig` is rebuilt over the current broker defaults and given to every local log of the
///   topic (`Log.updateConfig`, under the log's lock) — Kafka's `TopicConfigHandler`.
/// - `brokers`: a notification naming `brokers/<default>` or `brokers/<this broker's id>` makes it
///   re-read that znode into `DynamicBrokerConfig`, then apply what changed — Kafka's
///   `BrokerConfigHandler` (see `DynamicConfigManager+Brokers`). Other brokers' ids are skipped.
///
/// The manager keeps a children watch on `/config/changes`; on every change it takes the
/// notifications with a sequence number above the last one it processed. Notifications of other
/// entity types are skipped. A (re)connected session re-arms the watch and catches up on the
/// notifications created meanwhile.
///
/// A topic whose config now enables `unclean.leader.election.enable` is also handed to
/// `onUncleanLeaderElectionEnabled` (the controller retries its offline partitions at once, as
/// Kafka's `TopicConfigHandler` has it do); a change of the broker-wide default goes to
/// `onDefaultUncleanLeaderElectionChange`.
///
/// At start the existing notifications are processed too (re-applying a config is harmless).
/// Old notifications are never purged here.
///
/// Lifecycle: `start()` once, `stop()` once; the work runs in one task, so notifications are
/// processed one at a time, topic and broker changes alike. Isolation: the task handle and the
/// handlers behind `Mutex`es.
public final class DynamicConfigManager: Sendable {
    let zkClient: KafkaZkClient
    let logManager: LogManager
    let brokerId: BrokerId
    let dynamicConfig: DynamicBrokerConfig
    let logger: Logger
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let uncleanElectionHandler = Mutex<(@Sendable (String) -> Void)?>(nil)
    let defaultUncleanElectionHandler = Mutex<(@Sendable (Bool) -> Void)?>(nil)
    let changeHandlers = Mutex<[(key: String, handler: @Sendable (String) -> Void)]>([])

    /// Called with each topic whose applied config enables unclean leader election.
    public func onUncleanLeaderElectionEnabled(_ handler: @escaping @Sendable (String) -> Void) {
        uncleanElectionHandler.withLock { $0 = handler }
    }

    /// Called with the new broker-wide `unclean.leader.election.enable` when a dynamic broker
    /// config changes it.
    public func onDefaultUncleanLeaderElectionChange(_ handler: @escaping @Sendable (Bool) -> Void) {
        defaultUncleanElectionHandler.withLock { $0 = handler }
    }

    /// Called with the new value of broker config `key` whenever a dynamic broker config
    /// changes it (the request handler pool registers `num.io.threads`).
    public func onChange(of key: String, _ handler: @escaping @Sendable (String) -> Void) {
        changeHandlers.withLock { $0.append((key, handler)) }
    }

    public init(zkClient: KafkaZkClient, logManager: LogManager, brokerId: BrokerId, dynamicConfig: DynamicBrokerConfig,
                logger: Logger) {
        self.zkClient = zkClient
        self.logManager = logManager
        self.brokerId = brokerId
        self.dynamicConfig = dynamicConfig
        self.logger = logger
    }

    public func start() {
        // Subscribe before the first read, so no watch event falls in between.
        let events = zkClient.zooKeeper.events()
        let work = Task { [self] in
            var lastExecutedChange: Int64 = -1
            lastExecutedChange = await processNotifications(after: lastExecutedChange)
            for await event in events {
                switch event {
                case .watch(let watched) where watched.path == ConfigEntityChangeNotificationZNode.path
                    && watched.kind == .nodeChildrenChanged:
                    lastExecutedChange = await processNotifications(after: lastExecutedChange)
                case .session(.connected, _):
                    lastExecutedChange = await processNotifications(after: lastExecutedChange)
                default:
                    continue
                }
            }
        }
        task.withLock { $0 = work }
    }

    public func stop() {
        task.withLock { $0.take() }?.cancel()
    }

    /// Re-arms the watch and processes the notifications above `last`; returns the new last one.
    func processNotifications(after last: Int64) async -> Int64 {
        let names: [String]
        do {
            names = try await zkClient.zooKeeper.children(ConfigEntityChangeNotificationZNode.path, watch: true).names
        } catch {
            logger.warning("Cannot read config change notifications: \(error)")
            return last
        }
        var last = last
        // An entity named by several notifications is re-read once: its znode holds the latest config.
        var topics: [String] = []
        var brokerEntities: [String] = []
        for (sequence, name) in Self.pending(names, after: last) {
            let path = "\(ConfigEntityChangeNotificationZNode.path)/\(name)"
            do {
                if let (bytes, _) = try await zkClient.dataIfExists(path) {
                    let (entityType, entity) = try ConfigEntityChangeNotificationZNode.decode(path: path, bytes)
                    if entityType == KafkaZkClient.ConfigType.topic, !topics.contains(entity) { topics.append(entity) }
                    if entityType == KafkaZkClient.ConfigType.broker, !brokerEntities.contains(entity) {
                        brokerEntities.append(entity)
                    }
                }
            } catch {
                logger.warning("Cannot read config change notification \(path): \(error)")
            }
            last = sequence
        }
        for entity in brokerEntities {
            do {
                try await applyBrokerConfig(entity)
            } catch {
                logger.warning("Cannot apply the dynamic configs of broker entity \(entity): \(error)")
            }
        }
        for topic in topics {
            do {
                try await applyTopicConfig(topic)
            } catch {
                logger.warning("Cannot apply the config of topic \(topic): \(error)")
            }
        }
        return last
    }

    /// The notifications named `config_change_<seq>` with `seq` above `last`, in sequence order.
    static func pending(_ names: [String], after last: Int64) -> [(sequence: Int64, name: String)] {
        let prefix = ConfigEntityChangeNotificationZNode.prefix
        return names.compactMap { name -> (Int64, String)? in
            guard name.hasPrefix(prefix), let sequence = Int64(name.dropFirst(prefix.count)), sequence > last else { return nil }
            return (sequence, name)
        }.sorted { $0.0 < $1.0 }
    }

    func applyTopicConfig(_ topic: String) async throws {
        let overrides = try await zkClient.topicConfig(topic)
        let config = try dynamicConfig.logDefaults.applying(topicOverrides: overrides)
        let logs = logManager.allLogs.filter { $0.topicPartition.topic == topic }
        for log in logs { log.updateConfig(config) }
        if config.uncleanLeaderElectionEnable, overrides["unclean.leader.election.enable"] != nil {
            uncleanElectionHandler.withLock { $0 }?(topic)
        }
        let shown = overrides.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        logger.info("Applied the config of topic \(topic) to \(logs.count) logs: {\(shown)}")
    }
}
