import KafkaCommon
import KafkaProtocol
import KafkaZk
import Logging
import ZooKeeper

/// Preferred replica leader election (Kafka's `PreferredReplicaLeaderElection` and
/// `AutoPreferredReplicaLeaderElection` events), started three ways:
///
/// - ZooKeeper: `/admin/preferred_replica_election` is created (the controller keeps an exists
///   watch on it). The controller reads it, elects, and deletes it (epoch-fenced) whatever the
///   outcome, then arms the watch again. A znode found at failover is processed the same way.
/// - Admin client: an ElectPreferredLeaders request reaches the controller's broker, which
///   enqueues the partitions with a callback; the controller elects and answers each partition.
/// - Automatic: every `leader.imbalance.check.interval.seconds` the controller checks each
///   broker's leader imbalance (`LeaderImbalance`) and elects where it is too high.
///
/// The decisions are `PreferredReplicaPartitionLeaderElection`'s; an elected partition's new
/// state (the preferred replica leads, ISR unchanged, leader epoch + 1) is written conditional on
/// the zkVersion just read and fenced by the controller epoch, then its replicas get LeaderAndIsr
/// and every live broker UpdateMetadata.
extension KafkaController {
    /// Who asked for an election; it decides what happens with the znode afterwards.
    enum PreferredElectionTrigger {
        case zooKeeper, adminClient, automatic
    }

    private var ident: String { "[Controller id=\(brokerId)] " }

    // MARK: - Events

    func processPreferredReplicaLeaderElection(_ callback: PreferredReplicaElectionCallback?) async throws {
        guard isActive else {
            callback?.completeNotController()
            return
        }
        let requested: Set<TopicPartition>
        if let callback {
            requested = callback.partitions
        } else {
            // Arming the exists watch and checking for the znode in one call: its creation is
            // reported even when it is absent now.
            guard let fromZooKeeper = try await pendingPreferredReplicaElection() else { return }
            requested = fromZooKeeper
        }
        let selection = PreferredReplicaPartitionLeaderElection.select(requested, context: context)
        for tp in selection.unknown {
            logger.info("\(ident)Skipping preferred replica leader election for partition \(tp) since it doesn't exist.")
        }
        if !selection.beingDeleted.isEmpty {
            logger.warning("\(ident)Skipping preferred replica election for partitions \(Self.joined(selection.beingDeleted)) since the respective topics are being deleted")
        }
        let failed: [TopicPartition: String]
        do {
            failed = try await onPreferredReplicaElection(selection.electable, trigger: callback == nil ? .zooKeeper : .adminClient)
        } catch let error as ZooKeeperError where error.code.isRetriable {
            throw error
        } catch {
            if let callback {
                callback.complete(expectedLeaders: [:], results: Dictionary(uniqueKeysWithValues: requested.map {
                    ($0, PreferredReplicaPartitionLeaderElection.PartitionResult(.unknownServerError, "\(error)"))
                }))
            }
            throw error
        }
        callback?.complete(
            expectedLeaders: PreferredReplicaPartitionLeaderElection.expectedLeaders(selection, failed: failed, context: context),
            results: PreferredReplicaPartitionLeaderElection.results(selection, failed: failed))
    }

    /// The periodic check; the next one is scheduled once this one is done, whatever its outcome.
    func processAutoPreferredReplicaLeaderElection() async throws {
        guard isActive else { return }
        defer { scheduleAutoLeaderRebalanceTask(after: autoLeaderRebalance.checkInterval) }
        for imbalance in LeaderImbalance.imbalances(context) {
            logger.trace("\(ident)Leader imbalance ratio for broker \(imbalance.broker) is \(imbalance.ratio)")
        }
        let partitions = LeaderImbalance.partitionsToRebalance(
            context, imbalancePercentage: autoLeaderRebalance.imbalancePerBrokerPercentage)
        guard !partitions.isEmpty else { return }
        _ = try await onPreferredReplicaElection(partitions, trigger: .automatic)
    }

