import KafkaCommon
import KafkaZk
import ZooKeeper

/// Partition reassignment (Kafka 2.3's `onPartitionReassignment` and the events around it): the
/// shell that performs what `PartitionReassignmentPlanner` decides.
///
/// - `/admin/reassign_partitions` is watched with an exists watch (re-armed by every
///   `PartitionReassignment` event), so its creation, its rewrites and its deletion all come
///   here. Partitions not yet being reassigned are taken up; those already in progress keep the
///   target they were taken up with (as in Kafka 2.3, a running reassignment is not changed).
/// - Each partition being reassigned has a data watch on its state znode (Kafka's
///   `PartitionReassignmentIsrChangeHandler`), re-armed by every read; ISR change notifications
///   of such partitions ask again too. Once every target replica is in the ISR, the reassignment
///   completes.
/// - A new controller reads the znode at failover (`initializePartitionReassignment`, before
///   topic deletions, which must wait for reassigned topics) and resumes each partition once its
///   state machines are started (`resumePartitionReassignments`).
///
/// Every ZooKeeper write — the assignment znode, the partition states, the admin znode — is
/// fenced by the controller epoch; the partition states are also conditional on the version read.
extension KafkaController {
    private var reassignIdent: String { "[Controller id=\(brokerId)] " }

    /// The partition named by a `/brokers/topics/<t>/partitions/<p>/state` path, else nil.
    static func partition(ofStatePath path: String) -> TopicPartition? {
        let prefix = PersistentZkPaths.brokerTopics + "/"
        guard path.hasPrefix(prefix), path.hasSuffix("/state") else { return nil }
        let parts = path.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[1] == "partitions", !parts[0].isEmpty, let partition = Int32(parts[2]), partition >= 0
        else { return nil }
        return TopicPartition(String(parts[0]), partition)
    }

    // MARK: - Events

    /// Kafka's `PartitionReassignment` event.
    func processPartitionReassignment() async throws {
        guard isActive else { return }
        // Re-arms the exists watch, so that the next creation is seen too.
        guard try await zkClient.watchPartitionReassignment() else { return }
        let requested = try await readPartitionReassignment()
        var added: [TopicPartition] = []
        for (tp, reassigned) in requested.sorted(by: { $0.key < $1.key }) {
            if let running = context.partitionsBeingReassigned[tp] {
                if running != reassigned {
                    logger.warning("\(reassignIdent)Ignoring the new target \(reassigned) of partition \(tp): it is already being reassigned to \(running)")
                }
                continue
            }
            context.partitionsBeingReassigned[tp] = reassigned
            added.append(tp)
        }
        try await maybeTriggerPartitionReassignment(added, checkBrokers: true)
    }

    /// Kafka's `PartitionReassignmentIsrChange` event: the state znode of `tp` changed.
    func processPartitionReassignmentIsrChange(_ tp: TopicPartition) async throws {
        guard isActive, let reassigned = context.partitionsBeingReassigned[tp] else { return }
        guard let state = try await zkClient.partitionStates(batch: [tp], watch: true)[tp] else {
            logger.error("\(reassignIdent)Error handling reassignment of partition \(tp) to replicas \(PartitionReassignmentPlanner.list(reassigned)) as it was never created")
            return
        }
        let (caughtUp, missing) = PartitionReassignmentPlanner.caughtUp(reassigned: reassigned, isr: state.leaderAndIsr.isr)
        if missing.isEmpty {
            logger.info("\(reassignIdent)\(caughtUp.count)/\(reassigned.count) replicas have caught up with the leader for partition \(tp) being reassigned. Resuming partition reassignment")
            try await onPartitionReassignment(tp, reassigned: reassigned, state: state)
        } else {
            logger.info("\(reassignIdent)\(caughtUp.count)/\(reassigned.count) replicas have caught up with the leader for partition \(tp) being reassigned. Replica(s) \(PartitionReassignmentPlanner.list(missing)) still need to catch up")
        }
    }

    // MARK: - Failover

    /// At failover, before topic deletions are taken up: arms the exists watch and loads the
    /// reassignments in progress into the context (Kafka's `initializePartitionReassignment`).
    func initializePartitionReassignment() async throws {
        _ = try await zkClient.watchPartitionReassignment()
        context.partitionsBeingReassigned = try await readPartitionReassignment()
        logger.info("\(reassignIdent)Partitions being reassigned: \(describe(context.partitionsBeingReassigned))")
    }

    /// At failover, once the state machines are started: resumes every reassignment loaded
    /// (their target brokers were checked when they were first taken up).
    func resumePartitionReassignments() async throws {
        try await maybeTriggerPartitionReassignment(context.partitionsBeingReassigned.keys.sorted(), checkBrokers: false)
    }

