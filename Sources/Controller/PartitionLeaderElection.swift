import KafkaCommon

/// The rules by which the controller picks a partition leader (Kafka's
/// `PartitionLeaderElectionAlgorithms`). Pure functions: the replica assignment order is the
/// preference order, so the first acceptable replica in it wins.
public enum PartitionLeaderElection {
    /// A partition lost its leader (broker failure, new partition): the first assigned replica
    /// that is alive and in the ISR. With unclean election enabled and no such replica, the first
    /// live replica at all — which may lack acknowledged records (data loss, logged as such).
    public static func offlinePartition(
        assignment: [BrokerId], isr: [BrokerId], liveReplicas: Set<BrokerId>, uncleanLeaderElectionEnabled: Bool
    ) -> (leader: BrokerId, isUnclean: Bool)? {
        if let clean = assignment.first(where: { liveReplicas.contains($0) && isr.contains($0) }) {
            return (clean, false)
        }
        guard uncleanLeaderElectionEnabled, let unclean = assignment.first(where: { liveReplicas.contains($0) }) else {
            return nil
        }
        return (unclean, true)
    }

    /// A reassignment finished: the first replica of the new assignment that is alive and in sync.
    public static func reassignPartition(
        reassignment: [BrokerId], isr: [BrokerId], liveReplicas: Set<BrokerId>
    ) -> BrokerId? {
        reassignment.first { liveReplicas.contains($0) && isr.contains($0) }
    }

    /// Preferred replica election: only the first assigned replica, and only if alive and in sync.
    public static func preferredReplica(
        assignment: [BrokerId], isr: [BrokerId], liveReplicas: Set<BrokerId>
    ) -> BrokerId? {
        assignment.first.flatMap { liveReplicas.contains($0) && isr.contains($0) ? $0 : nil }
    }

    /// A broker is shutting down: the first live, in-sync replica not on a shutting-down broker.
    public static func controlledShutdown(
        assignment: [BrokerId], isr: [BrokerId], liveReplicas: Set<BrokerId>, shuttingDownBrokers: Set<BrokerId>
    ) -> BrokerId? {
        assignment.first { liveReplicas.contains($0) && isr.contains($0) && !shuttingDownBrokers.contains($0) }
    }
}
