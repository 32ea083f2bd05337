import KafkaCommon
import KafkaZk

/// The decisions the controller takes when brokers die or come back, as pure functions over the
/// partition states it has just read from ZooKeeper (Kafka's `Election.leaderForOffline` and the
/// ISR shrink of the replica state machine's OfflineReplica transition). The `KafkaController`
/// shell reads the states, calls these, writes the results with the controller-epoch fence and
/// the zkVersion each state was read with, and sends the requests.
///
/// Invariants of every `LeaderAndIsr` returned here: the leader epoch is the one read plus one,
/// the zkVersion is the one read (the expected version of the conditional write), and the leader,
/// when there is one, is in the new ISR.
public enum OfflinePartitionPlanner {
    /// The outcome of electing a leader for one offline (or leaderless) partition.
    public struct Election: Sendable, Equatable {
        /// The state to write; nil when no replica may lead (the partition stays offline).
        public var leaderAndIsr: LeaderAndIsr?
        /// The leader was not in the ISR: it may lack acknowledged records (possible data loss).
        public var isUnclean: Bool
        /// The live replicas, in assignment order: the recipients of the LeaderAndIsr request.
        public var liveReplicas: [BrokerId]
    }

    /// What to do with a batch of offline partitions.
    public struct ElectionPlan: Sendable, Equatable {
        /// The states to write, per partition.
        public var updates: [TopicPartition: LeaderAndIsr] = [:]
        /// Who gets the LeaderAndIsr request of each updated partition.
        public var recipients: [TopicPartition: [BrokerId]] = [:]
        /// Updated partitions whose leader was elected uncleanly.
        public var uncleanlyElected: Set<TopicPartition> = []
        /// Partitions no replica may lead: they stay OfflinePartition, their znode untouched.
        public var leaderless: [TopicPartition] = []
        /// Partitions whose state a newer controller wrote: this controller must not touch them.
        public var writtenByNewerController: [TopicPartition] = []

        public init() {}
    }

    /// What to write when replicas go offline.
    public struct IsrShrinkPlan: Sendable, Equatable {
        /// The states to write, per partition.
        public var updates: [TopicPartition: LeaderAndIsr] = [:]
        /// Partitions whose ISR holds none of the offline replicas: nothing to write.
        public var unchanged: [TopicPartition] = []
        /// Partitions whose state a newer controller wrote: this controller must not touch them.
        public var writtenByNewerController: [TopicPartition] = []

        public init() {}
    }

    // MARK: - Leader election

    /// Elects a leader for a partition that has none alive, from the state just read:
    /// - clean: the first replica in assignment order that is alive and in the ISR; the new ISR
    ///   is the old one without the dead brokers;
    /// - unclean (only when enabled and no ISR member is alive): the first live replica, with
    ///   itself as the whole ISR;
    /// - otherwise no leader.
    public static func electLeader(
        assignment: [BrokerId], current: LeaderAndIsr, liveBrokers: Set<BrokerId>, uncleanLeaderElectionEnabled: Bool
    ) -> Election {
        let liveReplicas = assignment.filter(liveBrokers.contains)
        guard let (leader, isUnclean) = PartitionLeaderElection.offlinePartition(
            assignment: assignment, isr: current.isr, liveReplicas: Set(liveReplicas),
            uncleanLeaderElectionEnabled: uncleanLeaderElectionEnabled)
        else {
            return Election(leaderAndIsr: nil, isUnclean: false, liveReplicas: liveReplicas)
        }
        let isr = current.isr.contains(leader) ? current.isr.filter(liveBrokers.contains) : [leader]
        return Election(leaderAndIsr: current.newLeaderAndIsr(leader: leader, isr: isr), isUnclean: isUnclean,
                        liveReplicas: liveReplicas)
    }

    /// Whether some ISR member is alive. When none is, the election depends on the topic's
    /// `unclean.leader.election.enable`, which the shell reads only for those partitions.
    public static func hasLiveInSyncReplica(_ state: LeaderAndIsr, liveBrokers: Set<BrokerId>) -> Bool {
        state.isr.contains(where: liveBrokers.contains)
    }

