import KafkaCommon
import KafkaProtocol
import KafkaZk
import ZooKeeper

/// Controlled shutdown, on the controller (Kafka's `ControlledShutdown` event): a broker that is
/// about to stop asks, through the ControlledShutdown API, that its leaderships move away first,
/// so that clients are told NOT_LEADER_FOR_PARTITION and move on instead of waiting for its
/// ZooKeeper session to end.
///
/// `ControlledShutdownPlanner` decides; this extension marks the broker as shutting down (from
/// then on no election picks it, and UpdateMetadata lists its replicas as offline), elects new
/// leaders for the partitions it leads (conditional writes fenced by the controller epoch, a
/// conflict read and decided again at most `maxStateChangeAttempts` times), takes its follower
/// replicas offline (they leave the ISRs) with a StopReplica without deletion, sends the batch, and
/// answers with the partitions the broker still leads. The broker stays registered and shutting
/// down until its znode goes; the broker-change event then finishes the work as for any failure.
extension KafkaController {
    /// Asks this controller to move leadership off `id` and waits for the answer: NOT_CONTROLLER
    /// when it is not (or stops being) the active controller, STALE_BROKER_EPOCH for an old
    /// `brokerEpoch` (-1: not checked), else NONE with the partitions `id` still leads.
    public nonisolated func controlledShutdown(id: BrokerId, brokerEpoch: Int64) async -> ControlledShutdownCallback.Outcome {
        await withCheckedContinuation { continuation in
            eventManager.put(.controlledShutdown(
                id: id, brokerEpoch: brokerEpoch,
                callback: ControlledShutdownCallback { continuation.resume(returning: $0) }))
        }
    }

    func processControlledShutdown(id: BrokerId, brokerEpoch: Int64, callback: ControlledShutdownCallback) async throws {
        do {
            callback.complete(try await doControlledShutdown(id: id, brokerEpoch: brokerEpoch))
        } catch let error as ZooKeeperError where error.code.isRetriable {
            // The event is processed again once connected; the broker's request waits for it.
            throw error
        } catch {
            // Answered, then handled as any event's error (a fenced write resigns the controller).
            var code = ErrorCode.unknownServerError
            if let zkError = error as? KafkaZkError, case .controllerMoved = zkError { code = .notController }
            callback.complete(ControlledShutdownCallback.Outcome(errorCode: code))
            throw error
        }
    }

    private func doControlledShutdown(id: BrokerId, brokerEpoch: Int64) async throws -> ControlledShutdownCallback.Outcome {
        if let refusal = ControlledShutdownPlanner.refusal(broker: id, brokerEpoch: brokerEpoch, isActive: isActive, context: context) {
            switch refusal {
            case .staleBrokerEpoch:
                logger.info("[Controller id=\(brokerId)] Received controlled shutdown request from an old broker epoch \(brokerEpoch) for broker \(id). Current broker epoch is \(context.liveBrokerEpochs[id] ?? -1).")
            case .brokerNotAvailable:
                logger.info("[Controller id=\(brokerId)] Controlled shutdown of broker \(id) refused: Broker id \(id) does not exist.")
            default:
                logger.info("[Controller id=\(brokerId)] Controller moved to another broker. Aborting controlled shutdown of broker \(id)")
            }
            return ControlledShutdownCallback.Outcome(errorCode: refusal)
        }
        logger.info("[Controller id=\(brokerId)] Shutting down broker \(id)")
        context.shuttingDownBrokerIds.insert(id)
        logger.debug("[Controller id=\(brokerId)] All shutting down brokers: \(context.shuttingDownBrokerIds.sorted().map(\.description).joined(separator: ","))")
        logger.debug("[Controller id=\(brokerId)] Live brokers: \(context.liveBrokerIds.sorted().map(\.description).joined(separator: ","))")

        let actions = ControlledShutdownPlanner.partitionsToActOn(broker: id, context: context)
        var batch = ControllerBrokerRequestBatch()
        let followers = actions.followed.map { PartitionReplica($0, id) }
        // The followers' ISR shrinks go out with the elections' writes (`IsrShrinksAhead`).
        isrShrinksAhead = decideIsrShrinksAhead(
            followers.filter { !context.isTopicQueuedUpForDeletion($0.topicPartition.topic) }, electing: Set(actions.led))
        defer { isrShrinksAhead = nil }
        try await electLeadersForControlledShutdown(actions.led, &batch)
        for tp in actions.followed { batch.addStopReplica(tp, to: id, deletePartition: false) }
        try await transitionReplicasOffline(followers, &batch)
        sendRequests(batch)

        let remaining = ControlledShutdownPlanner.remainingPartitions(broker: id, context: context)
        stateChangeLogger.controller(epoch: context.epoch,
            "Controlled shutdown of broker \(id): moved the leadership of \(actions.led.count - remaining.count) partitions, took \(actions.followed.count) follower replicas offline, \(remaining.count) partitions remain")
        return ControlledShutdownCallback.Outcome(errorCode: .none, remainingPartitions: remaining)
    }

    /// OnlinePartition → OnlinePartition with the controlled-shutdown election, from the context's
    /// states, re-reading only the partitions whose write conflicts (`OptimisticStateRounds`). Elected partitions' registered replicas get LeaderAndIsr; the
    /// others keep their leader.
    private func electLeadersForControlledShutdown(
        _ partitions: [TopicPartition], _ batch: inout ControllerBrokerRequestBatch
    ) async throws {
        let plan = partitionStateMachine.handleStateChanges(partitions, to: .onlinePartition, context: &context)
        record(plan, &batch)
        var rounds = OptimisticStateRounds(plan.partitionsToElect, maxAttempts: Self.maxStateChangeAttempts)
        defer {
            if rounds.isExhausted {
                stateChangeLogger.controller(epoch: context.epoch, level: .error,
                    "Giving up electing leaders for \(rounds.remaining) after \(Self.maxStateChangeAttempts) conflicting writes; they keep their leader")
            }
        }
        while let round = rounds.nextRound(context: context, decidesWrite: { [context] tp, cached in
            ControlledShutdownPlanner.planElections(states: [tp: cached], context: context).updates[tp] != nil
        }) {
            let remaining = round.partitions
            let states = try await statesToDecideFrom(round)
            let election = ControlledShutdownPlanner.planElections(states: states, context: context)
            var failures = PartitionStateMachine.Plan()
            for tp in remaining where states[tp] == nil {
                failures.failedElection(tp, "its state znode does not exist", context)
            }
            for tp in election.writtenByNewerController {
                failures.failedElection(tp,
                    "its state was written by a newer controller (epoch \(states[tp].map { "\($0.controllerEpoch)" } ?? "unknown")): this controller has probably been replaced", context)
            }
            for tp in election.leaderless {
                failures.failedElection(tp,
                    "no replica of [\(PartitionStateMachine.list(context.partitionAssignments[tp] ?? []))] other than the shutting-down brokers [\(PartitionStateMachine.list(context.shuttingDownBrokerIds.sorted()))] is alive and in the ISR [\(PartitionStateMachine.list(states[tp]?.leaderAndIsr.isr ?? []))]; its leader stays", context)
            }
            record(failures, &batch)
            let results = try await writeStates(election.updates)
            record(partitionStateMachine.onLeadersElected(results.written, election: election, states: states, context: &context), &batch)
            if let error = results.connectionError { throw error }
            rounds.finishRound(conflicts: results.conflicts)
        }
    }
}
