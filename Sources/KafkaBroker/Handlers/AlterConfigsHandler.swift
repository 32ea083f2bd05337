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
/// ``TopicConfigChangeListener`` applies the new config to its logs of the topic.
///
/// BROKER resources: INVALID_REQUEST, since dynamic broker configs are not supported yet. Other
/// resource types: INVALID_REQUEST.
///
/// Isolation: immutable; writes ZooKeeper per request.
struct AlterConfigsHandler: KafkaRequestHandler {
    let apiKey = ApiKey.alterConfigs
    let zkClient: KafkaZkClient
    /// The broker-level log config, which a topic's overrides are validated over.
    let defaultLogConfig: LogConfig

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
            return (.invalidRequest, "Dynamic broker configs are not supported yet; change server.properties and restart the broker.")
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
            switch Self.validatedOverrides(entries, over: defaultLogConfig) {
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
}
