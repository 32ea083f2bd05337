import KafkaCommon
import KafkaZk

/// Brokers coming and going (Kafka's `BrokerChange` event, `onBrokerStartup`, `onBrokerFailure`).
///
/// The registrations under `/brokers/ids` are compared with the live brokers the context knows:
/// a new id started; a missing id failed; an id registered again with a new czxid (its broker
/// epoch) bounced — it failed and started again, and is handled as both, in that order.
///
/// - Failure: partitions the dead brokers led go OfflinePartition; every new or offline partition
///   gets a leader if one may be elected (`triggerOnlinePartitionStateChange`); the dead brokers'
///   replicas go OfflineReplica, which removes them from the ISRs that still hold them. A live
///   controller therefore writes a dead leader's partition once (new leader, leader epoch + 1,
///   ISR without it) and a dead follower's partition once (ISR shrink, leader epoch + 1).
/// - Startup: the other brokers learn the live brokers, the new ones every partition's state; the
///   new brokers' replicas go OnlineReplica (LeaderAndIsr for all their partitions); offline
///   partitions whose in-sync replicas came back get a leader; deletions waiting for these
///   brokers resume, and reassignments whose targets include them start again.
extension KafkaController {
    func processBrokerChange() async throws {
        guard isActive else { return }
        // The children and the known brokers' registrations in one round trip; only brokers not
        // known yet are read after it (Kafka reads every registration after the children).
        let (current, known) = try await zkClient.liveBrokerIds(
            watch: true, withRegistrationsOf: context.liveOrShuttingDownBrokerIds.sorted())
        var registrations = known.filter { current.contains($0.key) }
        let unread = current.filter { known[$0] == nil }
        if !unread.isEmpty {
            registrations.merge(try await zkClient.brokerRegistrations(batch: unread)) { _, read in read }
        }
        var epochs: [BrokerId: Int64] = [:]
        var infos: [BrokerId: BrokerInfo] = [:]
        for (id, registration) in registrations {
            infos[id] = registration.info
            epochs[id] = registration.czxid
        }
        let (added, dead) = context.brokerChanges(current: Set(infos.keys))
        let bounced = infos.keys.filter { id in
            context.liveBrokerEpochs[id].map { $0 != epochs[id] } ?? false
        }.sorted()
        let list: ([BrokerId]) -> String = { $0.map(\.description).joined(separator: ",") }
        stateChangeLogger.controller(epoch: context.epoch,
            "Broker change: newly added brokers: [\(list(added))], deleted brokers: [\(list(dead))], bounced brokers: [\(list(bounced))], all live brokers: [\(list(infos.keys.sorted()))]")

        for id in dead { channelManager.removeBroker(id) }
        for id in added + bounced { if let info = infos[id] { channelManager.addBroker(info) } }
        // If this event has to be processed again (a lost connection), it must find the same changes.
        let (knownBrokers, knownEpochs) = (context.liveBrokers, context.liveBrokerEpochs)
        do {
            for (id, info) in infos where context.liveBrokers[id] != nil && !bounced.contains(id) {
                context.liveBrokers[id] = info
            }
            if !added.isEmpty {
                for id in added { markLive(id, info: infos[id], epoch: epochs[id]) }
                try await onBrokerStartup(added)
            }
            if !bounced.isEmpty {
                for id in bounced { markDead(id) }
                try await onBrokerFailure(bounced)
                for id in bounced { markLive(id, info: infos[id], epoch: epochs[id]) }
                try await onBrokerStartup(bounced)
            }
            if !dead.isEmpty {
                for id in dead { markDead(id) }
                try await onBrokerFailure(dead)
            }
        } catch {
            context.liveBrokers = knownBrokers
            context.liveBrokerEpochs = knownEpochs
            throw error
        }
    }

    private func markLive(_ id: BrokerId, info: BrokerInfo?, epoch: Int64?) {
        context.liveBrokers[id] = info
        context.liveBrokerEpochs[id] = epoch
    }

