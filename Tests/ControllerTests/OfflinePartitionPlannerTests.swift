import Controller
import KafkaCommon
import KafkaZk
import Testing

/// The state of a partition as read from its state znode, written by controller epoch 3.
private func state(leader: BrokerId, epoch: Int32 = 4, isr: [BrokerId], zkVersion: Int32 = 9,
                   controllerEpoch: ControllerEpoch = 3) -> LeaderIsrAndControllerEpoch {
    LeaderIsrAndControllerEpoch(
        leaderAndIsr: LeaderAndIsr(leader: leader, leaderEpoch: LeaderEpoch(epoch), isr: isr, zkVersion: zkVersion),
        controllerEpoch: controllerEpoch)
}

private let t0 = TopicPartition("t", 0)
private let t1 = TopicPartition("t", 1)
private let u0 = TopicPartition("u", 0)

@Suite struct OfflinePartitionPlannerTests {
    @Test func deadLeaderIsReplacedByTheNextLiveInSyncReplica() {
        let plan = OfflinePartitionPlanner.planElections(
            states: [t0: state(leader: 1, isr: [1, 2, 3])], assignments: [t0: [1, 2, 3]], liveBrokers: [2, 3],
            controllerEpoch: 5, uncleanLeaderElectionEnabled: [:])
        #expect(plan.updates[t0] == LeaderAndIsr(leader: 2, leaderEpoch: 5, isr: [2, 3], zkVersion: 9),
                "epoch + 1, dead leader out of the ISR, the read zkVersion kept for the conditional write")
        #expect(plan.recipients[t0] == [2, 3])
        #expect(plan.uncleanlyElected.isEmpty && plan.leaderless.isEmpty)
    }

    @Test func assignmentOrderDecidesAmongLiveInSyncReplicas() {
        let election = OfflinePartitionPlanner.electLeader(
            assignment: [3, 1, 2], current: LeaderAndIsr(leader: 3, leaderEpoch: 0, isr: [1, 2, 3], zkVersion: 0),
            liveBrokers: [1, 2], uncleanLeaderElectionEnabled: false)
        #expect(election.leaderAndIsr?.leader == 1)
        #expect(election.leaderAndIsr?.isr == [1, 2])
        #expect(election.liveReplicas == [1, 2])
    }

    @Test func deadFollowerLeavesTheIsrUnderTheSameLeader() {
        let plan = OfflinePartitionPlanner.planIsrShrink(
            offlineReplicas: [t0: [3], t1: [3]],
            states: [t0: state(leader: 1, isr: [1, 2, 3]), t1: state(leader: 1, isr: [1, 2])], controllerEpoch: 5)
        #expect(plan.updates[t0] == LeaderAndIsr(leader: 1, leaderEpoch: 5, isr: [1, 2], zkVersion: 9))
        #expect(plan.unchanged == [t1], "an ISR without the dead replica is not written")
    }

    @Test func allInSyncReplicasDeadAndUncleanDisabledStaysOffline() {
        // Broker 1, the only ISR member, dies: nobody may lead.
        let plan = OfflinePartitionPlanner.planElections(
            states: [t0: state(leader: 1, isr: [1])], assignments: [t0: [1, 2, 3]], liveBrokers: [2, 3],
            controllerEpoch: 5, uncleanLeaderElectionEnabled: [:])
        #expect(plan.updates.isEmpty)
        #expect(plan.leaderless == [t0])
        // Then the OfflineReplica transition writes the znode: no leader, the last ISR member kept
        // (so that it can lead cleanly when it comes back), leader epoch + 1.
        let shrink = OfflinePartitionPlanner.planIsrShrink(
            offlineReplicas: [t0: [1]], states: [t0: state(leader: 1, isr: [1])], controllerEpoch: 5)
        #expect(shrink.updates[t0] == LeaderAndIsr(leader: LeaderAndIsr.noLeader, leaderEpoch: 5, isr: [1], zkVersion: 9))
    }

    @Test func severalDeadInSyncReplicasKeepOneOfThemInOneWrite() {
        // Removed one at a time in id order, the last one stays; a single write bumps the epoch once.
        #expect(OfflinePartitionPlanner.removeReplicas([1, 2], from: LeaderAndIsr(leader: 1, leaderEpoch: 7, isr: [2, 1, 3], zkVersion: 1))
            == LeaderAndIsr(leader: LeaderAndIsr.noLeader, leaderEpoch: 8, isr: [3], zkVersion: 1))
        #expect(OfflinePartitionPlanner.removeReplicas([1, 2], from: LeaderAndIsr(leader: 2, leaderEpoch: 7, isr: [1, 2], zkVersion: 1))
            == LeaderAndIsr(leader: LeaderAndIsr.noLeader, leaderEpoch: 8, isr: [2], zkVersion: 1))
        #expect(OfflinePartitionPlanner.removeReplicas([4], from: LeaderAndIsr(leader: 2, leaderEpoch: 7, isr: [1, 2], zkVersion: 1)) == nil)
    }

    @Test func uncleanElectionTakesTheFirstLiveReplicaAndIsFlagged() {
        let plan = OfflinePartitionPlanner.planElections(
            states: [t0: state(leader: 1, isr: [1]), u0: state(leader: 1, isr: [1])],
            assignments: [t0: [1, 3, 2], u0: [1, 3, 2]], liveBrokers: [2, 3],
            controllerEpoch: 5, uncleanLeaderElectionEnabled: ["t": true, "u": false])
        #expect(plan.updates[t0] == LeaderAndIsr(leader: 3, leaderEpoch: 5, isr: [3], zkVersion: 9))
        #expect(plan.uncleanlyElected == [t0])
        #expect(plan.recipients[t0] == [3, 2])
        #expect(plan.leaderless == [u0])
    }

    @Test func uncleanSettingIsAskedOnlyWhereNoInSyncReplicaLives() {
        let states = [t0: state(leader: 1, isr: [1, 2]), u0: state(leader: 1, isr: [1])]
        #expect(OfflinePartitionPlanner.topicsNeedingUncleanDecision(states, liveBrokers: [2, 3]) == ["u"])
    }

    @Test func topicOverrideWinsOverTheBrokerDefault() {
        let key = "unclean.leader.election.enable"
        #expect(OfflinePartitionPlanner.uncleanLeaderElectionEnableKey == key)
        #expect(OfflinePartitionPlanner.isUncleanLeaderElectionEnabled(topicConfig: [key: "true"], brokerDefault: false))
        #expect(!OfflinePartitionPlanner.isUncleanLeaderElectionEnabled(topicConfig: [key: "false"], brokerDefault: true))
        #expect(OfflinePartitionPlanner.isUncleanLeaderElectionEnabled(topicConfig: [key: "TRUE"], brokerDefault: false))
        #expect(OfflinePartitionPlanner.isUncleanLeaderElectionEnabled(topicConfig: ["retention.ms": "1"], brokerDefault: true))
        #expect(!OfflinePartitionPlanner.isUncleanLeaderElectionEnabled(topicConfig: [:], brokerDefault: false))
        #expect(!OfflinePartitionPlanner.isUncleanLeaderElectionEnabled(topicConfig: [key: "maybe"], brokerDefault: false),
                "an invalid override falls back to the broker's setting")
    }

    @Test func returningReplicaBringsItsOfflinePartitionBack() {
        var context = ControllerContext()
        for id: BrokerId in [2, 3] { context.liveBrokers[id] = BrokerInfo(id: id, endpoints: [], timestamp: 0) }
        context.partitionAssignments = [t0: [1, 2, 3], t1: [2, 3, 1]]
        context.partitionLeadership = [t0: state(leader: LeaderAndIsr.noLeader, epoch: 5, isr: [1]), t1: state(leader: 2, isr: [2, 3])]
        context.partitionStates = [t0: .offlinePartition, t1: .onlinePartition]
        #expect(context.partitionsToTriggerOnline().offline == [t0])
        let stillDown = OfflinePartitionPlanner.planElections(
            states: [t0: context.partitionLeadership[t0]!], assignments: context.partitionAssignments,
            liveBrokers: context.liveBrokerIds, controllerEpoch: 5, uncleanLeaderElectionEnabled: [:])
        #expect(stillDown.leaderless == [t0])

        context.liveBrokers[1] = BrokerInfo(id: 1, endpoints: [], timestamp: 0)
        let plan = OfflinePartitionPlanner.planElections(
            states: [t0: context.partitionLeadership[t0]!], assignments: context.partitionAssignments,
            liveBrokers: context.liveBrokerIds, controllerEpoch: 5, uncleanLeaderElectionEnabled: [:])
        #expect(plan.updates[t0] == LeaderAndIsr(leader: 1, leaderEpoch: 6, isr: [1], zkVersion: 9), "a clean election")
        #expect(plan.uncleanlyElected.isEmpty)
    }

    @Test func failoverWritesADeadLeadersPartitionTwice() {
        // A new controller finds broker 1, the leader, dead: the replica state machine first takes
        // it out of the ISR (leaderless, epoch + 1), then the partition state machine elects (+ 2).
        let read = state(leader: 1, epoch: 4, isr: [1, 2, 3], zkVersion: 9)
        let shrunk = OfflinePartitionPlanner.planIsrShrink(offlineReplicas: [t0: [1]], states: [t0: read], controllerEpoch: 6)
        let leaderless = LeaderAndIsr(leader: LeaderAndIsr.noLeader, leaderEpoch: 5, isr: [2, 3], zkVersion: 9)
        #expect(shrunk.updates[t0] == leaderless)
        var written = LeaderIsrAndControllerEpoch(leaderAndIsr: leaderless, controllerEpoch: 6)
        written.leaderAndIsr.zkVersion = 10
        let elected = OfflinePartitionPlanner.planElections(
            states: [t0: written], assignments: [t0: [1, 2, 3]], liveBrokers: [2, 3], controllerEpoch: 6,
            uncleanLeaderElectionEnabled: [:])
        #expect(elected.updates[t0] == LeaderAndIsr(leader: 2, leaderEpoch: 6, isr: [2, 3], zkVersion: 10))
    }

    @Test func statesOfANewerControllerAreLeftAlone() {
        let newer = state(leader: 1, isr: [1, 2], controllerEpoch: 7)
        let plan = OfflinePartitionPlanner.planElections(
            states: [t0: newer], assignments: [t0: [1, 2]], liveBrokers: [2], controllerEpoch: 5, uncleanLeaderElectionEnabled: [:])
        #expect(plan.updates.isEmpty && plan.writtenByNewerController == [t0])
        let shrink = OfflinePartitionPlanner.planIsrShrink(offlineReplicas: [t0: [1]], states: [t0: newer], controllerEpoch: 5)
        #expect(shrink.updates.isEmpty && shrink.writtenByNewerController == [t0])
    }

    @Test func partitionsOfTopicsBeingDeletedAreSkipped() {
        var context = ControllerContext()
        context.liveBrokers[2] = BrokerInfo(id: 2, endpoints: [], timestamp: 0)
        context.partitionAssignments = [t0: [1, 2], u0: [1, 2], t1: [2, 1]]
        context.partitionLeadership = [t0: state(leader: 1, isr: [1, 2]), u0: state(leader: 1, isr: [1, 2]), t1: state(leader: 2, isr: [2, 1])]
        context.partitionStates = [t0: .offlinePartition, u0: .offlinePartition, t1: .newPartition]
        context.topicsToBeDeleted = ["u": [1, 2]]
        #expect(context.partitionsWithoutLiveLeader() == [t0])
        #expect(context.partitionsToTriggerOnline().offline == [t0])
        #expect(context.partitionsToTriggerOnline().new == [t1])
        #expect(context.replicas(onBrokers: [1]) == [PartitionReplica(t0, 1), PartitionReplica(t1, 1), PartitionReplica(u0, 1)])
    }

    @Test func requestBatchSendsEachPartitionOnce() {
        var batch = ControllerBrokerRequestBatch()
        #expect(batch.isEmpty)
        batch.addLeaderAndIsr(t0, to: [1, 2])
        batch.addLeaderAndIsr(t0, to: [2])
        batch.addLeaderAndIsr(t1, to: [2])
        #expect(batch.leaderAndIsr == [1: [t0], 2: [t0, t1]])
        #expect(batch.updateMetadataPartitions == [t0, t1])
        #expect(!batch.isUpdateMetadataRequested)
        batch.addUpdateMetadata([])
        #expect(batch.isUpdateMetadataRequested)
    }

    @Test func removedPartitionTakesItsReplicaStatesAlong() {
        var context = ControllerContext()
        context.partitionAssignments = [t0: [1, 2]]
        context.replicaStates = [PartitionReplica(t0, 1): .onlineReplica, PartitionReplica(t0, 2): .offlineReplica]
        context.partitionStates = [t0: .onlinePartition]
        context.removePartition(t0)
        #expect(context == ControllerContext())
    }
}
