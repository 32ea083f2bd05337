import Foundation
import KafkaCommon
import KafkaZk

/// What `kafka reassign-partitions` decides and prints, without ZooKeeper (Kafka 2.3's
/// `ReassignPartitionsCommand` helpers): the JSON files it reads, the checks it makes, the
/// assignment `--generate` proposes and the status `--verify` reports.
///
/// Files, as Kafka's tool reads them:
/// - topics to move: `{"topics":[{"topic":"orders"}],"version":1}`;
/// - a reassignment: `{"version":1,"partitions":[{"topic":"orders","partition":0,"replicas":[2,3,4],"log_dirs":["any","any","any"]}]}`
///   (`log_dirs` optional; printed with "any" for every replica).
enum ReassignmentPlan {
    /// The topics named by a topics-to-move file, in the file's order; duplicates refused.
    static func topicsToMove(_ text: String) throws -> [String] {
        let json: Json
        do { json = try Json.parse(text) } catch { throw CLIError("Invalid topics-to-move JSON: \(error)") }
        guard let entries = json["topics"]?.arrayValue else { throw CLIError("The topics-to-move JSON has no \"topics\" list") }
        let topics = try entries.map { entry in
            guard let topic = entry["topic"]?.stringValue else { throw CLIError("A topics-to-move entry has no \"topic\"") }
            return topic
        }
        let duplicates = duplicated(topics)
        guard duplicates.isEmpty else {
            throw CLIError("List of topics to reassign contains duplicate entries: \(duplicates.joined(separator: ","))")
        }
        return topics
    }

    /// The `--broker-list` ids ("1,2,3"); duplicates refused.
    static func brokerList(_ text: String) throws -> [BrokerId] {
        let ids = try text.split(separator: ",").map { part in
            guard let id = Int32(part.trimmingCharacters(in: .whitespaces)) else { throw CLIError("Invalid broker id '\(part)' in --broker-list") }
            return BrokerId(id)
        }
        let duplicates = duplicated(ids)
        guard duplicates.isEmpty else {
            throw CLIError("Broker list contains duplicate entries: \(duplicates.map(\.description).joined(separator: ","))")
        }
        return ids
    }

    /// A reassignment file's partitions, checked as Kafka's `parseAndValidate` does: not empty,
    /// no partition twice, no replica twice in a list, every partition existing (`existing`:
    /// the current assignment of the topics named) and every broker registered.
    static func validated(
        _ text: String, existing: [TopicPartition: [BrokerId]], brokers: Set<BrokerId>
    ) throws -> [TopicPartition: [BrokerId]] {
        let entries = try entries(text)
        guard !entries.isEmpty else { throw CLIError("Partition reassignment data file is empty") }
        let duplicatePartitions = duplicated(entries.map(\.0))
        guard duplicatePartitions.isEmpty else {
            throw CLIError("Partition reassignment contains duplicate topic partitions: \(duplicatePartitions.map(\.description).joined(separator: ","))")
        }
        let duplicateReplicas = entries.compactMap { tp, replicas -> String? in
            let duplicates = duplicated(replicas)
            return duplicates.isEmpty ? nil : "\(tp) contains multiple entries for \(duplicates.map(\.description).joined(separator: ","))"
        }
        guard duplicateReplicas.isEmpty else {
            throw CLIError("Partition replica lists may not contain duplicate entries: \(duplicateReplicas.joined(separator: ". "))")
        }
        let missing = entries.map(\.0).filter { existing[$0] == nil }
        guard missing.isEmpty else {
            throw CLIError("The proposed assignment contains non-existent partitions: \(missing.map(\.description).joined(separator: ","))")
        }
        let unknownBrokers = Set(entries.flatMap(\.1)).subtracting(brokers).sorted()
        guard unknownBrokers.isEmpty else {
            throw CLIError("The proposed assignment contains non-existent brokerIDs: \(unknownBrokers.map(\.description).joined(separator: ","))")
        }
        return Dictionary(uniqueKeysWithValues: entries)
    }

    /// A reassignment file's entries, in order (for `--verify`, which checks nothing else).
    static func entries(_ text: String) throws -> [(TopicPartition, [BrokerId])] {
        do {
            return try ReassignPartitionsZNode.decodeEntries(Array(text.utf8), source: "the reassignment JSON")
        } catch {
            throw CLIError("\(error)")
        }
    }

    /// Kafka's reassignment JSON, partitions in (topic, partition) order, with "any" log dirs.
    static func json(_ assignment: [TopicPartition: [BrokerId]]) -> String {
        ReassignPartitionsZNode.json(assignment, logDirs: true).serialized
    }

    /// `--generate` without racks: every partition of each topic placed anew on `brokers` with the
    /// rack-unaware assignment topic creation uses, keeping each topic's partition count and
    /// replication factor (that of its first partition, as Kafka's tool takes it).
    static func proposed(
        current: [TopicPartition: [BrokerId]], brokers: [BrokerId], fixedStartIndex: Int? = nil
    ) throws -> [TopicPartition: [BrokerId]] {
        try proposed(current: current, registered: brokers.map { BrokerInfo(id: $0, endpoints: [], timestamp: 0) },
                     brokerList: brokers, rackAwareMode: .disabled, fixedStartIndex: fixedStartIndex)
    }

    /// `--generate`: Kafka's `generateAssignment` placement (`ReplicaAssignment.proposedReassignment`)
    /// over the registered brokers of `brokerList`: rack-aware when they all set `broker.rack`
    /// (`.enforced`; a mix is refused, as Kafka refuses it), rack-unaware with
    /// `--disable-rack-aware` (`.disabled`).
    static func proposed(
        current: [TopicPartition: [BrokerId]], registered: [BrokerInfo], brokerList: [BrokerId],
        rackAwareMode: RackAwareMode, fixedStartIndex: Int? = nil
    ) throws -> [TopicPartition: [BrokerId]] {
        let byTopic = Dictionary(grouping: current, by: \.key.topic)
            .mapValues { entries in Dictionary(uniqueKeysWithValues: entries.map { ($0.key.partition, $0.value) }) }
        return try ReplicaAssignment.proposedReassignment(
            current: byTopic, registeredBrokers: registered, brokerList: brokerList, rackAwareMode: rackAwareMode,
            fixedStartIndex: fixedStartIndex)
    }

    /// Where one partition's reassignment stands (Kafka's `ReassignmentStatus`).
    enum Status: Equatable {
        case completed, inProgress, failed

        func line(_ tp: TopicPartition) -> String {
            switch self {
            case .completed: "Reassignment of partition \(tp) completed successfully"
            case .inProgress: "Reassignment of partition \(tp) is still in progress"
            case .failed: "Reassignment of partition \(tp) failed"
            }
        }
    }

    /// `--verify`: in progress while the admin znode lists the partition; then completed when the
    /// assignment is the one asked for, else failed.
    static func status(requested: [BrokerId], current: [BrokerId]?, inProgress: Bool) -> Status {
        if inProgress { return .inProgress }
        return current == requested ? .completed : .failed
    }

    private static func duplicated<Element: Hashable & Comparable>(_ items: [Element]) -> [Element] {
        Dictionary(grouping: items, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
    }
}