    /// At broker start-up: the reassignments that target one of `brokers` run their step again
    /// (Kafka's `onBrokerStartup` does the same), so that a new replica whose broker was down
    /// when the reassignment started is sent its LeaderAndIsr now.
    func restartPartitionReassignments(withReplicasOn brokers: Set<BrokerId>) async throws {
        let restarted = context.partitionsBeingReassigned.filter { !brokers.isDisjoint(with: $0.value) }
        guard !restarted.isEmpty else { return }
        let states = try await zkClient.partitionStates(batch: restarted.keys.sorted(), watch: true)
        for (tp, reassigned) in restarted.sorted(by: { $0.key < $1.key }) {
            try await onPartitionReassignment(tp, reassigned: reassigned, state: states[tp])
        }
    }

    // MARK: - The flow

    /// Starts (or resumes) the reassignment of each of `partitions` (in the context's
    /// `partitionsBeingReassigned`); those rejected or failing leave the admin znode.
    ///
    /// The state znodes of the accepted partitions are read in one batch (arming their watches),
    /// and each step decides from its partition's state as read there.
    func maybeTriggerPartitionReassignment(_ partitions: [TopicPartition], checkBrokers: Bool) async throws {
        var dropped: Set<TopicPartition> = []
        var accepted: [(TopicPartition, [BrokerId])] = []
        for tp in partitions.sorted() {
            guard let reassigned = context.partitionsBeingReassigned[tp] else { continue }
            if let rejection = PartitionReassignmentPlanner.validate(tp, reassigned: reassigned, context: context, checkBrokers: checkBrokers) {
                let message = rejection.message(tp, reassigned)
                if rejection.isError { logger.error("\(reassignIdent)\(message)") } else { logger.info("\(reassignIdent)\(message)") }
                dropped.insert(tp)
                continue
            }
            accepted.append((tp, reassigned))
        }
        let states = accepted.isEmpty ? [:] : try await zkClient.partitionStates(batch: accepted.map(\.0), watch: true)
        for (tp, reassigned) in accepted {
            do {
                logger.info("\(reassignIdent)Handling reassignment of partition \(tp) to new replicas \(PartitionReassignmentPlanner.list(reassigned))")
                try await onPartitionReassignment(tp, reassigned: reassigned, state: states[tp])
            } catch let error as ZooKeeperError where error.code.isRetriable || error.code == .sessionExpired {
                throw error
            } catch let error as KafkaZkError {
                if case .controllerMoved = error { throw error }
                logger.error("\(reassignIdent)Error completing reassignment of partition \(tp): \(error)")
                dropped.insert(tp)
            } catch {
                logger.error("\(reassignIdent)Error completing reassignment of partition \(tp): \(error)")
                dropped.insert(tp)
            }
        }
        try await removePartitionsFromReassignedPartitions(dropped)
    }

