import KafkaCommon
import KafkaProtocol
import KafkaStorage
import KafkaZk

/// DescribeConfigs (v0–v2), as Kafka's `AdminManager.describeConfigs` answers it.
///
/// - TOPIC: every topic-level key with the topic's effective value. Its source is the topic's
///   override (TOPIC_CONFIG), else the first of the key's broker synonyms set dynamically for
///   this broker (DYNAMIC_BROKER_CONFIG) or for all (DYNAMIC_DEFAULT_BROKER_CONFIG), else in
///   `server.properties` (STATIC_BROKER_CONFIG), else a broker default (DEFAULT_CONFIG). Topic
///   configs are never read-only. A topic without `/brokers/topics/<t>`: UNKNOWN_TOPIC_OR_PARTITION.
///   The log cleaner's keys (`cleanup.policy`, `delete.retention.ms`, `min.compaction.lag.ms`,
///   `max.compaction.lag.ms`, `min.cleanable.dirty.ratio`) are described as set; `cleanup.policy`
///   keeps the order it was given in (see `LogConfig.cleanupPolicy`).
/// - BROKER: this broker's id gives every key of `ConfigDef` (passwords as null, sensitive) with
///   its effective value and the source of the first of its synonyms (Kafka's order: dynamic for
///   this broker, dynamic default, static, default; synonyms more specific than the key itself
///   left out); read-only unless `BrokerConfigLayers.reconfigurableKeys` has it. The empty name
///   gives the cluster-wide dynamic defaults that are set (DYNAMIC_DEFAULT_BROKER_CONFIG, without
///   per-broker synonyms). Another id: INVALID_REQUEST, as Kafka; a non-numeric name too.
/// - Any other resource type: INVALID_REQUEST.
///
/// `configuration_keys` filters the answer; unknown names are left out. Synonyms (v1+) only when
/// `include_synonyms`. v0's `is_default` is true for DEFAULT_CONFIG values.
///
/// Isolation: immutable; reads ZooKeeper per request.
struct DescribeConfigsHandler: KafkaRequestHandler {
    let apiKey = ApiKey.describeConfigs
    let brokerId: BrokerId
    let config: KafkaConfig
    let zkClient: KafkaZkClient
    /// `server.properties` under the dynamic broker configs, as they are now.
    let dynamicConfig: DynamicBrokerConfig

    typealias Source = DescribeConfigs.ConfigSource
    typealias ResourceType = DescribeConfigs.ResourceType

    func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction {
        var body = request.body
        let describe = try DescribeConfigs.decodeRequest(from: &body, version: request.header.apiVersion)
        var results: [DescribeConfigs.Result] = []
        for resource in describe.resources {
            results.append(await result(for: resource, includeSynonyms: describe.includeSynonyms))
        }
        return DescribeConfigs.responseFrame(DescribeConfigs.Response(results: results), to: request)
    }

    func result(for resource: DescribeConfigs.Resource, includeSynonyms: Bool) async -> DescribeConfigs.Result {
        func failure(_ code: ErrorCode, _ message: String) -> DescribeConfigs.Result {
            .init(errorCode: code, errorMessage: message, resourceType: resource.resourceType,
                  resourceName: resource.resourceName, configs: [])
        }
        let configs: [DescribeConfigs.Config]
        switch resource.resourceType {
        case ResourceType.topic:
            do {
                guard let entries = try await topicConfigs(resource.resourceName, includeSynonyms: includeSynonyms) else {
                    return failure(.unknownTopicOrPartition, "Topic \(resource.resourceName) does not exist.")
                }
                configs = entries
            } catch {
                return failure(.unknownServerError, "Cannot read the config of topic \(resource.resourceName): \(error)")
            }
        case ResourceType.broker:
            if resource.resourceName.isEmpty {
                configs = defaultBrokerConfigs(includeSynonyms: includeSynonyms)
            } else if let id = Int32(resource.resourceName) {
                guard BrokerId(id) == brokerId else {
                    return failure(.invalidRequest, "Unexpected broker id, expected \(brokerId.rawValue) or empty string, but received \(resource.resourceName)")
                }
                configs = brokerConfigs(includeSynonyms: includeSynonyms)
            } else {
                return failure(.invalidRequest, "Broker id must be an integer, but it is: \(resource.resourceName)")
            }
        default:
            return failure(.invalidRequest, "Resource type \(resource.resourceType) is not supported by DescribeConfigs.")
        }
        let wanted = resource.configurationKeys.map(Set.init)
        return .init(resourceType: resource.resourceType, resourceName: resource.resourceName,
                     configs: configs.filter { wanted?.contains($0.name) ?? true })
    }

