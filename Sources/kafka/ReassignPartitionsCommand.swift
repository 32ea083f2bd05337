import ArgumentParser
import Foundation
import KafkaCommon
import KafkaZk
import Logging
import ZooKeeper

/// `kafka reassign-partitions` (Kafka 2.3's `kafka-reassign-partitions.sh`): moves partition
/// replicas between brokers through `/admin/reassign_partitions`, which the active controller
/// carries out. Like Kafka 2.3's tool it talks to ZooKeeper (`--zookeeper`): 2.3 has no wire API
/// for reassignment.
///
/// - `--generate --topics-to-move-json-file F --broker-list 1,2,3`: prints the current
///   assignment of the topics and a proposed one on the listed brokers (rack-aware when they set
///   `broker.rack`, unless `--disable-rack-aware`); changes nothing.
/// - `--execute --reassignment-json-file F`: checks the file, prints the current assignment (to
///   roll back with) and creates the znode; refuses while another reassignment runs.
/// - `--verify --reassignment-json-file F`: each partition's status.
struct ReassignPartitionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reassign-partitions",
        abstract: "Move partition replicas between brokers.",
        discussion: "Exactly one action is required: --generate, --execute or --verify.")

    @Option(help: "REQUIRED: The ZooKeeper connection string (HOST:PORT[,HOST:PORT…][/chroot]).")
    var zookeeper: String
    @Flag(help: "Propose an assignment of the topics in --topics-to-move-json-file on --broker-list.") var generate = false
    @Flag(help: "Start the reassignment in --reassignment-json-file.") var execute = false
    @Flag(help: "Report the status of the reassignment in --reassignment-json-file.") var verify = false
    @Option(name: .customLong("topics-to-move-json-file"), help: "{\"topics\":[{\"topic\":\"foo\"}],\"version\":1}")
    var topicsToMoveJsonFile: String?
    @Option(name: .customLong("broker-list"), help: "The brokers to place the replicas on, \"1,2,3\" (with --generate).")
    var brokerList: String?
    @Option(name: .customLong("reassignment-json-file"), help: "The reassignment, as --generate proposes it.")
    var reassignmentJsonFile: String?
    @Flag(name: .customLong("disable-rack-aware"), help: "Ignore broker racks when generating (rack-unaware placement).")
    var disableRackAware = false

    func validate() throws {
        guard [generate, execute, verify].filter({ $0 }).count == 1 else {
            throw ValidationError("Command must include exactly one action: --generate, --execute or --verify")
        }
        if generate {
            guard topicsToMoveJsonFile != nil, brokerList != nil else {
                throw ValidationError("If --generate option is used, command must include both --topics-to-move-json-file and --broker-list options")
            }
        } else if reassignmentJsonFile == nil {
            throw ValidationError("If --\(execute ? "execute" : "verify") option is used, command must include --reassignment-json-file that was output during the --generate option")
        }
    }

    func run() async throws {
        var logger = Logger(label: "kafka-reassign-partitions")
        logger.logLevel = .critical
        let zkClient: KafkaZkClient
        do {
            zkClient = try await KafkaZkClient.connect(
                zookeeper, sessionTimeout: .seconds(30), connectionTimeout: .seconds(30), logger: logger)
        } catch {
            printError("Partitions reassignment failed due to could not connect to ZooKeeper at \(zookeeper): \(error)")
            throw ExitCode.failure
        }
        do {
            if generate { try await generateAssignment(zkClient) }
            if execute { try await executeAssignment(zkClient) }
            if verify { try await verifyAssignment(zkClient) }
            await zkClient.close()
        } catch {
            await zkClient.close()
            print("Partitions reassignment failed due to \(error)")
            throw ExitCode.failure
        }
    }

    private func generateAssignment(_ zkClient: KafkaZkClient) async throws {
        let brokers = try ReassignmentPlan.brokerList(brokerList ?? "")
        let topics = try ReassignmentPlan.topicsToMove(try read(topicsToMoveJsonFile ?? ""))
        let current = try await assignment(of: topics, zkClient)
        // Only the listed brokers that are registered (Kafka's getBrokerMetadatas with a list),
        // rack-aware unless --disable-rack-aware.
        let proposed = try ReassignmentPlan.proposed(
            current: current, registered: try await zkClient.allBrokersInCluster(), brokerList: brokers,
            rackAwareMode: disableRackAware ? .disabled : .enforced)
        print("Current partition replica assignment\n\(ReassignmentPlan.json(current))\n")
        print("Proposed partition reassignment configuration\n\(ReassignmentPlan.json(proposed))")
    }

    private func executeAssignment(_ zkClient: KafkaZkClient) async throws {
        let text = try read(reassignmentJsonFile ?? "")
        let topics = Set(try ReassignmentPlan.entries(text).map(\.0.topic)).sorted()
        let current = try await assignment(of: topics, zkClient)
        let reassignment = try ReassignmentPlan.validated(
            text, existing: current, brokers: Set(try await zkClient.liveBrokerIds()))
        if try await zkClient.reassignPartitionsInProgress() {
            print("There is an existing assignment running.")
            return
        }
        // Before starting: the current assignment, to roll back with.
        print("Current partition replica assignment\n\n\(ReassignmentPlan.json(current))\n\nSave this to use as the --reassignment-json-file option during rollback")
        do {
            try await zkClient.createPartitionReassignment(reassignment)
        } catch let error as ZooKeeperError where error.code == .nodeExists {
            let running = (try? await zkClient.partitionReassignment()) ?? [:]
            let overlap = reassignment.keys.filter { running[$0] != nil }.sorted().map(\.description).joined(separator: ",")
            throw CLIError("Partition reassignment currently in progress for \(overlap.isEmpty ? "other partitions" : overlap). Aborting operation")
        }
        print("Successfully started reassignment of partitions.")
    }

    private func verifyAssignment(_ zkClient: KafkaZkClient) async throws {
        print("Status of partition reassignment: ")
        let entries = try ReassignmentPlan.entries(try read(reassignmentJsonFile ?? ""))
        let inProgress = try await zkClient.partitionReassignment()
        let current = try await assignment(of: Set(entries.map(\.0.topic)).sorted(), zkClient)
        for (tp, requested) in entries.sorted(by: { $0.0 < $1.0 }) {
            let status = ReassignmentPlan.status(requested: requested, current: current[tp], inProgress: inProgress[tp] != nil)
            if status == .failed {
                print("ERROR: Assigned replicas (\((current[tp] ?? []).map(\.description).joined(separator: ","))) don't match the list of replicas for reassignment (\(requested.map(\.description).joined(separator: ","))) for partition \(tp)")
            }
            print(status.line(tp))
        }
    }

    /// The current assignment of every partition of `topics` (absent topics are left out).
    private func assignment(of topics: [String], _ zkClient: KafkaZkClient) async throws -> [TopicPartition: [BrokerId]] {
        var assignment: [TopicPartition: [BrokerId]] = [:]
        for topic in topics {
            guard let (partitions, _) = try await zkClient.topicAssignment(topic) else { continue }
            for (partition, replicas) in partitions { assignment[TopicPartition(topic, partition)] = replicas }
        }
        return assignment
    }

    private func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("Cannot read file \(path)") }
        return String(decoding: data, as: UTF8.self)
    }
}
