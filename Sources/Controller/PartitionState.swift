/// The states of a partition in the controller's partition state machine (Kafka's
/// `PartitionState`), each with the states it may be entered from:
///
///     NonExistentPartition → NewPartition → OnlinePartition ⇄ OfflinePartition → NonExistentPartition
///                                        ↘ OfflinePartition
///
/// - `NewPartition`: created, replicas assigned, no leader or ISR yet;
/// - `OnlinePartition`: a leader was elected (also re-entered on a new election);
/// - `OfflinePartition`: its leader died;
/// - `NonExistentPartition`: never created, or deleted.
///
/// `PartitionStateMachine` makes the transitions (and refuses the others).
public enum PartitionState: String, Sendable, Hashable, CaseIterable {
    case nonExistentPartition = "NonExistentPartition"
    case newPartition = "NewPartition"
    case onlinePartition = "OnlinePartition"
    case offlinePartition = "OfflinePartition"

    public var validPreviousStates: Set<PartitionState> {
        switch self {
        case .nonExistentPartition: [.offlinePartition]
        case .newPartition: [.nonExistentPartition]
        case .onlinePartition: [.newPartition, .onlinePartition, .offlinePartition]
        case .offlinePartition: [.newPartition, .onlinePartition, .offlinePartition]
        }
    }

    public func canTransition(to target: PartitionState) -> Bool {
        target.validPreviousStates.contains(self)
    }
}

/// The states of one replica (a partition on one broker) in the replica state machine (Kafka's
/// `ReplicaState`), each with the states it may be entered from:
///
/// - `NewReplica`: assigned during creation or reassignment; may only become follower;
/// - `OnlineReplica`: started and part of the assignment; leader or follower;
/// - `OfflineReplica`: its broker died;
/// - `ReplicaDeletionStarted` / `Successful` / `Ineligible`: topic deletion in progress, done, or
///   impossible for now (broker down);
/// - `NonExistentReplica`: deleted.
///
/// `ReplicaStateMachine` makes the transitions (and refuses the others).
public enum ReplicaState: String, Sendable, Hashable, CaseIterable {
    case newReplica = "NewReplica"
    case onlineReplica = "OnlineReplica"
    case offlineReplica = "OfflineReplica"
    case replicaDeletionStarted = "ReplicaDeletionStarted"
    case replicaDeletionSuccessful = "ReplicaDeletionSuccessful"
    case replicaDeletionIneligible = "ReplicaDeletionIneligible"
    case nonExistentReplica = "NonExistentReplica"

    public var validPreviousStates: Set<ReplicaState> {
        switch self {
        case .newReplica: [.nonExistentReplica]
        case .onlineReplica: [.newReplica, .onlineReplica, .offlineReplica, .replicaDeletionIneligible]
        case .offlineReplica: [.newReplica, .onlineReplica, .offlineReplica, .replicaDeletionIneligible]
        case .replicaDeletionStarted: [.offlineReplica]
        case .replicaDeletionSuccessful: [.replicaDeletionStarted]
        case .replicaDeletionIneligible: [.offlineReplica, .replicaDeletionStarted]
        case .nonExistentReplica: [.replicaDeletionSuccessful]
        }
    }

    public func canTransition(to target: ReplicaState) -> Bool {
        target.validPreviousStates.contains(self)
    }
}
