import Synchronization
import Controller
import KafkaCommon
import KafkaProtocol
import KafkaZk
import Testing

@Suite struct PreferredReplicaElectionTests {
    let t0 = TopicPartition("t", 0)
    let t1 = TopicPartition("t", 1)
    let t2 = TopicPartition("t", 2)
    let gone = TopicPartition("gone", 0)

    @Test func thePreferredReplicaLeadsOnlyIfAliveAndInSync() {
        let current = LeaderAndIsr(leader: 2, leaderEpoch: 4, isr: [2, 3, 1], zkVersion: 7)
        let elected = PreferredReplicaPartitionLeaderElection.electLeader(assignment: [1, 2, 3], current: current, liveBrokers: [1, 2, 3])
        // The ISR is kept; the leader epoch goes up by one; the version read is the one expected.
        #expect(elected == LeaderAndIsr(leader: 1, leaderEpoch: 5, isr: [2, 3, 1], zkVersion: 7))
        #expect(PreferredReplicaPartitionLeaderElection.electLeader(
            assignment: [1, 2, 3], current: LeaderAndIsr(leader: 2, leaderEpoch: 4, isr: [2, 3], zkVersion: 7),
            liveBrokers: [1, 2, 3]) == nil, "out of the ISR")
        #expect(PreferredReplicaPartitionLeaderElection.electLeader(assignment: [1, 2, 3], current: current, liveBrokers: [2, 3]) == nil,
                "dead")
        #expect(PreferredReplicaPartitionLeaderElection.electLeader(assignment: [], current: current, liveBrokers: [1, 2, 3]) == nil)
    }

    @Test func requestsSortIntoUnknownBeingDeletedAlreadyPreferredAndElectable() {
        var context = stateMachineContext(assignments: [t0: [1, 2, 3], t1: [2, 3, 1], t2: [3, 1, 2], TopicPartition("del", 0): [1, 2, 3]])
        context.partitionLeadership[t0] = partitionState(leader: 2, isr: [1, 2, 3])
        context.partitionLeadership[t1] = partitionState(leader: 2, isr: [1, 2, 3])
        // t2 has no known leadership: electable.
        context.topicsToBeDeleted["del"] = [1, 2, 3]
        let selection = PreferredReplicaPartitionLeaderElection.select(
            [t0, t1, t2, gone, TopicPartition("del", 0), TopicPartition("t", 9)], context: context)
        #expect(selection.electable == [t0, t2])
        #expect(selection.alreadyPreferred == [t1])
        #expect(selection.beingDeleted == [TopicPartition("del", 0)])
        #expect(selection.unknown == [gone, TopicPartition("t", 9)])
    }

    @Test func planElectsFromTheStatesReadAndFailsTheRest() {
        var context = stateMachineContext(live: [1, 2, 3], assignments: [t0: [1, 2, 3], t1: [2, 3, 1], t2: [3, 1, 2]])
        context.shuttingDownBrokerIds = [3]
        let states = [
            t0: partitionState(leader: 2, leaderEpoch: 3, isr: [2, 1], zkVersion: 9),
            t1: partitionState(leader: 3, isr: [3], zkVersion: 1),       // preferred 2 out of the ISR
            t2: partitionState(leader: 1, isr: [1, 3], zkVersion: 2),    // preferred 3 shutting down
        ]
        var plan = PreferredReplicaPartitionLeaderElection.planElections([t0, t1, t2, gone], states: states, context: context)
        #expect(plan.updates == [t0: LeaderAndIsr(leader: 1, leaderEpoch: 4, isr: [2, 1], zkVersion: 9)])
        #expect(plan.recipients == [t0: [1, 2]], "live replicas not shutting down, in assignment order")
        #expect(Set(plan.failed.keys) == [t1, t2, gone])
        #expect(plan.failed[t1] == "Failed to elect leader for partition t-1 under strategy PreferredReplicaPartitionLeaderElectionStrategy")

        // A state written by a newer controller is left alone.
        plan = PreferredReplicaPartitionLeaderElection.planElections(
            [t0], states: [t0: partitionState(leader: 2, isr: [2, 1], controllerEpoch: 6)], context: context)
        #expect(plan.updates.isEmpty && plan.failed[t0] != nil)
    }

    @Test func resultsAnswerEveryRequestedPartition() {
        var selection = PreferredReplicaPartitionLeaderElection.Selection()
        selection.electable = [t0, t1]
        selection.alreadyPreferred = [t2]
        selection.beingDeleted = [TopicPartition("del", 0)]
        selection.unknown = [gone]
        let failed = [t1: "Failed to elect leader for partition t-1 under strategy PreferredReplicaPartitionLeaderElectionStrategy"]
        let results = PreferredReplicaPartitionLeaderElection.results(selection, failed: failed)
        #expect(results.count == 5, "every requested partition is answered")
        #expect(results[t0] == .success)
        #expect(results[t1] == .init(.preferredLeaderNotAvailable, failed[t1]))
        #expect(results[t2] == .success)
        #expect(results[TopicPartition("del", 0)] == .init(.invalidTopicException, "The topic is being deleted"))
        #expect(results[gone] == .init(.unknownTopicOrPartition, "The partition does not exist."))
        let context = stateMachineContext(assignments: [t0: [3, 1, 2], t1: [2, 3, 1]])
        #expect(PreferredReplicaPartitionLeaderElection.expectedLeaders(selection, failed: failed, context: context) == [t0: 3])
    }

    @Test func anUnprocessedRequestIsAnsweredNotController() async {
        let answered = await withCheckedContinuation { continuation in
            var callback: PreferredReplicaElectionCallback? = PreferredReplicaElectionCallback(partitions: [t0]) { _, results in
                continuation.resume(returning: results)
            }
            #expect(callback != nil)
            callback = nil  // dropped unprocessed, as a cleared event queue drops it
        }
        #expect(answered == [t0: .init(.notController)])

        // Answered once only.
        let count = Counter()
        let callback = PreferredReplicaElectionCallback(partitions: [t0]) { _, _ in count.increment() }
        callback.complete(expectedLeaders: [:], results: [:])
        callback.completeNotController()
        #expect(count.value == 1)
    }
}