    /// One step of the reassignment of `tp` to `reassigned` (Kafka's `onPartitionReassignment`),
    /// decided from `state`, its state znode as the caller just read it with a watch (nil: the
    /// znode is missing). That read is the freshest state there is, so it becomes the context's
    /// cached state, from which the leadership write then decides.
    func onPartitionReassignment(_ tp: TopicPartition, reassigned: [BrokerId], state: LeaderIsrAndControllerEpoch?) async throws {
        guard let state else {
            throw KafkaZkError.corruptZNode(TopicPartitionStateZNode.path(tp), "the partition has no state znode")
        }
        if state.leaderAndIsr.zkVersion >= context.partitionLeadership[tp]?.leaderAndIsr.zkVersion ?? -1 {
            context.partitionLeadership[tp] = state
        }
        let current = context.partitionAssignments[tp] ?? []
        let step = PartitionReassignmentPlanner.step(
            reassigned: reassigned, current: current, state: state.leaderAndIsr, liveBrokers: context.liveBrokerIds)
        var batch = ControllerBrokerRequestBatch()
        switch step {
        case .start(let assignment, let newReplicas, _):
            logger.info("\(reassignIdent)New replicas \(PartitionReassignmentPlanner.list(reassigned)) for partition \(tp) being reassigned not yet caught up with the leader")
            // 1. The assignment becomes OAR + RAR, in ZooKeeper and in memory.
            try await updateAssignedReplicas(tp, assignment)
            // 2. OAR + RAR get LeaderAndIsr with the new assignment and a bumped leader epoch.
            if try await updateLeadership(tp, reassigned: reassigned, move: .bumpLeaderEpoch) {
                batch.addLeaderAndIsr(tp, to: assignment)
            } else {
                stateChangeLogger.controller(epoch: context.epoch, level: .error,
                    "Failed to send LeaderAndIsr request with new assigned replica list \(PartitionReassignmentPlanner.list(assignment)) to leader for partition being reassigned \(tp)")
            }
            // 3. RAR − OAR → NewReplica (their LeaderAndIsr makes them create their logs and fetch).
            try await handleReplicaStateChanges(newReplicas.map { PartitionReplica(tp, $0) }, to: .newReplica, &batch)
            sendRequests(batch)
            logger.info("\(reassignIdent)Waiting for new replicas \(PartitionReassignmentPlanner.list(reassigned)) for partition \(tp) being reassigned to catch up with the leader")
        case .complete(let oldReplicas, let leaderMove):
            // 4. Every replica of RAR is in the ISR. 5. RAR → OnlineReplica.
            try await handleReplicaStateChanges(reassigned.map { PartitionReplica(tp, $0) }, to: .onlineReplica, &batch)
            // 6. The assignment becomes RAR in memory (what the LeaderAndIsr requests carry).
            context.partitionAssignments[tp] = reassigned
            // 7. A leader from RAR if the current one left or died, else the same at a new epoch.
            let leader = state.leaderAndIsr.leader
            switch leaderMove {
            case .bumpLeaderEpoch:
                logger.info("\(reassignIdent)Leader \(leader) for partition \(tp) being reassigned, is already in the new list of replicas \(PartitionReassignmentPlanner.list(reassigned)) and is alive")
            case .electLeaderNotInReassignment:
                logger.info("\(reassignIdent)Leader \(leader) for partition \(tp) being reassigned, is not in the new list of replicas \(PartitionReassignmentPlanner.list(reassigned)). Re-electing leader")
            case .electLeaderDead:
                logger.info("\(reassignIdent)Leader \(leader) for partition \(tp) being reassigned, is already in the new list of replicas \(PartitionReassignmentPlanner.list(reassigned)) but is dead")
            }
            if try await updateLeadership(tp, reassigned: reassigned, move: leaderMove) {
                batch.addLeaderAndIsr(tp, to: reassigned)
            }
            // 8. OAR − RAR: out of the ISR, then StopReplica with deletion, then forgotten.
            let old = oldReplicas.map { PartitionReplica(tp, $0) }
            try await handleReplicaStateChanges(old, to: .offlineReplica, &batch)
            try await handleReplicaStateChanges(old, to: .replicaDeletionStarted, &batch)
            try await handleReplicaStateChanges(old, to: .replicaDeletionSuccessful, &batch)
            try await handleReplicaStateChanges(old, to: .nonExistentReplica, &batch)
            // 9. The assignment znode says RAR.
            try await updateAssignedReplicas(tp, reassigned)
            // 10. The partition leaves /admin/reassign_partitions (deleted when empty).
            try await removePartitionsFromReassignedPartitions([tp])
            // 11. Every broker learns the new replicas, leader and ISR.
            batch.addUpdateMetadata([tp])
            sendRequests(batch)
            stateChangeLogger.controller(epoch: context.epoch,
                "Completed reassignment of partition \(tp) to replicas \(PartitionReassignmentPlanner.list(reassigned))")
            // A deletion of the topic waited for the reassignment (Kafka's resumeDeletionForTopics).
            if !context.isTopicBeingReassigned(tp.topic) { try await processTopicDeletion() }
        }
    }

    // MARK: - ZooKeeper

    /// The admin znode's content; a znode that cannot be decoded counts as empty (and is deleted
    /// by the next removal), as Kafka 2.3 does.
    private func readPartitionReassignment() async throws -> [TopicPartition: [BrokerId]] {
        do {
            return try await zkClient.partitionReassignment()
        } catch let error as KafkaZkError {
            logger.warning("\(reassignIdent)Ignoring partition reassignment due to invalid json: \(error)")
            return [:]
        }
    }

    /// Writes `tp`'s replicas into its topic's assignment znode (fenced) and the context (Kafka's
    /// `updateAssignedReplicasForPartition`).
    private func updateAssignedReplicas(_ tp: TopicPartition, _ replicas: [BrokerId]) async throws {
        var assignment: [Int32: [BrokerId]] = [:]
        for (partition, assigned) in context.partitionAssignments where partition.topic == tp.topic {
            assignment[partition.partition] = assigned
        }
        assignment[tp.partition] = replicas
        try await zkClient.setTopicAssignment(tp.topic, assignment: assignment, expectedControllerEpochZkVersion: context.epochZkVersion)
        context.partitionAssignments[tp] = replicas
        logger.info("\(reassignIdent)Updated assigned replicas for partition \(tp) being reassigned to \(PartitionReassignmentPlanner.list(replicas))")
    }

