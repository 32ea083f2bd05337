import KafkaProtocol
import KafkaStorage

/// A broker's configuration in Kafka's layers (KIP-226), highest precedence first:
/// 1. this broker's dynamic configs, `/config/brokers/<id>` (DYNAMIC_BROKER_CONFIG);
/// 2. the cluster-wide dynamic defaults, `/config/brokers/<default>` (DYNAMIC_DEFAULT_BROKER_CONFIG);
/// 3. `server.properties` (STATIC_BROKER_CONFIG);
/// 4. Kafka's defaults in `ConfigDef` (DEFAULT_CONFIG).
///
/// A pure value: `DynamicBrokerConfig` holds the current one and swaps it whole. Invariant: the
/// dynamic layers hold only keys of `reconfigurableKeys` with values `validated` accepts (the
/// layers are sanitized when read from ZooKeeper), so `logDefaults` cannot fail on them.
public struct BrokerConfigLayers: Sendable, Equatable {
    public var staticProperties: [String: String]
    public var dynamicDefault: [String: String] = [:]
    public var dynamicBroker: [String: String] = [:]

    public init(staticProperties: [String: String], dynamicDefault: [String: String] = [:], dynamicBroker: [String: String] = [:]) {
        self.staticProperties = staticProperties
        self.dynamicDefault = dynamicDefault
        self.dynamicBroker = dynamicBroker
    }

    /// Every set key with the value of its highest layer (what Kafka builds its new `KafkaConfig`
    /// from: the static file, then the defaults, then the broker's own on top).
    public var effective: [String: String] {
        staticProperties.merging(dynamicDefault) { $1 }.merging(dynamicBroker) { $1 }
    }

    /// A key's effective value, else Kafka's default.
    public func value(_ key: String) -> String? { effective[key] ?? ConfigDef.keys[key]?.defaultValue }

    /// The broker-level log config (the defaults every topic inherits where it sets nothing).
    public func logDefaults() throws -> LogConfig { try LogConfig(brokerProperties: effective) }

    /// Where a broker key's value can come from, as DescribeConfigs reports it.
    public enum Source: Sendable, Equatable {
        case dynamicBroker, dynamicDefault, staticBroker, defaultConfig

        public var wireValue: Int8 {
            switch self {
            case .dynamicBroker: DescribeConfigs.ConfigSource.dynamicBrokerConfig
            case .dynamicDefault: DescribeConfigs.ConfigSource.dynamicDefaultBrokerConfig
            case .staticBroker: DescribeConfigs.ConfigSource.staticBrokerConfig
            case .defaultConfig: DescribeConfigs.ConfigSource.defaultConfig
            }
        }
    }

    public struct Synonym: Sendable, Equatable {
        public var name: String
        public var value: String
        public var source: Source
    }

    /// Kafka's `configSynonyms`: for each layer in precedence order, each of `names` (a key and
    /// its synonyms, most specific first, e.g. `log.retention.ms`, `.minutes`, `.hours`) that the
    /// layer sets. The first entry is the one in effect.
    public func synonyms(_ names: [String]) -> [Synonym] {
        let layers: [([String: String], Source)] = [
            (dynamicBroker, .dynamicBroker), (dynamicDefault, .dynamicDefault), (staticProperties, .staticBroker),
            (ConfigDef.keys.compactMapValues(\.defaultValue), .defaultConfig),
        ]
        return layers.flatMap { layer, source in
            names.compactMap { name in layer[name].map { Synonym(name: name, value: $0, source: source) } }
        }
    }

    /// The broker keys of `name`, most specific first (Kafka's `DynamicBrokerConfig.brokerConfigSynonyms`).
    public static func brokerSynonyms(of name: String) -> [String] {
        switch name {
        case "log.roll.ms", "log.roll.hours": ["log.roll.ms", "log.roll.hours"]
        case "log.roll.jitter.ms", "log.roll.jitter.hours": ["log.roll.jitter.ms", "log.roll.jitter.hours"]
        case "log.retention.ms", "log.retention.minutes", "log.retention.hours":
            ["log.retention.ms", "log.retention.minutes", "log.retention.hours"]
        case "log.flush.interval.ms": ["log.flush.interval.ms", "log.flush.scheduler.interval.ms"]
        default: [name]
        }
    }

    // MARK: What may change at run time

    /// The keys this broker changes at run time: the broker-level defaults of topic configs
    /// (Kafka 2.3's `DynamicLogConfig`: every `LogConfig` synonym but `log.message.format.version`),
    /// which apply to every log whose topic does not override them, and to the controller's
    /// unclean elections; `num.io.threads`, the request handler pool's size;
    /// `num.replica.fetchers`, the fetchers per leader (partitions are re-hashed over them);
    /// `num.network.threads`, the socket server's processors (`SocketServer.resizeThreadPool`: a
    /// removed processor closes its connections and their clients reconnect); and the log
    /// cleaner's keys (`LogCleanerConfig.reconfigurableKeys`: threads, offset map and I/O buffer
    /// sizes, load factor, I/O rate, back-off; Kafka's `LogCleaner.reconfigure` stops the cleaner
    /// and starts it again with the new settings).
    ///
    /// Kafka 2.3 also changes its other thread pools (`num.recovery.threads.per.data.dir`,
    /// `background.threads`), listeners, SSL/SASL and connection quotas at run time. This broker
    /// sizes those once at start-up, so it refuses
    /// them as it refuses read-only keys, rather than store a value it would not honour.
    public static let reconfigurableKeys: Set<String> =
        Set(LogConfig.brokerKeyForTopicKey.values).subtracting(["log.message.format.version"]).union(threadCountKeys)
            .union(LogCleanerConfig.reconfigurableKeys)

