import Controller
import KafkaCommon
import KafkaZk
import Testing

private let t0 = TopicPartition("t", 0)
private let t1 = TopicPartition("t", 1)

/// Kafka 2.3's legal replica transitions, written out rather than derived from
/// `validPreviousStates`, so that a change to the table fails here.
private let legalReplicaTransitions: Set<[ReplicaState]> = [
    [.nonExistentReplica, .newReplica],
    [.newReplica, .onlineReplica], [.onlineReplica, .onlineReplica], [.offlineReplica, .onlineReplica],
    [.replicaDeletionIneligible, .onlineReplica],
    [.newReplica, .offlineReplica], [.onlineReplica, .offlineReplica], [.offlineReplica, .offlineReplica],
    [.replicaDeletionIneligible, .offlineReplica],
    [.offlineReplica, .replicaDeletionStarted],
    [.replicaDeletionStarted, .replicaDeletionSuccessful],
    [.offlineReplica, .replicaDeletionIneligible], [.replicaDeletionStarted, .replicaDeletionIneligible],
    [.replicaDeletionSuccessful, .nonExistentReplica],
]

@Suite struct ReplicaStateMachineTests {
    let machine = ReplicaStateMachine()
    /// A follower of t-0, which broker 1 leads.
    let follower = PartitionReplica(t0, 2)

    private func context(with state: ReplicaState, leadership: Bool = true) -> ControllerContext {
        var context = stateMachineContext(assignments: [t0: [1, 2, 3]])
        context.partitionStates[t0] = .onlinePartition
        if leadership { context.partitionLeadership[t0] = partitionState(leader: 1, isr: [1, 2, 3]) }
        if state != .nonExistentReplica { context.replicaStates[follower] = state }
        return context
    }

    @Test(arguments: ReplicaState.allCases, ReplicaState.allCases)
    func everyTransitionIsLegalExactlyAsInKafka(from: ReplicaState, to: ReplicaState) {
        #expect(from.canTransition(to: to) == legalReplicaTransitions.contains([from, to]))
    }

