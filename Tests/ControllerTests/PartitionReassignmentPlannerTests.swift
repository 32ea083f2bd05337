import Controller
import KafkaCommon
import KafkaZk
import Testing

@Suite struct PartitionReassignmentPlannerTests {
    let tp = TopicPartition("t", 0)

    @Test func unionIsTheTargetThenTheOriginalReplicasLeaving() {
        #expect(PartitionReassignmentPlanner.reassigningAssignment(current: [1, 2, 3], reassigned: [2, 3, 4]) == [2, 3, 4, 1])
        #expect(PartitionReassignmentPlanner.reassigningAssignment(current: [1, 2], reassigned: [3, 4]) == [3, 4, 1, 2])
        // Resumed at failover: the assignment is already the union, and stays it.
        #expect(PartitionReassignmentPlanner.reassigningAssignment(current: [2, 3, 4, 1], reassigned: [2, 3, 4]) == [2, 3, 4, 1])
    }

    @Test func startsWhileTargetReplicasAreOutOfTheIsr() {
        let state = LeaderAndIsr(leader: 1, leaderEpoch: 3, isr: [1, 2, 3], zkVersion: 7)
        let step = PartitionReassignmentPlanner.step(reassigned: [2, 3, 4], current: [1, 2, 3], state: state, liveBrokers: [1, 2, 3, 4])
        #expect(step == .start(assignment: [2, 3, 4, 1], newReplicas: [4], missing: [4]))
        // Resumed: the union is assigned, no replica is new any more.
        let resumed = PartitionReassignmentPlanner.step(reassigned: [2, 3, 4], current: [2, 3, 4, 1], state: state, liveBrokers: [2, 3, 4])
        #expect(resumed == .start(assignment: [2, 3, 4, 1], newReplicas: [], missing: [4]))
    }

