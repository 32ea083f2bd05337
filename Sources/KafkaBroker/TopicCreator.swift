import KafkaCommon
import KafkaProtocol
import KafkaStorage
import KafkaZk
import ZooKeeper

/// A topic that cannot be created, with the Kafka error code and message to answer with.
struct TopicCreationError: Error {
    let code: ErrorCode
    let message: String
}

extension TopicCreationError {
    /// The code Kafka 2.3 answers for a failed automatic placement: its
    /// `AdminOperationException` (brokers with and without racks) is not an API error, so it
    /// becomes UNKNOWN_SERVER_ERROR with the message.
    init(assignmentError error: ReplicaAssignment.AssignmentError) {
        switch error {
        case .invalidPartitions: self.init(code: .invalidPartitions, message: error.description)
        case .invalidReplicationFactor: self.init(code: .invalidReplicationFactor, message: error.description)
        case .incompleteRackInformation: self.init(code: .unknownServerError, message: error.description)
        }
    }
}

/// Creates topics in ZooKeeper the way Kafka's `AdminZkClient` does; shared by CreateTopics and
/// the auto-creation of Metadata.
struct TopicCreator: Sendable {
    let zkClient: KafkaZkClient
    let defaultLogConfig: LogConfig

    static let maxNameLength = 249

    /// Validates a topic name as Kafka does: 1–249 characters from `[a-zA-Z0-9._-]`, not `.`/`..`.
    static func validateName(_ name: String) throws {
        guard !name.isEmpty else { throw TopicCreationError(code: .invalidTopicException, message: "Topic name is illegal, it can't be empty") }
        guard name != "." && name != ".." else {
            throw TopicCreationError(code: .invalidTopicException, message: "Topic name cannot be \".\" or \"..\"")
        }
        guard name.count <= maxNameLength else {
            throw TopicCreationError(code: .invalidTopicException,
                                     message: "Topic name is illegal, it can't be longer than \(maxNameLength) characters, topic name: \(name)")
        }
        let legal = name.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || scalar == "." || scalar == "_" || scalar == "-"
        }
        guard legal else {
            throw TopicCreationError(code: .invalidTopicException,
                                     message: "Topic name \"\(name)\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'")
        }
    }

    /// Writes the topic (unless `validateOnly`) and returns its partition count.
    ///
    /// Without a manual assignment the replicas are placed by Kafka's `assignReplicasToBrokers`
    /// over the registered brokers, rack-aware when every broker sets `broker.rack`. Under
    /// `.enforced` (CreateTopics, as Kafka's `AdminManager`) a mix of brokers with and without
    /// racks is refused with UNKNOWN_SERVER_ERROR, the code Kafka 2.3 answers for its
    /// `AdminOperationException`; under `.safe` (auto-created and internal topics, as Kafka's
    /// `KafkaApis.createTopic`) the racks of such a mix are ignored.
    func create(
        name: String, numPartitions: Int32, replicationFactor: Int16, assignments: [(Int32, [BrokerId])],
        configs: [String: String], validateOnly: Bool, rackAwareMode: RackAwareMode = .enforced
    ) async throws -> Int32 {
        try Self.validateName(name)
        do {
            _ = try defaultLogConfig.applying(topicOverrides: configs)
        } catch {
            throw TopicCreationError(code: .invalidConfig, message: "Invalid config for topic \(name): \(error)")
        }
        let brokers: [BrokerInfo]
        let existing: (assignment: [Int32: [BrokerId]], version: ZkVersion)?
        do {
            brokers = try await zkClient.allBrokersInCluster()
            existing = try await zkClient.topicAssignment(name)
        } catch {
            throw TopicCreationError(code: .unknownServerError, message: "\(error)")
        }
        if existing != nil { throw TopicCreationError(code: .topicAlreadyExists, message: "Topic '\(name)' already exists.") }
        let assignment: [Int32: [BrokerId]]
        if !assignments.isEmpty {
            guard numPartitions == -1, replicationFactor == -1 else {
                throw TopicCreationError(code: .invalidRequest,
                                         message: "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.")
            }
            var manual: [Int32: [BrokerId]] = [:]
            for (partition, replicas) in assignments { manual[partition] = replicas }
            guard Set(manual.keys) == Set((0..<Int32(manual.count))), manual.values.allSatisfy({ !$0.isEmpty && Set($0).count == $0.count }),
                  Set(manual.values.map(\.count)).count == 1 else {
                throw TopicCreationError(code: .invalidReplicaAssignment, message: "Invalid replica assignment \(manual)")
            }
            assignment = manual
        } else {
            guard numPartitions > 0 else {
                throw TopicCreationError(code: .invalidPartitions, message: "Number of partitions must be larger than 0.")
            }
            guard replicationFactor > 0 else {
                throw TopicCreationError(code: .invalidReplicationFactor, message: "Replication factor must be larger than 0.")
            }
            do {
                let metadatas = rackAwareMode == .enforced
                    ? brokers.map { ReplicaAssignment.BrokerMetadata(id: $0.id, rack: $0.rack) }.sorted { $0.id < $1.id }
                    : try ReplicaAssignment.BrokerMetadata.from(brokers, mode: rackAwareMode)
                assignment = try ReplicaAssignment.assign(partitions: numPartitions, replicationFactor: replicationFactor,
                                                          brokerMetadatas: metadatas)
            } catch {
                throw TopicCreationError(assignmentError: error)
            }
        }
        guard !validateOnly else { return Int32(assignment.count) }
        do {
            try await zkClient.createTopic(name, assignment: assignment, config: configs)
        } catch let error as ZooKeeperError where error.code == .nodeExists {
            throw TopicCreationError(code: .topicAlreadyExists, message: "Topic '\(name)' already exists.")
        } catch {
            throw TopicCreationError(code: .unknownServerError, message: "\(error)")
        }
        return Int32(assignment.count)
    }
}
