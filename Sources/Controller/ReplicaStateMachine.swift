import KafkaCommon
import KafkaZk

/// The controller's replica state machine (Kafka's `ReplicaStateMachine`) as a value: it
/// decides, over the `ControllerContext` it is handed, and returns a `Plan`; the `KafkaController`
/// shell (`KafkaController+ReplicaStateMachine.swift`) reads and writes ZooKeeper, retries
/// conflicting writes and sends the batched requests. No I/O here.
///
/// Legal transitions (`ReplicaState.validPreviousStates`) and what each plans:
/// - NonExistentReplica → NewReplica: assigned (creation); if the partition already has a
///   leadership, the replica gets its LeaderAndIsr — it may only follow: a replica named leader
///   cannot become NewReplica.
/// - NewReplica → OnlineReplica: started with its partition (whose own transition sent the
///   LeaderAndIsr); nothing more.
/// - OnlineReplica, OfflineReplica, ReplicaDeletionIneligible → OnlineReplica: its broker is
///   live; it gets its partition's LeaderAndIsr (when the partition has a leadership).
/// - NewReplica, OnlineReplica, OfflineReplica, ReplicaDeletionIneligible → OfflineReplica: its
///   broker died; it leaves the ISR that still holds it (`isrRemovals`, then `removeFromIsr`
///   with the states read, which plans the conditional writes, then `onIsrShrinkWritten`), and
///   the partition's other live replicas get the new LeaderAndIsr. A replica whose partition has
///   no leadership (never started) goes offline at once. Kafka also sends the replica a
///   StopReplica without deletion; its broker is dead, or bounced and about to get LeaderAndIsr
///   again, so this controller does not.
/// - OfflineReplica → ReplicaDeletionStarted: StopReplica with deletion.
/// - ReplicaDeletionStarted → ReplicaDeletionSuccessful; OfflineReplica, ReplicaDeletionStarted
///   → ReplicaDeletionIneligible: the deletion's outcome; nothing sent.
/// - ReplicaDeletionSuccessful → NonExistentReplica: forgotten.
///
/// Any other transition is illegal: the replica keeps its state, and the refusal is in the plan
/// (`illegalTransitions`) and logged at error.
public struct ReplicaStateMachine: Sendable {
    public init() {}

    /// What one step of a batch transition asks the shell to do.
    public struct Plan: Sendable, Equatable {
        /// State-change log lines, in order (refusals included).
        public var log: [StateChangeEntry] = []
        /// Transitions refused: the replicas keep their state.
        public var illegalTransitions: [IllegalStateTransition] = []
        /// Requests for the event's batch.
        public var requests = ControllerBrokerRequestBatch()
        /// Per partition, the replicas going offline that must leave its ISR: the shell reads the
        /// partitions' states and hands them to `removeFromIsr`. They move once that is done.
        public var isrRemovals: [TopicPartition: Set<BrokerId>] = [:]
        /// Conditional leader-and-ISR writes: each state's `zkVersion` is the version expected.
        public var leaderAndIsrUpdates: [TopicPartition: LeaderAndIsr] = [:]

        public init() {}
    }

    /// The states a new controller starts from (Kafka's `initializeReplicaState`, not logged):
    /// replicas on live brokers OnlineReplica, the others ReplicaDeletionIneligible (so that
    /// deletions wait for them) until the start-up transitions move them on.
    public func initializeReplicaStates(context: inout ControllerContext) {
        for (tp, replicas) in context.partitionAssignments {
            for replica in replicas {
                context.replicaStates[PartitionReplica(tp, replica)] =
                    context.liveBrokers[replica] != nil ? .onlineReplica : .replicaDeletionIneligible
            }
        }
    }

    /// Moves `replicas` to `target` (Kafka's `handleStateChanges`). Every transition but
    /// OfflineReplica of a replica whose partition has a leadership is made at once.
    public func handleStateChanges(
        _ replicas: [PartitionReplica], to target: ReplicaState, context: inout ControllerContext
    ) -> Plan {
        var plan = Plan()
        for replica in replicas {
            let tp = replica.topicPartition
            let current = context.replicaStates[replica] ?? .nonExistentReplica
            guard current.canTransition(to: target) else {
                plan.refuse(.replica(replica, from: current, to: target))
                continue
            }
            let leadership = context.partitionLeadership[tp]
            switch target {
            case .newReplica:
                if let leadership {
                    guard leadership.leaderAndIsr.leader != replica.replica else {
                        plan.log.append(StateChangeEntry(.error,
                            "Initiated state change of replica \(replica.replica) for partition \(tp) from \(current.rawValue) to \(target.rawValue) failed: Replica \(replica.replica) for partition \(tp) cannot be moved to \(target.rawValue) state as it is being requested to become leader"))
                        continue
                    }
                    plan.requests.addLeaderAndIsr(tp, to: [replica.replica])
                }
            case .onlineReplica:
                if current != .newReplica, leadership != nil {
                    plan.requests.addLeaderAndIsr(tp, to: [replica.replica])
                }
            case .offlineReplica:
                if leadership != nil {
                    plan.isrRemovals[tp, default: []].insert(replica.replica)
                    continue
                }
            case .replicaDeletionStarted:
                plan.requests.addStopReplica(tp, to: replica.replica, deletePartition: true)
            case .replicaDeletionIneligible, .replicaDeletionSuccessful, .nonExistentReplica:
                break
            }
            move(replica, to: target, &plan, &context)
        }
        return plan
    }

