import KafkaCommon
import KafkaProtocol

/// Topic deletion's decisions (Kafka 2.3's `TopicDeletionManager`) as a value: each function
/// changes the `ControllerContext` it is handed and returns a `Plan`; the `KafkaController`
/// shell (`KafkaController+TopicDeletion.swift`) writes ZooKeeper, takes replicas offline (which
/// reads and writes their partitions' states) and sends the requests. No I/O here.
///
/// A topic in `topicsToBeDeleted` goes through these steps, each replica through the replica
/// state machine:
/// 1. its deletion starts once it is eligible (queued, no replica ReplicaDeletionStarted, not in
///    `topicsIneligibleForDeletion`): the first time, its partitions go OfflinePartition →
///    NonExistentPartition (`topicsWithDeletionStarted`); every time, every broker gets
///    UpdateMetadata naming the partitions' leader -2, and
///    - replicas on dead brokers go ReplicaDeletionIneligible and the topic is halted ("offline
///      replicas");
///    - replicas on live brokers, except those already deleted, go OfflineReplica (out of the
///      ISR) and then ReplicaDeletionStarted, which sends them StopReplica with deletion;
/// 2. each StopReplica answer moves the replicas it names to ReplicaDeletionSuccessful (no error)
///    or ReplicaDeletionIneligible (an error, or an error for the whole request), which halts the
///    topic ("replica deletion failure");
/// 3. after each change, `resumeDeletions` looks at every queued topic: all replicas
///    ReplicaDeletionSuccessful → the topic is complete (its znodes are deleted, its replicas go
///    NonExistentReplica and it is forgotten); none ReplicaDeletionStarted but some
///    ReplicaDeletionIneligible → those go back to OfflineReplica, ready for a retry
///    (`retryDeletionForIneligibleReplicas`); then an eligible topic (re)starts at step 1;
/// 4. a halted topic is retried only when `resumeDeletionForTopics` takes it out of
///    `topicsIneligibleForDeletion`: a broker holding one of its replicas starts, or its
///    reassignment completes — as in Kafka 2.3, a failed StopReplica on a live broker waits for
///    one of these (or for a new controller).
public struct TopicDeletionManager: Sendable {
    public init() {}

    var replicaStateMachine: ReplicaStateMachine { ReplicaStateMachine() }
    var partitionStateMachine: PartitionStateMachine { PartitionStateMachine() }

    /// What a step asks the shell to do, in this order: log, send UpdateMetadata for
    /// `updateMetadataPartitions` (at once, before the batch), take `replicasToDelete` offline,
    /// move them to ReplicaDeletionStarted, and send `requests`.
    public struct Plan: Sendable, Equatable {
        /// Lines for the controller's log (Kafka's `[Topic Deletion Manager <id>]` lines).
        public var info: [String] = []
        /// State-change log lines of the transitions made, in order (refusals included).
        public var stateChanges: [StateChangeEntry] = []
        public var illegalTransitions: [IllegalStateTransition] = []
        /// Requests for the event's batch.
        public var requests = ControllerBrokerRequestBatch()
        /// Partitions every broker learns are being deleted (leader -2).
        public var updateMetadataPartitions: [TopicPartition] = []
        /// Live replicas to take OfflineReplica and then ReplicaDeletionStarted (the shell, as
        /// the first needs ZooKeeper when the partition has a leadership).
        public var replicasToDelete: [PartitionReplica] = []

        public init() {}

        mutating func merge(_ plan: ReplicaStateMachine.Plan) {
            stateChanges += plan.log
            illegalTransitions += plan.illegalTransitions
            requests.merge(plan.requests)
        }

        mutating func merge(_ plan: PartitionStateMachine.Plan) {
            stateChanges += plan.log
            illegalTransitions += plan.illegalTransitions
            requests.merge(plan.requests)
        }
    }

    /// What `resumeDeletions` does with one queued topic before checking its eligibility.
    public enum Progress: Sendable, Equatable {
        /// Every replica is ReplicaDeletionSuccessful: delete the topic's znodes, then `completeDeleteTopic`.
        case complete
        /// Some replicas are ReplicaDeletionStarted: their answers are awaited.
        case inProgress([PartitionReplica])
        /// No answer is awaited and these replicas failed or were offline: back to OfflineReplica
        /// (the shell, which may read their partitions' states) before a retry.
        case retryIneligible([PartitionReplica])
        /// Nothing to do before the eligibility check (the deletion has not started).
        case none
    }

    // MARK: - Queueing and eligibility

