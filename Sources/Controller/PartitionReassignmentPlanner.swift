import KafkaCommon
import KafkaZk

/// The decisions of partition reassignment (Kafka 2.3's `onPartitionReassignment` and its
/// helpers in `KafkaController`) as pure functions; `KafkaController+PartitionReassignment.swift`
/// reads ZooKeeper, performs them and sends the requests.
///
/// Vocabulary: RAR, the reassigned replicas (the target); OAR, the original replicas (the
/// assignment before the reassignment started). A reassignment runs in two phases:
///
/// 1. Start (some of RAR are not in the ISR): the assignment becomes OAR + RAR (RAR first,
///    then the original replicas that are not in RAR), the leader epoch is bumped and every
///    replica of OAR + RAR gets LeaderAndIsr, and the replicas of RAR − OAR go NewReplica (they
///    create their logs and fetch from the leader). Then the controller waits: each change of
///    the partition's state znode (a leader expanding its ISR) asks again.
/// 2. Completion (all of RAR in the ISR): RAR go OnlineReplica, the assignment becomes RAR in
///    memory, a new leader is elected from RAR when the current one is not in RAR or is dead
///    (else the leader epoch is bumped in place), OAR − RAR go OfflineReplica (out of the ISR),
///    ReplicaDeletionStarted (StopReplica with deletion), ReplicaDeletionSuccessful and
///    NonExistentReplica; the assignment znode is written with RAR, the partition leaves
///    `/admin/reassign_partitions`, and every broker gets UpdateMetadata.
///
/// Invariants: a `LeaderAndIsr` returned here has the leader epoch read plus one and the
/// zkVersion read (the expected version of the conditional write); a leader elected here is a
/// live member of RAR and of the ISR, and the ISR is kept as it was.
public enum PartitionReassignmentPlanner {
    /// Why a requested reassignment is dropped (removed from the znode) instead of started.
    public enum Rejection: Sendable, Equatable {
        /// The topic is queued for deletion.
        case topicBeingDeleted
        /// The topic or the partition does not exist.
        case partitionDoesNotExist
        /// The partition is already assigned to the requested replicas: nothing to do.
        case alreadyAssigned
        /// The request names no replica.
        case noReplicas
        /// The request names a replica twice.
        case duplicateReplicas([BrokerId])
        /// The request names brokers that are not registered.
        case nonExistentBrokers([BrokerId])

        /// The controller's log line for the rejection, in Kafka's words where Kafka logs one.
        public func message(_ tp: TopicPartition, _ reassigned: [BrokerId]) -> String {
            switch self {
            case .topicBeingDeleted:
                "Skipping reassignment of \(tp) since the topic is currently being deleted"
            case .partitionDoesNotExist:
                "Ignoring request to reassign partition \(tp) that doesn't exist."
            case .alreadyAssigned:
                "Partition \(tp) to be reassigned is already assigned to replicas \(list(reassigned)). Ignoring request for partition reassignment."
            case .noReplicas:
                "Ignoring request to reassign partition \(tp) to an empty replica list."
            case .duplicateReplicas(let duplicates):
                "Ignoring request to reassign partition \(tp): its replica list \(list(reassigned)) contains \(list(duplicates)) more than once."
            case .nonExistentBrokers(let brokers):
                "Ignoring request to reassign partition \(tp) to replicas \(list(reassigned)): brokers \(list(brokers)) do not exist."
            }
        }

        /// Only `alreadyAssigned` is not an error.
        public var isError: Bool { self != .alreadyAssigned }
    }

