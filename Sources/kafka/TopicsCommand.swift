import ArgumentParser
import KafkaClient
import KafkaCommon
import KafkaProtocol

/// `kafka topics`: Kafka's `kafka-topics.sh` over the wire protocol (Metadata, CreateTopics,
/// DeleteTopics, CreatePartitions for `--alter --partitions`). Each API is checked for in the
/// broker's ApiVersions and reported as missing; writes go to the controller.
struct TopicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics",
        abstract: "Create, delete, describe, or change a topic.",
        discussion: "Exactly one action is required: --list, --describe, --create, --alter or --delete."
    )

    enum Action: String, CaseIterable, Sendable {
        case list, describe, create, alter, delete
    }

    @Option(name: .customLong("bootstrap-server"), help: "REQUIRED: The Kafka server to connect to (HOST:PORT[,HOST:PORT…]).")
    var bootstrapServer: BootstrapServers

    @Flag(help: "List all available topics.") var list = false
    @Flag(help: "List details for the given topics (all topics without --topic).") var describe = false
    @Flag(help: "Create a new topic.") var create = false
    @Flag(help: "Alter the number of partitions of a topic.") var alter = false
    @Flag(help: "Delete a topic.") var delete = false

    @Option(help: "The topic to create, alter, describe or delete.") var topic: String?
    @Option(help: "The number of partitions for the topic being created or altered.") var partitions: Int32?
    @Option(name: .customLong("replication-factor"), help: "The replication factor for each partition in the topic being created.")
    var replicationFactor: Int16?
    @Option(help: "A topic configuration override for the topic being created (key=value; repeatable).")
    var config: [KeyValue] = []
    @Flag(name: .customLong("under-replicated-partitions"),
          help: "With --describe: only the partitions whose ISR is smaller than their replica list.")
    var underReplicatedPartitions = false
    @Flag(name: .customLong("unavailable-partitions"),
          help: "With --describe: only the partitions whose leader is not available.")
    var unavailablePartitions = false

    /// The one action asked for.
    var action: Action {
        get throws {
            let chosen = zip(Action.allCases, [list, describe, create, alter, delete]).filter(\.1).map(\.0)
            guard chosen.count == 1 else {
                throw ValidationError("Command must include exactly one action: --list, --describe, --create, --alter or --delete")
            }
            return chosen[0]
        }
    }

    func validate() throws {
        let action = try action
        switch action {
        case .create:
            guard topic != nil else { throw ValidationError("Missing required argument \"[topic]\"") }
            guard let partitions else { throw ValidationError("Missing required argument \"[partitions]\"") }
            guard let replicationFactor else { throw ValidationError("Missing required argument \"[replication-factor]\"") }
            guard partitions >= 1 else { throw ValidationError("The partitions must be greater than 0") }
            guard replicationFactor >= 1 else { throw ValidationError("The replication factor must be greater than 0") }
        case .alter:
            guard topic != nil else { throw ValidationError("Missing required argument \"[topic]\"") }
            guard let partitions else { throw ValidationError("--partitions is required with --alter") }
            guard partitions >= 1 else { throw ValidationError("The partitions must be greater than 0") }
        case .delete:
            guard topic != nil else { throw ValidationError("Missing required argument \"[topic]\"") }
        case .list, .describe:
            break
        }
        if action != .describe, underReplicatedPartitions || unavailablePartitions {
            let option = underReplicatedPartitions ? "under-replicated-partitions" : "unavailable-partitions"
            throw ValidationError("Option \"[\(option)]\" can't be used with option \"[\(action.rawValue)]\"")
        }
        if action != .create, !config.isEmpty {
            throw ValidationError("Option \"[config]\" can't be used with option \"[\(action.rawValue)]\" here")
        }
    }

    func run() async throws {
        let action = try action
        do {
            try await withClusterClient(bootstrapServer, clientId: "kafka-topics") { client in
                switch action {
                case .list: try await listTopics(client)
                case .describe: try await describeTopics(client)
                case .create: try await createTopic(client)
                case .alter: try await alterPartitions(client)
                case .delete: try await deleteTopic(client)
                }
            }
        } catch {
            printError("Error while executing topic command : \(error)")
            throw ExitCode.failure
        }
    }

    private func listTopics(_ client: ClusterClient) async throws {
        let metadata = try await client.metadata(topics: nil)
        for name in metadata.topics.map(\.name).sorted() { print(name) }
    }

    private func describeTopics(_ client: ClusterClient) async throws {
        let metadata = try await client.metadata(topics: topic.map { [$0] })
        let topics = metadata.topics.sorted { $0.name < $1.name }
        if let topic, let missing = topics.first(where: { $0.name == topic && $0.errorCode == .unknownTopicOrPartition }) {
            throw CLIError("Topic '\(missing.name)' does not exist as expected")
        }
        for described in topics {
            if described.errorCode.isError {
                throw CLIError("Topic '\(described.name)': \(described.errorCode.displayName)")
            }
            if filter.isActive {
                let live = Set(metadata.brokers.map(\.nodeId))
                print(Self.describe(described, filter: filter, liveBrokers: live), terminator: "")
                continue
            }
            print(Self.describe(described, configs: try await overrides(of: described.name, client)), terminator: "")
        }
    }

    /// The topic's config overrides (`/config/topics/<t>`, through DescribeConfigs), sorted.
    private func overrides(of topic: String, _ client: ClusterClient) async throws -> [(String, String)] {
        let version = try await client.requireVersion(of: DescribeConfigs.self, for: "Describing configs")
        let described = try await client.controllerConnection().send(
            DescribeConfigs.self,
            DescribeConfigs.Request(resources: [.init(resourceType: ConfigsCommand.topicResource, resourceName: topic)]),
            version: version)
        guard let result = described.results.first, result.errorCode == .none else { return [] }
        return result.configs.filter { $0.configSource == ConfigsCommand.dynamicTopicConfigSource }
            .map { ($0.name, $0.isSensitive ? "(sensitive)" : $0.value ?? "null") }
            .sorted { $0.0 < $1.0 }
    }

    /// Kafka's describe layout: one summary line (with the topic's config overrides), then one
    /// line per partition.
    static func describe(_ topic: Metadata.Topic, configs: [(String, String)] = []) -> String {
        let partitions = topic.partitions.sorted { $0.partitionIndex < $1.partitionIndex }
        let replicationFactor = partitions.first?.replicaNodes.count ?? 0
        let shown = configs.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
        var text = "Topic: \(topic.name)\tPartitionCount: \(partitions.count)\tReplicationFactor: \(replicationFactor)\tConfigs: \(shown)\n"
        for partition in partitions { text += partitionLine(topic.name, partition) }
        return text
    }

    /// One partition's line of the describe layout.
    static func partitionLine(_ topic: String, _ partition: Metadata.Partition) -> String {
        let replicas = partition.replicaNodes.map(\.description).joined(separator: ",")
        let isr = partition.isrNodes.map(\.description).joined(separator: ",")
        var line = "\tTopic: \(topic)\tPartition: \(partition.partitionIndex)\tLeader: \(leaderText(partition.leaderId))"
        line += "\tReplicas: \(replicas)\tIsr: \(isr)"
        if !partition.offlineReplicas.isEmpty {
            line += "\tOffline: " + partition.offlineReplicas.map(\.description).joined(separator: ",")
        }
        return line + "\n"
    }

    private static func leaderText(_ leader: BrokerId) -> String {
        leader == .none ? "none" : leader.description
    }

    /// DeleteTopics to the controller; the broker answers once the topic is gone from its metadata.
    private func deleteTopic(_ client: ClusterClient) async throws {
        guard let topic else { throw CLIError("--topic is required with --delete") }
        let version = try await client.requireVersion(of: DeleteTopics.self, for: "Deleting topics (--delete)")
        _ = try await client.metadata(topics: [])
        let controller = await client.controllerId
        guard controller != .none else { throw CLIError("The cluster has no active controller") }
        let connection = try await client.connection(to: controller)
        let response = try await connection.send(
            DeleteTopics.self, DeleteTopics.Request(topicNames: [topic], timeoutMs: 30_000), version: version)
        guard let result = response.responses.first(where: { $0.name == topic }) else {
            throw CLIError("The controller did not answer for topic '\(topic)'")
        }
        switch result.errorCode {
        case .none: print("Topic \(topic) is marked for deletion.")
        case .unknownTopicOrPartition: throw CLIError("Topic '\(topic)' does not exist as expected")
        default: throw CLIError("\(result.errorCode.displayName) while deleting topic '\(topic)'")
        }
    }

    /// CreatePartitions to the controller, waiting for the new partitions' leaders.
    private func alterPartitions(_ client: ClusterClient) async throws {
        guard let topic, let partitions else { return }
        let version = try await client.requireVersion(of: CreatePartitions.self, for: "Altering the partition count (--alter --partitions)")
        let connection = try await client.controllerConnection()
        let request = CreatePartitions.Request(topics: [CreatePartitions.Topic(name: topic, count: partitions)], timeoutMs: 30_000)
        let response = try await connection.send(CreatePartitions.self, request, version: version)
        guard let result = response.results.first(where: { $0.name == topic }) else {
            throw CLIError("The controller did not answer for topic '\(topic)'")
        }
        switch result.errorCode {
        case .none: print("Adding partitions succeeded!")
        case .unknownTopicOrPartition: throw CLIError("Topic '\(topic)' does not exist as expected")
        default: throw CLIError(result.errorMessage ?? "\(result.errorCode.displayName) while altering topic '\(topic)'")
        }
    }

    private func createTopic(_ client: ClusterClient) async throws {
        guard let topic, let partitions, let replicationFactor else { return }
        let version = try await client.requireVersion(of: CreateTopics.self, for: "Creating topics")
        let connection = try await client.controllerConnection()
        let request = CreateTopics.Request(
            topics: [CreateTopics.CreatableTopic(
                name: topic, numPartitions: partitions, replicationFactor: replicationFactor,
                configs: config.map { CreateTopics.Config(name: $0.key, value: $0.value) })],
            timeoutMs: 30_000)
        let response = try await connection.send(CreateTopics.self, request, version: version)
        guard let result = response.topics.first(where: { $0.name == topic }) else {
            throw CLIError("The controller did not answer for topic '\(topic)'")
        }
        switch result.errorCode {
        case .none:
            print("Created topic \(topic).")
        case .topicAlreadyExists:
            throw CLIError("Topic '\(topic)' already exists.")
        default:
            throw CLIError(result.errorMessage ?? "\(result.errorCode.displayName) while creating topic '\(topic)'")
        }
    }
}

/// Writes `message` and a newline to stderr.
func printError(_ message: String) {
    var standardError = StandardError()
    print(message, to: &standardError)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandleWriter.write(string, to: 2)
    }
}
