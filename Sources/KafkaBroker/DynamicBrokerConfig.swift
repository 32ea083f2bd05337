import KafkaCommon
import KafkaStorage
import KafkaZk
import Logging
import Synchronization

/// The broker's configuration as it changes at run time (Kafka's `DynamicBrokerConfig`, KIP-226):
/// `server.properties` under the dynamic configs of `/config/brokers/<default>` and
/// `/config/brokers/<id>` (see `BrokerConfigLayers` for the precedence).
///
/// Lifecycle: built from the static config; `initialize` reads both znodes once at start-up,
/// before the log manager and the controller start, so they start with the effective values;
/// afterwards `DynamicConfigManager` calls `update` on each `/config/changes` notification
/// naming `brokers/<default>` or `brokers/<this id>`, and applies what changed (logs, controller).
///
/// Isolation: the current layers and the log defaults derived from them behind one `Mutex`;
/// readers get a consistent snapshot.
public final class DynamicBrokerConfig: Sendable {
    struct State {
        var layers: BrokerConfigLayers
        var logDefaults: LogConfig
    }

    private let state: Mutex<State>
    let logger: Logger

    public init(staticConfig: KafkaConfig, logger: Logger = Logger(label: "kafka.server.DynamicBrokerConfig")) throws {
        let properties = Dictionary(staticConfig.properties.entries.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
        let layers = BrokerConfigLayers(staticProperties: properties)
        state = Mutex(State(layers: layers, logDefaults: try layers.logDefaults()))
        self.logger = logger
    }

    /// The layers in effect now.
    public var current: BrokerConfigLayers { state.withLock { $0.layers } }

    /// The broker-level log config now in effect: what a topic without overrides gets.
    public var logDefaults: LogConfig { state.withLock { $0.logDefaults } }

    /// Reads `/config/brokers/<default>` and `/config/brokers/<id>` (Kafka's
    /// `DynamicBrokerConfig.initialize`), keeping what this broker can apply.
    public func initialize(zkClient: KafkaZkClient, brokerId: BrokerId) async throws {
        let defaults = try await zkClient.brokerConfig(nil)
        let own = try await zkClient.brokerConfig(brokerId)
        _ = update(dynamicDefault: defaults)
        _ = update(brokerId: brokerId, dynamicBroker: own)
    }

    /// Replaces the cluster-wide default layer; returns the layers before and after.
    @discardableResult
    public func update(dynamicDefault stored: [String: String]) -> (old: BrokerConfigLayers, new: BrokerConfigLayers) {
        let kept = sanitize(stored, entity: KafkaZkClient.defaultBrokerEntity)
        return swap { $0.dynamicDefault = kept }
    }

    /// Replaces this broker's own layer; returns the layers before and after.
    @discardableResult
    public func update(brokerId: BrokerId, dynamicBroker stored: [String: String]) -> (old: BrokerConfigLayers, new: BrokerConfigLayers) {
        let kept = sanitize(stored, entity: String(brokerId.rawValue))
        return swap { $0.dynamicBroker = kept }
    }

    private func sanitize(_ stored: [String: String], entity: String) -> [String: String] {
        let (kept, dropped) = BrokerConfigLayers.sanitized(stored)
        if !dropped.isEmpty {
            logger.warning("Dynamic broker configs of \(entity) that cannot be applied were ignored: \(dropped.joined(separator: ", "))")
        }
        return kept
    }

    private func swap(_ change: (inout BrokerConfigLayers) -> Void) -> (old: BrokerConfigLayers, new: BrokerConfigLayers) {
        let (old, new) = state.withLock { state -> (BrokerConfigLayers, BrokerConfigLayers) in
            let old = state.layers
            var layers = old
            change(&layers)
            // Sanitized layers always give valid log defaults; keep the last ones otherwise.
            guard let logDefaults = try? layers.logDefaults() else { return (old, old) }
            state = State(layers: layers, logDefaults: logDefaults)
            return (old, layers)
        }
        if old != new {
            let shown = new.effective.filter { BrokerConfigLayers.reconfigurableKeys.contains($0.key) }
                .filter { new.dynamicBroker[$0.key] != nil || new.dynamicDefault[$0.key] != nil }
                .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
            logger.info("Updated dynamic broker configs; dynamic values now in effect: {\(shown)}")
        }
        return (old, new)
    }
}
