import Controller
import KafkaCommon
import KafkaProtocol
import KafkaZk
import Synchronization
import Testing

/// The controller's controlled-shutdown decisions as values: who may ask, which partitions move,
/// the ControlledShutdownLeaderSelector, and how shutting-down brokers drop out of the other
/// elections.
@Suite struct ControlledShutdownPlannerTests {
    let t0 = TopicPartition("t", 0)
    let t1 = TopicPartition("t", 1)
    let t2 = TopicPartition("t", 2)
    let t3 = TopicPartition("t", 3)
    let gone = TopicPartition("gone", 0)

    /// Broker 1 leads t-0 (RF 3) and t-2 (RF 1), follows t-1, has a replica of t-3 (never
    /// started) and of `gone` (being deleted).
    func context() -> ControllerContext {
        var context = stateMachineContext(assignments: [
            t0: [1, 2, 3], t1: [2, 1, 3], t2: [1], t3: [1, 2], gone: [1, 2],
        ])
        context.partitionLeadership = [
            t0: partitionState(leader: 1, leaderEpoch: 4, isr: [1, 2, 3], zkVersion: 7),
            t1: partitionState(leader: 2, isr: [2, 1, 3]),
            t2: partitionState(leader: 1, isr: [1]),
            gone: partitionState(leader: 1, isr: [1, 2]),
        ]
        for tp in context.partitionLeadership.keys { context.partitionStates[tp] = .onlinePartition }
        context.liveBrokerEpochs = [1: 100, 2: 200, 3: 300]
        context.topicsToBeDeleted = ["gone": [1, 2]]
        return context
    }

