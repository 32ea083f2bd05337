import KafkaCommon

extension ReplicaAssignment {
    /// The placement `kafka reassign-partitions --generate` proposes (Kafka 2.3's
    /// `ReassignPartitionsCommand.generateAssignment`): each topic is placed afresh over the
    /// brokers of `brokerList` that are registered, keeping its partition count and replication
    /// factor (its first partition's replica count), with `assign(partitions:replicationFactor:
    /// brokerMetadatas:)` — rack-aware under `.enforced` when those brokers set racks, and refused
    /// when only some do; rack-unaware under `.disabled` (`--disable-rack-aware`). Each topic gets
    /// its own random start unless `fixedStartIndex` is given (tests).
    ///
    /// `current` is each topic's assignment as `/brokers/topics/<t>` holds it; the result maps
    /// every partition of those topics to its proposed replicas.
    public static func proposedReassignment(
        current: [String: [Int32: [BrokerId]]], registeredBrokers: [BrokerInfo], brokerList: [BrokerId],
        rackAwareMode: RackAwareMode = .enforced, fixedStartIndex: Int? = nil
    ) throws(AssignmentError) -> [TopicPartition: [BrokerId]] {
        let brokers = try BrokerMetadata.from(registeredBrokers, mode: rackAwareMode, brokerList: brokerList)
        var proposed: [TopicPartition: [BrokerId]] = [:]
        for (topic, assignment) in current.sorted(by: { $0.key < $1.key }) {
            guard let first = assignment.keys.min(), let replicas = assignment[first] else { continue }
            let placed = try assign(partitions: Int32(assignment.count), replicationFactor: Int16(replicas.count),
                                    brokerMetadatas: brokers, fixedStartIndex: fixedStartIndex)
            for (partition, replicas) in placed { proposed[TopicPartition(topic, partition)] = replicas }
        }
        return proposed
    }
}