    // MARK: Topics

    /// nil when the topic does not exist.
    func topicConfigs(_ topic: String, includeSynonyms: Bool) async throws -> [DescribeConfigs.Config]? {
        guard try await zkClient.topicAssignment(topic) != nil else { return nil }
        let overrides = try await zkClient.topicConfig(topic)
        let layers = dynamicConfig.current
        let defaultLogConfig = dynamicConfig.logDefaults
        // A stored config this broker cannot apply is shown as stored, over the broker defaults.
        let effective = (try? defaultLogConfig.applying(topicOverrides: overrides)) ?? defaultLogConfig
        return LogConfig.topicKeys.map { key in
            var synonyms: [DescribeConfigs.Synonym] = []
            if let value = overrides[key] { synonyms.append(.init(name: key, value: value, source: Source.dynamicTopicConfig)) }
            synonyms += brokerSynonyms(LogConfig.brokerSynonyms(ofTopicKey: key), layers: layers, isSensitive: false)
            let source = synonyms.first?.source ?? Source.defaultConfig
            return DescribeConfigs.Config(
                name: key, value: overrides[key] ?? effective.value(forTopicKey: key), readOnly: false,
                isDefault: source == Source.defaultConfig, configSource: source, isSensitive: false,
                synonyms: includeSynonyms ? synonyms : [])
        }
    }

    /// The broker keys that have a value, layer by layer in precedence order (Kafka's `configSynonyms`).
    func brokerSynonyms(_ keys: [String], layers: BrokerConfigLayers, isSensitive: Bool) -> [DescribeConfigs.Synonym] {
        layers.synonyms(keys).map { .init(name: $0.name, value: isSensitive ? nil : $0.value, source: $0.source.wireValue) }
    }

    // MARK: Brokers

    /// This broker's keys: each one's effective value, with the synonyms from the key itself on
    /// (Kafka drops the more specific ones, e.g. `log.retention.ms` when describing
    /// `log.retention.hours`).
    func brokerConfigs(includeSynonyms: Bool) -> [DescribeConfigs.Config] {
        let layers = dynamicConfig.current
        return ConfigDef.keys.keys.sorted().map { key in
            let isSensitive = ConfigDef.keys[key]?.type == .password
            let synonyms = Array(brokerSynonyms(BrokerConfigLayers.brokerSynonyms(of: key), layers: layers, isSensitive: isSensitive)
                .drop(while: { $0.name != key }))
            let source = synonyms.first?.source ?? Source.defaultConfig
            // broker.id may have been generated; the answer names the id in use.
            let value = key == "broker.id" ? String(brokerId.rawValue) : layers.value(key)
            return DescribeConfigs.Config(
                name: key, value: isSensitive ? nil : value, readOnly: !BrokerConfigLayers.reconfigurableKeys.contains(key),
                isDefault: source == Source.defaultConfig, configSource: source, isSensitive: isSensitive,
                synonyms: includeSynonyms ? synonyms : [])
        }
    }

    /// The cluster-wide dynamic defaults that are set, as Kafka describes the broker resource "":
    /// each key of `/config/brokers/<default>`, without this broker's own layer among its synonyms.
    func defaultBrokerConfigs(includeSynonyms: Bool) -> [DescribeConfigs.Config] {
        let layers = dynamicConfig.current
        return layers.dynamicDefault.keys.sorted().map { key in
            let isSensitive = ConfigDef.keys[key]?.type == .password
            let synonyms = Array(brokerSynonyms(BrokerConfigLayers.brokerSynonyms(of: key), layers: layers, isSensitive: isSensitive)
                .filter { $0.source != Source.dynamicBrokerConfig }.drop(while: { $0.name != key }))
            let source = synonyms.first?.source ?? Source.dynamicDefaultBrokerConfig
            return DescribeConfigs.Config(
                name: key, value: isSensitive ? nil : layers.dynamicDefault[key],
                readOnly: !BrokerConfigLayers.reconfigurableKeys.contains(key), isDefault: false, configSource: source,
                isSensitive: isSensitive, synonyms: includeSynonyms ? synonyms : [])
        }
    }
}