    @Test func completesOnceEveryTargetReplicaIsInTheIsr() {
        let leaderLeaving = LeaderAndIsr(leader: 1, leaderEpoch: 4, isr: [1, 2, 3, 4], zkVersion: 9)
        #expect(PartitionReassignmentPlanner.step(reassigned: [2, 3, 4], current: [2, 3, 4, 1], state: leaderLeaving, liveBrokers: [1, 2, 3, 4])
            == .complete(oldReplicas: [1], leaderMove: .electLeaderNotInReassignment))
        let leaderStaying = LeaderAndIsr(leader: 2, leaderEpoch: 4, isr: [2, 3, 4, 1], zkVersion: 9)
        #expect(PartitionReassignmentPlanner.step(reassigned: [2, 3, 4], current: [2, 3, 4, 1], state: leaderStaying, liveBrokers: [1, 2, 3, 4])
            == .complete(oldReplicas: [1], leaderMove: .bumpLeaderEpoch))
        #expect(PartitionReassignmentPlanner.step(reassigned: [2, 3, 4], current: [2, 3, 4, 1], state: leaderStaying, liveBrokers: [1, 3, 4])
            == .complete(oldReplicas: [1], leaderMove: .electLeaderDead))
    }

    @Test func caughtUpSplitsTheTargetInItsOrder() {
        let (caughtUp, missing) = PartitionReassignmentPlanner.caughtUp(reassigned: [4, 2, 5], isr: [2, 1, 4])
        #expect(caughtUp == [4, 2])
        #expect(missing == [5])
    }

    @Test func leaderStatesBumpTheEpochAndKeepTheIsr() {
        let current = LeaderAndIsr(leader: 1, leaderEpoch: 4, isr: [1, 3, 4, 2], zkVersion: 9)
        let bumped = PartitionReassignmentPlanner.leaderAndIsr(for: .bumpLeaderEpoch, reassigned: [1, 2], current: current, liveBrokers: [1, 2])
        #expect(bumped == LeaderAndIsr(leader: 1, leaderEpoch: 5, isr: [1, 3, 4, 2], zkVersion: 9))
        // The reassignment selector: the first live member of RAR that is in the ISR.
        let elected = PartitionReassignmentPlanner.leaderAndIsr(
            for: .electLeaderNotInReassignment, reassigned: [2, 3, 4], current: current, liveBrokers: [1, 3, 4])
        #expect(elected == LeaderAndIsr(leader: 3, leaderEpoch: 5, isr: [1, 3, 4, 2], zkVersion: 9))
        #expect(PartitionReassignmentPlanner.leaderAndIsr(
            for: .electLeaderDead, reassigned: [5, 6], current: current, liveBrokers: [1, 5, 6]) == nil)
    }

    @Test func validationDropsWhatKafkaDrops() {
        var context = stateMachineContext(live: [1, 2, 3, 4], assignments: [tp: [1, 2, 3]])
        #expect(PartitionReassignmentPlanner.validate(tp, reassigned: [2, 3, 4], context: context, checkBrokers: true) == nil)
        #expect(PartitionReassignmentPlanner.validate(tp, reassigned: [1, 2, 3], context: context, checkBrokers: true) == .alreadyAssigned)
        #expect(PartitionReassignmentPlanner.validate(TopicPartition("t", 1), reassigned: [2], context: context, checkBrokers: true)
            == .partitionDoesNotExist)
        #expect(PartitionReassignmentPlanner.validate(TopicPartition("u", 0), reassigned: [2], context: context, checkBrokers: true)
            == .partitionDoesNotExist)
        #expect(PartitionReassignmentPlanner.validate(tp, reassigned: [], context: context, checkBrokers: true) == .noReplicas)
        #expect(PartitionReassignmentPlanner.validate(tp, reassigned: [2, 4, 2], context: context, checkBrokers: true)
            == .duplicateReplicas([2]))
        #expect(PartitionReassignmentPlanner.validate(tp, reassigned: [2, 7, 9], context: context, checkBrokers: true)
            == .nonExistentBrokers([7, 9]))
        // Resumed at failover: a target broker may be down (it was checked when taken up).
        #expect(PartitionReassignmentPlanner.validate(tp, reassigned: [2, 7], context: context, checkBrokers: false) == nil)
        context.topicsToBeDeleted["t"] = [1]
        #expect(PartitionReassignmentPlanner.validate(tp, reassigned: [2, 3, 4], context: context, checkBrokers: true) == .topicBeingDeleted)
        #expect(PartitionReassignmentPlanner.Rejection.alreadyAssigned.message(tp, [1, 2, 3])
            == "Partition t-0 to be reassigned is already assigned to replicas 1,2,3. Ignoring request for partition reassignment.")
        #expect(!PartitionReassignmentPlanner.Rejection.alreadyAssigned.isError)
    }

    @Test func theAdminZNodeShrinksAndGoesWhenEmpty() {
        let other = TopicPartition("t", 1)
        let pending: [TopicPartition: [BrokerId]] = [tp: [2, 3, 4], other: [4]]
        #expect(PartitionReassignmentPlanner.znodeUpdate(pending: pending, removing: [tp]) == .write([other: [4]]))
        #expect(PartitionReassignmentPlanner.znodeUpdate(pending: pending, removing: [tp, other]) == .delete)
        #expect(PartitionReassignmentPlanner.znodeUpdate(pending: pending, removing: []) == .unchanged)
        // Nothing valid was in it (all rejected, or undecodable): deleted.
        #expect(PartitionReassignmentPlanner.znodeUpdate(pending: [:], removing: []) == .delete)
    }

    @Test func reassignedTopicsAreIneligibleForDeletion() {
        var context = stateMachineContext(assignments: [tp: [1, 2, 3]])
        #expect(!context.isTopicBeingReassigned("t"))
        context.partitionsBeingReassigned[tp] = [2, 3, 4]
        #expect(context.isTopicBeingReassigned("t"))
        #expect(!context.isTopicBeingReassigned("u"))
    }
}
