import KafkaCommon
import KafkaZk
import Logging
import ZooKeeper

/// The partition state machine's transitions to OnlinePartition for partitions without a live
/// leader (Kafka's `triggerOnlinePartitionStateChange` with the offline-partition election
/// strategy). The decisions are `OfflinePartitionPlanner`'s; this shell reads the state znodes,
/// the topics' unclean-election settings, writes the elected states, and records the requests.
///
/// Every write is conditional on the zkVersion just read and fenced by the controller epoch. A
/// version conflict (a leader changed its ISR meanwhile) re-reads and elects again, at most
/// `maxStateChangeAttempts` times; nothing is overwritten blindly.
extension KafkaController {
    /// How many times a conditional partition-state write is tried before the controller gives up
    /// (the partition keeps its state; the next broker change or failover tries again).
    static let maxStateChangeAttempts = 10

    /// Moves a partition in the state machine, refusing (and logging) a transition Kafka forbids.
    /// Returns whether it moved.
    @discardableResult
    func transition(_ tp: TopicPartition, to target: PartitionState, detail: String = "") -> Bool {
        let current = context.partitionStates[tp] ?? .nonExistentPartition
        guard current.canTransition(to: target) || current == target else {
            stateChangeLogger.controller(epoch: context.epoch, level: .error,
                "Invalid partition state transition for \(tp) from \(current.rawValue) to \(target.rawValue)")
            return false
        }
        context.partitionStates[tp] = target
        stateChangeLogger.controller(epoch: context.epoch,
            "Changed partition \(tp) state from \(current.rawValue) to \(target.rawValue)\(detail)")
        return true
    }

    /// Brings the NewPartition and OfflinePartition partitions (not of topics being deleted; of
    /// `topic` only, when given) online where possible: new ones get their state znode created,
    /// offline ones a leader.
    func triggerOnlinePartitionStateChange(_ batch: inout ControllerBrokerRequestBatch, topic: String? = nil) async throws {
        var (new, offline) = context.partitionsToTriggerOnline()
        if let topic {
            new.removeAll { $0.topic != topic }
            offline.removeAll { $0.topic != topic }
        }
        if !new.isEmpty { try await onNewPartitionCreation(new) }
        if !offline.isEmpty { try await electLeadersForOfflinePartitions(offline, &batch) }
    }

    /// Kafka's `TopicUncleanLeaderElectionEnable` event.
    func processTopicUncleanLeaderElectionEnable(topic: String) async throws {
        guard isActive else { return }
        logger.info("[Controller id=\(brokerId)] Unclean leader election has been enabled for topic \(topic)")
        var batch = ControllerBrokerRequestBatch()
        try await triggerOnlinePartitionStateChange(&batch, topic: topic)
        sendRequests(batch)
    }