    /// At failover: arm the exists watch, carry out a pending election (partitions already led by
    /// their preferred replica, unknown or being deleted are dropped from it, as Kafka does), and
    /// start the automatic rebalance checks.
    func onControllerFailoverPreferredReplicaElection() async throws {
        if let pending = try await pendingPreferredReplicaElection() {
            let selection = PreferredReplicaPartitionLeaderElection.select(pending, context: context)
            logger.info("\(ident)Partitions undergoing preferred replica election: \(Self.joined(pending.sorted()))")
            logger.info("\(ident)Partitions that completed preferred replica election: \(Self.joined(selection.alreadyPreferred + selection.unknown))")
            logger.info("\(ident)Skipping preferred replica election for partitions due to topic deletion: \(Self.joined(selection.beingDeleted))")
            logger.info("\(ident)Resuming preferred replica election for partitions: \(Self.joined(selection.electable))")
            _ = try await onPreferredReplicaElection(selection.electable, trigger: .zooKeeper)
        }
        if autoLeaderRebalance.isEnabled {
            scheduleAutoLeaderRebalanceTask(after: autoLeaderRebalance.initialDelay)
        }
    }

    /// The partitions of `/admin/preferred_replica_election`, arming the exists watch; nil when
    /// it is absent. Content that cannot be read counts as no partition, as in Kafka: the znode
    /// is then deleted like any other, so that it does not block later requests.
    private func pendingPreferredReplicaElection() async throws -> Set<TopicPartition>? {
        do {
            return try await zkClient.preferredReplicaElection(watch: true)
        } catch let error as KafkaZkError {
            logger.warning("\(ident)Ignoring the content of \(PreferredReplicaElectionZNode.path): \(error)")
            return []
        }
    }

    // MARK: - Election

    /// Elects the preferred replica of `partitions` and returns those whose election failed, with
    /// the reason. Triggered by ZooKeeper, the znode is deleted afterwards (even if an error is
    /// thrown) and the watch armed again; the outcome of each partition is logged except for
    /// admin-client requests, whose answers carry it.
    @discardableResult
    func onPreferredReplicaElection(_ partitions: [TopicPartition], trigger: PreferredElectionTrigger) async throws -> [TopicPartition: String] {
        logger.info("\(ident)Starting preferred replica leader election for partitions \(Self.joined(partitions))")
        var failed: [TopicPartition: String] = [:]
        do {
            failed = try await electPreferredLeaders(partitions)
        } catch {
            if trigger == .zooKeeper { try await removePartitionsFromPreferredReplicaElection(partitions, trigger: trigger) }
            throw error
        }
        if trigger != .adminClient {
            for (tp, reason) in failed.sorted(by: { $0.key < $1.key }) {
                logger.error("\(ident)Error completing preferred replica leader election for partition \(tp): \(reason)")
            }
            try await removePartitionsFromPreferredReplicaElection(partitions, trigger: trigger)
        }
        return failed
    }

    /// Logs how each partition ended; for a ZooKeeper-triggered election, deletes the znode
    /// (epoch-fenced) and enqueues a check that arms the exists watch again (and processes a
    /// znode created meanwhile).
    private func removePartitionsFromPreferredReplicaElection(_ partitions: [TopicPartition], trigger: PreferredElectionTrigger) async throws {
        for tp in partitions {
            let leader = context.partitionLeadership[tp]?.leaderAndIsr.leader ?? KafkaZk.LeaderAndIsr.noLeader
            guard let preferred = context.partitionAssignments[tp]?.first else { continue }
            if leader == preferred {
                logger.info("\(ident)Partition \(tp) completed preferred replica leader election. New leader is \(preferred)")
            } else {
                logger.warning("\(ident)Partition \(tp) failed to complete preferred replica leader election to \(preferred). Leader is still \(leader)")
            }
        }
        guard trigger == .zooKeeper else { return }
        try await zkClient.deletePreferredReplicaElection(expectedControllerEpochZkVersion: context.epochZkVersion)
        eventManager.put(.preferredReplicaLeaderElection(nil))
    }

