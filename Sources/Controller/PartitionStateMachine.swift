import KafkaCommon
import KafkaZk

/// The controller's partition state machine (Kafka's `PartitionStateMachine`) as a value: it
/// decides, over the `ControllerContext` it is handed, and returns a `Plan` of what to do; the
/// `KafkaController` shell (`KafkaController+PartitionStateMachine.swift`) reads and writes
/// ZooKeeper, retries conflicting writes, and sends the batched requests. No I/O here.
///
/// Legal transitions (`PartitionState.validPreviousStates`) and what each plans:
/// - NonExistentPartition → NewPartition: the replicas are assigned; nothing to write.
/// - NewPartition → OnlinePartition: the first live replica of the assignment leads, the live
///   replicas form the ISR, leader epoch 0 (`statesToCreate`: the state znodes to create). Once
///   created (`onStatesCreated`) the partition is online, its replicas get LeaderAndIsr with
///   isNew and every live broker UpdateMetadata. Without a live replica it stays NewPartition.
/// - OnlinePartition, OfflinePartition → OnlinePartition: a leader is elected from the state
///   znode as it is now (`partitionsToElect`; then `electLeaders` with the states read, which
///   plans conditional writes; then `onLeadersElected` with the states written, which moves the
///   partitions and sends LeaderAndIsr to their live replicas).
/// - NewPartition, OnlinePartition, OfflinePartition → OfflinePartition: its leader died.
/// - OfflinePartition → NonExistentPartition: its topic is deleted.
///
/// Any other transition is illegal: the partition is left as it is, and the refusal is in the
/// plan (`illegalTransitions`) and logged at error. A partition moves only once the write that
/// backs it succeeded, so the context never runs ahead of ZooKeeper.
public struct PartitionStateMachine: Sendable {
    public init() {}

    /// What one step of a batch transition asks the shell to do.
    public struct Plan: Sendable, Equatable {
        /// State-change log lines, in order (refusals included).
        public var log: [StateChangeEntry] = []
        /// Transitions refused: the partitions keep their state.
        public var illegalTransitions: [IllegalStateTransition] = []
        /// Requests for the event's batch.
        public var requests = ControllerBrokerRequestBatch()
        /// New partitions' state znodes to create, with their parents, fenced by the controller
        /// epoch (NewPartition → OnlinePartition).
        public var statesToCreate: [TopicPartition: LeaderIsrAndControllerEpoch] = [:]
        /// Partitions whose state znodes are to be read for an election (→ OnlinePartition).
        public var partitionsToElect: [TopicPartition] = []
        /// Conditional leader-and-ISR writes: each state's `zkVersion` is the version expected.
        public var leaderAndIsrUpdates: [TopicPartition: LeaderAndIsr] = [:]

        public init() {}
    }

    /// How the creation of one state znode ended.
    public enum StateZNodeCreation: Sendable, Equatable {
        case created(LeaderIsrAndControllerEpoch)
        /// The znode exists, holding this state (nil: it could not be read).
        case alreadyExists(LeaderIsrAndControllerEpoch?)
        case failed(String)
    }

    // MARK: - Batch transitions

    /// Moves `partitions` to `target` (Kafka's `handleStateChanges`). NewPartition,
    /// OfflinePartition and NonExistentPartition move at once; OnlinePartition needs ZooKeeper
    /// first, so only the plan's `statesToCreate` and `partitionsToElect` are filled.
    public func handleStateChanges(
        _ partitions: [TopicPartition], to target: PartitionState, context: inout ControllerContext
    ) -> Plan {
        var plan = Plan()
        for tp in partitions {
            let current = context.partitionStates[tp] ?? .nonExistentPartition
            guard current.canTransition(to: target) else {
                plan.refuse(.partition(tp, from: current, to: target))
                continue
            }
            switch target {
            case .newPartition:
                let replicas = context.partitionAssignments[tp] ?? []
                move(tp, to: target, detail: " with assigned replicas \(Self.list(replicas))", &plan, &context)
            case .onlinePartition where current == .newPartition:
                let replicas = context.partitionAssignments[tp] ?? []
                let live = replicas.filter { context.isReplicaOnline($0) }
                guard let leader = live.first else {
                    plan.log.append(StateChangeEntry(.error,
                        "Cannot start partition \(tp): none of its replicas [\(Self.list(replicas))] is alive; it stays \(PartitionState.newPartition.rawValue)"))
                    continue
                }
                plan.statesToCreate[tp] = LeaderIsrAndControllerEpoch(
                    leaderAndIsr: LeaderAndIsr(leader: leader, isr: live), controllerEpoch: context.epoch)
            case .onlinePartition:
                plan.partitionsToElect.append(tp)
            case .offlinePartition, .nonExistentPartition:
                move(tp, to: target, detail: "", &plan, &context)
            }
        }
        return plan
    }

    /// The state znodes of `statesToCreate` were created (or not): the created ones, and those
    /// an earlier attempt of this controller (same epoch) created before losing its connection,
    /// go OnlinePartition; their live replicas get LeaderAndIsr with isNew. The others stay
    /// NewPartition.
    public func onStatesCreated(
        _ outcomes: [TopicPartition: StateZNodeCreation], context: inout ControllerContext
    ) -> Plan {
        var plan = Plan()
        for (tp, outcome) in outcomes.sorted(by: { $0.key < $1.key }) {
            let state: LeaderIsrAndControllerEpoch
            switch outcome {
            case .created(let created):
                state = created
            case .alreadyExists(let existing?) where existing.controllerEpoch == context.epoch:
                state = existing
            case .alreadyExists(let existing):
                plan.log.append(StateChangeEntry(.error,
                    "Error while creating the state znode of \(tp): it exists already (\(existing.map { "written by controller epoch \($0.controllerEpoch)" } ?? "unreadable")); it stays \(PartitionState.newPartition.rawValue)"))
                continue
            case .failed(let reason):
                plan.log.append(StateChangeEntry(.error,
                    "Error while creating the state znode of \(tp): \(reason); it stays \(PartitionState.newPartition.rawValue)"))
                continue
            }
            let current = context.partitionStates[tp] ?? .nonExistentPartition
            guard current == .newPartition else {
                plan.refuse(.partition(tp, from: current, to: .onlinePartition))
                continue
            }
            context.partitionLeadership[tp] = state
            move(tp, to: .onlinePartition, detail: " with state \(state.leaderAndIsr)", &plan, &context)
            let live = (context.partitionAssignments[tp] ?? []).filter { context.isReplicaOnline($0) }
            plan.requests.addLeaderAndIsr(tp, to: live, isNew: true)
        }
        return plan
    }