    /// Queues `topics` for deletion (Kafka's `enqueueTopicsForDeletion`); the shell then runs
    /// `resumeDeletions`.
    public func enqueueTopicsForDeletion(_ topics: [String], context: inout ControllerContext) {
        for topic in topics where context.topicsToBeDeleted[topic] == nil {
            context.topicsToBeDeleted[topic] = pendingBrokers(topic, context)
        }
    }

    /// Halts the deletion of the queued ones of `topics` (Kafka's `markTopicIneligibleForDeletion`).
    public func markTopicIneligibleForDeletion(_ topics: [String], reason: String, context: inout ControllerContext) -> [String] {
        let halted = Set(topics).filter { context.isTopicQueuedUpForDeletion($0) }
        context.topicsIneligibleForDeletion.formUnion(halted)
        guard !halted.isEmpty else { return [] }
        return ["Halted deletion of topics \(halted.sorted().joined(separator: ",")) due to \(reason)"]
    }

    /// Makes the queued ones of `topics` eligible again (Kafka's `resumeDeletionForTopics`);
    /// returns whether any was, in which case the shell runs `resumeDeletions`.
    public func resumeDeletionForTopics(_ topics: Set<String>, context: inout ControllerContext) -> Bool {
        let resumed = topics.filter { context.isTopicQueuedUpForDeletion($0) }
        context.topicsIneligibleForDeletion.subtract(resumed)
        return !resumed.isEmpty
    }

    /// Whether `topic`'s deletion may (re)start now (Kafka's `isTopicEligibleForDeletion`).
    public func isTopicEligibleForDeletion(_ topic: String, context: ControllerContext) -> Bool {
        context.isTopicQueuedUpForDeletion(topic)
            && !context.isAnyReplica(ofTopic: topic, in: .replicaDeletionStarted)
            && !context.topicsIneligibleForDeletion.contains(topic)
    }

    /// The first half of `resumeDeletions` for one topic.
    public func progress(of topic: String, context: ControllerContext) -> Progress {
        if context.areAllReplicas(ofTopic: topic, in: .replicaDeletionSuccessful) { return .complete }
        let started = context.replicas(ofTopic: topic, in: .replicaDeletionStarted)
        if !started.isEmpty { return .inProgress(started) }
        let ineligible = context.replicas(ofTopic: topic, in: .replicaDeletionIneligible)
        return ineligible.isEmpty ? .none : .retryIneligible(ineligible)
    }

    /// The log line of `progress` (Kafka's `resumeDeletions` and `retryDeletionForIneligibleReplicas`).
    public static func describe(_ progress: Progress, of topic: String) -> String? {
        switch progress {
        case .complete, .none: nil
        case .inProgress(let replicas):
            "Deletion for replicas \(Set(replicas.map(\.replica)).sorted().map(\.description).joined(separator: ",")) for partition \(Set(replicas.map(\.topicPartition)).sorted().map(\.description).joined(separator: ",")) of topic \(topic) in progress"
        case .retryIneligible(let replicas):
            "Retrying deletion of topic \(topic) since replicas \(replicas.map(\.description).joined(separator: ",")) were not successfully deleted"
        }
    }

    // MARK: - Starting

    /// Kafka's `onTopicDeletion` and `startReplicaDeletion` for an eligible topic, but for the
    /// replicas' OfflineReplica and ReplicaDeletionStarted transitions, left to the shell
    /// (`replicasToDelete`).
    public func startTopicDeletion(_ topic: String, context: inout ControllerContext) -> Plan {
        var plan = Plan()
        plan.info.append("Deletion of topic \(topic) (re)started")
        plan.info.append("Topic deletion callback for \(topic)")
        let partitions = context.partitionAssignments.keys.filter { $0.topic == topic }.sorted()
        if !context.topicsWithDeletionStarted.contains(topic) {
            plan.merge(partitionStateMachine.handleStateChanges(partitions, to: .offlinePartition, context: &context))
            plan.merge(partitionStateMachine.handleStateChanges(partitions, to: .nonExistentPartition, context: &context))
            context.topicsWithDeletionStarted.insert(topic)
        }
        plan.updateMetadataPartitions = partitions
        plan.info.append("Partition deletion callback for \(partitions.map(\.description).joined(separator: ","))")
        let replicas = context.replicas(ofTopic: topic)
        // Kafka also counts a dead broker's replica already deleted, which it then refuses to move.
        let dead = replicas.filter { !context.isReplicaOnline($0.replica) && context.replicaState($0) != .replicaDeletionSuccessful }
        plan.merge(replicaStateMachine.handleStateChanges(dead, to: .replicaDeletionIneligible, context: &context))
        plan.replicasToDelete = replicas.filter {
            context.isReplicaOnline($0.replica) && context.replicaState($0) != .replicaDeletionSuccessful
        }
        if !dead.isEmpty {
            plan.info += markTopicIneligibleForDeletion([topic], reason: "offline replicas", context: &context)
        }
        return plan
    }

