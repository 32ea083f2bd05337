import KafkaCommon
import KafkaZk

/// The replica state machine's OnlineReplica and OfflineReplica transitions (Kafka's
/// `ReplicaStateMachine`), as brokers start and fail:
///
/// - any of NewReplica, OnlineReplica, OfflineReplica, ReplicaDeletionIneligible → OnlineReplica:
///   the replica's broker gets the partition's LeaderAndIsr (when it has a leadership);
/// - the same → OfflineReplica: the replica leaves the partition's ISR (the shrink
///   `OfflinePartitionPlanner.removeReplicas` decides, written conditionally and fenced), and
///   the partition's other live replicas get the new LeaderAndIsr.
///
/// Kafka also sends the offline replica a StopReplica (without deletion); its broker is dead, or
/// bounced and about to get LeaderAndIsr again, so this controller does not.
extension KafkaController {
    /// Moves a replica in the state machine, refusing (and logging) a transition Kafka forbids.
    /// Returns whether it moved.
    @discardableResult
    func transition(_ replica: PartitionReplica, to target: ReplicaState) -> Bool {
        let current = context.replicaStates[replica] ?? .nonExistentReplica
        guard current.canTransition(to: target) else {
            stateChangeLogger.controller(epoch: context.epoch, level: .error,
                "Invalid replica state transition for replica \(replica.replica) of partition \(replica.topicPartition) from \(current.rawValue) to \(target.rawValue)")
            return false
        }
        context.replicaStates[replica] = target
        stateChangeLogger.controller(epoch: context.epoch,
            "Changed state of replica \(replica.replica) for partition \(replica.topicPartition) from \(current.rawValue) to \(target.rawValue)")
        return true
    }

    /// The replica states a new controller starts from (not logged, as Kafka does not): replicas
    /// on live brokers OnlineReplica, the others ReplicaDeletionIneligible (so that deletions
    /// wait for them) until the start-up transitions move them on.
    func initializeReplicaStates() {
        for (tp, replicas) in context.partitionAssignments {
            for replica in replicas {
                context.replicaStates[PartitionReplica(tp, replica)] =
                    context.liveBrokers[replica] != nil ? .onlineReplica : .replicaDeletionIneligible
            }
        }
    }

    /// Replicas whose broker is live → OnlineReplica, each getting its partition's LeaderAndIsr.
    func transitionReplicasOnline(_ replicas: [PartitionReplica], _ batch: inout ControllerBrokerRequestBatch) {
        for replica in replicas where !context.isTopicQueuedUpForDeletion(replica.topicPartition.topic) {
            guard transition(replica, to: .onlineReplica) else { continue }
            if context.partitionLeadership[replica.topicPartition] != nil {
                batch.addLeaderAndIsr(replica.topicPartition, to: [replica.replica])
            }
        }
    }

    /// Replicas whose broker died → OfflineReplica, leaving the ISRs that still hold them. The
    /// states are read again from ZooKeeper (the context may be older than a leader's last ISR
    /// change); a version conflict reads and decides again.
    func transitionReplicasOffline(_ replicas: [PartitionReplica], _ batch: inout ControllerBrokerRequestBatch) async throws {
        var offline: [TopicPartition: Set<BrokerId>] = [:]
        for replica in replicas where !context.isTopicQueuedUpForDeletion(replica.topicPartition.topic) {
            let current = context.replicaStates[replica] ?? .nonExistentReplica
            guard current.canTransition(to: .offlineReplica) else {
                transition(replica, to: .offlineReplica)  // logs the refusal
                continue
            }
            offline[replica.topicPartition, default: []].insert(replica.replica)
        }
        // A partition without a leadership (never started) has no ISR to shrink.
        for (tp, brokers) in offline where context.partitionLeadership[tp] == nil {
            for broker in brokers.sorted() { transition(PartitionReplica(tp, broker), to: .offlineReplica) }
            offline[tp] = nil
        }
        var remaining = offline.keys.sorted()
        var attempts = 0
        while !remaining.isEmpty {
            attempts += 1
            guard attempts <= Self.maxStateChangeAttempts else {
                stateChangeLogger.controller(epoch: context.epoch, level: .error,
                    "Giving up removing offline replicas from the ISR of \(remaining) after \(Self.maxStateChangeAttempts) conflicting writes")
                return
            }
            let states = try await zkClient.partitionStates(remaining)
            for tp in remaining where states[tp] == nil {
                logFailedOfflineTransition(tp, offline[tp] ?? [], "its state znode does not exist")
            }
            let plan = OfflinePartitionPlanner.planIsrShrink(
                offlineReplicas: offline, states: states, controllerEpoch: context.epoch)
            for tp in plan.writtenByNewerController {
                logFailedOfflineTransition(tp, offline[tp] ?? [],
                    "its state was written by a newer controller (epoch \(states[tp].map { "\($0.controllerEpoch)" } ?? "unknown")): this controller has probably been replaced")
            }
            for tp in plan.unchanged {
                context.partitionLeadership[tp] = states[tp]
                markOffline(tp, offline[tp] ?? [])
            }
            remaining = try await writeStates(plan.updates) { tp, written in
                let dead = offline[tp] ?? []
                stateChangeLogger.controller(epoch: context.epoch,
                    "Removed offline replicas [\(dead.sorted().map(\.description).joined(separator: ","))] from the ISR of partition \(tp): new state \(written.leaderAndIsr)")
                context.partitionLeadership[tp] = written
                markOffline(tp, dead)
                let recipients = (context.partitionAssignments[tp] ?? []).filter { !dead.contains($0) && context.liveBrokers[$0] != nil }
                batch.addLeaderAndIsr(tp, to: recipients)
            }
        }
    }

    private func markOffline(_ tp: TopicPartition, _ brokers: Set<BrokerId>) {
        for broker in brokers.sorted() { transition(PartitionReplica(tp, broker), to: .offlineReplica) }
    }

    private func logFailedOfflineTransition(_ tp: TopicPartition, _ brokers: Set<BrokerId>, _ reason: String) {
        for broker in brokers.sorted() {
            let current = context.replicaStates[PartitionReplica(tp, broker)] ?? .nonExistentReplica
            stateChangeLogger.controller(epoch: context.epoch, level: .error,
                "Failed to change state of replica \(broker) for partition \(tp) from \(current.rawValue) to \(ReplicaState.offlineReplica.rawValue): \(reason)")
        }
    }
}
