import Controller
import KafkaCommon
import Testing

@Suite struct PartitionLeaderElectionTests {
    @Test func offlinePartitionPrefersAssignmentOrderAmongLiveIsr() {
        let assignment: [BrokerId] = [1, 2, 3]
        #expect(PartitionLeaderElection.offlinePartition(
            assignment: assignment, isr: [2, 3], liveReplicas: [1, 2, 3], uncleanLeaderElectionEnabled: false)! == (2, false))
        #expect(PartitionLeaderElection.offlinePartition(
            assignment: assignment, isr: [3, 2], liveReplicas: [1, 3], uncleanLeaderElectionEnabled: false)! == (3, false))
        // No live ISR member: offline, unless unclean election is enabled.
        #expect(PartitionLeaderElection.offlinePartition(
            assignment: assignment, isr: [3], liveReplicas: [1, 2], uncleanLeaderElectionEnabled: false) == nil)
        #expect(PartitionLeaderElection.offlinePartition(
            assignment: assignment, isr: [3], liveReplicas: [2, 1], uncleanLeaderElectionEnabled: true)! == (1, true))
        #expect(PartitionLeaderElection.offlinePartition(
            assignment: assignment, isr: [3], liveReplicas: [], uncleanLeaderElectionEnabled: true) == nil)
    }

    @Test func otherElections() {
        #expect(PartitionLeaderElection.preferredReplica(assignment: [1, 2], isr: [1, 2], liveReplicas: [1, 2]) == 1)
        #expect(PartitionLeaderElection.preferredReplica(assignment: [1, 2], isr: [2], liveReplicas: [1, 2]) == nil)
        #expect(PartitionLeaderElection.preferredReplica(assignment: [1, 2], isr: [1, 2], liveReplicas: [2]) == nil)
        #expect(PartitionLeaderElection.reassignPartition(reassignment: [4, 5], isr: [5, 4], liveReplicas: [5]) == 5)
        #expect(PartitionLeaderElection.controlledShutdown(
            assignment: [1, 2, 3], isr: [1, 2, 3], liveReplicas: [1, 2, 3], shuttingDownBrokers: [1]) == 2)
        #expect(PartitionLeaderElection.controlledShutdown(
            assignment: [1, 2], isr: [1], liveReplicas: [1, 2], shuttingDownBrokers: [1]) == nil)
    }

    @Test func stateMachinesAllowOnlyKafkasTransitions() {
        #expect(PartitionState.nonExistentPartition.canTransition(to: .newPartition))
        #expect(!PartitionState.nonExistentPartition.canTransition(to: .onlinePartition))
        #expect(PartitionState.offlinePartition.canTransition(to: .onlinePartition))
        #expect(PartitionState.onlinePartition.canTransition(to: .onlinePartition), "re-election")
        #expect(!PartitionState.onlinePartition.canTransition(to: .nonExistentPartition), "delete only when offline")
        #expect(ReplicaState.offlineReplica.canTransition(to: .replicaDeletionStarted))
        #expect(!ReplicaState.onlineReplica.canTransition(to: .replicaDeletionStarted))
        #expect(ReplicaState.replicaDeletionIneligible.canTransition(to: .offlineReplica))
        #expect(ReplicaState.offlineReplica.canTransition(to: .replicaDeletionIneligible), "Kafka 2.3")
        #expect(!ReplicaState.nonExistentReplica.canTransition(to: .onlineReplica))
        for state in ReplicaState.allCases where state != .nonExistentReplica && state != .replicaDeletionSuccessful {
            #expect(!state.canTransition(to: .nonExistentReplica) || state == .replicaDeletionSuccessful)
        }
    }
}
