import KafkaCommon
import KafkaProtocol
import KafkaZk

/// Preferred replica leader election (Kafka's `PreferredReplicaLeaderElection` event with the
/// `PreferredReplicaPartitionLeaderElectionStrategy`), as pure functions over the controller
/// context and the partition states just read from ZooKeeper. The `KafkaController` shell
/// (`KafkaController+PreferredReplicaElection.swift`) reads, writes with the controller-epoch
/// fence and the zkVersion read, and sends the requests.
///
/// The rule: a partition may be led only by its preferred replica, the first of its assignment,
/// and only when that replica is alive (not shutting down) and in the ISR; otherwise the election
/// fails for that partition (PREFERRED_LEADER_NOT_AVAILABLE) and its state is left untouched.
/// The ISR is kept as it is. Every `LeaderAndIsr` returned has the leader epoch read plus one and
/// the zkVersion read (the expected version of the conditional write).
public enum PreferredReplicaPartitionLeaderElection {
    /// How the partitions of one request sort out before anything is read (Kafka's order of
    /// checks: unknown, topic being deleted, already led by the preferred replica).
    public struct Selection: Sendable, Equatable {
        /// Led by another replica (or by none): an election is to be tried.
        public var electable: [TopicPartition] = []
        /// Already led by their preferred replica: nothing to do (NONE).
        public var alreadyPreferred: [TopicPartition] = []
        /// Of topics being deleted: skipped.
        public var beingDeleted: [TopicPartition] = []
        /// Not known to the controller: skipped.
        public var unknown: [TopicPartition] = []

        public init() {}
    }

    /// What to write for the electable partitions.
    public struct ElectionPlan: Sendable, Equatable {
        /// The states to write, per partition.
        public var updates: [TopicPartition: KafkaZk.LeaderAndIsr] = [:]
        /// The live replicas, in assignment order: the recipients of each updated partition's
        /// LeaderAndIsr.
        public var recipients: [TopicPartition: [BrokerId]] = [:]
        /// Partitions whose election failed, with the reason (their state stays as it is).
        public var failed: [TopicPartition: String] = [:]

        public init() {}
    }

    /// The answer for one partition (ElectPreferredLeaders' partition result).
    public struct PartitionResult: Sendable, Equatable {
        public var errorCode: ErrorCode
        public var errorMessage: String?

        public init(_ errorCode: ErrorCode, _ errorMessage: String? = nil) {
            self.errorCode = errorCode
            self.errorMessage = errorMessage
        }

        /// NONE, without a message. (Not called `none`: beside optionals that reads as `nil`.)
        public static let success = PartitionResult(.none)
    }

    /// The preferred replica as the new leader, or nil when it may not lead (dead, or out of the
    /// ISR, or no assignment).
    public static func electLeader(assignment: [BrokerId], current: KafkaZk.LeaderAndIsr, liveBrokers: Set<BrokerId>) -> KafkaZk.LeaderAndIsr? {
        let live = Set(assignment.filter(liveBrokers.contains))
        guard let leader = PartitionLeaderElection.preferredReplica(assignment: assignment, isr: current.isr, liveReplicas: live)
        else { return nil }
        return current.newLeaderAndIsr(leader: leader, isr: current.isr)
    }

    /// Sorts the requested partitions. A partition without a known leadership counts as not led by
    /// its preferred replica.
    public static func select(_ partitions: some Sequence<TopicPartition>, context: ControllerContext) -> Selection {
        var selection = Selection()
        for tp in Set(partitions).sorted() {
            guard let assignment = context.partitionAssignments[tp], !assignment.isEmpty else {
                selection.unknown.append(tp)
                continue
            }
            if context.isTopicQueuedUpForDeletion(tp.topic) {
                selection.beingDeleted.append(tp)
            } else if context.partitionLeadership[tp]?.leaderAndIsr.leader == assignment.first {
                selection.alreadyPreferred.append(tp)
            } else {
                selection.electable.append(tp)
            }
        }
        return selection
    }

    /// The brokers a preferred replica may be on: live and not shutting down.
    public static func eligibleBrokers(_ context: ControllerContext) -> Set<BrokerId> {
        context.liveBrokerIds.subtracting(context.shuttingDownBrokerIds)
    }

    /// Plans the elections of `partitions` from `states`, their state znodes as just read. A
    /// partition without a state znode, or whose state a newer controller wrote, fails too.
    public static func planElections(
        _ partitions: [TopicPartition], states: [TopicPartition: LeaderIsrAndControllerEpoch], context: ControllerContext
    ) -> ElectionPlan {
        var plan = ElectionPlan()
        let eligible = eligibleBrokers(context)
        for tp in partitions {
            guard let state = states[tp] else {
                plan.failed[tp] = "Failed to elect leader for partition \(tp) under strategy PreferredReplicaPartitionLeaderElectionStrategy: its state znode does not exist"
                continue
            }
            if state.controllerEpoch > context.epoch {
                plan.failed[tp] = "Failed to elect leader for partition \(tp) under strategy PreferredReplicaPartitionLeaderElectionStrategy: its state was written by a newer controller (epoch \(state.controllerEpoch)); this controller has probably been replaced"
                continue
            }
            let assignment = context.partitionAssignments[tp] ?? []
            guard let elected = electLeader(assignment: assignment, current: state.leaderAndIsr, liveBrokers: eligible) else {
                plan.failed[tp] = "Failed to elect leader for partition \(tp) under strategy PreferredReplicaPartitionLeaderElectionStrategy"
                continue
            }
            plan.updates[tp] = elected
            plan.recipients[tp] = assignment.filter(eligible.contains)
        }
        return plan
    }

    /// The plan as the partition state machine's `onLeadersElected` takes it (never unclean).
    public static func asElectionPlan(_ plan: ElectionPlan) -> OfflinePartitionPlanner.ElectionPlan {
        var election = OfflinePartitionPlanner.ElectionPlan()
        election.updates = plan.updates
        election.recipients = plan.recipients
        return election
    }

    /// The answer of every requested partition (Kafka 2.3's `PreferredReplicaLeaderElection`
    /// callback): NONE for those already led by their preferred replica and for those elected
    /// (the broker answering waits until its metadata shows them), PREFERRED_LEADER_NOT_AVAILABLE
    /// for failed elections, INVALID_TOPIC_EXCEPTION for topics being deleted,
    /// UNKNOWN_TOPIC_OR_PARTITION for unknown partitions.
    public static func results(_ selection: Selection, failed: [TopicPartition: String]) -> [TopicPartition: PartitionResult] {
        var results: [TopicPartition: PartitionResult] = [:]
        for tp in selection.electable { results[tp] = failed[tp].map { PartitionResult(.preferredLeaderNotAvailable, $0) } ?? .success }
        for tp in selection.alreadyPreferred { results[tp] = .success }
        for tp in selection.beingDeleted { results[tp] = PartitionResult(.invalidTopicException, "The topic is being deleted") }
        for tp in selection.unknown { results[tp] = PartitionResult(.unknownTopicOrPartition, "The partition does not exist.") }
        return results
    }

    /// The leaders the broker answering an ElectPreferredLeaders waits for: the preferred replica
    /// of each elected partition.
    public static func expectedLeaders(_ selection: Selection, failed: [TopicPartition: String], context: ControllerContext) -> [TopicPartition: BrokerId] {
        var expected: [TopicPartition: BrokerId] = [:]
        for tp in selection.electable where failed[tp] == nil {
            if let preferred = context.partitionAssignments[tp]?.first { expected[tp] = preferred }
        }
        return expected
    }
}
