import ArgumentParser
import KafkaClient
import KafkaCommon
import KafkaProtocol

/// `kafka configs` (Kafka's `kafka-configs.sh` with `--bootstrap-server`): describe a topic's or
/// a broker's configuration, or change a topic's overrides with `--add-config`/`--delete-config`.
/// AlterConfigs replaces a topic's whole override set, so `--alter` reads the current overrides,
/// applies the changes, and sends the result, as Kafka's tool does.
struct ConfigsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "configs",
        abstract: "Describe or change the configuration of a topic or a broker.",
        discussion: "Exactly one action is required: --describe or --alter.")

    @Option(name: .customLong("bootstrap-server"), help: "The broker(s) to connect to, HOST:PORT[,HOST:PORT…].")
    var bootstrapServer: BootstrapServers
    @Option(name: .customLong("entity-type"), help: "topics or brokers.") var entityType: String
    @Option(name: .customLong("entity-name"), help: "The topic name or broker id.") var entityName: String
    @Flag(help: "List the configuration of the entity.") var describe = false
    @Flag(help: "Change the configuration of the entity (topics only).") var alter = false
    @Option(name: .customLong("add-config"), help: "k1=v1,k2=v2: overrides to add or change.") var addConfig: String?
    @Option(name: .customLong("delete-config"), help: "k1,k2: overrides to remove.") var deleteConfig: String?

    static let topicResource: Int8 = 2
    static let brokerResource: Int8 = 4
    /// DescribeConfigs' source of a topic override (`DYNAMIC_TOPIC_CONFIG`).
    static let dynamicTopicConfigSource: Int8 = 1

    func validate() throws {
        guard ["topics", "brokers"].contains(entityType) else {
            throw ValidationError("--entity-type must be 'topics' or 'brokers'")
        }
        guard describe != alter else { throw ValidationError("Command must include exactly one action: --describe, --alter") }
        if alter {
            guard entityType == "topics" else { throw ValidationError("Only topic configs can be altered with --alter here") }
            guard addConfig != nil || deleteConfig != nil else {
                throw ValidationError("--alter needs --add-config and/or --delete-config")
            }
        }
    }

    var resourceType: Int8 { entityType == "topics" ? Self.topicResource : Self.brokerResource }

    func run() async throws {
        do {
            try await withClusterClient(bootstrapServer, clientId: "kafka-configs") { client in
                let describeVersion = try await client.requireVersion(of: DescribeConfigs.self, for: "Describing configs")
                let connection = try await client.controllerConnection()
                let described = try await connection.send(
                    DescribeConfigs.self,
                    DescribeConfigs.Request(resources: [.init(resourceType: resourceType, resourceName: entityName)]),
                    version: describeVersion)
                guard let result = described.results.first else { throw CLIError("No answer for \(entityName)") }
                guard result.errorCode == .none else {
                    throw CLIError(result.errorMessage ?? "\(result.errorCode.displayName) for \(entityType) '\(entityName)'")
                }
                let overrides = result.configs.filter { entityType == "topics" ? $0.configSource == Self.dynamicTopicConfigSource : !$0.isDefault }
                if describe {
                    let noun = entityType == "topics" ? "topic '\(entityName)'" : "broker \(entityName)"
                    print("Configs for \(noun) are " + overrides.map { "\($0.name)=\($0.isSensitive ? "(sensitive)" : $0.value ?? "null")" }
                        .joined(separator: ","))
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
                        throw CLIError("Invalid config(s): \(key) is not set for topic '\(entityName)'")
                    }
                }
                let alterVersion = try await client.requireVersion(of: AlterConfigs.self, for: "Altering configs")
                let altered = try await connection.send(
                    AlterConfigs.self,
                    AlterConfigs.Request(resources: [.init(resourceType: resourceType, resourceName: entityName,
                                                           configs: updated.keys.sorted().map { .init(name: $0, value: updated[$0]) })]),
                    version: alterVersion)
                guard let response = altered.responses.first, response.errorCode == .none else {
                    let first = altered.responses.first
                    throw CLIError(first?.errorMessage ?? "\(first?.errorCode.displayName ?? "no answer") while altering '\(entityName)'")
                }
                print("Completed updating config for topic \(entityName).")
            }
        } catch {
            printError("Error while executing config command : \(error)")
            throw ExitCode.failure
        }
    }
}
