import KafkaCommon
import KafkaZk
import Testing
import ZooKeeper

/// The controller's batched reads (`KafkaZkClient+Batch`) give what one read at a time gives.
@Suite struct KafkaZkBatchReadTests {
    @Test func partitionStatesAssignmentsAndBrokersReadInBatches() async throws {
        try await withZkChroot { zk in
            let controller = try await zk.client()
            try await controller.createTopLevelPaths()
            let (epoch, epochVersion) = try await controller.registerControllerAndIncrementControllerEpoch(1)
            let count: Int32 = 250
            try await controller.createTopic("big", assignment: Dictionary(uniqueKeysWithValues: (0..<count).map { ($0, [BrokerId(1), BrokerId(2)]) }), config: [:])
            try await controller.createTopic("small", assignment: [0: [2, 1]], config: [:])
            let partitions = (0..<count).map { TopicPartition("big", $0) }
            let initial = LeaderIsrAndControllerEpoch(leaderAndIsr: LeaderAndIsr(leader: 1, isr: [1, 2]), controllerEpoch: epoch)
            // Every partition but the last gets a state znode; one of them is written twice.
            _ = try await controller.createPartitionStates(
                Dictionary(uniqueKeysWithValues: partitions.dropLast().map { ($0, initial) }), expectedControllerEpochZkVersion: epochVersion)
            var shrunk = initial
            shrunk.leaderAndIsr.isr = [1]
            #expect(try await controller.conditionalUpdatePartitionState(TopicPartition("big", 7), shrunk) == 1)

            let batched = try await controller.partitionStates(batch: partitions)
            #expect(batched.count == partitions.count - 1, "no state znode, no entry")
            #expect(batched[TopicPartition("big", count - 1)] == nil)
            #expect(batched[TopicPartition("big", 7)]?.leaderAndIsr.isr == [1])
            #expect(batched[TopicPartition("big", 7)]?.leaderAndIsr.zkVersion == 1)
            for tp in partitions.prefix(20) {
                #expect(batched[tp] == (try await controller.partitionState(tp)), "\(tp) as read alone")
            }

            let assignments = try await controller.topicAssignments(batch: ["small", "gone", "big"])
            #expect(Set(assignments.keys) == ["small", "big"])
            #expect(assignments["small"]?.assignment == [0: [2, 1]])
            #expect(assignments["big"]?.assignment.count == Int(count))

            let broker = try await zk.client()
            let czxid = try await broker.registerBroker(plaintextBroker(2, port: 39192), staleRegistrationWait: .seconds(1))
            let registrations = try await controller.brokerRegistrations(batch: [1, 2])
            #expect(registrations[1] == nil, "broker 1 is not registered")
            #expect(registrations[2]?.info == plaintextBroker(2, port: 39192))
            #expect(registrations[2]?.czxid == czxid)
        }
    }
}