    /// Whether `tp` may be reassigned to `reassigned`, checked when the controller takes the
    /// request up. `checkBrokers`: a new request must name registered brokers only; a
    /// reassignment resumed at failover was checked when it was taken up, and its target brokers
    /// may merely be down now (the controller that was killed may be one of them).
    public static func validate(
        _ tp: TopicPartition, reassigned: [BrokerId], context: ControllerContext, checkBrokers: Bool
    ) -> Rejection? {
        if context.isTopicQueuedUpForDeletion(tp.topic) { return .topicBeingDeleted }
        guard let assigned = context.partitionAssignments[tp], !assigned.isEmpty else { return .partitionDoesNotExist }
        guard !reassigned.isEmpty else { return .noReplicas }
        let duplicates = Dictionary(grouping: reassigned, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
        guard duplicates.isEmpty else { return .duplicateReplicas(duplicates) }
        if assigned == reassigned { return .alreadyAssigned }
        if checkBrokers {
            let unknown = Set(reassigned).subtracting(context.liveBrokerIds).sorted()
            guard unknown.isEmpty else { return .nonExistentBrokers(unknown) }
        }
        return nil
    }

    /// The assignment while the reassignment runs: RAR, then the current replicas not in RAR
    /// (Kafka 2.3 builds `(RAR ++ OAR).toSet`, which keeps this order for up to four replicas).
    public static func reassigningAssignment(current: [BrokerId], reassigned: [BrokerId]) -> [BrokerId] {
        reassigned + current.filter { !reassigned.contains($0) }
    }

    /// Which members of RAR are in the ISR, and which are not yet, in RAR's order.
    public static func caughtUp(reassigned: [BrokerId], isr: [BrokerId]) -> (caughtUp: [BrokerId], missing: [BrokerId]) {
        (reassigned.filter(isr.contains), reassigned.filter { !isr.contains($0) })
    }

    /// How leadership is settled when the reassignment completes.
    public enum LeaderMove: Sendable, Equatable {
        /// The leader is in RAR and alive: it stays, with the leader epoch bumped (so that the
        /// replicas learn the shrunk assignment with a new epoch).
        case bumpLeaderEpoch
        /// The leader is not in RAR: a new one is elected from RAR.
        case electLeaderNotInReassignment
        /// The leader is in RAR but dead: a new one is elected from RAR.
        case electLeaderDead
    }

    /// One step of `onPartitionReassignment`, decided from the partition's state as just read.
    public enum Step: Sendable, Equatable {
        /// Phase 1: the assignment becomes `assignment` (OAR + RAR), the leader epoch is bumped
        /// and OAR + RAR get LeaderAndIsr; `newReplicas` (RAR − OAR) go NewReplica.
        case start(assignment: [BrokerId], newReplicas: [BrokerId], missing: [BrokerId])
        /// Phase 2: every member of RAR is in the ISR; `oldReplicas` (OAR − RAR) are stopped
        /// and deleted, and `leaderMove` settles the leadership.
        case complete(oldReplicas: [BrokerId], leaderMove: LeaderMove)
    }

    /// Decides the step for `tp` being reassigned to `reassigned`, from its current assignment
    /// (OAR, or OAR + RAR once started), its state znode and the live brokers.
    public static func step(
        reassigned: [BrokerId], current: [BrokerId], state: LeaderAndIsr, liveBrokers: Set<BrokerId>
    ) -> Step {
        let (_, missing) = caughtUp(reassigned: reassigned, isr: state.isr)
        guard missing.isEmpty else {
            return .start(assignment: reassigningAssignment(current: current, reassigned: reassigned),
                          newReplicas: reassigned.filter { !current.contains($0) }, missing: missing)
        }
        return .complete(oldReplicas: current.filter { !reassigned.contains($0) },
                         leaderMove: leaderMove(reassigned: reassigned, leader: state.leader, liveBrokers: liveBrokers))
    }

    /// Kafka's `moveReassignedPartitionLeaderIfRequired` decision.
    public static func leaderMove(reassigned: [BrokerId], leader: BrokerId, liveBrokers: Set<BrokerId>) -> LeaderMove {
        guard reassigned.contains(leader) else { return .electLeaderNotInReassignment }
        return liveBrokers.contains(leader) ? .bumpLeaderEpoch : .electLeaderDead
    }

    /// The state written for `move`, from the state read (`current`): the same leader and ISR at
    /// the next leader epoch, or a leader elected with the reassignment selector (the first live
    /// member of RAR that is in the ISR; the ISR kept). Nil when no member of RAR may lead.
    public static func leaderAndIsr(
        for move: LeaderMove, reassigned: [BrokerId], current: LeaderAndIsr, liveBrokers: Set<BrokerId>
    ) -> LeaderAndIsr? {
        switch move {
        case .bumpLeaderEpoch:
            return current.newLeaderAndIsr(leader: current.leader, isr: current.isr)
        case .electLeaderNotInReassignment, .electLeaderDead:
            guard let leader = PartitionLeaderElection.reassignPartition(
                reassignment: reassigned, isr: current.isr, liveReplicas: liveBrokers)
            else { return nil }
            return current.newLeaderAndIsr(leader: leader, isr: current.isr)
        }
    }

    /// What becomes of `/admin/reassign_partitions` once `removed` leave it.
    public enum ZNodeUpdate: Sendable, Equatable {
        /// Nothing changes (no partition removed).
        case unchanged
        /// The rest is written back.
        case write([TopicPartition: [BrokerId]])
        /// Nothing is left: the znode is deleted.
        case delete
    }

    public static func znodeUpdate(pending: [TopicPartition: [BrokerId]], removing removed: Set<TopicPartition>) -> ZNodeUpdate {
        let remaining = pending.filter { !removed.contains($0.key) }
        if remaining.isEmpty { return .delete }
        return removed.isEmpty ? .unchanged : .write(remaining)
    }

    static func list(_ brokers: [BrokerId]) -> String { brokers.map(\.description).joined(separator: ",") }
}
