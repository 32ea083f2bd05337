import KafkaCommon
import KafkaZk
import Testing

/// Kafka 2.3's rack-aware `assignReplicasToBrokers`, on the example its own documentation gives.
@Suite struct RackAwareAssignmentTests {
    typealias BrokerMetadata = ReplicaAssignment.BrokerMetadata

    /// Kafka's documented racks: {0: rack1, 1: rack3, 2: rack3, 3: rack2, 4: rack2, 5: rack1}.
    let racks: [BrokerId: String] = [0: "rack1", 1: "rack3", 2: "rack3", 3: "rack2", 4: "rack2", 5: "rack1"]
    var brokers: [BrokerMetadata] { racks.keys.sorted().map { BrokerMetadata(id: $0, rack: racks[$0]) } }

    @Test func theRackAlternatedListTakesOneBrokerPerRackInTurn() {
        #expect(ReplicaAssignment.rackAlternatedBrokerList(racks) == [0, 3, 1, 5, 4, 2])
        // Uneven racks: the short rack runs out and the others go on alternating.
        #expect(ReplicaAssignment.rackAlternatedBrokerList([1: "a", 2: "a", 3: "a", 4: "b"]) == [1, 4, 2, 3])
    }

    @Test func kafkasDocumentedPlacement() throws {
        let assignment = try ReplicaAssignment.assign(partitions: 7, replicationFactor: 3, brokerMetadatas: brokers,
                                                      fixedStartIndex: 0)
        #expect(assignment == [
            0: [0, 3, 1], 1: [3, 1, 5], 2: [1, 5, 4], 3: [5, 4, 2], 4: [4, 2, 0], 5: [2, 0, 3],
            // After the first round the followers shift: not a repeat of partition 0.
            6: [0, 4, 2],
        ])
    }

    @Test func everyPartitionSpansDistinctRacksWhateverTheStart() throws {
        for start in 0..<6 {
            let assignment = try ReplicaAssignment.assign(partitions: 24, replicationFactor: 3, brokerMetadatas: brokers,
                                                          fixedStartIndex: start, startPartitionId: 5)
            #expect(assignment.keys.sorted() == Array(5..<29))
            for replicas in assignment.values {
                #expect(Set(replicas.map { racks[$0] }).count == 3)
            }
        }
        // More replicas than racks: every rack first, then distinct brokers.
        let wide = try ReplicaAssignment.assign(partitions: 6, replicationFactor: 5, brokerMetadatas: brokers, fixedStartIndex: 2)
        for replicas in wide.values {
            #expect(Set(replicas).count == 5 && Set(replicas.map { racks[$0] }).count == 3)
        }
    }

    @Test func withoutRacksItIsTheRackUnawarePlacement() throws {
        let plain: [BrokerId] = [1, 2, 3, 4]
        #expect(try ReplicaAssignment.assign(partitions: 9, replicationFactor: 2, brokerMetadatas: plain.map { BrokerMetadata(id: $0) },
                                             fixedStartIndex: 1)
            == (try ReplicaAssignment.assign(partitions: 9, replicationFactor: 2, brokers: plain, fixedStartIndex: 1)))
    }

    @Test func aMixOfBrokersWithAndWithoutRacksIsRefused() {
        let mixed = [BrokerMetadata(id: 1, rack: "a"), BrokerMetadata(id: 2), BrokerMetadata(id: 3, rack: "b")]
        #expect(throws: ReplicaAssignment.AssignmentError.incompleteRackInformation(
            "Not all brokers have rack information for replica rack aware assignment")) {
            try ReplicaAssignment.assign(partitions: 1, replicationFactor: 1, brokerMetadatas: mixed)
        }
        #expect(throws: ReplicaAssignment.AssignmentError.invalidReplicationFactor(4, availableBrokers: 3)) {
            try ReplicaAssignment.assign(partitions: 1, replicationFactor: 4, brokerMetadatas: mixed)
        }
    }

    @Test func theRackAwareModesOfTheRegisteredBrokers() throws {
        let info = { (id: BrokerId, rack: String?) in BrokerInfo(id: id, endpoints: [], rack: rack, timestamp: 0) }
        let mixed = [info(2, nil), info(1, "a")]
        #expect(throws: ReplicaAssignment.AssignmentError.self) { try BrokerMetadata.from(mixed, mode: .enforced) }
        #expect(try BrokerMetadata.from(mixed, mode: .safe) == [BrokerMetadata(id: 1), BrokerMetadata(id: 2)])
        let racked = [info(2, "b"), info(1, "a")]
        #expect(try BrokerMetadata.from(racked, mode: .safe) == [BrokerMetadata(id: 1, rack: "a"), BrokerMetadata(id: 2, rack: "b")])
        #expect(try BrokerMetadata.from(racked, mode: .disabled) == [BrokerMetadata(id: 1), BrokerMetadata(id: 2)])
    }
}

/// What `kafka reassign-partitions --generate` proposes.
@Suite struct ProposedReassignmentTests {
    func info(_ id: BrokerId, _ rack: String?) -> BrokerInfo { BrokerInfo(id: id, endpoints: [], rack: rack, timestamp: 0) }

    @Test func eachTopicIsPlacedAfreshOverTheListedBrokers() throws {
        let registered = [info(1, "a"), info(2, "a"), info(3, "b"), info(4, "b"), info(5, nil)]
        let current: [String: [Int32: [BrokerId]]] = ["orders": [0: [1, 2], 1: [2, 1], 2: [1, 2]], "logs": [0: [1, 2, 5]]]
        // Broker 5 (no rack) and broker 9 (not registered) are not in the racked set used.
        let proposed = try ReplicaAssignment.proposedReassignment(
            current: current, registeredBrokers: registered, brokerList: [1, 2, 3, 4, 9], fixedStartIndex: 0)
        #expect(Set(proposed.keys) == [TopicPartition("orders", 0), TopicPartition("orders", 1), TopicPartition("orders", 2),
                                       TopicPartition("logs", 0)])
        // Alternated list [1, 3, 2, 4]: start 0 gives orders 0→[1,3], 1→[3,2], 2→[2,4]; logs 0→[1,3,2].
        #expect(proposed[TopicPartition("orders", 0)] == [1, 3] && proposed[TopicPartition("orders", 1)] == [3, 2])
        #expect(proposed[TopicPartition("orders", 2)] == [2, 4] && proposed[TopicPartition("logs", 0)] == [1, 3, 2])
        // Only some of the listed brokers set a rack: refused unless racks are disabled.
        #expect(throws: ReplicaAssignment.AssignmentError.self) {
            try ReplicaAssignment.proposedReassignment(current: current, registeredBrokers: registered, brokerList: [1, 2, 5])
        }
        let unaware = try ReplicaAssignment.proposedReassignment(
            current: ["orders": current["orders"]!], registeredBrokers: registered, brokerList: [1, 2, 5],
            rackAwareMode: .disabled, fixedStartIndex: 0)
        #expect(unaware == [TopicPartition("orders", 0): [1, 2], TopicPartition("orders", 1): [2, 5], TopicPartition("orders", 2): [5, 1]])
    }
}
