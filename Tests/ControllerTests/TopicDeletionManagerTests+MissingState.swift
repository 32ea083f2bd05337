import Controller
import KafkaCommon
import KafkaProtocol
import KafkaZk
import Testing

/// Topic deletion when a partition's state znode has vanished behind the controller's back
/// (its context still holds the partition's leadership): the replicas have no ISR to leave, so
/// they go OfflineReplica without a write, and the deletion runs to completion.
@Suite struct TopicDeletionMissingStateTests {
    let manager = TopicDeletionManager()
    let replicas = ReplicaStateMachine()
    let t0 = TopicPartition("t", 0)
    let t1 = TopicPartition("t", 1)
    let other = TopicPartition("u", 0)

    /// t-0 on 1,2 and t-1 on 2,3, both led with a full ISR; u-0 on 1,2 likewise; all online.
    private func context() -> ControllerContext {
        var context = stateMachineContext(live: [1, 2, 3], assignments: [t0: [1, 2], t1: [2, 3], other: [1, 2]])
        for tp in [t0, t1, other] {
            let assigned = context.partitionAssignments[tp] ?? []
            context.partitionStates[tp] = .onlinePartition
            context.partitionLeadership[tp] = partitionState(leader: assigned[0], isr: assigned, zkVersion: 4)
            for broker in assigned { context.replicaStates[PartitionReplica(tp, broker)] = .onlineReplica }
        }
        return context
    }

    @Test func replicasOfAPartitionWithoutAStateZNodeGoOfflineAndTheDeletionCompletes() {
        var context = context()
        manager.enqueueTopicsForDeletion(["t"], context: &context)
        let plan = manager.startTopicDeletion("t", context: &context)
        #expect(plan.replicasToDelete.count == 4)

        // OfflineReplica: both partitions have a leadership, so their ISRs are to be shrunk; the
        // states read show t-1 as it was and t-0's znode gone.
        let offline = replicas.handleStateChanges(plan.replicasToDelete, to: .offlineReplica, context: &context)
        #expect(offline.isrRemovals == [t0: [1, 2], t1: [2, 3]])
        let shrink = replicas.removeFromIsr(offline.isrRemovals, states: [t1: partitionState(leader: 2, isr: [2, 3], zkVersion: 4)], context: &context)
        #expect(!shrink.log.contains { $0.level == .error }, "\(shrink.log)")
        #expect(shrink.leaderAndIsrUpdates.keys.sorted() == [t1], "nothing is written for the missing znode")
        #expect(context.replicaState(PartitionReplica(t0, 1)) == .offlineReplica)
        #expect(context.replicaState(PartitionReplica(t0, 2)) == .offlineReplica)
        #expect(shrink.log.map(\.message).contains("Changed state of replica 1 for partition t-0 from OnlineReplica to OfflineReplica"))
        let written = replicas.onIsrShrinkWritten(
            [t1: partitionState(leader: -1, isr: [3], zkVersion: 5)], isrRemovals: [t1: [2, 3]], context: &context)
        #expect(written.illegalTransitions.isEmpty)

        // Every replica can now start its deletion: StopReplica with deletion to each.
        let started = replicas.handleStateChanges(plan.replicasToDelete, to: .replicaDeletionStarted, context: &context)
        #expect(started.illegalTransitions.isEmpty)
        #expect(started.requests.stopReplica == [1: [t0: true], 2: [t0: true, t1: true], 3: [t1: true]])
        for (broker, partitions) in [(BrokerId(1), [t0]), (BrokerId(2), [t0, t1]), (BrokerId(3), [t1])] {
            let (failed, deleted) = manager.outcome(
                of: broker, requestError: .none, partitionErrors: Dictionary(uniqueKeysWithValues: partitions.map { ($0, .none) }), context: context)
            #expect(failed.isEmpty)
            _ = manager.completeReplicaDeletion(deleted, context: &context)
        }
        #expect(manager.progress(of: "t", context: context) == .complete)
        _ = manager.completeDeleteTopic("t", context: &context)
        #expect(context.partitionAssignments.keys.sorted() == [other])
        #expect(context.topicsToBeDeleted.isEmpty)
    }

    /// Outside a deletion a missing state znode is a failure: the replica keeps its state (and
    /// the context its leadership), as before.
    @Test func outsideADeletionAMissingStateZNodeLeavesTheReplica() {
        var context = context()
        let replica = PartitionReplica(other, 2)
        let offline = replicas.handleStateChanges([replica], to: .offlineReplica, context: &context)
        let shrink = replicas.removeFromIsr(offline.isrRemovals, states: [:], context: &context)
        #expect(shrink.log.map(\.level) == [.error])
        #expect(context.replicaState(replica) == .onlineReplica)
        #expect(context.partitionLeadership[other] != nil)
    }
}