    /// Plans the ISR shrinks of `isrRemovals` from `states`, the partitions' state znodes as just
    /// read (the context may be older than a leader's last ISR change). Replicas whose partition's
    /// ISR no longer holds them go OfflineReplica at once (the state read is kept); partitions
    /// written by a newer controller are logged and left; the others get conditional writes
    /// (`leaderAndIsrUpdates`).
    ///
    /// A partition without a state znode has no ISR to leave. If its topic is queued for
    /// deletion that is no failure (Kafka 2.3 raises no error for it either): the replicas go
    /// OfflineReplica at once, as replicas of a partition without a leadership do — which is
    /// also where Kafka 2.3 ends up after a failover, its new controller finding no state to
    /// load — so that the deletion goes on to StopReplica and completes. The context keeps the
    /// partition's leadership, so that UpdateMetadata goes on carrying the deletion's leader -2
    /// for it (it is never decided from: `OptimisticStateRounds` reads topics being deleted).
    /// Otherwise the replicas keep their state and the failure is logged, as Kafka logs it.
    public func removeFromIsr(
        _ isrRemovals: [TopicPartition: Set<BrokerId>], states: [TopicPartition: LeaderIsrAndControllerEpoch],
        context: inout ControllerContext
    ) -> Plan {
        var plan = Plan()
        for tp in isrRemovals.keys.sorted() where states[tp] == nil {
            guard context.isTopicQueuedUpForDeletion(tp.topic) else {
                plan.failedOffline(tp, isrRemovals[tp] ?? [], "its state znode does not exist", context)
                continue
            }
            for broker in (isrRemovals[tp] ?? []).sorted() { move(PartitionReplica(tp, broker), to: .offlineReplica, &plan, &context) }
        }
        let shrink = OfflinePartitionPlanner.planIsrShrink(
            offlineReplicas: isrRemovals, states: states.filter { isrRemovals[$0.key] != nil },
            controllerEpoch: context.epoch)
        for tp in shrink.writtenByNewerController {
            plan.failedOffline(tp, isrRemovals[tp] ?? [],
                "its state was written by a newer controller (epoch \(states[tp].map { "\($0.controllerEpoch)" } ?? "unknown")): this controller has probably been replaced", context)
        }
        for tp in shrink.unchanged {
            context.partitionLeadership[tp] = states[tp]
            for broker in (isrRemovals[tp] ?? []).sorted() { move(PartitionReplica(tp, broker), to: .offlineReplica, &plan, &context) }
        }
        plan.leaderAndIsrUpdates = shrink.updates
        return plan
    }

    /// The shrunk states were written (`written`, with their new zkVersion): the replicas go
    /// OfflineReplica and the partitions' other live replicas get the new LeaderAndIsr.
    public func onIsrShrinkWritten(
        _ written: [TopicPartition: LeaderIsrAndControllerEpoch], isrRemovals: [TopicPartition: Set<BrokerId>],
        context: inout ControllerContext
    ) -> Plan {
        var plan = Plan()
        for (tp, state) in written.sorted(by: { $0.key < $1.key }) {
            let dead = isrRemovals[tp] ?? []
            plan.log.append(StateChangeEntry(.info,
                "Removed offline replicas [\(PartitionStateMachine.list(dead.sorted()))] from the ISR of partition \(tp): new state \(state.leaderAndIsr)"))
            context.partitionLeadership[tp] = state
            for broker in dead.sorted() { move(PartitionReplica(tp, broker), to: .offlineReplica, &plan, &context) }
            let recipients = (context.partitionAssignments[tp] ?? []).filter { !dead.contains($0) && context.liveBrokers[$0] != nil }
            plan.requests.addLeaderAndIsr(tp, to: recipients)
        }
        return plan
    }

    // MARK: - Helpers

    private func move(_ replica: PartitionReplica, to target: ReplicaState, _ plan: inout Plan, _ context: inout ControllerContext) {
        let current = context.replicaStates[replica] ?? .nonExistentReplica
        guard current.canTransition(to: target) else {
            plan.refuse(.replica(replica, from: current, to: target))
            return
        }
        context.replicaStates[replica] = target == .nonExistentReplica ? nil : target
        plan.log.append(StateChangeEntry(.info,
            "Changed state of replica \(replica.replica) for partition \(replica.topicPartition) from \(current.rawValue) to \(target.rawValue)"))
    }
}

extension ReplicaStateMachine.Plan {
    mutating func refuse(_ illegal: IllegalStateTransition) {
        illegalTransitions.append(illegal)
        log.append(StateChangeEntry(.error, illegal.description))
    }

    mutating func failedOffline(_ tp: TopicPartition, _ brokers: Set<BrokerId>, _ reason: String, _ context: ControllerContext) {
        for broker in brokers.sorted() {
            let current = context.replicaStates[PartitionReplica(tp, broker)] ?? .nonExistentReplica
            log.append(StateChangeEntry(.error,
                "Failed to change state of replica \(broker) for partition \(tp) from \(current.rawValue) to \(ReplicaState.offlineReplica.rawValue): \(reason)"))
        }
    }
}
