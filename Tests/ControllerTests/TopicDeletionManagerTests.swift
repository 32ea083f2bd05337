import Controller
import KafkaCommon
import KafkaProtocol
import KafkaZk
import Testing

private let t0 = TopicPartition("t", 0)
private let t1 = TopicPartition("t", 1)
private let other = TopicPartition("u", 0)

private func replica(_ tp: TopicPartition, _ broker: BrokerId) -> PartitionReplica { PartitionReplica(tp, broker) }

/// Topic deletion's decisions as values (Kafka 2.3's `TopicDeletionManager`), driven the way the
/// controller's shell drives them. The partitions here have no leadership, so OfflineReplica is
/// made at once (with one, the shell first shrinks the ISR: `ReplicaStateMachineTests`).
@Suite struct TopicDeletionManagerTests {
    let manager = TopicDeletionManager()
    let replicas = ReplicaStateMachine()

    /// Topic t (t-0 on 1,2; t-1 on 2,3) and u (u-0 on 1), every replica online, `live` up.
    private func context(live: Set<BrokerId> = [1, 2, 3]) -> ControllerContext {
        var context = stateMachineContext(live: live, assignments: [t0: [1, 2], t1: [2, 3], other: [1]])
        for tp in [t0, t1, other] {
            context.partitionStates[tp] = .onlinePartition
            for broker in context.partitionAssignments[tp] ?? [] {
                context.replicaStates[replica(tp, broker)] = live.contains(broker) ? .onlineReplica : .offlineReplica
            }
        }
        return context
    }

    /// What the shell does with a start plan: the replicas to delete go OfflineReplica, then
    /// ReplicaDeletionStarted; returns the StopReplica requests of the second step.
    private func start(_ topic: String, _ context: inout ControllerContext) -> (TopicDeletionManager.Plan, ControllerBrokerRequestBatch) {
        let plan = manager.startTopicDeletion(topic, context: &context)
        let offline = replicas.handleStateChanges(plan.replicasToDelete, to: .offlineReplica, context: &context)
        #expect(offline.illegalTransitions.isEmpty && offline.isrRemovals.isEmpty)
        let started = replicas.handleStateChanges(plan.replicasToDelete, to: .replicaDeletionStarted, context: &context)
        #expect(started.illegalTransitions.isEmpty)
        return (plan, started.requests)
    }

    @Test func deletionStartsWithThePartitionsOfflineAndStopReplicaWithDeletionToEveryLiveReplica() {
        var context = context()
        manager.enqueueTopicsForDeletion(["t"], context: &context)
        #expect(context.topicsToBeDeleted == ["t": [1, 2, 3]])
        #expect(manager.progress(of: "t", context: context) == TopicDeletionManager.Progress.none)
        #expect(manager.isTopicEligibleForDeletion("t", context: context))

        let (plan, requests) = start("t", &context)
        #expect(plan.info.first == "Deletion of topic t (re)started")
        #expect(context.partitionStates[t0] == .nonExistentPartition && context.partitionStates[t1] == .nonExistentPartition)
        #expect(context.partitionStates[other] == .onlinePartition, "another topic is untouched")
        #expect(context.isTopicDeletionInProgress("t"))
        #expect(plan.updateMetadataPartitions == [t0, t1])
        #expect(plan.replicasToDelete == [replica(t0, 1), replica(t0, 2), replica(t1, 2), replica(t1, 3)])
        #expect(plan.stateChanges.map(\.message).contains("Changed partition t-0 state from OfflinePartition to NonExistentPartition"))
        #expect(requests.stopReplica == [1: [t0: true], 2: [t0: true, t1: true], 3: [t1: true]])
        #expect(context.replicas(ofTopic: "t", in: .replicaDeletionStarted).count == 4)
        #expect(context.topicsIneligibleForDeletion.isEmpty)
        #expect(manager.progress(of: "t", context: context) == .inProgress(plan.replicasToDelete))
        #expect(!manager.isTopicEligibleForDeletion("t", context: context), "answers are awaited")
    }