    /// Elects leaders for `partitions` from their state znodes as they are now. Elected partitions
    /// go OnlinePartition and their live replicas get LeaderAndIsr; the others stay where they are.
    func electLeadersForOfflinePartitions(_ partitions: [TopicPartition], _ batch: inout ControllerBrokerRequestBatch) async throws {
        var remaining = partitions
        var attempts = 0
        while !remaining.isEmpty {
            attempts += 1
            guard attempts <= Self.maxStateChangeAttempts else {
                stateChangeLogger.controller(epoch: context.epoch, level: .error,
                    "Giving up electing leaders for \(remaining) after \(Self.maxStateChangeAttempts) conflicting writes; they stay \(PartitionState.offlinePartition.rawValue)")
                return
            }
            let states = try await zkClient.partitionStates(remaining)
            for tp in remaining where states[tp] == nil {
                logFailedElection(tp, "its state znode does not exist")
            }
            let live = context.liveBrokerIds
            var uncleanEnabled: [String: Bool] = [:]
            for topic in OfflinePartitionPlanner.topicsNeedingUncleanDecision(states, liveBrokers: live).sorted() {
                uncleanEnabled[topic] = try await isUncleanLeaderElectionEnabled(topic: topic)
            }
            let plan = OfflinePartitionPlanner.planElections(
                states: states, assignments: context.partitionAssignments, liveBrokers: live,
                controllerEpoch: context.epoch, uncleanLeaderElectionEnabled: uncleanEnabled)
            for tp in plan.writtenByNewerController {
                logFailedElection(tp, "its state was written by a newer controller (epoch \(states[tp].map { "\($0.controllerEpoch)" } ?? "unknown")): this controller has probably been replaced")
            }
            for tp in plan.leaderless {
                let isr = states[tp]?.leaderAndIsr.isr ?? []
                logFailedElection(tp,
                    "no in-sync replica of [\(isr.map(\.description).joined(separator: ","))] is alive and unclean leader election is disabled for \(tp.topic); it stays \(PartitionState.offlinePartition.rawValue)")
            }
            remaining = try await writeStates(plan.updates) { tp, written in
                if plan.uncleanlyElected.contains(tp) {
                    let message = "Unclean leader election for partition \(tp): broker \(written.leaderAndIsr.leader) was not in the ISR [\((states[tp]?.leaderAndIsr.isr ?? []).map(\.description).joined(separator: ","))] but leads now, as unclean.leader.election.enable allows; records the old ISR had acknowledged may be lost (data loss)"
                    stateChangeLogger.controller(epoch: context.epoch, level: .warning, message)
                    logger.warning("[Controller id=\(brokerId)] \(message)")
                }
                context.partitionLeadership[tp] = written
                transition(tp, to: .onlinePartition, detail: " with state \(written.leaderAndIsr)")
                batch.addLeaderAndIsr(tp, to: plan.recipients[tp] ?? [])
            }
        }
    }

    /// The topic's `unclean.leader.election.enable`: its override in ZooKeeper, else the broker's.
    private func isUncleanLeaderElectionEnabled(topic: String) async throws -> Bool {
        do {
            return OfflinePartitionPlanner.isUncleanLeaderElectionEnabled(
                topicConfig: try await zkClient.topicConfig(topic), brokerDefault: uncleanLeaderElectionEnable)
        } catch let error as KafkaZkError {
            stateChangeLogger.controller(epoch: context.epoch, level: .error,
                "Cannot read the config of topic \(topic) (\(error)); electing its leaders cleanly only")
            return false
        }
    }

    private func logFailedElection(_ tp: TopicPartition, _ reason: String) {
        let current = context.partitionStates[tp] ?? .nonExistentPartition
        stateChangeLogger.controller(epoch: context.epoch, level: .error,
            "Failed to elect a leader for partition \(tp) (state change from \(current.rawValue) to \(PartitionState.onlinePartition.rawValue)): \(reason)")
    }

    /// Writes partition states (each conditional on its read zkVersion, fenced by this
    /// controller's epoch) and hands each written state to `onWritten`. Returns the partitions
    /// whose version no longer matched, to be read and decided again. A lost connection is
    /// rethrown once the successful writes have been recorded, so the event is processed again.
    func writeStates(
        _ updates: [TopicPartition: KafkaZk.LeaderAndIsr],
        onWritten: (TopicPartition, LeaderIsrAndControllerEpoch) -> Void
    ) async throws -> [TopicPartition] {
        guard !updates.isEmpty else { return [] }
        let epoch = context.epoch
        let results = try await zkClient.updatePartitionStates(
            updates.mapValues { LeaderIsrAndControllerEpoch(leaderAndIsr: $0, controllerEpoch: epoch) },
            expectedControllerEpochZkVersion: context.epochZkVersion)
        var conflicts: [TopicPartition] = []
        var connectionError: ZooKeeperError?
        for (tp, result) in results.sorted(by: { $0.key < $1.key }) {
            switch result {
            case .success(let written):
                onWritten(tp, written)
            case .failure(let error) where error.code == .badVersion:
                conflicts.append(tp)
            case .failure(let error) where error.code.isRetriable:
                connectionError = error
            case .failure(let error):
                stateChangeLogger.controller(epoch: epoch, level: .error,
                    "Failed to write the state of partition \(tp): \(error)")
            }
        }
        if let connectionError { throw connectionError }
        return conflicts
    }
}
