import KafkaCommon
import KafkaProtocol
import KafkaZk
import ZooKeeper

/// The shell of topic deletion: `TopicDeletionManager` decides (see its doc for the steps), this
/// extension reads `/admin/delete_topics`, takes replicas offline through the replica state
/// machine's shell (which reads and writes their partitions' states), sends UpdateMetadata and
/// StopReplica, turns StopReplica answers into `topicDeletionStopReplicaResponseReceived` events,
/// and deletes a finished topic's znodes with the epoch-fenced multi.
///
/// With `delete.topic.enable=false` brokers refuse DeleteTopics; requests written directly to
/// ZooKeeper are still carried out here (the controller does not read broker configs).
extension KafkaController {
    static let stopReplicaVersion: Int16 = 1

    var topicDeletionManager: TopicDeletionManager { TopicDeletionManager() }

    /// The children of `/admin/delete_topics` changed (Kafka's `processTopicDeletion`): requests
    /// for unknown topics are dropped; the others are queued.
    ///
    /// A topic being reassigned is not queued: its request waits in ZooKeeper until the
    /// reassignment completes, which reads the requests again. Kafka 2.3 means to halt such a
    /// topic ("topic reassignment in progress") but marks it before queueing it, which does
    /// nothing, so its deletion starts in the middle of the reassignment; and a queued topic's
    /// partitions get no more LeaderAndIsr here, which would stall the reassignment.
    func processTopicDeletion() async throws {
        guard isActive else { return }
        let requested = Set(try await zkClient.zooKeeper.children(PersistentZkPaths.deleteTopics, watch: true).names)
        let nonExistent = requested.subtracting(context.allTopics).sorted()
        if !nonExistent.isEmpty {
            logger.warning("\(deletionIdent)Ignoring request to delete non-existing topics \(nonExistent.joined(separator: ","))")
            _ = try await zkClient.multiFencedByControllerEpoch(
                nonExistent.map { .delete(path: DeleteTopicsTopicZNode.path($0)) }, expectedControllerEpochZkVersion: context.epochZkVersion)
        }
        let topics = requested.intersection(context.allTopics).filter { !context.isTopicQueuedUpForDeletion($0) }.sorted()
        guard !topics.isEmpty else { return }
        logger.info("\(logIdentController)Starting topic deletion for topics \(topics.joined(separator: ","))")
        for topic in topics where context.isTopicBeingReassigned(topic) {
            logger.info("\(logIdentController)Topic deletion for \(topic) waits: some of its partitions are being reassigned")
        }
        topicDeletionManager.enqueueTopicsForDeletion(topics.filter { !context.isTopicBeingReassigned($0) }, context: &context)
        try await resumeDeletions()
    }

    /// At failover, before the state machines start (Kafka's `fetchTopicDeletionsInProgress` and
    /// `TopicDeletionManager.init`): the topics in `/admin/delete_topics` are queued, but for those
    /// being reassigned (see `processTopicDeletion`); those with a replica on a dead broker are
    /// ineligible. `resumeDeletions` runs once the state machines and the reassignments have
    /// started.
    func initializeTopicDeletion() async throws {
        let requested = Set(try await zkClient.zooKeeper.children(PersistentZkPaths.deleteTopics, watch: true).names)
        let topics = requested.intersection(context.allTopics).filter { !context.isTopicBeingReassigned($0) }.sorted()
        let ineligible = context.allTopics.filter { topic in
            context.isTopicBeingReassigned(topic) || context.replicas(ofTopic: topic).contains { !context.isReplicaOnline($0.replica) }
        }
        logger.info("\(logIdentController)List of topics to be deleted: \(requested.sorted().joined(separator: ","))")
        logger.info("\(logIdentController)List of topics ineligible for deletion: \(ineligible.sorted().joined(separator: ","))")
        topicDeletionManager.enqueueTopicsForDeletion(topics, context: &context)
        context.topicsIneligibleForDeletion = ineligible.intersection(topics)
    }

    /// Kafka's `resumeDeletionForTopics`: a broker holding replicas of `topics` started, or their
    /// reassignment completed.
    func resumeDeletion(forTopics topics: Set<String>) async throws {
        guard topicDeletionManager.resumeDeletionForTopics(topics, context: &context) else { return }
        try await resumeDeletions()
    }

    /// Kafka's `resumeDeletions`: completes the topics whose replicas are all deleted, readies
    /// failed replicas for a retry, and (re)starts the eligible topics.
    func resumeDeletions() async throws {
        let topics = context.topicsToBeDeleted.keys.sorted()
        guard !topics.isEmpty else { return }
        logger.info("\(deletionIdent)Handling deletion for topics \(topics.joined(separator: ","))")
        for topic in topics where context.isTopicQueuedUpForDeletion(topic) {
            let progress = topicDeletionManager.progress(of: topic, context: context)
            if let line = TopicDeletionManager.describe(progress, of: topic) { logger.info("\(deletionIdent)\(line)") }
            switch progress {
            case .complete:
                try await deleteTopicZNodes(topic)
                perform(topicDeletionManager.completeDeleteTopic(topic, context: &context))
                continue
            case .retryIneligible(let replicas):
                var batch = ControllerBrokerRequestBatch()
                try await handleReplicaStateChanges(replicas, to: .offlineReplica, &batch)
                sendRequests(batch)
            case .inProgress, .none:
                break
            }
            if topicDeletionManager.isTopicEligibleForDeletion(topic, context: context) {
                try await startDeletion(of: topic)
            }
        }
    }

