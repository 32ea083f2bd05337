import KafkaCommon

/// Replica-state queries of topic deletion (Kafka 2.3's `ControllerContext.replicasInState`,
/// `isAnyReplicaInState`, `areAllReplicasInState`). A replica without a state is
/// NonExistentReplica.
extension ControllerContext {
    /// Every replica of `topic`'s partitions, in partition then broker order.
    public func replicas(ofTopic topic: String) -> [PartitionReplica] {
        partitionAssignments.filter { $0.key.topic == topic }
            .flatMap { tp, replicas in replicas.map { PartitionReplica(tp, $0) } }.sorted()
    }

    public func replicaState(_ replica: PartitionReplica) -> ReplicaState {
        replicaStates[replica] ?? .nonExistentReplica
    }

    /// The replicas of `topic` in `state`.
    public func replicas(ofTopic topic: String, in state: ReplicaState) -> [PartitionReplica] {
        replicas(ofTopic: topic).filter { replicaState($0) == state }
    }

    public func isAnyReplica(ofTopic topic: String, in state: ReplicaState) -> Bool {
        replicas(ofTopic: topic).contains { replicaState($0) == state }
    }

    /// Whether every replica of `topic` is in `state` (true for a topic without partitions).
    public func areAllReplicas(ofTopic topic: String, in state: ReplicaState) -> Bool {
        replicas(ofTopic: topic).allSatisfy { replicaState($0) == state }
    }

    /// Whether `topic`'s deletion has started (Kafka's `isTopicDeletionInProgress` of the
    /// context): its partitions were taken offline for it.
    public func isTopicDeletionInProgress(_ topic: String) -> Bool { topicsWithDeletionStarted.contains(topic) }
}