    @Test func replicasOnADeadBrokerAreIneligibleAndHaltTheTopic() {
        var context = context(live: [1, 2])
        manager.enqueueTopicsForDeletion(["t"], context: &context)
        let (plan, requests) = start("t", &context)
        #expect(context.replicaState(replica(t1, 3)) == .replicaDeletionIneligible)
        #expect(plan.stateChanges.map(\.message).contains(
            "Changed state of replica 3 for partition t-1 from OfflineReplica to ReplicaDeletionIneligible"))
        #expect(plan.info.contains("Halted deletion of topics t due to offline replicas"))
        #expect(context.topicsIneligibleForDeletion == ["t"])
        #expect(requests.stopReplica[3] == nil, "a dead broker is sent nothing")
        #expect(plan.replicasToDelete == [replica(t0, 1), replica(t0, 2), replica(t1, 2)])
    }

    @Test func answersCountOnlyForTopicsWhoseDeletionStarted() {
        var context = context()
        manager.enqueueTopicsForDeletion(["t"], context: &context)
        _ = start("t", &context)
        let errors: [TopicPartition: ErrorCode] = [t0: .none, t1: .kafkaStorageError, other: .none]
        let outcome = manager.outcome(of: 2, requestError: .none, partitionErrors: errors, context: context)
        #expect(outcome.failed == [replica(t1, 2)] && outcome.deleted == [replica(t0, 2)])
        let refused = manager.outcome(of: 2, requestError: .staleControllerEpoch, partitionErrors: errors, context: context)
        #expect(refused.failed == [replica(t0, 2), replica(t1, 2)] && refused.deleted.isEmpty, "a request error fails every partition")
    }

    /// A failed StopReplica: the replica goes ReplicaDeletionIneligible and the topic is halted;
    /// once the others answered, the failed replica goes back to OfflineReplica, but the topic is
    /// retried only after `resumeDeletionForTopics`; the retry sends StopReplica to that replica
    /// alone, and its success completes the topic.
    @Test func aFailedReplicaIsRetriedWhenTheTopicResumesAndTheTopicThenCompletes() {
        var context = context()
        manager.enqueueTopicsForDeletion(["t"], context: &context)
        _ = start("t", &context)

        // Broker 2 fails t-1 and deletes t-0; brokers 1 and 3 delete theirs.
        var (failed, deleted) = manager.outcome(of: 2, requestError: .none, partitionErrors: [t0: .none, t1: .kafkaStorageError], context: context)
        let failure = manager.failReplicaDeletion(failed, context: &context)
        #expect(context.replicaState(replica(t1, 2)) == .replicaDeletionIneligible)
        #expect(failure.stateChanges.map(\.message) == [
            "Changed state of replica 2 for partition t-1 from ReplicaDeletionStarted to ReplicaDeletionIneligible"])
        #expect(failure.info.contains("Halted deletion of topics t due to replica deletion failure"))
        #expect(context.topicsIneligibleForDeletion == ["t"])
        _ = manager.completeReplicaDeletion(deleted, context: &context)
        #expect(manager.progress(of: "t", context: context) == .inProgress([replica(t0, 1), replica(t1, 3)]))
        for (broker, tp) in [(BrokerId(1), t0), (BrokerId(3), t1)] {
            (failed, deleted) = manager.outcome(of: broker, requestError: .none, partitionErrors: [tp: .none], context: context)
            #expect(failed.isEmpty)
            _ = manager.completeReplicaDeletion(deleted, context: &context)
        }
        #expect(context.topicsToBeDeleted["t"] == [2], "broker 2 still holds a replica")

        // No answer is awaited: the ineligible replica is readied for a retry, which waits.
        let progress = manager.progress(of: "t", context: context)
        #expect(progress == .retryIneligible([replica(t1, 2)]))
        #expect(TopicDeletionManager.describe(progress, of: "t")
            == "Retrying deletion of topic t since replicas [Topic=t,Partition=1,Replica=2] were not successfully deleted")
        _ = replicas.handleStateChanges([replica(t1, 2)], to: .offlineReplica, context: &context)
        #expect(!manager.isTopicEligibleForDeletion("t", context: context), "halted until resumed")

        // A broker holding one of its replicas starts: the topic resumes, broker 2 alone is asked again.
        #expect(!manager.resumeDeletionForTopics(["u"], context: &context), "u is not being deleted")
        #expect(manager.resumeDeletionForTopics(["t"], context: &context))
        #expect(manager.isTopicEligibleForDeletion("t", context: context))
        let (retry, requests) = start("t", &context)
        #expect(retry.replicasToDelete == [replica(t1, 2)])
        #expect(retry.stateChanges.isEmpty, "the partitions were taken offline the first time only")
        #expect(retry.updateMetadataPartitions == [t0, t1], "UpdateMetadata goes out again")
        #expect(requests.stopReplica == [2: [t1: true]])

        (failed, deleted) = manager.outcome(of: 2, requestError: .none, partitionErrors: [t1: .none], context: context)
        _ = manager.completeReplicaDeletion(deleted, context: &context)
        #expect(manager.progress(of: "t", context: context) == .complete)
        let done = manager.completeDeleteTopic("t", context: &context)
        #expect(done.info == ["Deletion of topic t successfully completed"])
        #expect(done.stateChanges.count == 4 && done.stateChanges.allSatisfy { $0.message.hasSuffix("from ReplicaDeletionSuccessful to NonExistentReplica") })
        #expect(context.partitionAssignments.keys.sorted() == [other])
        #expect(context.replicaStates.keys.allSatisfy { $0.topicPartition == other })
        #expect(context.topicsToBeDeleted.isEmpty && context.topicsWithDeletionStarted.isEmpty && context.topicsIneligibleForDeletion.isEmpty)
        #expect(context.partitionStates[t0] == nil)
    }

    @Test func aReplicaWhoseBrokerDiesDuringTheDeletionFailsAndWaitsForIt() {
        var context = context()
        manager.enqueueTopicsForDeletion(["t"], context: &context)
        _ = start("t", &context)
        context.liveBrokers[3] = nil
        let plan = manager.failReplicaDeletion([replica(t1, 3)], context: &context)
        #expect(plan.illegalTransitions.isEmpty)
        #expect(context.replicaState(replica(t1, 3)) == .replicaDeletionIneligible)
        #expect(context.topicsIneligibleForDeletion == ["t"])
    }

    @Test func transitionsOutOfOrderAreRefusedAndLeaveTheReplicas() {
        var context = context()
        manager.enqueueTopicsForDeletion(["t"], context: &context)
        // Not started: an answer cannot complete or fail an OnlineReplica.
        let early = manager.completeReplicaDeletion([replica(t0, 1)], context: &context)
        #expect(early.illegalTransitions == [.replica(replica(t0, 1), from: .onlineReplica, to: .replicaDeletionSuccessful)])
        let earlyFailure = manager.failReplicaDeletion([replica(t0, 1)], context: &context)
        #expect(earlyFailure.illegalTransitions == [.replica(replica(t0, 1), from: .onlineReplica, to: .replicaDeletionIneligible)])
        #expect(earlyFailure.stateChanges.first?.level == .error)
        #expect(context.replicaState(replica(t0, 1)) == .onlineReplica)
        // ReplicaDeletionStarted is entered from OfflineReplica only.
        let skipped = replicas.handleStateChanges([replica(t0, 1)], to: .replicaDeletionStarted, context: &context)
        #expect(skipped.illegalTransitions == [.replica(replica(t0, 1), from: .onlineReplica, to: .replicaDeletionStarted)])
        #expect(skipped.requests.isEmpty, "no StopReplica for a refused transition")
        // A topic not queued for deletion is neither halted nor its replicas failed.
        #expect(manager.markTopicIneligibleForDeletion(["u"], reason: "offline replicas", context: &context).isEmpty)
        #expect(manager.failReplicaDeletion([replica(other, 1)], context: &context) == TopicDeletionManager.Plan())
        #expect(context.topicsIneligibleForDeletion == ["t"], "as in Kafka, a failure halts its topic even when the transition is refused")
    }
}
