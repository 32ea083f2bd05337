import ArgumentParser
import KafkaClient
import KafkaCommon
import KafkaProtocol

/// `kafka configs` (Kafka's `kafka-configs.sh` with `--bootstrap-server`): describe or change a
/// topic's overrides, or a broker's dynamic configs (`--entity-name <id>`) or the cluster-wide
/// dynamic defaults (`--entity-default`), with `--add-config`/`--delete-config`. AlterConfigs
/// replaces an entity's whole set, so `--alter` reads the current one (the topic's overrides; the
/// broker's DYNAMIC_BROKER_CONFIG or the default's DYNAMIC_DEFAULT_BROKER_CONFIG entries),
/// applies the changes, and sends the result, as Kafka's tool does. A broker's resource is sent
/// to that broker, as Kafka's admin client sends it.
struct ConfigsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "configs",
        abstract: "Describe or change the configuration of a topic or a broker.",
        discussion: "Exactly one action is required: --describe or --alter.")

    @Option(name: .customLong("bootstrap-server"), help: "The broker(s) to connect to, HOST:PORT[,HOST:PORT…].")
    var bootstrapServer: BootstrapServers
    @Option(name: .customLong("entity-type"), help: "topics or brokers.") var entityType: String
    @Option(name: .customLong("entity-name"), help: "The topic name or broker id.") var entityName: String?
    @Flag(name: .customLong("entity-default"), help: "The cluster-wide dynamic broker defaults (brokers only).")
    var entityDefault = false
    @Flag(help: "List the configuration of the entity.") var describe = false
    @Flag(help: "Change the configuration of the entity.") var alter = false
    @Option(name: .customLong("add-config"), help: "k1=v1,k2=v2: overrides to add or change.") var addConfig: String?
    @Option(name: .customLong("delete-config"), help: "k1,k2: overrides to remove.") var deleteConfig: String?

    static let topicResource: Int8 = 2
    static let brokerResource: Int8 = 4
    /// DescribeConfigs' source of a topic override (`DYNAMIC_TOPIC_CONFIG`).
    static let dynamicTopicConfigSource: Int8 = 1
    /// DescribeConfigs' sources of dynamic broker configs.
    static let dynamicBrokerConfigSource: Int8 = 2
    static let dynamicDefaultBrokerConfigSource: Int8 = 3

    func validate() throws {
        guard ["topics", "brokers"].contains(entityType) else {
            throw ValidationError("--entity-type must be 'topics' or 'brokers'")
        }
        guard describe != alter else { throw ValidationError("Command must include exactly one action: --describe, --alter") }
        guard (entityName != nil) != entityDefault else {
            throw ValidationError("Exactly one of --entity-name or --entity-default must be specified")
        }
        if entityDefault, entityType != "brokers" {
            throw ValidationError("--entity-default is only for --entity-type brokers")
        }
        if entityType == "brokers", let entityName, Int32(entityName) == nil {
            throw ValidationError("The entity name for brokers must be a valid integer broker id, found: \(entityName)")
        }
        if alter {
            guard addConfig != nil || deleteConfig != nil else {
                throw ValidationError("--alter needs --add-config and/or --delete-config")
            }
        }
    }

    var resourceType: Int8 { entityType == "topics" ? Self.topicResource : Self.brokerResource }
    /// The resource name: the topic, the broker id, or "" for the broker defaults.
    var resourceName: String { entityName ?? "" }
    var isBroker: Bool { entityType == "brokers" }
    /// How the entity is named in messages, as Kafka's tool names it.
    var entityDescription: String {
        if !isBroker { return "topic \(resourceName)" }
        return entityDefault ? "default brokers" : "broker \(resourceName)"
    }

    func run() async throws {
        do {
            try await withClusterClient(bootstrapServer, clientId: "kafka-configs") { client in
                let describeVersion = try await client.requireVersion(of: DescribeConfigs.self, for: "Describing configs")
                // A broker's own resource goes to that broker; the rest to the controller.
                let connection = if isBroker, let id = entityName.flatMap(Int32.init) {
                    try await client.brokerConnection(to: BrokerId(id))
                } else {
                    try await client.controllerConnection()
                }
                let described = try await connection.send(
                    DescribeConfigs.self,
                    DescribeConfigs.Request(resources: [.init(resourceType: resourceType, resourceName: resourceName)],
                                            includeSynonyms: isBroker),
                    version: describeVersion)
                guard let result = described.results.first else { throw CLIError("No answer for \(entityDescription)") }
                guard result.errorCode == .none else {
                    throw CLIError(result.errorMessage ?? "\(result.errorCode.displayName) for \(entityDescription)")
                }
                let overrides = result.configs.filter { config in
                    switch (isBroker, entityDefault) {
                    case (false, _): config.configSource == Self.dynamicTopicConfigSource
                    case (true, false): config.configSource == Self.dynamicBrokerConfigSource
                    case (true, true): config.configSource == Self.dynamicDefaultBrokerConfigSource
                    }
                }
                if describe {
                    if isBroker {
                        print(Self.describeBrokerConfigs(result.configs, entityDescription: entityDescription,
                                                         isDefault: entityDefault), terminator: "")
                    } else {
                        print("Configs for topic '\(resourceName)' are "
                            + overrides.map { "\($0.name)=\($0.isSensitive ? "(sensitive)" : $0.value ?? "null")" }.joined(separator: ","))
                    }
                    return
                }
                var updated = Dictionary(overrides.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
                for pair in (addConfig ?? "").split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                    guard parts.count == 2 else { throw CLIError("Invalid --add-config entry '\(pair)': expected key=value") }
                    updated[parts[0]] = parts[1]
                }
                for key in (deleteConfig ?? "").split(separator: ",").map(String.init) {
                    guard updated.removeValue(forKey: key) != nil else {
                        throw CLIError("Invalid config(s): \(key) is not set for \(entityDescription)")
                    }
                }
                let alterVersion = try await client.requireVersion(of: AlterConfigs.self, for: "Altering configs")
                let altered = try await connection.send(
                    AlterConfigs.self,
                    AlterConfigs.Request(resources: [.init(resourceType: resourceType, resourceName: resourceName,
                                                           configs: updated.keys.sorted().map { .init(name: $0, value: updated[$0]) })]),
                    version: alterVersion)
                guard let response = altered.responses.first, response.errorCode == .none else {
                    let first = altered.responses.first
                    throw CLIError(first?.errorMessage ?? "\(first?.errorCode.displayName ?? "no answer") while altering \(entityDescription)")
                }
                print(entityDefault ? "Completed updating default config for brokers in the cluster."
                    : "Completed updating config for \(entityDescription).")
            }
        } catch {
            printError("Error while executing config command : \(error)")
            throw ExitCode.failure
        }
    }

    /// Kafka's broker describe: the dynamic entries (the broker's own, or the defaults), each
    /// with its sensitivity and its synonyms as `SOURCE:name=value`, most significant first.
    static func describeBrokerConfigs(_ configs: [DescribeConfigs.Config], entityDescription: String, isDefault: Bool) -> String {
        let wanted = isDefault ? dynamicDefaultBrokerConfigSource : dynamicBrokerConfigSource
        var text = isDefault ? "Default configs for brokers in the cluster are:\n" : "Dynamic configs for \(entityDescription) are:\n"
        for config in configs where config.configSource == wanted {
            let synonyms = config.synonyms.map { "\(sourceName($0.source)):\($0.name)=\($0.value ?? "null")" }.joined(separator: ", ")
            text += "  \(config.name)=\(config.isSensitive ? "null" : config.value ?? "null") sensitive=\(config.isSensitive) synonyms={\(synonyms)}\n"
        }
        return text
    }

    /// Kafka's `ConfigSource` names.
    static func sourceName(_ source: Int8) -> String {
        switch source {
        case 1: "DYNAMIC_TOPIC_CONFIG"
        case 2: "DYNAMIC_BROKER_CONFIG"
        case 3: "DYNAMIC_DEFAULT_BROKER_CONFIG"
        case 4: "STATIC_BROKER_CONFIG"
        case 5: "DEFAULT_CONFIG"
        case 6: "DYNAMIC_BROKER_LOGGER_CONFIG"
        default: "UNKNOWN"
        }
    }
}