    /// Writes the leadership `move` asks for, fenced and conditional on the zkVersion of the
    /// state it was decided from (`OptimisticStateRounds`): the first round decides from the
    /// context's cached state (just refreshed by the step's read), and only a version conflict
    /// makes a round read the znode again (batched) and decide again. The context holds the
    /// state written. False when it could not be written: no member of RAR may lead, a newer
    /// controller wrote the state, or every attempt met a conflict.
    private func updateLeadership(
        _ tp: TopicPartition, reassigned: [BrokerId], move: PartitionReassignmentPlanner.LeaderMove
    ) async throws -> Bool {
        let liveBrokers = context.liveBrokerIds
        func decide(_ state: LeaderIsrAndControllerEpoch) -> KafkaZk.LeaderAndIsr? {
            PartitionReassignmentPlanner.leaderAndIsr(for: move, reassigned: reassigned, current: state.leaderAndIsr, liveBrokers: liveBrokers)
        }
        var rounds = OptimisticStateRounds([tp], maxAttempts: Self.maxStateChangeAttempts)
        while let round = rounds.nextRound(context: context, decidesWrite: { _, cached in decide(cached) != nil }) {
            guard let state = try await statesToDecideFrom(round)[tp] else { return false }
            guard state.controllerEpoch <= context.epoch else {
                stateChangeLogger.controller(epoch: context.epoch, level: .error,
                    "Aborted leader epoch update for partition \(tp) since the state was written by controller epoch \(state.controllerEpoch), newer than this controller's")
                return false
            }
            guard let updated = decide(state) else {
                stateChangeLogger.controller(epoch: context.epoch, level: .error,
                    "Failed to elect a leader for partition \(tp) being reassigned: none of the replicas \(PartitionReassignmentPlanner.list(reassigned)) is alive and in the ISR [\(PartitionReassignmentPlanner.list(state.leaderAndIsr.isr))]")
                return false
            }
            let results = try await writeStates([tp: updated])
            if let error = results.connectionError { throw error }
            if let written = results.written[tp] {
                context.partitionLeadership[tp] = written
                let previous = context.partitionStates[tp] ?? .nonExistentPartition
                if move != .bumpLeaderEpoch { context.partitionStates[tp] = .onlinePartition }
                stateChangeLogger.controller(epoch: context.epoch, move == .bumpLeaderEpoch
                    ? "Updated leader epoch for partition \(tp) being reassigned to \(written.leaderAndIsr.leaderEpoch): \(written.leaderAndIsr)"
                    : "Changed partition \(tp) state from \(previous.rawValue) to \(PartitionState.onlinePartition.rawValue) with state \(written.leaderAndIsr)")
                return true
            }
            if results.conflicts.isEmpty { return false }
            rounds.finishRound(conflicts: results.conflicts)
        }
        stateChangeLogger.controller(epoch: context.epoch, level: .error,
            "Giving up updating the leadership of partition \(tp) being reassigned after \(Self.maxStateChangeAttempts) conflicting writes")
        return false
    }

    /// Removes `partitions` from the reassignments in progress, rewriting or deleting the admin
    /// znode (fenced) — Kafka's `removePartitionsFromReassignedPartitions`.
    func removePartitionsFromReassignedPartitions(_ partitions: Set<TopicPartition>) async throws {
        let update = PartitionReassignmentPlanner.znodeUpdate(pending: context.partitionsBeingReassigned, removing: partitions)
        switch update {
        case .unchanged:
            return
        case .delete:
            if !partitions.isEmpty {
                logger.info("\(reassignIdent)Removing partitions \(describe(partitions)) from the list of reassigned partitions in zookeeper")
            }
            logger.info("\(reassignIdent)No more partitions need to be reassigned. Deleting zk path \(ReassignPartitionsZNode.path)")
            try await zkClient.deletePartitionReassignment(expectedControllerEpochZkVersion: context.epochZkVersion)
        case .write(let remaining):
            logger.info("\(reassignIdent)Removing partitions \(describe(partitions)) from the list of reassigned partitions in zookeeper")
            try await zkClient.setOrCreatePartitionReassignment(remaining, expectedControllerEpochZkVersion: context.epochZkVersion)
        }
        for tp in partitions { context.partitionsBeingReassigned[tp] = nil }
    }

    private func describe(_ partitions: Set<TopicPartition>) -> String {
        "[" + partitions.sorted().map(\.description).joined(separator: ",") + "]"
    }

    private func describe(_ reassignment: [TopicPartition: [BrokerId]]) -> String {
        "[" + reassignment.sorted { $0.key < $1.key }
            .map { "\($0.key) -> [\(PartitionReassignmentPlanner.list($0.value))]" }.joined(separator: ", ") + "]"
    }
}