    private func markDead(_ id: BrokerId) {
        context.liveBrokers[id] = nil
        context.liveBrokerEpochs[id] = nil
        if context.shuttingDownBrokerIds.remove(id) != nil {
            logger.info("[Controller id=\(brokerId)] Removed \(id) from list of shutting down brokers.")
        }
    }

    /// `newBrokers` are already live in the context.
    func onBrokerStartup(_ newBrokers: [BrokerId]) async throws {
        logger.info("[Controller id=\(brokerId)] New broker startup callback for \(newBrokers.map(\.description).joined(separator: ","))")
        let started = Set(newBrokers)
        sendUpdateMetadata(to: context.liveOrShuttingDownBrokerIds.subtracting(started).sorted())
        sendUpdateMetadata(to: newBrokers, partitions: context.partitionLeadership.keys.sorted())
        var batch = ControllerBrokerRequestBatch()
        transitionReplicasOnline(context.replicas(onBrokers: started), &batch)
        try await triggerOnlinePartitionStateChange(&batch)
        sendRequests(batch)
        // Reassignments waiting for these brokers start again, so that their new replicas get
        // LeaderAndIsr (a NewReplica that goes OnlineReplica is sent none).
        try await restartPartitionReassignments(withReplicasOn: started)
        // Deletions halted for the topics of these brokers' replicas are retried
        // (Kafka's `resumeDeletionForTopics`).
        let waitingForDeletion = context.replicas(onBrokers: started).filter { context.isTopicQueuedUpForDeletion($0.topicPartition.topic) }
        if !waitingForDeletion.isEmpty {
            logger.info("[Controller id=\(brokerId)] Some replicas \(waitingForDeletion.sorted().map(\.description).joined(separator: ",")) for topics scheduled for deletion \(context.topicsToBeDeleted.keys.sorted().joined(separator: ",")) are on the newly restarted brokers \(newBrokers.map(\.description).joined(separator: ",")). Signaling restart of topic deletion for these topics")
            try await resumeDeletion(forTopics: Set(waitingForDeletion.map(\.topicPartition.topic)))
        }
    }

    /// `deadBrokers` are no longer live in the context.
    func onBrokerFailure(_ deadBrokers: [BrokerId]) async throws {
        logger.info("[Controller id=\(brokerId)] Broker failure callback for \(deadBrokers.map(\.description).joined(separator: ","))")
        let offlineReplicas = context.replicas(onBrokers: Set(deadBrokers))
        let waitingForDeletion = offlineReplicas.filter { context.isTopicQueuedUpForDeletion($0.topicPartition.topic) }
        var batch = ControllerBrokerRequestBatch()
        record(partitionStateMachine.handleStateChanges(context.partitionsWithoutLiveLeader(), to: .offlinePartition, context: &context), &batch)
        let replicasToTakeOffline = offlineReplicas.filter { !context.isTopicQueuedUpForDeletion($0.topicPartition.topic) }
        // The ISR shrinks of the partitions not being elected go out with the elections' writes
        // (one ZooKeeper commit instead of two in a row); the replica step below finds them done.
        let (new, offline) = context.partitionsToTriggerOnline()
        isrShrinksAhead = decideIsrShrinksAhead(replicasToTakeOffline, electing: Set(new + offline))
        defer { isrShrinksAhead = nil }
        try await triggerOnlinePartitionStateChange(&batch)
        try await transitionReplicasOffline(replicasToTakeOffline, &batch)
        // Every broker learns which replicas are offline, also where no leader or ISR changed.
        batch.addUpdateMetadata(Set(replicasToTakeOffline.map(\.topicPartition)).filter { context.partitionLeadership[$0] != nil })
        sendRequests(batch)
        // A replica being deleted cannot answer now: its deletion fails (none stays
        // ReplicaDeletionStarted) and its topic waits for the broker (Kafka's `failReplicaDeletion`).
        try await failReplicaDeletion(onDeadBrokers: waitingForDeletion)
    }
}
