import KafkaCommon
import KafkaProtocol
import KafkaStorage
import KafkaZk

/// DescribeConfigs (v0–v2), as Kafka's `AdminManager.describeConfigs` answers it for a broker
/// without dynamic broker configs.
///
/// - TOPIC: every topic-level key with the topic's effective value. Its source is the topic's
///   override (TOPIC_CONFIG), else the first of the key's broker synonyms set in
///   `server.properties` (STATIC_BROKER_CONFIG), else a broker default (DEFAULT_CONFIG). Topic
///   configs are never read-only. A topic without `/brokers/topics/<t>`: UNKNOWN_TOPIC_OR_PARTITION.
///   The log cleaner's keys (`cleanup.policy=compact`, `delete.retention.ms`,
///   `min.compaction.lag.ms`, `max.compaction.lag.ms`, `min.cleanable.dirty.ratio`) are described
///   as set, but no log cleaner runs yet: nothing is compacted (see `LogConfig.cleanupPolicy`).
/// - BROKER: this broker's id gives every key of `ConfigDef` (passwords as null, sensitive), all
///   read-only since none can be changed at run time yet; the empty name (the cluster-wide dynamic
///   defaults) gives none; another id or a non-numeric name is INVALID_REQUEST.
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
    /// The broker-level log config (`server.properties` `log.*` keys over Kafka's defaults).
    let defaultLogConfig: LogConfig

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
                configs = []  // No dynamic cluster-wide defaults are supported.
            } else if let id = Int32(resource.resourceName) {
                guard BrokerId(id) == brokerId else {
                    return failure(.invalidRequest, "Broker \(id) is not this broker (\(brokerId.rawValue)); ask it directly, or name no broker for the cluster-wide defaults.")
                }
                configs = brokerConfigs(includeSynonyms: includeSynonyms)
            } else {
                return failure(.invalidRequest, "A broker resource is named by its integer id, not '\(resource.resourceName)'.")
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
        // A stored config this broker cannot apply is shown as stored, over the broker defaults.
        let effective = (try? defaultLogConfig.applying(topicOverrides: overrides)) ?? defaultLogConfig
        return LogConfig.topicKeys.map { key in
            var synonyms: [DescribeConfigs.Synonym] = []
            if let value = overrides[key] { synonyms.append(.init(name: key, value: value, source: Source.dynamicTopicConfig)) }
            synonyms += brokerSynonyms(LogConfig.brokerSynonyms(ofTopicKey: key))
            let source = synonyms.first?.source ?? Source.defaultConfig
            return DescribeConfigs.Config(
                name: key, value: overrides[key] ?? effective.value(forTopicKey: key), readOnly: false,
                isDefault: source == Source.defaultConfig, configSource: source, isSensitive: false,
                synonyms: includeSynonyms ? synonyms : [])
        }
    }

    /// The broker keys that have a value, from `server.properties` or as defaults, in order.
    func brokerSynonyms(_ keys: [String]) -> [DescribeConfigs.Synonym] {
        let set = keys.compactMap { key in
            config.properties[key].map { DescribeConfigs.Synonym(name: key, value: $0, source: Source.staticBrokerConfig) }
        }
        let defaults = keys.compactMap { key in
            ConfigDef.keys[key]?.defaultValue.map { DescribeConfigs.Synonym(name: key, value: $0, source: Source.defaultConfig) }
        }
        return set + defaults
    }

    // MARK: Brokers

    func brokerConfigs(includeSynonyms: Bool) -> [DescribeConfigs.Config] {
        ConfigDef.keys.keys.sorted().map { key in
            let isSensitive = ConfigDef.keys[key]?.type == .password
            let synonyms = brokerSynonyms([key])
            let source = synonyms.first?.source ?? Source.defaultConfig
            // broker.id may have been generated; the answer names the id in use.
            let value = key == "broker.id" ? String(brokerId.rawValue) : config.value(key)
            return DescribeConfigs.Config(
                name: key, value: isSensitive ? nil : value, readOnly: true, isDefault: source == Source.defaultConfig,
                configSource: source, isSensitive: isSensitive,
                synonyms: includeSynonyms ? synonyms.map { isSensitive ? .init(name: $0.name, value: nil, source: $0.source) : $0 } : [])
        }
    }
}
