import KafkaCommon
import KafkaStorage
import KafkaZk

/// Broker entity notifications (Kafka's `BrokerConfigHandler` and the reconfiguration that
/// `DynamicBrokerConfig.updateCurrentConfig` triggers).
extension DynamicConfigManager {
    /// Re-reads `/config/brokers/<entity>` when it is `<default>` or this broker's id, swaps it
    /// into `DynamicBrokerConfig` and applies what changed.
    func applyBrokerConfig(_ entity: String) async throws {
        let stored = try await zkClient.entityConfig(entityType: KafkaZkClient.ConfigType.broker, entity: entity)
        let change: (old: BrokerConfigLayers, new: BrokerConfigLayers)
        if entity == KafkaZkClient.defaultBrokerEntity {
            change = dynamicConfig.update(dynamicDefault: stored)
        } else if let id = Int32(entity), BrokerId(id) == brokerId {
            change = dynamicConfig.update(brokerId: brokerId, dynamicBroker: stored)
        } else {
            return
        }
        let shown = stored.sorted { $0.key < $1.key }.map { "\($0.key) -> \($0.value)" }.joined(separator: ", ")
        logger.info("Processing override for entityPath: \(KafkaZkClient.ConfigType.broker)/\(entity) with config: Map(\(shown))")
        await reconfigure(from: change.old, to: change.new)
    }

    /// Applies what changed between two layer sets: new broker-level log defaults go to every
    /// local log, each over its topic's own overrides (Kafka's
    /// `LogManager.reconfigureDefaultLogConfig`: a key the topic overrides keeps the topic's
    /// value); a changed `unclean.leader.election.enable` goes to the controller; any other key
    /// registered with `onChange(of:)` (thread counts) to its handler.
    func reconfigure(from old: BrokerConfigLayers, to new: BrokerConfigLayers) async {
        for (key, handler) in changeHandlers.withLock({ $0 }) where old.value(key) != new.value(key) {
            if let value = new.value(key) { handler(value) }
        }
        guard let before = try? old.logDefaults(), let after = try? new.logDefaults(), before != after else { return }
        let logsByTopic = Dictionary(grouping: logManager.allLogs, by: \.topicPartition.topic)
        var updated = 0
        for (topic, logs) in logsByTopic.sorted(by: { $0.key < $1.key }) {
            do {
                let config = try after.applying(topicOverrides: try await zkClient.topicConfig(topic))
                for log in logs { log.updateConfig(config) }
                updated += logs.count
            } catch {
                logger.warning("Cannot apply the new broker log defaults to topic \(topic): \(error)")
            }
        }
        logger.info("Applied the new broker log defaults to \(updated) logs")
        if before.uncleanLeaderElectionEnable != after.uncleanLeaderElectionEnable {
            defaultUncleanElectionHandler.withLock { $0 }?(after.uncleanLeaderElectionEnable)
        }
    }
}