    /// Kafka's `onTopicDeletion`: UpdateMetadata with leader -2, so that metadata caches drop the
    /// partitions; the dead replicas ineligible; the live ones offline, then
    /// ReplicaDeletionStarted with their StopReplica.
    private func startDeletion(of topic: String) async throws {
        let plan = topicDeletionManager.startTopicDeletion(topic, context: &context)
        var batch = ControllerBrokerRequestBatch()
        perform(plan, &batch)
        sendUpdateMetadata(to: context.liveBrokers.keys.sorted(), partitions: plan.updateMetadataPartitions)
        try await handleReplicaStateChanges(plan.replicasToDelete, to: .offlineReplica, &batch)
        record(replicaStateMachine.handleStateChanges(plan.replicasToDelete, to: .replicaDeletionStarted, context: &context), &batch)
        sendRequests(batch)
    }

    /// A StopReplica answer for partitions being deleted (Kafka's
    /// `TopicDeletionStopReplicaResponseReceived`).
    func processTopicDeletionStopReplicaResponseReceived(
        replicaId: BrokerId, requestError: ErrorCode, partitionErrors: [TopicPartition: ErrorCode]
    ) async throws {
        guard isActive else { return }
        let (failed, deleted) = topicDeletionManager.outcome(
            of: replicaId, requestError: requestError, partitionErrors: partitionErrors, context: context)
        if !failed.isEmpty {
            perform(topicDeletionManager.failReplicaDeletion(failed, context: &context))
            try await resumeDeletions()
        }
        if !deleted.isEmpty {
            perform(topicDeletionManager.completeReplicaDeletion(deleted, context: &context))
            try await resumeDeletions()
        }
    }

    /// Replicas of topics being deleted whose broker died (Kafka's `onReplicasBecomeOffline`):
    /// their deletion fails, so that none stays ReplicaDeletionStarted waiting for an answer
    /// that will not come.
    func failReplicaDeletion(onDeadBrokers replicas: [PartitionReplica]) async throws {
        let pending = replicas.filter { context.replicaState($0) != .replicaDeletionSuccessful }
        guard !pending.isEmpty else { return }
        perform(topicDeletionManager.failReplicaDeletion(pending, context: &context))
        try await resumeDeletions()
    }

    // MARK: - Requests

    /// Sends `broker` StopReplica for `partitions` (each with whether to delete it): one request
    /// for those to delete, one for the others, as StopReplica v1 carries one flag. The answer to
    /// a deletion comes back to the event queue as `topicDeletionStopReplicaResponseReceived`
    /// (partitions of topics not being deleted are ignored there).
    func sendStopReplica(to broker: BrokerId, _ partitions: [TopicPartition: Bool]) {
        let epoch = context.epoch
        for deletePartitions in [true, false] {
            let members = partitions.filter { $0.value == deletePartitions }.map(\.key).sorted()
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
                var errors: [TopicPartition: ErrorCode] = [:]
                for error in response.partitionErrors { errors[TopicPartition(error.topicName, error.partitionIndex)] = error.errorCode }
                // An answer refused as a whole may list no partition: it is about all of them.
                if errors.isEmpty, response.errorCode != .none {
                    for tp in members { errors[tp] = response.errorCode }
                }
                events.put(.topicDeletionStopReplicaResponseReceived(replicaId: broker, requestError: response.errorCode, partitionErrors: errors))
            }
            for topic in topics {
                stateChangeLogger.controller(epoch: epoch,
                    "Sending StopReplica (\(deletePartitions ? "delete" : "no delete")) for \(topic.name) partitions \(topic.partitionIndexes) to broker \(broker)")
            }
        }
    }

    // MARK: - Helpers

    private var deletionIdent: String { "[Topic Deletion Manager \(brokerId)] " }
    private var logIdentController: String { "[Controller id=\(brokerId)] " }

    private func logDeletion(_ lines: [String]) {
        for line in lines { logger.info("\(deletionIdent)\(line)") }
    }

    /// Writes a deletion plan's log lines and adds its requests to `batch`.
    private func perform(_ plan: TopicDeletionManager.Plan, _ batch: inout ControllerBrokerRequestBatch) {
        logDeletion(plan.info)
        record(plan.stateChanges)
        batch.merge(plan.requests)
    }

    /// A deletion plan that sends nothing (its requests, if any, go out at once).
    private func perform(_ plan: TopicDeletionManager.Plan) {
        var batch = ControllerBrokerRequestBatch()
        perform(plan, &batch)
        if !batch.isEmpty { sendRequests(batch) }
    }

    /// Deletes the topic's znodes (deepest first: partition states, partitions, assignment, config,
    /// and the deletion request) in one fenced multi (Kafka's `deleteTopic`).
    private func deleteTopicZNodes(_ topic: String) async throws {
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
    }
}
