import KafkaCommon
import KafkaProtocol
import KafkaZk
import ZooKeeper

/// Topic deletion (Kafka's `TopicDeletionManager`), started by a `/admin/delete_topics/<t>` node:
///
/// 1. every live broker gets UpdateMetadata with the topic's partitions led by -2 ("being
///    deleted"), so metadata caches drop it and clients stop using it;
/// 2. the partitions go OfflinePartition → NonExistentPartition, and every replica gets
///    StopReplica with deletion (replicas ReplicaDeletionStarted);
/// 3. when every replica has answered (a replica whose broker is down is ineligible until it comes
///    back, and is sent the request then), the topic's znodes — partition states, assignment,
///    config, and the deletion request — are deleted with the epoch-fenced multi.
///
/// With `delete.topic.enable=false` brokers refuse DeleteTopics; requests written directly to
/// ZooKeeper are still carried out here (the controller does not read broker configs).
extension KafkaController {
    static let stopReplicaVersion: Int16 = 1

    func processTopicDeletion() async throws {
        guard isActive else { return }
        let requested = Set(try await zkClient.zooKeeper.children(PersistentZkPaths.deleteTopics, watch: true).names)
        for topic in requested.sorted() where context.topicsToBeDeleted[topic] == nil {
            guard context.allTopics.contains(topic) else {
                // Nothing to delete (unknown topic, or a deletion already finished): drop the request.
                _ = try? await zkClient.multiFencedByControllerEpoch(
                    [.delete(path: DeleteTopicsTopicZNode.path(topic))], expectedControllerEpochZkVersion: context.epochZkVersion)
                continue
            }
            if context.isTopicBeingReassigned(topic) {
                // Ineligible until its reassignments complete, which take the request up again.
                logger.info("[Controller id=\(brokerId)] Topic deletion for \(topic) waits: some of its partitions are being reassigned")
                continue
            }
            startDeletion(of: topic)
        }
    }

    private func startDeletion(of topic: String) {
        let partitions = context.partitionAssignments.keys.filter { $0.topic == topic }.sorted()
        let replicas = Set(partitions.flatMap { context.partitionAssignments[$0] ?? [] })
        context.topicsToBeDeleted[topic] = replicas
        stateChangeLogger.controller(epoch: context.epoch,
            "Deleting topic \(topic) (\(partitions.count) partitions on brokers [\(replicas.sorted().map(\.description).joined(separator: ","))])")
        sendUpdateMetadataForDeletion(partitions)
        var batch = ControllerBrokerRequestBatch()
        record(partitionStateMachine.handleStateChanges(partitions, to: .offlinePartition, context: &context), &batch)
        record(partitionStateMachine.handleStateChanges(partitions, to: .nonExistentPartition, context: &context), &batch)
        sendRequests(batch)
        haltDeletionForOfflineReplicas(of: topic, partitions: partitions)
        let live = replicas.filter { context.liveBrokers[$0] != nil }
        if live.isEmpty, replicas.isEmpty { eventManager.put(.topicDeletionStopReplicaResponse(topic: topic, broker: .none, succeeded: true)) }
        sendStopReplicaForDeletion(topic: topic, to: live)
    }

    /// The topic's replicas on dead brokers go ReplicaDeletionIneligible (Kafka's
    /// `startReplicaDeletion`): the deletion is halted until their brokers start again, when
    /// `onBrokerStartup` sends them their StopReplica.
    private func haltDeletionForOfflineReplicas(of topic: String, partitions: [TopicPartition]) {
        let offline = partitions.flatMap { tp in
            (context.partitionAssignments[tp] ?? []).filter { context.liveBrokers[$0] == nil }.map { PartitionReplica(tp, $0) }
        }
        guard !offline.isEmpty else { return }
        // A new controller starts dead brokers' replicas as ReplicaDeletionIneligible already;
        // the others were taken offline when their brokers died.
        let moving = offline.filter { (context.replicaStates[$0] ?? .nonExistentReplica).canTransition(to: .replicaDeletionIneligible) }
        var batch = ControllerBrokerRequestBatch()
        record(replicaStateMachine.handleStateChanges(moving, to: .replicaDeletionIneligible, context: &context), &batch)
        logger.info("[Controller id=\(brokerId)] Halted deletion of topics \(topic) due to offline replicas \(offline.map(\.description).joined(separator: ","))")
    }

    /// UpdateMetadata naming the partitions' leader as -2, which makes metadata caches drop them.
    private func sendUpdateMetadataForDeletion(_ partitions: [TopicPartition]) {
        for tp in partitions {
            guard var state = context.partitionLeadership[tp] else { continue }
            state.leaderAndIsr.leader = KafkaZk.LeaderAndIsr.leaderDuringDelete
            context.partitionLeadership[tp] = state
        }
        sendUpdateMetadata(to: context.liveBrokers.keys.sorted(), partitions: partitions)
    }

