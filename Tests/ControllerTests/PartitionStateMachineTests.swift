import Controller
import KafkaCommon
import KafkaZk
import Testing

private let t0 = TopicPartition("t", 0)
private let t1 = TopicPartition("t", 1)

/// Kafka 2.3's legal partition transitions, written out rather than derived from
/// `validPreviousStates`, so that a change to the table fails here.
private let legalPartitionTransitions: Set<[PartitionState]> = [
    [.nonExistentPartition, .newPartition],
    [.newPartition, .onlinePartition], [.newPartition, .offlinePartition],
    [.onlinePartition, .onlinePartition], [.onlinePartition, .offlinePartition],
    [.offlinePartition, .onlinePartition], [.offlinePartition, .offlinePartition],
    [.offlinePartition, .nonExistentPartition],
]

@Suite struct PartitionStateMachineTests {
    let machine = PartitionStateMachine()

    /// A context with t-0 in `state` (absent when NonExistentPartition), led by 1 when it has
    /// been started.
    private func context(with state: PartitionState) -> ControllerContext {
        var context = stateMachineContext(assignments: [t0: [1, 2, 3]])
        if state != .nonExistentPartition { context.partitionStates[t0] = state }
        if state == .onlinePartition || state == .offlinePartition {
            context.partitionLeadership[t0] = partitionState(leader: 1, isr: [1, 2, 3])
        }
        return context
    }

    @Test(arguments: PartitionState.allCases, PartitionState.allCases)
    func everyTransitionIsLegalExactlyAsInKafka(from: PartitionState, to: PartitionState) {
        #expect(from.canTransition(to: to) == legalPartitionTransitions.contains([from, to]))
    }