    /// Plans from the context's states, writes (retrying version conflicts with a fresh read,
    /// at most `maxStateChangeAttempts` times: `OptimisticStateRounds`), moves the written ones OnlinePartition →
    /// OnlinePartition and sends their requests. Returns the partitions whose election failed.
    private func electPreferredLeaders(_ partitions: [TopicPartition]) async throws -> [TopicPartition: String] {
        var failed: [TopicPartition: String] = [:]
        var rounds = OptimisticStateRounds(partitions, maxAttempts: Self.maxStateChangeAttempts)
        var batch = ControllerBrokerRequestBatch()
        defer { sendRequests(batch) }
        while let round = rounds.nextRound(context: context, decidesWrite: { [context] tp, cached in
            PreferredReplicaPartitionLeaderElection.planElections([tp], states: [tp: cached], context: context).updates[tp] != nil
        }) {
            let remaining = round.partitions
            let states = try await statesToDecideFrom(round)
            let plan = PreferredReplicaPartitionLeaderElection.planElections(remaining, states: states, context: context)
            for (tp, reason) in plan.failed.sorted(by: { $0.key < $1.key }) {
                failed[tp] = reason
                let current = context.partitionStates[tp] ?? .nonExistentPartition
                stateChangeLogger.controller(epoch: context.epoch, level: .error,
                    "Controller \(brokerId) epoch \(context.epoch) failed to change state for partition \(tp) from \(current.rawValue) to \(PartitionState.onlinePartition.rawValue): \(reason)")
            }
            let results = try await writeStates(plan.updates)
            record(partitionStateMachine.onLeadersElected(
                results.written, election: PreferredReplicaPartitionLeaderElection.asElectionPlan(plan), states: states,
                context: &context), &batch)
            if let error = results.connectionError { throw error }
            rounds.finishRound(conflicts: results.conflicts)
        }
        if rounds.isExhausted {
            for tp in rounds.remaining {
                failed[tp] = "Failed to elect leader for partition \(tp) under strategy PreferredReplicaPartitionLeaderElectionStrategy: \(Self.maxStateChangeAttempts) conflicting writes"
            }
        }
        return failed
    }

    // MARK: - Scheduling

    /// Schedules the next leader-imbalance check (replacing any scheduled one).
    func scheduleAutoLeaderRebalanceTask(after delay: Duration) {
        let eventManager = self.eventManager
        scheduler.schedule(after: delay) { eventManager.put(.autoPreferredReplicaLeaderElection) }
    }

    static func joined(_ partitions: [TopicPartition]) -> String { partitions.map(\.description).joined(separator: ",") }
}

extension KafkaController {
    /// Asks the controller for a preferred replica election of `partitions` (an ElectPreferredLeaders
    /// request, Kafka's `KafkaController.electPreferredLeaders`) and returns at once; `completion`
    /// runs once, on the controller's event loop, with the leaders to wait for and each
    /// partition's result. Not the active controller (when the event is processed, or the event
    /// is dropped unprocessed): NOT_CONTROLLER for every partition.
    public nonisolated func electPreferredLeaders(
        _ partitions: Set<TopicPartition>, completion: @escaping PreferredReplicaElectionCallback.Body
    ) {
        eventManager.put(.preferredReplicaLeaderElection(PreferredReplicaElectionCallback(partitions: partitions, completion)))
    }

    /// `electPreferredLeaders(_:completion:)`, awaiting the answer.
    public nonisolated func electPreferredLeaders(
        _ partitions: Set<TopicPartition>
    ) async -> (expectedLeaders: [TopicPartition: BrokerId], results: PreferredReplicaElectionCallback.Results) {
        await withCheckedContinuation { continuation in
            electPreferredLeaders(partitions) { expected, results in continuation.resume(returning: (expected, results)) }
        }
    }
}