    @Test func refusesWhenNotActiveStaleOrUnknown() {
        let context = context()
        #expect(ControlledShutdownPlanner.refusal(broker: 1, brokerEpoch: 100, isActive: false, context: context) == .notController)
        #expect(ControlledShutdownPlanner.refusal(broker: 1, brokerEpoch: 99, isActive: true, context: context) == .staleBrokerEpoch)
        #expect(ControlledShutdownPlanner.refusal(broker: 1, brokerEpoch: 100, isActive: true, context: context) == nil)
        #expect(ControlledShutdownPlanner.refusal(broker: 1, brokerEpoch: 101, isActive: true, context: context) == nil,
                "a newer epoch than the controller knows is not stale")
        #expect(ControlledShutdownPlanner.refusal(broker: 1, brokerEpoch: -1, isActive: true, context: context) == nil,
                "v0 and v1 carry no epoch: not checked")
        #expect(ControlledShutdownPlanner.refusal(broker: 9, brokerEpoch: -1, isActive: true, context: context) == .brokerNotAvailable)
    }

    @Test func actsOnReplicatedPartitionsWithLeadershipNotBeingDeleted() {
        let actions = ControlledShutdownPlanner.partitionsToActOn(broker: 1, context: context())
        #expect(actions == ControlledShutdownPlanner.Actions(led: [t0], followed: [t1]))
        #expect(ControlledShutdownPlanner.partitionsToActOn(broker: 3, context: context())
            == ControlledShutdownPlanner.Actions(led: [], followed: [t0, t1]))
    }

    @Test func selectorPicksFirstLiveInSyncReplicaNotShuttingDown() {
        let current = LeaderAndIsr(leader: 1, leaderEpoch: 4, isr: [1, 3, 2], zkVersion: 7)
        let election = ControlledShutdownPlanner.electLeader(
            assignment: [1, 2, 3], current: current, liveOrShuttingDownBrokers: [1, 2, 3], shuttingDownBrokers: [1])
        // Assignment order, not ISR order; the ISR loses the shutting-down broker; epoch + 1 at
        // the version read; the old leader is told too.
        #expect(election.leaderAndIsr == LeaderAndIsr(leader: 2, leaderEpoch: 5, isr: [3, 2], zkVersion: 7))
        #expect(election.liveReplicas == [1, 2, 3])
        #expect(!election.isUnclean)

        let twoShuttingDown = ControlledShutdownPlanner.electLeader(
            assignment: [1, 2, 3], current: current, liveOrShuttingDownBrokers: [1, 2, 3], shuttingDownBrokers: [1, 2])
        #expect(twoShuttingDown.leaderAndIsr == LeaderAndIsr(leader: 3, leaderEpoch: 5, isr: [3], zkVersion: 7))

        let notInIsr = ControlledShutdownPlanner.electLeader(
            assignment: [1, 2, 3], current: LeaderAndIsr(leader: 1, leaderEpoch: 4, isr: [1, 3], zkVersion: 7),
            liveOrShuttingDownBrokers: [1, 2], shuttingDownBrokers: [1])
        #expect(notInIsr.leaderAndIsr == nil, "2 is out of sync and 3 is not registered: nobody may lead")
        #expect(notInIsr.liveReplicas == [1, 2])
    }

    @Test func plansElectionsFromTheStatesRead() {
        var context = context()
        context.shuttingDownBrokerIds = [1]
        context.partitionAssignments[t3] = [1, 2]
        let states = [
            t0: partitionState(leader: 1, leaderEpoch: 6, isr: [1, 3], zkVersion: 9),
            t2: partitionState(leader: 1, isr: [1]),
            t3: partitionState(leader: 1, isr: [1, 2], controllerEpoch: 6),
        ]
        let plan = ControlledShutdownPlanner.planElections(states: states, context: context)
        #expect(plan.updates == [t0: LeaderAndIsr(leader: 3, leaderEpoch: 7, isr: [3], zkVersion: 9)])
        #expect(plan.recipients == [t0: [1, 2, 3]])
        #expect(plan.leaderless == [t2])
        #expect(plan.writtenByNewerController == [t3])
        #expect(plan.uncleanlyElected.isEmpty)
    }

    @Test func remainingPartitionsAreTheReplicatedOnesStillLed() {
        var context = context()
        #expect(ControlledShutdownPlanner.remainingPartitions(broker: 1, context: context) == [t0])
        context.partitionLeadership[t0] = partitionState(leader: 2, leaderEpoch: 5, isr: [2, 3])
        #expect(ControlledShutdownPlanner.remainingPartitions(broker: 1, context: context) == [],
                "t-2 has a single replica and `gone` is being deleted: neither can move, neither remains")
    }

    @Test func shuttingDownBrokersAreRegisteredButNotLive() {
        var context = context()
        context.shuttingDownBrokerIds = [1]
        #expect(context.liveBrokerIds == [2, 3])
        #expect(context.liveOrShuttingDownBrokerIds == [1, 2, 3])
        #expect(!context.isReplicaOnline(1))
        #expect(context.isReplicaOnline(1, includeShuttingDown: true))
        #expect(context.isReplicaOnline(2))
        // A shutting-down broker that is still registered has not come or gone.
        #expect(context.brokerChanges(current: [1, 2, 3]).added.isEmpty)
        #expect(context.brokerChanges(current: [1, 2, 3]).removed.isEmpty)
        #expect(context.brokerChanges(current: [2, 3]).removed == [1])
        // As in Kafka, a partition it still leads counts as leaderless when brokers fail.
        #expect(context.partitionsWithoutLiveLeader() == [t0, t2])
    }

    @Test func offlineElectionsSkipShuttingDownBrokers() {
        var context = context()
        context.shuttingDownBrokerIds = [2]
        context.liveBrokers[1] = nil
        let states = [t0: partitionState(leader: 1, leaderEpoch: 4, isr: [1, 2, 3], zkVersion: 7)]
        let (_, election) = PartitionStateMachine().electLeaders(
            [t0], states: states, uncleanLeaderElectionEnabled: [:], context: context)
        #expect(election.updates[t0] == LeaderAndIsr(leader: 3, leaderEpoch: 5, isr: [3], zkVersion: 7),
                "3 leads although 2 comes first; as in Kafka the new ISR keeps only brokers counted as live")
        #expect(election.recipients[t0] == [3])
    }

    @Test func newPartitionsAreNotLedByShuttingDownBrokers() {
        var context = stateMachineContext(assignments: [t0: [1, 2]])
        context.shuttingDownBrokerIds = [1]
        context.partitionStates[t0] = .newPartition
        let plan = PartitionStateMachine().handleStateChanges([t0], to: .onlinePartition, context: &context)
        #expect(plan.statesToCreate[t0]?.leaderAndIsr == LeaderAndIsr(leader: 2, isr: [2]))
    }
}

@Suite struct ControlledShutdownCallbackTests {
    @Test func answersOnceAndNotControllerWhenDroppedUnanswered() {
        let answers = AnswerLog()
        var callback: ControlledShutdownCallback? = ControlledShutdownCallback { answers.append($0) }
        callback?.complete(.init(errorCode: .none, remainingPartitions: [TopicPartition("t", 0)]))
        callback?.complete(.init(errorCode: .unknownServerError))
        #expect(callback?.isCompleted == true)
        callback = nil
        #expect(answers.all == [.init(errorCode: .none, remainingPartitions: [TopicPartition("t", 0)])])

        var dropped: ControlledShutdownCallback? = ControlledShutdownCallback { answers.append($0) }
        #expect(dropped?.isCompleted == false)
        dropped = nil
        #expect(answers.all.last == .init(errorCode: .notController), "a dropped event still answers")
        #expect(answers.all.count == 2)
    }
}

/// Answers collected from callbacks (which may run on any thread).
final class AnswerLog: Sendable {
    private let answers = Mutex<[ControlledShutdownCallback.Outcome]>([])
    func append(_ outcome: ControlledShutdownCallback.Outcome) { answers.withLock { $0.append(outcome) } }
    var all: [ControlledShutdownCallback.Outcome] { answers.withLock { $0 } }
}
