import KafkaCommon
import KafkaZk
import Logging
import ZooKeeper

/// The shell of the partition state machine: `PartitionStateMachine` decides, this extension
/// does what its plans say — reads the state znodes and the topics' unclean-election settings,
/// writes the elected states, writes the plans' log lines, and adds their requests to the event's
/// batch (sent once, at the end of the event, by `sendRequests`). New partitions' state znodes are
/// created by `onNewPartitionCreation` (`KafkaController+Topics.swift`).
///
/// Every write is conditional on the zkVersion its decision was made from (the context's, then
/// a fresh read: `OptimisticStateRounds`) and fenced by the controller epoch. A version conflict
/// (a leader changed its ISR meanwhile) re-reads and elects again, at most
/// `maxStateChangeAttempts` times; nothing is overwritten blindly.
extension KafkaController {
    /// How many times a conditional partition-state write is tried before the controller gives up
    /// (the partition keeps its state; the next broker change or failover tries again).
    static let maxStateChangeAttempts = 10

    var partitionStateMachine: PartitionStateMachine { PartitionStateMachine() }

    /// Writes a plan's state-change log lines; warnings (unclean elections) also go to the
    /// controller's own log.
    func record(_ entries: [StateChangeEntry]) {
        for entry in entries {
            stats.logged(entry)
            stateChangeLogger.controller(epoch: context.epoch, level: entry.level, entry.message)
            if entry.level == .warning { logger.warning("[Controller id=\(brokerId)] \(entry.message)") }
        }
    }

    /// Performs what a partition plan needs no ZooKeeper for: its log lines and requests.
    func record(_ plan: PartitionStateMachine.Plan, _ batch: inout ControllerBrokerRequestBatch) {
        record(plan.log)
        batch.merge(plan.requests)
    }

    /// Moves `partitions` to `target` (Kafka's `handleStateChanges`): NewPartition ones going
    /// OnlinePartition get their state znodes created (`startNewPartitions`), OnlinePartition and
    /// OfflinePartition ones a leader elected from their state znodes.
    func handlePartitionStateChanges(
        _ partitions: [TopicPartition], to target: PartitionState, _ batch: inout ControllerBrokerRequestBatch
    ) async throws {
        var partitions = partitions
        if target == .onlinePartition {
            let new = partitions.filter { context.partitionStates[$0] == .newPartition }
            if !new.isEmpty {
                try await startNewPartitions(new, &batch)
                let started = Set(new)
                partitions.removeAll { started.contains($0) }
            }
        }
        let plan = partitionStateMachine.handleStateChanges(partitions, to: target, context: &context)
        record(plan, &batch)
        if !plan.partitionsToElect.isEmpty { try await electLeaders(plan.partitionsToElect, &batch) }
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
        try await handlePartitionStateChanges(new + offline, to: .onlinePartition, &batch)
    }

    /// Kafka's `TopicUncleanLeaderElectionEnable` event.
    func processTopicUncleanLeaderElectionEnable(topic: String) async throws {
        guard isActive else { return }
        logger.info("[Controller id=\(brokerId)] Unclean leader election has been enabled for topic \(topic)")
        var batch = ControllerBrokerRequestBatch()
        try await triggerOnlinePartitionStateChange(&batch, topic: topic)
        sendRequests(batch)
    }

    /// Elects leaders for `partitions`, first from the states the context holds, then, for the
    /// partitions whose conditional write conflicts, from their state znodes as they are now
    /// (`OptimisticStateRounds`). Elected partitions go OnlinePartition and their live replicas
    /// get LeaderAndIsr; the others stay where they are.
    private func electLeaders(_ partitions: [TopicPartition], _ batch: inout ControllerBrokerRequestBatch) async throws {
        var rounds = OptimisticStateRounds(partitions, maxAttempts: Self.maxStateChangeAttempts)
        defer {
            if rounds.isExhausted {
                stateChangeLogger.controller(epoch: context.epoch, level: .error,
                    "Giving up electing leaders for \(rounds.remaining) after \(Self.maxStateChangeAttempts) conflicting writes; they stay \(PartitionState.offlinePartition.rawValue)")
            }
        }
        let live = context.liveBrokerIds
        while let round = rounds.nextRound(context: context, decidesWrite: { [context] tp, cached in
            OfflinePartitionPlanner.electLeader(
                assignment: context.partitionAssignments[tp] ?? [], current: cached.leaderAndIsr, liveBrokers: live,
                uncleanLeaderElectionEnabled: false).leaderAndIsr != nil
        }) {
            let remaining = round.partitions
            let states = try await statesToDecideFrom(round)
            var uncleanEnabled: [String: Bool] = [:]
            for topic in partitionStateMachine.topicsNeedingUncleanDecision(states, context: context).sorted() {
                uncleanEnabled[topic] = try await isUncleanLeaderElectionEnabled(topic: topic)
            }
            let (plan, election) = partitionStateMachine.electLeaders(
                remaining, states: states, uncleanLeaderElectionEnabled: uncleanEnabled, context: context)
            record(plan, &batch)
            let results = try await writeStates(plan.leaderAndIsrUpdates)
            record(partitionStateMachine.onLeadersElected(results.written, election: election, states: states, context: &context), &batch)
            if let error = results.connectionError { throw error }
            rounds.finishRound(conflicts: results.conflicts)
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

    /// The outcome of writing partition states.
    struct StateWrites {
        /// The states written, with their new zkVersion.
        var written: [TopicPartition: LeaderIsrAndControllerEpoch] = [:]
        /// The partitions whose version no longer matched, to be read and decided again.
        var conflicts: [TopicPartition] = []
        /// A lost connection: rethrown by the caller once the written states are recorded, so
        /// that the event is processed again.
        var connectionError: ZooKeeperError?
    }

    /// Writes partition states, each conditional on its read zkVersion and fenced by this
    /// controller's epoch. Other failures are logged; those partitions stay as they are.
    func writeStates(_ updates: [TopicPartition: KafkaZk.LeaderAndIsr]) async throws -> StateWrites {
        var outcome = StateWrites()
        let (claimed, toWrite, ridingAlong) = claimIsrShrinksAhead(updates)
        var results = claimed
        let epoch = context.epoch
        if !toWrite.isEmpty {
            let written = try await zkClient.updatePartitionStates(
                toWrite.mapValues { LeaderIsrAndControllerEpoch(leaderAndIsr: $0, controllerEpoch: epoch) },
                expectedControllerEpochZkVersion: context.epochZkVersion)
            if !ridingAlong.isEmpty { isrShrinksAhead?.results = written.filter { ridingAlong.contains($0.key) } }
            results.merge(written.filter { !ridingAlong.contains($0.key) }) { _, new in new }
        }
        for (tp, result) in results.sorted(by: { $0.key < $1.key }) {
            switch result {
            case .success(let written):
                outcome.written[tp] = written
                context.unannouncedStateWrites.insert(tp)
            case .failure(let error) where error.code == .badVersion:
                outcome.conflicts.append(tp)
            case .failure(let error) where error.code.isRetriable:
                outcome.connectionError = error
            case .failure(let error):
                stateChangeLogger.controller(epoch: epoch, level: .error,
                    "Failed to write the state of partition \(tp): \(error)")
            }
        }
        return outcome
    }
}
