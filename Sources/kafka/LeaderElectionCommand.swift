import ArgumentParser
import Foundation
import KafkaClient
import KafkaCommon
import KafkaProtocol

/// `kafka leader-election` (Kafka's `kafka-leader-election.sh`, 2.4; in 2.3
/// `kafka-preferred-replica-election.sh --bootstrap-server`): asks the controller to move the
/// leadership of partitions back to their preferred replica with ElectPreferredLeaders (v0, the
/// only election Kafka 2.3's brokers know), for every partition, one topic (one partition of it
/// with `--partition`; all of them without, which Kafka's tool does not offer), or the partitions
/// of a JSON file (`{"partitions":[{"topic":"foo","partition":1}]}`).
///
/// Prints the results in the words of Kafka 2.4's tool; exits 1 when some partition could not be
/// elected, after naming each.
struct LeaderElectionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leader-election",
        abstract: "Elect the preferred replica of partitions as their leader.",
        discussion: "Exactly one of --all-topic-partitions, --topic or --path-to-json-file is required.")

    @Option(name: .customLong("bootstrap-server"), help: "The broker(s) to connect to, HOST:PORT[,HOST:PORT…].")
    var bootstrapServer: BootstrapServers
    @Option(name: .customLong("election-type"), help: "The type of election: preferred (the only one Kafka 2.3 brokers have).")
    var electionType: String
    @Flag(name: .customLong("all-topic-partitions"), help: "Perform election on all of the topic partitions.")
    var allTopicPartitions = false
    @Option(help: "Name of topic for which to perform an election.") var topic: String?
    @Option(help: "Partition id for which to perform an election (with --topic; all of the topic's without).")
    var partition: Int32?
    @Option(name: .customLong("path-to-json-file"), help: "The JSON file with the list of partitions for which leader elections should be performed.")
    var pathToJsonFile: String?

    /// How long the controller may take (Kafka's tool sets the admin client's request timeout to 30 s).
    static let timeoutMs: Int32 = 30_000

    func validate() throws {
        guard electionType.lowercased() == "preferred" else {
            if electionType.lowercased() == "unclean" {
                throw ValidationError("Unclean leader election is not supported by Kafka 2.3's ElectPreferredLeaders: only --election-type preferred")
            }
            throw ValidationError("Invalid --election-type '\(electionType)': possible values are \"preferred\" or \"unclean\"")
        }
        let sources = [allTopicPartitions, topic != nil, pathToJsonFile != nil].filter { $0 }.count
        guard sources == 1 else {
            throw ValidationError("One and only one of the following options is required: --all-topic-partitions, --topic, --path-to-json-file")
        }
        if partition != nil, topic == nil { throw ValidationError("Option --partition can only be used with --topic") }
    }

    func run() async throws {
        var output = ToolOutput()
        do {
            let requested = try pathToJsonFile.map { try Self.parseElectionData(String(contentsOfFile: $0, encoding: .utf8)) }
            try await withClusterClient(bootstrapServer, clientId: "kafka-leader-election") { client in
                var partitions = requested
                if let topic { partitions = try await Self.partitions(of: topic, only: partition, client) }
                let results = try await Self.elect(partitions, client)
                output = Self.report(results)
            }
        } catch let error as CLIError {
            output.printlnError("Error: \(error)")
            output.hasError = true
        } catch {
            output.printlnError("Error while making request: \(error)")
            output.hasError = true
        }
        output.emit()
        if output.hasError { throw ExitCode.failure }
    }

    /// The partitions of `topic` (only `partition`, when given) as the cluster's metadata has them.
    static func partitions(of topic: String, only partition: Int32?, _ client: ClusterClient) async throws -> Set<TopicPartition> {
        if let partition { return [TopicPartition(topic, partition)] }
        let metadata = try await client.metadata(topics: [topic])
        guard let described = metadata.topics.first(where: { $0.name == topic }), described.errorCode == .none else {
            throw CLIError("Topic '\(topic)' does not exist")
        }
        return Set(described.partitions.map { TopicPartition(topic, $0.partitionIndex) })
    }

    /// Sends ElectPreferredLeaders to the controller (nil: every partition). A controller that
    /// moved meanwhile answers NOT_CONTROLLER throughout: the request is sent again to the new one,
    /// as Kafka's admin client does, a few times.
    static func elect(_ partitions: Set<TopicPartition>?, _ client: ClusterClient) async throws -> [TopicPartition: (ErrorCode, String?)] {
        let version = try await client.requireVersion(of: ElectLeaders.self, for: "Leader election")
        let topics = partitions.map { partitions in
            Dictionary(grouping: partitions, by: \.topic).sorted { $0.key < $1.key }.map { topic, members in
                ElectLeaders.Topic(topic: topic, partitionId: members.map(\.partition).sorted())
            }
        }
        var results: [TopicPartition: (ErrorCode, String?)] = [:]
        for attempt in 1...5 {
            let connection = try await client.controllerConnection()
            let response = try await connection.send(
                ElectLeaders.self, ElectLeaders.Request(topicPartitions: topics, timeoutMs: timeoutMs), version: version)
            results = [:]
            for topic in response.replicaElectionResults {
                for result in topic.partitionResult {
                    results[TopicPartition(topic.topic, result.partitionId)] = (result.errorCode, result.errorMessage)
                }
            }
            let movedController = !results.isEmpty && results.values.allSatisfy { $0.0 == .notController }
            guard movedController, attempt < 5 else { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        return results
    }

    /// Kafka 2.4's report: the partitions elected on one line, then one line per failure; any
    /// failure makes the tool fail ("N replica(s) could not be elected").
    static func report(_ results: [TopicPartition: (ErrorCode, String?)]) -> ToolOutput {
        var output = ToolOutput()
        let succeeded = results.filter { $0.value.0 == .none }.keys.sorted()
        let failed = results.filter { $0.value.0 != .none }.sorted { $0.key < $1.key }
        if !succeeded.isEmpty {
            output.println("Successfully completed leader election (PREFERRED) for partitions \(succeeded.map(\.description).joined(separator: ", "))")
        }
        if !failed.isEmpty {
            for (tp, (code, message)) in failed {
                output.println("Error completing leader election (PREFERRED) for partition: \(tp): \(javaException(code, message))")
            }
            output.printlnError("Error: kafka.common.AdminCommandFailedException: \(failed.count) replica(s) could not be elected")
            output.hasError = true
        }
        return output
    }

    /// The exception Kafka's admin client raises for a partition's error, as Java prints it.
    static func javaException(_ code: ErrorCode, _ message: String?) -> String {
        let prefix = "org.apache.kafka.common.errors."
        let (name, defaultMessage): (String, String) = switch code {
        case .preferredLeaderNotAvailable: ("PreferredLeaderNotAvailableException", "The preferred leader was not available")
        case .unknownTopicOrPartition: ("UnknownTopicOrPartitionException", "This server does not host this topic-partition.")
        case .notController: ("NotControllerException", "This is not the correct controller for this cluster.")
        case .invalidTopicException: ("InvalidTopicException", "The request attempted to perform an operation on an invalid topic.")
        case .requestTimedOut: ("TimeoutException", "The request timed out.")
        case .clusterAuthorizationFailed: ("ClusterAuthorizationException", "Cluster authorization failed.")
        default: ("UnknownServerException", "The server experienced an unexpected error when processing the request")
        }
        return "\(prefix)\(name): \(message ?? defaultMessage)"
    }

    /// The partitions of an election file, as Kafka's tool reads it: `partitions`, each with a
    /// `topic` and a `partition`; duplicates are refused.
    static func parseElectionData(_ text: String) throws -> Set<TopicPartition> {
        guard let data = text.data(using: .utf8), !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw CLIError("Replica election data is empty") }
        guard let entries = json["partitions"] as? [Any] else {
            throw CLIError("Replica election data is missing \"partition\" field")
        }
        var partitions: [TopicPartition] = []
        for entry in entries {
            guard let object = entry as? [String: Any], let topic = object["topic"] as? String,
                  let partition = (object["partition"] as? NSNumber).flatMap({ Int32(exactly: $0.doubleValue) })
            else { throw CLIError("Replica election data has an invalid partition entry: \(entry)") }
            partitions.append(TopicPartition(topic, partition))
        }
        let duplicates = Dictionary(grouping: partitions, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
        guard duplicates.isEmpty else {
            throw CLIError("Replica election data contains duplicate partitions: \(duplicates.map(\.description).joined(separator: ","))")
        }
        return Set(partitions)
    }
}