    @Test(arguments: ReplicaState.allCases, ReplicaState.allCases)
    func illegalTransitionIsRefusedLoggedAndLeavesTheReplica(from: ReplicaState, to: ReplicaState) {
        guard !legalReplicaTransitions.contains([from, to]) else { return }
        var context = context(with: from)
        let before = context
        let plan = machine.handleStateChanges([follower], to: to, context: &context)
        #expect(plan.illegalTransitions == [.replica(follower, from: from, to: to)])
        #expect(context == before, "the replica keeps its state")
        #expect(plan.requests.isEmpty && plan.isrRemovals.isEmpty && plan.leaderAndIsrUpdates.isEmpty)
        #expect(plan.log.count == 1 && plan.log[0].level == .error)
        #expect(plan.log.first?.message.hasPrefix(
            "Initiated state change of replica 2 for partition t-0 from \(from.rawValue) to \(to.rawValue) failed: Replica [Topic=t,Partition=0,Replica=2] should be in the ") == true)
        #expect(plan.log.first?.message.hasSuffix("states before moving to \(to.rawValue) state. Instead it is in \(from.rawValue) state") == true)
    }

    @Test(arguments: ReplicaState.allCases, ReplicaState.allCases)
    func legalTransitionMovesAndPlansItsRequests(from: ReplicaState, to: ReplicaState) {
        guard legalReplicaTransitions.contains([from, to]) else { return }
        var context = context(with: from)
        let plan = machine.handleStateChanges([follower], to: to, context: &context)
        #expect(plan.illegalTransitions.isEmpty)
        let moved = "Changed state of replica 2 for partition t-0 from \(from.rawValue) to \(to.rawValue)"
        switch to {
        case .offlineReplica:
            #expect(plan.isrRemovals == [t0: [2]], "it must leave the ISR first")
            #expect(context.replicaStates[follower] == (from == .nonExistentReplica ? nil : from), "it moves once out of the ISR")
            #expect(plan.requests.isEmpty && plan.log.isEmpty)
        case .newReplica:
            #expect(context.replicaStates[follower] == .newReplica)
            #expect(plan.requests.leaderAndIsr == [2: [t0]], "a started partition's new follower learns its leader")
            #expect(plan.log.map(\.message) == [moved])
        case .onlineReplica:
            #expect(context.replicaStates[follower] == .onlineReplica)
            #expect(plan.requests.leaderAndIsr == (from == .newReplica ? [:] : [2: [t0]]),
                    "a new replica got its LeaderAndIsr with its partition's")
            #expect(plan.log.map(\.message) == [moved])
        case .replicaDeletionStarted:
            #expect(context.replicaStates[follower] == .replicaDeletionStarted)
            #expect(plan.requests.stopReplica == [2: [t0: true]], "StopReplica with deletion")
            #expect(plan.requests.leaderAndIsr.isEmpty)
        case .nonExistentReplica:
            #expect(context.replicaStates[follower] == nil, "forgotten")
            #expect(plan.requests.isEmpty && plan.log.map(\.message) == [moved])
        case .replicaDeletionSuccessful, .replicaDeletionIneligible:
            #expect(context.replicaStates[follower] == to)
            #expect(plan.requests.isEmpty && plan.log.map(\.message) == [moved])
        }
    }

    @Test func replicaNamedLeaderCannotBecomeNew() {
        var context = context(with: .nonExistentReplica)
        let leader = PartitionReplica(t0, 1)
        let plan = machine.handleStateChanges([leader], to: .newReplica, context: &context)
        #expect(context.replicaStates[leader] == nil && plan.requests.isEmpty)
        #expect(plan.log.map(\.level) == [.error])
        #expect(plan.log.first?.message.contains("cannot be moved to NewReplica state as it is being requested to become leader") == true)
    }

    @Test func initialStatesAreOnlineOnLiveBrokersAndIneligibleElsewhere() {
        var context = stateMachineContext(live: [1, 2], assignments: [t0: [1, 2, 3]])
        machine.initializeReplicaStates(context: &context)
        #expect(context.replicaStates == [PartitionReplica(t0, 1): .onlineReplica, PartitionReplica(t0, 2): .onlineReplica,
                                          PartitionReplica(t0, 3): .replicaDeletionIneligible])
    }

    // MARK: - A replica going offline leaves the ISR

    @Test func deadFollowerLeavesTheIsrAndTheOtherLiveReplicasLearnIt() {
        var context = stateMachineContext(live: [1, 2], assignments: [t0: [1, 2, 3], t1: [2, 3, 1]])
        context.partitionLeadership = [t0: partitionState(leader: 1, isr: [1, 2, 3], zkVersion: 1),
                                       t1: partitionState(leader: 2, isr: [2, 1], zkVersion: 1)]
        machine.initializeReplicaStates(context: &context)
        let dead = [PartitionReplica(t0, 3), PartitionReplica(t1, 3)]
        context.replicaStates[dead[0]] = .onlineReplica
        context.replicaStates[dead[1]] = .onlineReplica

        let plan = machine.handleStateChanges(dead, to: .offlineReplica, context: &context)
        #expect(plan.isrRemovals == [t0: [3], t1: [3]])

        // Read from ZooKeeper: the leader of t-0 changed its ISR meanwhile (epoch 2, version 6).
        let read = [t0: partitionState(leader: 1, leaderEpoch: 2, isr: [1, 2, 3], zkVersion: 6),
                    t1: partitionState(leader: 2, leaderEpoch: 1, isr: [2, 1], zkVersion: 2)]
        let shrink = machine.removeFromIsr(plan.isrRemovals, states: read, context: &context)
        #expect(shrink.leaderAndIsrUpdates == [t0: LeaderAndIsr(leader: 1, leaderEpoch: 3, isr: [1, 2], zkVersion: 6)],
                "from the state read, conditional on its version; t-1's ISR does not hold 3")
        #expect(context.replicaStates[dead[1]] == .offlineReplica, "nothing to write: offline at once")
        #expect(context.partitionLeadership[t1] == read[t1])
        #expect(context.replicaStates[dead[0]] == .onlineReplica, "offline once the shrink is written")

        let written = [t0: partitionState(leader: 1, leaderEpoch: 3, isr: [1, 2], zkVersion: 7)]
        let done = machine.onIsrShrinkWritten(written, isrRemovals: plan.isrRemovals, context: &context)
        #expect(context.replicaStates[dead[0]] == .offlineReplica)
        #expect(context.partitionLeadership[t0] == written[t0])
        #expect(done.requests.leaderAndIsr == [1: [t0], 2: [t0]], "the partition's other live replicas")
        #expect(done.log.map(\.message) == [
            "Removed offline replicas [3] from the ISR of partition t-0: new state (Leader:1,ISR:1,2,LeaderEpoch:3,ZkVersion:7)",
            "Changed state of replica 3 for partition t-0 from OnlineReplica to OfflineReplica",
        ])
    }

    @Test func deadLeaderLeavesThePartitionLeaderlessAndTheLastInSyncReplicaIsKept() {
        var context = stateMachineContext(live: [2], assignments: [t0: [1, 2]])
        context.partitionLeadership = [t0: partitionState(leader: 1, isr: [1])]
        machine.initializeReplicaStates(context: &context)
        let replica = PartitionReplica(t0, 1)
        let plan = machine.handleStateChanges([replica], to: .offlineReplica, context: &context)
        let shrink = machine.removeFromIsr(plan.isrRemovals, states: [t0: partitionState(leader: 1, isr: [1], zkVersion: 3)], context: &context)
        #expect(shrink.leaderAndIsrUpdates[t0] == LeaderAndIsr(leader: LeaderAndIsr.noLeader, leaderEpoch: 1, isr: [1], zkVersion: 3))
    }

    @Test func replicaOfAPartitionNeverStartedGoesOfflineAtOnce() {
        var context = stateMachineContext(live: [2], assignments: [t0: [1, 2]])
        let replica = PartitionReplica(t0, 1)
        context.replicaStates[replica] = .newReplica
        let plan = machine.handleStateChanges([replica], to: .offlineReplica, context: &context)
        #expect(plan.isrRemovals.isEmpty)
        #expect(context.replicaStates[replica] == .offlineReplica)
    }

    @Test func shrinkOfAStateWrittenByANewerControllerOrMissingIsNotPlanned() {
        var context = stateMachineContext(live: [1], assignments: [t0: [1, 2], t1: [1, 2]])
        context.replicaStates = [PartitionReplica(t0, 2): .onlineReplica, PartitionReplica(t1, 2): .onlineReplica]
        let removals: [TopicPartition: Set<BrokerId>] = [t0: [2], t1: [2]]
        let plan = machine.removeFromIsr(removals, states: [t1: partitionState(leader: 1, isr: [1, 2], controllerEpoch: 7)], context: &context)
        #expect(plan.leaderAndIsrUpdates.isEmpty)
        #expect(plan.log.map(\.level) == [.error, .error])
        #expect(plan.log[0].message == "Failed to change state of replica 2 for partition t-0 from OnlineReplica to OfflineReplica: its state znode does not exist")
        #expect(plan.log[1].message.contains("written by a newer controller (epoch 7)"))
        #expect(context.replicaStates[PartitionReplica(t0, 2)] == .onlineReplica && context.replicaStates[PartitionReplica(t1, 2)] == .onlineReplica)
    }

    @Test func deletionRunsStartedThenSuccessfulThenNonExistent() {
        var context = context(with: .offlineReplica)
        var plan = machine.handleStateChanges([follower], to: .replicaDeletionStarted, context: &context)
        #expect(plan.requests.stopReplica == [2: [t0: true]])
        plan = machine.handleStateChanges([follower], to: .replicaDeletionSuccessful, context: &context)
        plan = machine.handleStateChanges([follower], to: .nonExistentReplica, context: &context)
        #expect(plan.illegalTransitions.isEmpty && context.replicaStates[follower] == nil)
    }
}
