import KafkaCommon
import KafkaZk

/// Partitions added to existing topics (Kafka's `PartitionModifications` event): CreatePartitions
/// rewrites `/brokers/topics/<t>` with the extended assignment; the controller, which keeps a data
/// watch on every topic's assignment znode, adds the partitions it does not know and starts them
/// like a new topic's (NewPartition → OnlinePartition, LeaderAndIsr with isNew, UpdateMetadata).
///
/// Watches are one-shot: every read of the assignment here (and in `loadTopics` /
/// `processTopicChange`) arms it again. Partitions already known keep their assignment (moving
/// replicas is reassignment, not handled here); topics queued for deletion are ignored.
extension KafkaController {
    /// The topic named by a `/brokers/topics/<topic>` path; nil for any other path (including the
    /// partition-state znodes below it).
    static func topic(ofAssignmentPath path: String) -> String? {
        let prefix = PersistentZkPaths.brokerTopics + "/"
        guard path.hasPrefix(prefix) else { return nil }
        let topic = path.dropFirst(prefix.count)
        guard !topic.isEmpty, !topic.contains("/") else { return nil }
        return String(topic)
    }

    func processPartitionModifications(topic: String) async throws {
        guard isActive else { return }
        // Re-arms the watch; a topic gone meanwhile is TopicChange's to handle.
        guard let (assignment, _) = try await zkClient.topicAssignment(topic, watch: true) else { return }
        let added = assignment.keys.sorted().map { TopicPartition(topic, $0) }
            .filter { context.partitionAssignments[$0] == nil }
        guard !added.isEmpty else { return }
        // `added` holds keys of `assignment` only, so the force unwrap cannot fail.
        let list = added.map { "\($0)=[\(assignment[$0.partition]!.map(\.description).joined(separator: ","))]" }
            .joined(separator: ", ")
        if context.topicsToBeDeleted[topic] != nil {
            stateChangeLogger.controller(epoch: context.epoch,
                "Skipping adding partitions \(list) to topic \(topic) since it is being deleted")
            return
        }
        // A topic this controller has not loaded yet is left to TopicChange, which starts all of
        // its partitions at once.
        guard context.allTopics.contains(topic) else { return }
        stateChangeLogger.controller(epoch: context.epoch, "New partitions to be added: \(list)")
        for tp in added { context.partitionAssignments[tp] = assignment[tp.partition] }
        try await onNewPartitionCreation(added)
    }
}