    /// The topics whose `unclean.leader.election.enable` the election of `states` depends on
    /// (no live in-sync replica): the shell reads only theirs.
    public func topicsNeedingUncleanDecision(
        _ states: [TopicPartition: LeaderIsrAndControllerEpoch], context: ControllerContext
    ) -> Set<String> {
        OfflinePartitionPlanner.topicsNeedingUncleanDecision(states, liveBrokers: context.liveBrokerIds)
    }

    /// Elects leaders for `partitions` (the plan's `partitionsToElect`, or those whose write
    /// conflicted) from `states`, their state znodes as just read. Plans the conditional writes
    /// (`leaderAndIsrUpdates`); partitions no replica may lead, or written by a newer controller,
    /// or without a state znode, are logged and stay where they are.
    public func electLeaders(
        _ partitions: [TopicPartition], states: [TopicPartition: LeaderIsrAndControllerEpoch],
        uncleanLeaderElectionEnabled: [String: Bool], context: ControllerContext
    ) -> (plan: Plan, election: OfflinePartitionPlanner.ElectionPlan) {
        var plan = Plan()
        let requested = Set(partitions)
        for tp in partitions where states[tp] == nil {
            plan.failedElection(tp, "its state znode does not exist", context)
        }
        let election = OfflinePartitionPlanner.planElections(
            states: states.filter { requested.contains($0.key) }, assignments: context.partitionAssignments,
            liveBrokers: context.liveBrokerIds, controllerEpoch: context.epoch,
            uncleanLeaderElectionEnabled: uncleanLeaderElectionEnabled)
        for tp in election.writtenByNewerController {
            plan.failedElection(tp,
                "its state was written by a newer controller (epoch \(states[tp].map { "\($0.controllerEpoch)" } ?? "unknown")): this controller has probably been replaced", context)
        }
        for tp in election.leaderless {
            plan.failedElection(tp,
                "no in-sync replica of [\(Self.list(states[tp]?.leaderAndIsr.isr ?? []))] is alive and unclean leader election is disabled for \(tp.topic); it stays \(PartitionState.offlinePartition.rawValue)", context)
        }
        plan.leaderAndIsrUpdates = election.updates
        return (plan, election)
    }

    /// The elected states were written (`written`, as written, with their new zkVersion): the
    /// partitions go OnlinePartition and their live replicas get LeaderAndIsr. `states` are the
    /// states the election was made from (for the unclean-election warning).
    public func onLeadersElected(
        _ written: [TopicPartition: LeaderIsrAndControllerEpoch], election: OfflinePartitionPlanner.ElectionPlan,
        states: [TopicPartition: LeaderIsrAndControllerEpoch], context: inout ControllerContext
    ) -> Plan {
        var plan = Plan()
        for (tp, state) in written.sorted(by: { $0.key < $1.key }) {
            let current = context.partitionStates[tp] ?? .nonExistentPartition
            guard current.canTransition(to: .onlinePartition) else {
                plan.refuse(.partition(tp, from: current, to: .onlinePartition))
                continue
            }
            if election.uncleanlyElected.contains(tp) {
                plan.log.append(StateChangeEntry(.warning,
                    "Unclean leader election for partition \(tp): broker \(state.leaderAndIsr.leader) was not in the ISR [\(Self.list(states[tp]?.leaderAndIsr.isr ?? []))] but leads now, as unclean.leader.election.enable allows; records the old ISR had acknowledged may be lost (data loss)"))
            }
            context.partitionLeadership[tp] = state
            move(tp, to: .onlinePartition, detail: " with state \(state.leaderAndIsr)", &plan, &context)
            plan.requests.addLeaderAndIsr(tp, to: election.recipients[tp] ?? [])
        }
        return plan
    }

    // MARK: - Helpers

    private func move(
        _ tp: TopicPartition, to target: PartitionState, detail: String, _ plan: inout Plan, _ context: inout ControllerContext
    ) {
        let current = context.partitionStates[tp] ?? .nonExistentPartition
        context.partitionStates[tp] = target
        plan.log.append(StateChangeEntry(.info,
            "Changed partition \(tp) state from \(current.rawValue) to \(target.rawValue)\(detail)"))
    }

    static func list(_ brokers: [BrokerId]) -> String { brokers.map(\.description).joined(separator: ",") }
}

extension PartitionStateMachine.Plan {
    mutating func refuse(_ illegal: IllegalStateTransition) {
        illegalTransitions.append(illegal)
        log.append(StateChangeEntry(.error, illegal.description))
    }

    mutating func failedElection(_ tp: TopicPartition, _ reason: String, _ context: ControllerContext) {
        let current = context.partitionStates[tp] ?? .nonExistentPartition
        log.append(StateChangeEntry(.error,
            "Failed to elect a leader for partition \(tp) (state change from \(current.rawValue) to \(PartitionState.onlinePartition.rawValue)): \(reason)"))
    }
}
