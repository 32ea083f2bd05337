import KafkaCommon

/// A transition that the partition or replica state machine refused because the partition's
/// (replica's) current state is not one of the target state's valid previous states. The
/// partition (replica) is left as it was; the refusal is logged at error, in Kafka's words.
public enum IllegalStateTransition: Error, Sendable, Hashable, CustomStringConvertible {
    case partition(TopicPartition, from: PartitionState, to: PartitionState)
    case replica(PartitionReplica, from: ReplicaState, to: ReplicaState)

    /// Kafka's state-change-log line for the refusal (its `logFailedStateChange` and
    /// `logInvalidTransition`), with the reason Kafka's `IllegalStateException` gives.
    public var description: String {
        switch self {
        case .partition(let tp, let from, let to):
            "Failed to change state for partition \(tp) from \(from.rawValue) to \(to.rawValue): Partition \(tp) should be in one of \(Self.names(to.validPreviousStates)) states before moving to \(to.rawValue) state. Instead it is in \(from.rawValue) state"
        case .replica(let replica, let from, let to):
            "Initiated state change of replica \(replica.replica) for partition \(replica.topicPartition) from \(from.rawValue) to \(to.rawValue) failed: Replica \(replica) should be in the \(Self.names(to.validPreviousStates)) states before moving to \(to.rawValue) state. Instead it is in \(from.rawValue) state"
        }
    }

    private static func names<State: RawRepresentable<String>>(_ states: Set<State>) -> String {
        states.map(\.rawValue).sorted().joined(separator: ",")
    }
}
