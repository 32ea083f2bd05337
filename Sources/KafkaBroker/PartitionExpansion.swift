import KafkaCommon
import KafkaProtocol
import KafkaZk

/// The replicas of the partitions CreatePartitions adds to a topic (Kafka's
/// `AdminManager.createPartitions` checks followed by `AdminZkClient.addPartitions`). Pure: the
/// handler reads the current assignment and live brokers, and writes the result.
///
/// Rules: the topic keeps its replication factor (partition 0's replica count); the new count
/// must be larger than the current one; a manual assignment gives one replica list per added
/// partition, each of distinct live brokers and of the topic's replication factor; without one,
/// the new partitions are placed by `ReplicaAssignment.assign` (rack-aware when the brokers set
/// racks) continuing the partition ids and starting at the live broker (in id order) matching
/// partition 0's preferred leader, so the round-robin goes on where the topic's first partitions
/// began it.
enum PartitionExpansion {
    /// The added partitions (ids `existing.count ..< newCount`) with their replicas.
    static func plan(
        topic: String, existing: [Int32: [BrokerId]], newCount: Int32, manual: [[BrokerId]]?, liveBrokers: [ReplicaAssignment.BrokerMetadata]
    ) throws(TopicCreationError) -> [Int32: [BrokerId]] {
        let currentCount = Int32(existing.count)
        guard newCount > currentCount else {
            let message = newCount == currentCount
                ? "Topic already has \(currentCount) partitions."
                : "Topic currently has \(currentCount) partitions, which is higher than the requested \(newCount)."
            throw TopicCreationError(code: .invalidPartitions, message: message)
        }
        guard let partition0 = existing[0], !partition0.isEmpty else {
            throw TopicCreationError(code: .unknownServerError,
                                     message: "Unexpected existing replica assignment for topic '\(topic)', partition id 0 is missing.")
        }
        let toAdd = newCount - currentCount
        let replicationFactor = partition0.count
        guard let manual else {
            let sorted = liveBrokers.sorted { $0.id < $1.id }
            let startIndex = max(0, sorted.firstIndex { $0.id >= partition0[0] } ?? 0)
            do {
                return try ReplicaAssignment.assign(
                    partitions: toAdd, replicationFactor: Int16(replicationFactor), brokerMetadatas: sorted,
                    fixedStartIndex: startIndex, startPartitionId: currentCount)
            } catch {
                throw TopicCreationError(assignmentError: error)
            }
        }
        guard manual.count == Int(toAdd) else {
            throw TopicCreationError(code: .invalidReplicaAssignment,
                                     message: "Increasing the number of partitions by \(toAdd) but \(manual.count) assignments provided.")
        }
        let live = Set(liveBrokers.map(\.id))
        var plan: [Int32: [BrokerId]] = [:]
        for (offset, replicas) in manual.enumerated() {
            let partition = currentCount + Int32(offset)
            let listed = replicas.map(\.description).joined(separator: ", ")
            guard !replicas.isEmpty else {
                throw TopicCreationError(code: .invalidReplicaAssignment, message: "Cannot have replication factor of 0 for partition id \(partition).")
            }
            guard Set(replicas).count == replicas.count else {
                throw TopicCreationError(code: .invalidReplicaAssignment, message: "Duplicate brokers not allowed in replica assignment: \(listed) for partition id \(partition).")
            }
            let unknown = replicas.filter { !live.contains($0) }
            guard unknown.isEmpty else {
                throw TopicCreationError(code: .invalidReplicaAssignment,
                                         message: "Unknown broker(s) in replica assignment: \(unknown.map(\.description).joined(separator: ", ")).")
            }
            guard replicas.count == replicationFactor else {
                throw TopicCreationError(code: .invalidReplicaAssignment,
                                         message: "Inconsistent replication factor between partitions, partition 0 has \(replicationFactor) while partition \(partition) has \(replicas.count).")
            }
            plan[partition] = replicas
        }
        return plan
    }
}