    func sendStopReplicaForDeletion(topic: String, to brokers: Set<BrokerId>) {
        for broker in brokers.sorted() {
            let partitions = context.partitionAssignments.keys
                .filter { $0.topic == topic && context.partitionAssignments[$0]?.contains(broker) == true }
            sendStopReplica(to: broker, Dictionary(uniqueKeysWithValues: partitions.map { ($0, true) }))
        }
    }

    /// Sends `broker` StopReplica for `partitions` (each with whether to delete it): one request
    /// for those to delete, one for the others, as StopReplica v1 carries one flag. Each topic's
    /// deletion outcome comes back to the event queue as `topicDeletionStopReplicaResponse`.
    func sendStopReplica(to broker: BrokerId, _ partitions: [TopicPartition: Bool]) {
        let epoch = context.epoch
        for deletePartitions in [true, false] {
            let members = partitions.filter { $0.value == deletePartitions }.map(\.key)
            guard !members.isEmpty else { continue }
            let topics = Dictionary(grouping: members, by: \.topic).sorted { $0.key < $1.key }.map { topic, tps in
                StopReplica.Topic(name: topic, partitionIndexes: tps.map(\.partition).sorted())
            }
            let request = StopReplica.Request(
                controllerId: brokerId, controllerEpoch: epoch, brokerEpoch: context.liveBrokerEpochs[broker] ?? -1,
                deletePartitions: deletePartitions, topics: topics, version: Self.stopReplicaVersion)
            let events = eventManager
            let logger = stateChangeLogger
            channelManager.send(to: broker, StopReplica.self, request, version: Self.stopReplicaVersion) { response in
                // The answer, for the failover lab's timeline (Kafka logs it at TRACE).
                let failed = response.partitionErrors.filter { $0.errorCode != .none }
                logger.controller(epoch: epoch,
                    "Received StopReplica response from broker \(broker): \(response.errorCode)"
                        + (failed.isEmpty ? "" : ", partition errors \(failed.map { "\($0.topicName)-\($0.partitionIndex): \($0.errorCode)" })"))
                guard deletePartitions else { return }
                for topic in topics {
                    let succeeded = response.errorCode == .none
                        && response.partitionErrors.allSatisfy { $0.topicName != topic.name || $0.errorCode == .none }
                    events.put(.topicDeletionStopReplicaResponse(topic: topic.name, broker: broker, succeeded: succeeded))
                }
            }
            for topic in topics {
                stateChangeLogger.controller(epoch: epoch,
                    "Sending StopReplica (\(deletePartitions ? "delete" : "no delete")) for \(topic.name) partitions \(topic.partitionIndexes) to broker \(broker)")
            }
        }
    }

    func onStopReplicaResponse(topic: String, broker: BrokerId, succeeded: Bool) async throws {
        guard isActive, var pending = context.topicsToBeDeleted[topic] else { return }
        if succeeded {
            pending.remove(broker)
            let deleted = context.partitionAssignments.filter { $0.key.topic == topic && $0.value.contains(broker) }.keys
                .sorted().map { PartitionReplica($0, broker).description }
            logger.info("[Controller id=\(brokerId)] Deletion successfully completed for replicas \(deleted.joined(separator: ","))")
        } else {
            stateChangeLogger.controller(epoch: context.epoch, "Broker \(broker) failed to delete \(topic); it stays ineligible")
        }
        context.topicsToBeDeleted[topic] = pending
        guard pending.isEmpty else { return }
        try await completeDeletion(of: topic)
    }

    /// Deletes the topic's znodes (deepest first) in one fenced multi and forgets the topic.
    private func completeDeletion(of topic: String) async throws {
        let partitions = context.partitionAssignments.keys.filter { $0.topic == topic }.sorted()
        var ops: [ZooKeeperOp] = []
        for tp in partitions {
            if try await zkClient.zooKeeper.exists(TopicPartitionStateZNode.path(tp)) != nil {
                ops.append(.delete(path: TopicPartitionStateZNode.path(tp)))
            }
            if try await zkClient.zooKeeper.exists(TopicPartitionStateZNode.partitionPath(tp)) != nil {
                ops.append(.delete(path: TopicPartitionStateZNode.partitionPath(tp)))
            }
        }
        for path in [TopicPartitionStateZNode.partitionsPath(topic), TopicZNode.path(topic),
                     ConfigEntityZNode.path(entityType: "topics", entity: topic), DeleteTopicsTopicZNode.path(topic)]
        where try await zkClient.zooKeeper.exists(path) != nil {
            ops.append(.delete(path: path))
        }
        _ = try await zkClient.multiFencedByControllerEpoch(ops, expectedControllerEpochZkVersion: context.epochZkVersion)
        for tp in partitions { context.removePartition(tp) }
        context.topicsToBeDeleted[topic] = nil
        stateChangeLogger.controller(epoch: context.epoch, "Deletion of topic \(topic) successfully completed")
    }
}
