import KafkaCommon
import KafkaProtocol
import KafkaStorage
import KafkaZk

/// AlterConfigs (v0–v1), as Kafka's `AdminManager.alterConfigs` does it for topics: the request's
/// configs REPLACE the topic's whole override set (keys left out return to the broker defaults).
///
/// For each TOPIC resource, in order: the topic must exist (UNKNOWN_TOPIC_OR_PARTITION); every
/// entry must be a known topic-level key with a valid value (INVALID_CONFIG, with the reason);
/// then, unless `validate_only`, `/config/topics/<t>` is rewritten and a
/// `/config/changes/config_change_<seq>` notification created, on which every broker's
/// ``DynamicConfigManager`` applies the new config to its logs of the topic.
///
/// BROKER resources (Kafka 2.3's dynamic broker configs, KIP-226): the name is this broker's id
/// (its own layer, `/config/brokers/<id>`) or empty (the cluster-wide defaults,
/// `/config/brokers/<default>`); another id is INVALID_REQUEST ("Unexpected broker id…"), as
/// Kafka answers it (clients send a broker's resource to that broker). The entries replace the
/// layer's whole set; each must be a key this broker changes at run time with a valid value
/// (`BrokerConfigLayers.validated`), else INVALID_REQUEST with Kafka's message, "Invalid config
/// value for resource ConfigResource(type=BROKER, name='1'): Cannot update these configs
/// dynamically: Set(num.io.threads)". Then, unless `validate_only`, the znode is rewritten and a
/// `brokers/<id|<default>>` notification created, on which each broker concerned re-reads it.
///
/// Other resource types: INVALID_REQUEST.
///
/// Isolation: immutable; writes ZooKeeper per request.
struct AlterConfigsHandler: KafkaRequestHandler {
    let apiKey = ApiKey.alterConfigs
    let brokerId: BrokerId
    let zkClient: KafkaZkClient
    /// The broker configs in effect, whose log defaults a topic's overrides are validated over.
    let dynamicConfig: DynamicBrokerConfig

    func handle(_ request: KafkaRequest) async throws -> KafkaResponseAction {
        var body = request.body
        let alter = try AlterConfigs.decodeRequest(from: &body, version: request.header.apiVersion)
        var responses: [AlterConfigs.ResourceResponse] = []
        for resource in alter.resources {
            let (code, message) = await alterResource(resource, validateOnly: alter.validateOnly)
            responses.append(.init(errorCode: code, errorMessage: message, resourceType: resource.resourceType,
                                   resourceName: resource.resourceName))
        }
        return AlterConfigs.responseFrame(AlterConfigs.Response(responses: responses), to: request)
    }

    func alterResource(_ resource: AlterConfigs.Resource, validateOnly: Bool) async -> (ErrorCode, String?) {
        switch resource.resourceType {
        case DescribeConfigs.ResourceType.topic:
            return await alterTopic(resource.resourceName, entries: resource.configs, validateOnly: validateOnly)
        case DescribeConfigs.ResourceType.broker:
            return await alterBroker(resource.resourceName, entries: resource.configs, validateOnly: validateOnly)
        default:
            return (.invalidRequest, "AlterConfigs supports topics and brokers only, not resource type \(resource.resourceType).")
        }
    }

    func alterTopic(_ topic: String, entries: [AlterConfigs.Config], validateOnly: Bool) async -> (ErrorCode, String?) {
        do {
            guard try await zkClient.topicAssignment(topic) != nil else {
                return (.unknownTopicOrPartition, "Topic \(topic) does not exist.")
            }
            let overrides: [String: String]
            switch Self.validatedOverrides(entries, over: dynamicConfig.logDefaults) {
            case .success(let valid): overrides = valid
            case .failure(let message): return (.invalidConfig, "Invalid config for topic \(topic): \(message.text)")
            }
            if !validateOnly { try await zkClient.changeTopicConfig(topic, config: overrides) }
            return (.none, nil)
        } catch {
            return (.unknownServerError, "Cannot change the config of topic \(topic): \(error)")
        }
    }

    struct InvalidConfig: Error, Equatable { let text: String }

    /// The entries as a topic's new override set, if `LogConfig` accepts every one of them.
    static func validatedOverrides(_ entries: [AlterConfigs.Config], over defaults: LogConfig) -> Result<[String: String], InvalidConfig> {
        var overrides: [String: String] = [:]
        for entry in entries {
            guard let value = entry.value else { return .failure(InvalidConfig(text: "\(entry.name) has a null value")) }
            overrides[entry.name] = value
        }
        do {
            _ = try defaults.applying(topicOverrides: overrides)
        } catch LogConfigError.unknownKey(let key) {
            return .failure(InvalidConfig(text: "unknown topic config name \(key)"))
        } catch LogConfigError.invalidValue(let key, let value) {
            return .failure(InvalidConfig(text: "invalid value \(value) for \(key)"))
        } catch {
            return .failure(InvalidConfig(text: "\(error)"))
        }
        return .success(overrides)
    }

    /// A broker's own dynamic configs (`name` its id) or the cluster-wide defaults (`name` empty).
    func alterBroker(_ name: String, entries: [AlterConfigs.Config], validateOnly: Bool) async -> (ErrorCode, String?) {
        let target: BrokerId?
        if name.isEmpty {
            target = nil
        } else if let id = Int32(name) {
            guard BrokerId(id) == brokerId else {
                return (.invalidRequest, "Unexpected broker id, expected \(brokerId.rawValue), but received \(name)")
            }
            target = brokerId
        } else {
            return (.invalidRequest, "Broker id must be an integer, but it is: \(name)")
        }
        let resource = "ConfigResource(type=BROKER, name='\(name)')"
        var config: [String: String] = [:]
        for entry in entries {
            guard let value = entry.value else {
                return (.invalidRequest, "Invalid config value for resource \(resource): \(entry.name) has a null value")
            }
            config[entry.name] = value
        }
        let layer: BrokerConfigLayers.Layer = target == nil ? .dynamicDefault : .dynamicBroker
        if case .failure(let invalid) = BrokerConfigLayers.validated(config, replacing: layer, of: dynamicConfig.current) {
            return (.invalidRequest, "Invalid config value for resource \(resource): \(invalid.message)")
        }
        guard !validateOnly else { return (.none, nil) }
        do {
            try await zkClient.changeBrokerConfig(target, config: config)
            return (.none, nil)
        } catch {
            return (.unknownServerError, "Cannot change the dynamic configs of \(resource): \(error)")
        }
    }
}
