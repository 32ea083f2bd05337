import KafkaCommon
import KafkaProtocol
import KafkaZk
import Testing

@testable import KafkaBroker

/// The planning of CreatePartitions without I/O: count checks, manual assignments, placement.
@Suite struct PartitionExpansionTests {
    let existing: [Int32: [BrokerId]] = [0: [2, 3], 1: [3, 1]]
    let live: [BrokerId] = [1, 2, 3]

    func plan(_ count: Int32, _ manual: [[BrokerId]]? = nil) throws(TopicCreationError) -> [Int32: [BrokerId]] {
        try PartitionExpansion.plan(topic: "t", existing: existing, newCount: count, manual: manual,
                                    liveBrokers: live.map { ReplicaAssignment.BrokerMetadata(id: $0) })
    }

    func error(_ count: Int32, _ manual: [[BrokerId]]? = nil) -> TopicCreationError? {
        do { _ = try plan(count, manual); return nil } catch { return error }
    }

    @Test func theCountMustGrow() {
        #expect(error(1)?.code == .invalidPartitions)
        #expect(error(1)?.message == "Topic currently has 2 partitions, which is higher than the requested 1.")
        #expect(error(2)?.message == "Topic already has 2 partitions.")
    }

    @Test func placementContinuesFromPartitionZerosLeader() throws {
        // Partition 0 is led by broker 2 (index 1): the added partitions continue the round-robin.
        let added = try plan(5)
        #expect(added == (try ReplicaAssignment.assign(partitions: 3, replicationFactor: 2, brokers: live,
                                                       fixedStartIndex: 1, startPartitionId: 2)))
        #expect(added.keys.sorted() == [2, 3, 4] && added.values.allSatisfy { $0.count == 2 && Set($0).count == 2 })
    }

    @Test func manualAssignmentsAreChecked() throws {
        #expect(try plan(4, [[1, 2], [3, 2]]) == [2: [1, 2], 3: [3, 2]])
        #expect(error(4, [[1, 2]])?.message == "Increasing the number of partitions by 2 but 1 assignments provided.")
        #expect(error(3, [[1, 1]])?.code == .invalidReplicaAssignment)
        #expect(error(3, [[1, 7]])?.code == .invalidReplicaAssignment)
        #expect(error(3, [[1]])?.code == .invalidReplicaAssignment)
        #expect(error(3, [[]])?.code == .invalidReplicaAssignment)
    }

    @Test func tooFewLiveBrokersForTheReplicationFactor() {
        #expect(throws: TopicCreationError.self) {
            try PartitionExpansion.plan(topic: "t", existing: existing, newCount: 3, manual: nil, liveBrokers: [ReplicaAssignment.BrokerMetadata(id: 1)])
        }
    }
}
