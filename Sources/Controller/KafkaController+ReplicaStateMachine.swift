import KafkaCommon
import KafkaZk

/// The shell of the replica state machine: `ReplicaStateMachine` decides, this extension does
/// what its plans say — decides the ISR shrinks from the context's states, writes them
/// (conditional on the version decided from, fenced by the controller epoch; a conflict reads
/// and decides again, at most `maxStateChangeAttempts` times: `OptimisticStateRounds`), writes
/// the plans' log lines and adds their requests to the event's batch.
extension KafkaController {
    var replicaStateMachine: ReplicaStateMachine { ReplicaStateMachine() }

    /// Performs what a replica plan needs no ZooKeeper for: its log lines and requests.
    func record(_ plan: ReplicaStateMachine.Plan, _ batch: inout ControllerBrokerRequestBatch) {
        record(plan.log)
        batch.merge(plan.requests)
    }

    /// The replica states a new controller starts from (not logged, as Kafka does not).
    func initializeReplicaStates() {
        replicaStateMachine.initializeReplicaStates(context: &context)
    }

    /// Moves `replicas` to `target` (Kafka's `handleStateChanges`); replicas going offline leave
    /// the ISRs that still hold them first.
    func handleReplicaStateChanges(
        _ replicas: [PartitionReplica], to target: ReplicaState, _ batch: inout ControllerBrokerRequestBatch
    ) async throws {
        let plan = replicaStateMachine.handleStateChanges(replicas, to: target, context: &context)
        record(plan, &batch)
        if !plan.isrRemovals.isEmpty { try await removeFromIsr(plan.isrRemovals, &batch) }
    }

    /// Replicas whose broker is live → OnlineReplica, each getting its partition's LeaderAndIsr
    /// (replicas of topics being deleted are left to the deletion).
    func transitionReplicasOnline(_ replicas: [PartitionReplica], _ batch: inout ControllerBrokerRequestBatch) {
        let replicas = replicas.filter { !context.isTopicQueuedUpForDeletion($0.topicPartition.topic) }
        record(replicaStateMachine.handleStateChanges(replicas, to: .onlineReplica, context: &context), &batch)
    }

    /// Replicas whose broker died → OfflineReplica, leaving the ISRs that still hold them
    /// (replicas of topics being deleted are left to the deletion).
    func transitionReplicasOffline(_ replicas: [PartitionReplica], _ batch: inout ControllerBrokerRequestBatch) async throws {
        let replicas = replicas.filter { !context.isTopicQueuedUpForDeletion($0.topicPartition.topic) }
        try await handleReplicaStateChanges(replicas, to: .offlineReplica, &batch)
    }

    /// Takes offline replicas out of their partitions' ISRs: decided first from the states the
    /// context holds; a partition whose conditional write conflicts (a leader changed its ISR
    /// since the context last saw it) is read from ZooKeeper and decided again
    /// (`OptimisticStateRounds`).
    private func removeFromIsr(_ isrRemovals: [TopicPartition: Set<BrokerId>], _ batch: inout ControllerBrokerRequestBatch) async throws {
        var rounds = OptimisticStateRounds(Array(isrRemovals.keys), maxAttempts: Self.maxStateChangeAttempts)
        defer {
            if rounds.isExhausted {
                stateChangeLogger.controller(epoch: context.epoch, level: .error,
                    "Giving up removing offline replicas from the ISR of \(rounds.remaining) after \(Self.maxStateChangeAttempts) conflicting writes")
            }
        }
        while let round = rounds.nextRound(context: context, decidesWrite: { tp, cached in
            OfflinePartitionPlanner.removeReplicas(isrRemovals[tp] ?? [], from: cached.leaderAndIsr) != nil
        }) {
            let unwritten = Set(round.partitions)
            let pending = isrRemovals.filter { unwritten.contains($0.key) }
            let states = try await statesToDecideFrom(round)
            let plan = replicaStateMachine.removeFromIsr(pending, states: states, context: &context)
            record(plan, &batch)
            let results = try await writeStates(plan.leaderAndIsrUpdates)
            record(replicaStateMachine.onIsrShrinkWritten(results.written, isrRemovals: pending, context: &context), &batch)
            if let error = results.connectionError { throw error }
            rounds.finishRound(conflicts: results.conflicts)
        }
    }
}