    @Test(arguments: PartitionState.allCases, PartitionState.allCases)
    func illegalTransitionIsRefusedLoggedAndLeavesThePartition(from: PartitionState, to: PartitionState) {
        guard !legalPartitionTransitions.contains([from, to]) else { return }
        var context = context(with: from)
        let before = context
        let plan = machine.handleStateChanges([t0], to: to, context: &context)
        #expect(plan.illegalTransitions == [.partition(t0, from: from, to: to)])
        #expect(context == before, "the partition keeps its state")
        #expect(plan.requests.isEmpty && plan.statesToCreate.isEmpty && plan.partitionsToElect.isEmpty)
        #expect(plan.log.count == 1 && plan.log[0].level == .error)
        #expect(plan.log.first?.message.contains(
            "Failed to change state for partition t-0 from \(from.rawValue) to \(to.rawValue): Partition t-0 should be in one of") == true)
        #expect(plan.log.first?.message.hasSuffix("states before moving to \(to.rawValue) state. Instead it is in \(from.rawValue) state") == true)
    }

    @Test(arguments: PartitionState.allCases, PartitionState.allCases)
    func legalTransitionMovesOrPlansTheWork(from: PartitionState, to: PartitionState) {
        guard legalPartitionTransitions.contains([from, to]) else { return }
        var context = context(with: from)
        let plan = machine.handleStateChanges([t0], to: to, context: &context)
        #expect(plan.illegalTransitions.isEmpty)
        #expect(plan.requests.isEmpty, "requests come once the writes behind them are done")
        switch (from, to) {
        case (.newPartition, .onlinePartition):
            #expect(plan.statesToCreate == [t0: partitionState(leader: 1, isr: [1, 2, 3])])
            #expect(context.partitionStates[t0] == .newPartition, "online once its znode is created")
        case (_, .onlinePartition):
            #expect(plan.partitionsToElect == [t0])
            #expect(context.partitionStates[t0] == from, "online once the elected state is written")
        default:
            #expect(context.partitionStates[t0] == to)
            #expect(plan.statesToCreate.isEmpty && plan.partitionsToElect.isEmpty)
            #expect(plan.log.map(\.message).first?.hasPrefix("Changed partition t-0 state from \(from.rawValue) to \(to.rawValue)") == true)
        }
    }

    // MARK: - New topic

    @Test func newTopicGoesOnlineWithItsStateZNodesAndIsNewLeaderAndIsr() {
        var context = stateMachineContext(live: [1, 2, 3], assignments: [t0: [1, 2, 3], t1: [2, 3, 1]])
        let assigned = machine.handleStateChanges([t0, t1], to: .newPartition, context: &context)
        #expect(context.partitionStates[t0] == .newPartition && context.partitionStates[t1] == .newPartition)
        #expect(assigned.log.map(\.message) == [
            "Changed partition t-0 state from NonExistentPartition to NewPartition with assigned replicas 1,2,3",
            "Changed partition t-1 state from NonExistentPartition to NewPartition with assigned replicas 2,3,1",
        ])

        let online = machine.handleStateChanges([t0, t1], to: .onlinePartition, context: &context)
        #expect(online.statesToCreate == [t0: partitionState(leader: 1, isr: [1, 2, 3]), t1: partitionState(leader: 2, isr: [2, 3, 1])],
                "the first live replica leads, every live replica is in the ISR, leader epoch 0, this controller's epoch")

        let started = machine.onStatesCreated(
            [t0: .created(online.statesToCreate[t0]!), t1: .created(online.statesToCreate[t1]!)], context: &context)
        #expect(context.partitionStates[t0] == .onlinePartition && context.partitionStates[t1] == .onlinePartition)
        #expect(context.partitionLeadership[t1] == partitionState(leader: 2, isr: [2, 3, 1]))
        #expect(started.requests.leaderAndIsr == [1: [t0, t1], 2: [t0, t1], 3: [t0, t1]])
        #expect(started.requests.newPartitions == [t0, t1], "LeaderAndIsr says isNew")
        #expect(started.requests.updateMetadataPartitions == [t0, t1])
        #expect(started.log.map(\.message).first ==
            "Changed partition t-0 state from NewPartition to OnlinePartition with state (Leader:1,ISR:1,2,3,LeaderEpoch:0,ZkVersion:0)")
    }

    @Test func newPartitionWithADeadReplicaStartsWithoutIt() {
        var context = stateMachineContext(live: [2, 3], assignments: [t0: [1, 2, 3]])
        _ = machine.handleStateChanges([t0], to: .newPartition, context: &context)
        let online = machine.handleStateChanges([t0], to: .onlinePartition, context: &context)
        #expect(online.statesToCreate[t0]?.leaderAndIsr == LeaderAndIsr(leader: 2, isr: [2, 3]))
        let started = machine.onStatesCreated([t0: .created(online.statesToCreate[t0]!)], context: &context)
        #expect(started.requests.leaderAndIsr == [2: [t0], 3: [t0]], "only live replicas are sent requests")
    }

    @Test func newPartitionWithoutLiveReplicaStaysNew() {
        var context = stateMachineContext(live: [4], assignments: [t0: [1, 2]])
        _ = machine.handleStateChanges([t0], to: .newPartition, context: &context)
        let online = machine.handleStateChanges([t0], to: .onlinePartition, context: &context)
        #expect(online.statesToCreate.isEmpty)
        #expect(context.partitionStates[t0] == .newPartition)
        #expect(online.log.map(\.level) == [.error])
        #expect(online.log.first?.message.contains("none of its replicas [1,2] is alive") == true)
    }

    @Test func stateZNodeOfOurOwnEarlierAttemptCountsAsCreatedAndAnotherControllersDoesNot() {
        var context = stateMachineContext(assignments: [t0: [1, 2], t1: [2, 1]])
        context.partitionStates = [t0: .newPartition, t1: .newPartition]
        let plan = machine.onStatesCreated([
            t0: .alreadyExists(partitionState(leader: 1, isr: [1, 2], controllerEpoch: 5)),
            t1: .alreadyExists(partitionState(leader: 2, isr: [2, 1], controllerEpoch: 4)),
        ], context: &context)
        #expect(context.partitionStates[t0] == .onlinePartition)
        #expect(context.partitionStates[t1] == .newPartition)
        #expect(context.partitionLeadership[t1] == nil)
        #expect(plan.requests.leaderAndIsr == [1: [t0], 2: [t0]])
        #expect(plan.log.filter { $0.level == .error }.count == 1)
    }

    @Test func failedCreationLeavesThePartitionNew() {
        var context = stateMachineContext(assignments: [t0: [1]])
        context.partitionStates[t0] = .newPartition
        let plan = machine.onStatesCreated([t0: .failed("connection loss")], context: &context)
        #expect(context.partitionStates[t0] == .newPartition && plan.requests.isEmpty)
        #expect(plan.log == [StateChangeEntry(.error, "Error while creating the state znode of t-0: connection loss; it stays NewPartition")])
    }

    @Test func createdStateOfAPartitionNoLongerNewIsRefused() {
        var context = stateMachineContext(assignments: [t0: [1]])
        context.partitionStates[t0] = .offlinePartition
        let plan = machine.onStatesCreated([t0: .created(partitionState(leader: 1, isr: [1]))], context: &context)
        #expect(plan.illegalTransitions == [.partition(t0, from: .offlinePartition, to: .onlinePartition)])
        #expect(context.partitionStates[t0] == .offlinePartition && plan.requests.isEmpty)
    }

    // MARK: - Broker failure: OfflinePartition → OnlinePartition

    @Test func deadLeadersPartitionGoesOfflineThenOnlineUnderTheNextInSyncReplica() {
        var context = stateMachineContext(live: [2, 3], assignments: [t0: [1, 2, 3], t1: [2, 3, 1]])
        context.partitionStates = [t0: .onlinePartition, t1: .onlinePartition]
        context.partitionLeadership = [t0: partitionState(leader: 1, isr: [1, 2, 3], zkVersion: 3),
                                       t1: partitionState(leader: 2, isr: [2, 3, 1], zkVersion: 3)]
        let offline = machine.handleStateChanges(context.partitionsWithoutLiveLeader(), to: .offlinePartition, context: &context)
        #expect(offline.log.map(\.message) == ["Changed partition t-0 state from OnlinePartition to OfflinePartition"])
        #expect(context.partitionStates == [t0: .offlinePartition, t1: .onlinePartition])

        let online = machine.handleStateChanges([t0], to: .onlinePartition, context: &context)
        #expect(online.partitionsToElect == [t0])
        let read = [t0: partitionState(leader: 1, leaderEpoch: 2, isr: [1, 2, 3], zkVersion: 4)]
        let (plan, election) = machine.electLeaders([t0], states: read, uncleanLeaderElectionEnabled: [:], context: context)
        #expect(plan.leaderAndIsrUpdates == [t0: LeaderAndIsr(leader: 2, leaderEpoch: 3, isr: [2, 3], zkVersion: 4)],
                "the state as read: leader epoch + 1, the read zkVersion expected by the conditional write")
        #expect(context.partitionStates[t0] == .offlinePartition, "nothing moves before the write")

        let written = [t0: LeaderIsrAndControllerEpoch(
            leaderAndIsr: LeaderAndIsr(leader: 2, leaderEpoch: 3, isr: [2, 3], zkVersion: 5), controllerEpoch: 5)]
        let done = machine.onLeadersElected(written, election: election, states: read, context: &context)
        #expect(context.partitionStates[t0] == .onlinePartition)
        #expect(context.partitionLeadership[t0] == written[t0])
        #expect(done.requests.leaderAndIsr == [2: [t0], 3: [t0]])
        #expect(done.requests.newPartitions.isEmpty)
        #expect(done.log.map(\.message) == [
            "Changed partition t-0 state from OfflinePartition to OnlinePartition with state (Leader:2,ISR:2,3,LeaderEpoch:3,ZkVersion:5)",
        ])
    }

    @Test func partitionWithoutLiveInSyncReplicaStaysOfflineUnlessUncleanElectionIsEnabled() {
        var context = stateMachineContext(live: [2, 3], assignments: [t0: [1, 2, 3]])
        context.partitionStates = [t0: .offlinePartition]
        let read = [t0: partitionState(leader: 1, leaderEpoch: 2, isr: [1], zkVersion: 4)]
        #expect(machine.topicsNeedingUncleanDecision(read, context: context) == ["t"])

        let (clean, _) = machine.electLeaders([t0], states: read, uncleanLeaderElectionEnabled: [:], context: context)
        #expect(clean.leaderAndIsrUpdates.isEmpty)
        #expect(clean.log.map(\.level) == [.error])
        #expect(clean.log.first?.message.contains("Failed to elect a leader for partition t-0 (state change from OfflinePartition to OnlinePartition)") == true)

        let (unclean, election) = machine.electLeaders([t0], states: read, uncleanLeaderElectionEnabled: ["t": true], context: context)
        #expect(unclean.leaderAndIsrUpdates[t0] == LeaderAndIsr(leader: 2, leaderEpoch: 3, isr: [2], zkVersion: 4))
        let written = [t0: LeaderIsrAndControllerEpoch(
            leaderAndIsr: LeaderAndIsr(leader: 2, leaderEpoch: 3, isr: [2], zkVersion: 5), controllerEpoch: 5)]
        let done = machine.onLeadersElected(written, election: election, states: read, context: &context)
        #expect(done.log.first?.level == .warning)
        #expect(done.log.first?.message.contains("Unclean leader election for partition t-0") == true)
        #expect(done.log.first?.message.contains("data loss") == true)
        #expect(context.partitionStates[t0] == .onlinePartition)
    }

    @Test func partitionsWithoutStateZNodeOrWrittenByANewerControllerAreNotElected() {
        var context = stateMachineContext(live: [2, 3], assignments: [t0: [1, 2, 3], t1: [1, 2, 3]])
        context.partitionStates = [t0: .offlinePartition, t1: .offlinePartition]
        let read = [t1: partitionState(leader: 1, isr: [1, 2, 3], controllerEpoch: 6)]
        let (plan, _) = machine.electLeaders([t0, t1], states: read, uncleanLeaderElectionEnabled: [:], context: context)
        #expect(plan.leaderAndIsrUpdates.isEmpty)
        #expect(plan.log.count == 2 && plan.log.allSatisfy { $0.level == .error })
        #expect(plan.log[0].message.hasSuffix("its state znode does not exist"))
        #expect(plan.log[1].message.contains("written by a newer controller (epoch 6)"))
    }

    @Test func deletedTopicsPartitionsGoOfflineThenNonExistent() {
        var context = stateMachineContext(assignments: [t0: [1]])
        context.partitionStates[t0] = .onlinePartition
        _ = machine.handleStateChanges([t0], to: .offlinePartition, context: &context)
        let plan = machine.handleStateChanges([t0], to: .nonExistentPartition, context: &context)
        #expect(plan.illegalTransitions.isEmpty)
        #expect(context.partitionStates[t0] == .nonExistentPartition)
    }

    @Test func oneIllegalTransitionDoesNotStopTheBatch() {
        var context = stateMachineContext(assignments: [t0: [1], t1: [1]])
        context.partitionStates = [t0: .onlinePartition]
        let plan = machine.handleStateChanges([t0, t1], to: .newPartition, context: &context)
        #expect(plan.illegalTransitions == [.partition(t0, from: .onlinePartition, to: .newPartition)])
        #expect(context.partitionStates == [t0: .onlinePartition, t1: .newPartition])
    }
}