@Suite struct LeaderImbalanceTests {
    /// Six partitions: broker 1 prefers p0–p2, broker 2 p3–p4, broker 3 p5.
    func context(leaders: [Int32: BrokerId], isr: [BrokerId] = [1, 2, 3]) -> ControllerContext {
        var assignments: [TopicPartition: [BrokerId]] = [:]
        for p in Int32(0)...2 { assignments[TopicPartition("t", p)] = [1, 2, 3] }
        for p in Int32(3)...4 { assignments[TopicPartition("t", p)] = [2, 3, 1] }
        assignments[TopicPartition("t", 5)] = [3, 1, 2]
        var context = stateMachineContext(assignments: assignments)
        for (p, leader) in leaders { context.partitionLeadership[TopicPartition("t", p)] = partitionState(leader: leader, isr: isr) }
        return context
    }

    @Test func ratioIsTheShareOfPreferredPartitionsLedElsewhere() {
        let imbalances = LeaderImbalance.imbalances(context(leaders: [0: 2, 1: 1, 2: 3, 3: 2, 4: 2, 5: 3]))
        #expect(imbalances.map(\.broker) == [1, 2, 3])
        #expect(imbalances[0].preferredCount == 3)
        #expect(imbalances[0].notLedByPreferred == [TopicPartition("t", 0), TopicPartition("t", 2)])
        #expect(abs(imbalances[0].ratio - 2.0 / 3.0) < 1e-9)
        #expect(imbalances[1].ratio == 0 && imbalances[2].ratio == 0)
    }

    @Test func brokersAboveThePercentageGetTheirPartitionsBack() {
        // Broker 1 leads one of its three (2/3 > 10 %); broker 2 one of two (1/2).
        let unbalanced = context(leaders: [0: 2, 1: 1, 2: 3, 3: 3, 4: 2, 5: 3])
        #expect(LeaderImbalance.partitionsToRebalance(unbalanced, imbalancePercentage: 10)
            == [TopicPartition("t", 0), TopicPartition("t", 2), TopicPartition("t", 3)])
        // Not while a reassignment is in progress.
        var reassigning = unbalanced
        reassigning.partitionsBeingReassigned[TopicPartition("t", 5)] = [3, 1, 2]
        #expect(LeaderImbalance.partitionsToRebalance(reassigning, imbalancePercentage: 10).isEmpty)
        // 50 % is not above 50 %: only broker 1 (66 %).
        #expect(LeaderImbalance.partitionsToRebalance(unbalanced, imbalancePercentage: 50)
            == [TopicPartition("t", 0), TopicPartition("t", 2)])
        #expect(LeaderImbalance.partitionsToRebalance(unbalanced, imbalancePercentage: 100).isEmpty)
    }

    @Test func onlyPreferredReplicasThatCanLeadAreElected() {
        var ctx = context(leaders: [0: 2, 1: 2, 2: 2, 3: 2, 4: 2, 5: 2], isr: [2, 3])
        // Broker 1 is out of every ISR: nothing for it; broker 3's p5 is in sync.
        #expect(LeaderImbalance.partitionsToRebalance(ctx, imbalancePercentage: 10) == [TopicPartition("t", 5)])
        ctx.shuttingDownBrokerIds = [3]
        #expect(LeaderImbalance.partitionsToRebalance(ctx, imbalancePercentage: 10).isEmpty)
        ctx.shuttingDownBrokerIds = []
        ctx.liveBrokers[3] = nil
        #expect(LeaderImbalance.partitionsToRebalance(ctx, imbalancePercentage: 10).isEmpty)
        // Topics being deleted count for nothing.
        ctx = context(leaders: [0: 2, 1: 2, 2: 2, 3: 2, 4: 2, 5: 1])
        ctx.topicsToBeDeleted["t"] = [1, 2, 3]
        #expect(LeaderImbalance.imbalances(ctx).isEmpty)
    }
}

private final class Counter: Sendable {
    private let storage = Synchronization.Mutex(0)
    func increment() { storage.withLock { $0 += 1 } }
    var value: Int { storage.withLock { $0 } }
}