    // MARK: - Answers

    /// The replicas a StopReplica answer from `replicaId` failed and deleted (Kafka's
    /// `TopicDeletionStopReplicaResponseReceived`): with an error for the whole request, every
    /// partition named failed. Only partitions of topics whose deletion started count (the
    /// others were stopped for a reassignment).
    public func outcome(
        of replicaId: BrokerId, requestError: ErrorCode, partitionErrors: [TopicPartition: ErrorCode],
        context: ControllerContext
    ) -> (failed: [PartitionReplica], deleted: [PartitionReplica]) {
        let relevant = partitionErrors.filter { context.isTopicDeletionInProgress($0.key.topic) }
        let failed = relevant.filter { requestError != .none || $0.value != .none }.keys.sorted()
        let deleted = relevant.keys.filter { !failed.contains($0) }.sorted()
        return (failed.map { PartitionReplica($0, replicaId) }, deleted.map { PartitionReplica($0, replicaId) })
    }

    /// Replicas that could not be deleted (an error answered, or their broker died) go
    /// ReplicaDeletionIneligible and their topics are halted (Kafka's `failReplicaDeletion`); the
    /// shell then runs `resumeDeletions`.
    public func failReplicaDeletion(_ replicas: [PartitionReplica], context: inout ControllerContext) -> Plan {
        var plan = Plan()
        let failed = replicas.filter { context.isTopicQueuedUpForDeletion($0.topicPartition.topic) }
        guard !failed.isEmpty else { return plan }
        let topics = Set(failed.map(\.topicPartition.topic)).sorted()
        plan.info.append("Deletion failed for replicas \(failed.map(\.description).joined(separator: ",")). Halting deletion for topics \(topics.joined(separator: ","))")
        plan.merge(replicaStateMachine.handleStateChanges(failed, to: .replicaDeletionIneligible, context: &context))
        plan.info += markTopicIneligibleForDeletion(topics, reason: "replica deletion failure", context: &context)
        return plan
    }

    /// Replicas deleted without error go ReplicaDeletionSuccessful (Kafka's
    /// `completeReplicaDeletion`); the shell then runs `resumeDeletions`.
    public func completeReplicaDeletion(_ replicas: [PartitionReplica], context: inout ControllerContext) -> Plan {
        var plan = Plan()
        let deleted = replicas.filter { context.isTopicQueuedUpForDeletion($0.topicPartition.topic) }
        guard !deleted.isEmpty else { return plan }
        plan.info.append("Deletion successfully completed for replicas \(deleted.map(\.description).joined(separator: ","))")
        plan.merge(replicaStateMachine.handleStateChanges(deleted, to: .replicaDeletionSuccessful, context: &context))
        for topic in Set(deleted.map(\.topicPartition.topic)) {
            context.topicsToBeDeleted[topic] = pendingBrokers(topic, context)
        }
        return plan
    }

    // MARK: - Completing

    /// The topic's znodes are deleted: its replicas go NonExistentReplica and the controller
    /// forgets it (Kafka's `completeDeleteTopic`).
    public func completeDeleteTopic(_ topic: String, context: inout ControllerContext) -> Plan {
        var plan = Plan()
        plan.merge(replicaStateMachine.handleStateChanges(
            context.replicas(ofTopic: topic, in: .replicaDeletionSuccessful), to: .nonExistentReplica, context: &context))
        for tp in context.partitionAssignments.keys where tp.topic == topic { context.removePartition(tp) }
        context.topicsToBeDeleted[topic] = nil
        context.topicsWithDeletionStarted.remove(topic)
        context.topicsIneligibleForDeletion.remove(topic)
        plan.info.append("Deletion of topic \(topic) successfully completed")
        return plan
    }

    /// The brokers holding a replica of `topic` that is not ReplicaDeletionSuccessful.
    private func pendingBrokers(_ topic: String, _ context: ControllerContext) -> Set<BrokerId> {
        Set(context.replicas(ofTopic: topic).filter { context.replicaState($0) != .replicaDeletionSuccessful }.map(\.replica))
    }
}