    /// The topics whose unclean-election setting the election of `states` depends on.
    public static func topicsNeedingUncleanDecision(
        _ states: [TopicPartition: LeaderIsrAndControllerEpoch], liveBrokers: Set<BrokerId>
    ) -> Set<String> {
        Set(states.filter { !hasLiveInSyncReplica($0.value.leaderAndIsr, liveBrokers: liveBrokers) }.map(\.key.topic))
    }

    /// Elects leaders for `states` (read from ZooKeeper). `uncleanLeaderElectionEnabled` holds
    /// the effective setting of the topics named by `topicsNeedingUncleanDecision` (a topic
    /// missing from it counts as disabled).
    public static func planElections(
        states: [TopicPartition: LeaderIsrAndControllerEpoch], assignments: [TopicPartition: [BrokerId]],
        liveBrokers: Set<BrokerId>, controllerEpoch: ControllerEpoch, uncleanLeaderElectionEnabled: [String: Bool]
    ) -> ElectionPlan {
        var plan = ElectionPlan()
        for (tp, state) in states.sorted(by: { $0.key < $1.key }) {
            if state.controllerEpoch > controllerEpoch {
                plan.writtenByNewerController.append(tp)
                continue
            }
            let election = electLeader(
                assignment: assignments[tp] ?? [], current: state.leaderAndIsr, liveBrokers: liveBrokers,
                uncleanLeaderElectionEnabled: uncleanLeaderElectionEnabled[tp.topic] ?? false)
            guard let leaderAndIsr = election.leaderAndIsr else {
                plan.leaderless.append(tp)
                continue
            }
            plan.updates[tp] = leaderAndIsr
            plan.recipients[tp] = election.liveReplicas
            if election.isUnclean { plan.uncleanlyElected.insert(tp) }
        }
        return plan
    }

    // MARK: - ISR shrink

    /// Removes offline replicas from a partition's ISR (the OfflineReplica transition), or nil when
    /// the ISR holds none of them. Replicas are taken one at a time in id order, as Kafka's
    /// replica state machine does: a removed leader leaves the partition leaderless (-1), and the
    /// last ISR member is never removed — it is kept so that, once it comes back, a clean
    /// election can still pick it. One write covers all of them (leader epoch + 1).
    public static func removeReplicas(_ replicas: Set<BrokerId>, from current: LeaderAndIsr) -> LeaderAndIsr? {
        guard current.isr.contains(where: replicas.contains) else { return nil }
        var leader = current.leader
        var isr = current.isr
        for replica in replicas.sorted() where isr.contains(replica) {
            if leader == replica { leader = LeaderAndIsr.noLeader }
            if isr.count > 1 { isr.removeAll { $0 == replica } }
        }
        return current.newLeaderAndIsr(leader: leader, isr: isr)
    }

    /// The ISR shrink of every partition in `offlineReplicas` (partition → its replicas that went
    /// offline), from `states` read from ZooKeeper.
    public static func planIsrShrink(
        offlineReplicas: [TopicPartition: Set<BrokerId>], states: [TopicPartition: LeaderIsrAndControllerEpoch],
        controllerEpoch: ControllerEpoch
    ) -> IsrShrinkPlan {
        var plan = IsrShrinkPlan()
        for (tp, state) in states.sorted(by: { $0.key < $1.key }) {
            if state.controllerEpoch > controllerEpoch {
                plan.writtenByNewerController.append(tp)
            } else if let updated = removeReplicas(offlineReplicas[tp] ?? [], from: state.leaderAndIsr) {
                plan.updates[tp] = updated
            } else {
                plan.unchanged.append(tp)
            }
        }
        return plan
    }

    // MARK: - Configuration

    /// The config key, at broker and topic level.
    public static let uncleanLeaderElectionEnableKey = "unclean.leader.election.enable"

    /// The effective `unclean.leader.election.enable` of a topic: its override in
    /// `/config/topics/<topic>` when it has a valid one, else the broker's default.
    public static func isUncleanLeaderElectionEnabled(topicConfig: [String: String], brokerDefault: Bool) -> Bool {
        switch topicConfig[uncleanLeaderElectionEnableKey]?.lowercased() {
        case "true": true
        case "false": false
        default: brokerDefault
        }
    }
}