    /// The thread counts among `reconfigurableKeys`.
    public static let threadCountKeys: Set<String> = ["num.io.threads", "num.replica.fetchers", "log.cleaner.threads", "num.network.threads"]

    /// Which dynamic layer a new override set replaces.
    public enum Layer: Sendable { case dynamicDefault, dynamicBroker }

    /// Why a dynamic broker config is refused; the text is Kafka's `ConfigException` message.
    public struct InvalidConfig: Error, Equatable, Sendable {
        public let message: String
    }

    /// Checks `config` as a new override set for one layer (Kafka's
    /// `DynamicBrokerConfig.validate`): every key must be reconfigurable (Kafka:
    /// "Cannot update these configs dynamically: Set(…)"), every value of its key's type and within
    /// the key's range, the way `server.properties` is checked.
    ///
    /// Kafka 2.3 also stores keys it does not know (for plugins); this broker has no plugins to
    /// read them and refuses them too, naming them.
    ///
    /// With `current`, a thread count must also stay within Kafka's bounds relative to the count
    /// in effect: at least 1, at least half and at most double (Kafka's `DynamicThreadPool`).
    public static func validated(
        _ config: [String: String], replacing layer: Layer? = nil, of current: BrokerConfigLayers? = nil
    ) -> Result<[String: String], InvalidConfig> {
        func set(_ keys: [String]) -> String { "Set(\(keys.sorted().joined(separator: ", ")))" }
        let unknown = config.keys.filter { ConfigDef.keys[$0] == nil }
        if !unknown.isEmpty { return .failure(InvalidConfig(message: "Unknown broker configs: \(set(unknown))")) }
        let readOnly = config.keys.filter { !reconfigurableKeys.contains($0) }
        if !readOnly.isEmpty {
            return .failure(InvalidConfig(message: "Cannot update these configs dynamically: \(set(readOnly))"))
        }
        var properties = JavaProperties()
        for (key, value) in config { properties.set(key, value) }
        let reader = ConfigReader(properties: properties, file: nil)
        for key in config.keys.sorted() {
            guard let definition = ConfigDef.keys[key] else { continue }
            do {
                _ = try reader.raw(definition)
            } catch let error as ConfigError {
                return .failure(InvalidConfig(message: error.message))
            } catch {
                return .failure(InvalidConfig(message: "\(error)"))
            }
        }
        for key in threadCountKeys.sorted() {
            if let value = config[key], let count = Int(value.trimmingCharacters(in: .whitespaces)), count < 1 {
                return .failure(InvalidConfig(message: "Invalid value \(value) for configuration \(key): Value must be at least 1"))
            }
        }
        do {
            _ = try LogConfig(brokerProperties: config)
        } catch LogConfigError.invalidValue(let topicKey, let value) {
            let key = LogConfig.brokerKeyForTopicKey[topicKey] ?? topicKey
            return .failure(InvalidConfig(message: "Invalid value \(value) for configuration \(key): out of range"))
        } catch {
            return .failure(InvalidConfig(message: "\(error)"))
        }
        if let invalid = invalidCleanerConfig(config, next: nil) { return .failure(invalid) }
        if let layer, let current {
            var next = current
            switch layer {
            case .dynamicDefault: next.dynamicDefault = config
            case .dynamicBroker: next.dynamicBroker = config
            }
            if let invalid = invalidCleanerConfig(config, next: next) { return .failure(invalid) }
            for key in threadCountKeys.sorted() {
                guard let old = current.value(key).flatMap({ Int($0) }), let new = next.value(key).flatMap({ Int($0) }), old != new
                else { continue }
                let failed = "Dynamic thread count update validation failed for \(key)=\(new)"
                if new <= 0 { return .failure(InvalidConfig(message: "\(failed), value should be at least 1")) }
                if new < old / 2 {
                    return .failure(InvalidConfig(message: "\(failed), value should be at least half the current value \(old)"))
                }
                if new > old * 2 {
                    return .failure(InvalidConfig(message: "\(failed), value should not be greater than double the current value \(old)"))
                }
            }
        }
        return .success(config)
    }

    /// The entries of a stored layer that `validated` accepts one by one, and the keys dropped
    /// (a znode written by hand or by a broker of another version; Kafka too drops what it
    /// cannot apply and keeps the rest).
    public static func sanitized(_ stored: [String: String]) -> (kept: [String: String], dropped: [String]) {
        var kept: [String: String] = [:]
        var dropped: [String] = []
        for (key, value) in stored {
            if case .success = validated([key: value]) { kept[key] = value } else { dropped.append(key) }
        }
        return (kept, dropped.sorted())
    }
}
