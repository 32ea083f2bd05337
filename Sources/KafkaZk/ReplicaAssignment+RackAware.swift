import KafkaCommon

/// Kafka 2.3's `AdminUtils.assignReplicasToBrokers` with brokers that may carry racks.
///
/// Without racks (no broker sets one) this is the rack-unaware placement of
/// `ReplicaAssignment.assign(partitions:replicationFactor:brokers:)`. When every broker sets a
/// rack, the brokers are first arranged in a *rack-alternated list*: racks in name order, each
/// rack's brokers in id order, taking one broker from each rack in turn until all are taken.
/// Kafka's example: racks {0: rack1, 1: rack3, 2: rack3, 3: rack2, 4: rack2, 5: rack1} give
/// rack1 [0, 5], rack2 [3, 4], rack3 [1, 2], so the list is 0, 3, 1, 5, 4, 2.
///
/// The first replica of partition `p` is then `list[(p + start) mod n]` (round-robin, as without
/// racks). Each further replica walks the list from the first one with the same shifted step as
/// the rack-unaware placement (the shift multiplied by the number of racks), taking the next
/// candidate only if (a) its rack has no replica yet, or every rack already has one, and (b) it
/// holds no replica yet, or every broker already holds one. So replicas land on distinct racks
/// while racks remain, then on distinct brokers. `start` and the initial shift are random unless
/// `fixedStartIndex` is given; with 6 partitions, RF 3 and start 0 the example gives
/// 0→[0,3,1], 1→[3,1,5], 2→[1,5,4], 3→[5,4,2], 4→[4,2,0], 5→[2,0,3], and partition 6 (the shift
/// grown by one) [0,4,2].
///
/// A mix of brokers with and without racks is refused (`.incompleteRackInformation`), as Kafka
/// refuses it.
extension ReplicaAssignment {
    public static func assign(
        partitions: Int32, replicationFactor: Int16, brokerMetadatas: [BrokerMetadata],
        fixedStartIndex: Int? = nil, startPartitionId: Int32 = 0
    ) throws(AssignmentError) -> [Int32: [BrokerId]] {
        guard partitions > 0 else { throw .invalidPartitions(partitions) }
        guard replicationFactor > 0, Int(replicationFactor) <= brokerMetadatas.count else {
            throw .invalidReplicationFactor(replicationFactor, availableBrokers: brokerMetadatas.count)
        }
        let racks = brokerMetadatas.compactMap { broker in broker.rack.map { (broker.id, $0) } }
        if racks.isEmpty {
            return try assign(partitions: partitions, replicationFactor: replicationFactor,
                              brokers: brokerMetadatas.map(\.id), fixedStartIndex: fixedStartIndex,
                              startPartitionId: startPartitionId)
        }
        guard racks.count == brokerMetadatas.count else {
            throw .incompleteRackInformation("Not all brokers have rack information for replica rack aware assignment")
        }
        return assignRackAware(
            partitions: Int(partitions), replicationFactor: Int(replicationFactor),
            rackOf: Dictionary(racks, uniquingKeysWith: { first, _ in first }),
            fixedStartIndex: fixedStartIndex, startPartitionId: Int(max(0, startPartitionId)))
    }

    /// The rack-alternated broker list: one broker from each rack in turn (racks in name order,
    /// brokers of a rack in id order) until every broker is listed.
    public static func rackAlternatedBrokerList(_ rackOf: [BrokerId: String]) -> [BrokerId] {
        var byRack: [String: [BrokerId]] = [:]
        for (broker, rack) in rackOf { byRack[rack, default: []].append(broker) }
        let racks = byRack.keys.sorted()
        let queues = racks.map { byRack[$0, default: []].sorted() }
        var result: [BrokerId] = []
        var round = 0
        while result.count < rackOf.count {
            for queue in queues where round < queue.count { result.append(queue[round]) }
            round += 1
        }
        return result
    }

    private static func assignRackAware(
        partitions: Int, replicationFactor: Int, rackOf: [BrokerId: String], fixedStartIndex: Int?, startPartitionId: Int
    ) -> [Int32: [BrokerId]] {
        let arranged = rackAlternatedBrokerList(rackOf)
        let brokerCount = arranged.count
        let rackCount = Set(rackOf.values).count
        let startIndex = fixedStartIndex ?? Int.random(in: 0..<brokerCount)
        var shift = fixedStartIndex ?? Int.random(in: 0..<brokerCount)
        var assignment: [Int32: [BrokerId]] = [:]
        var partition = startPartitionId
        for _ in 0..<partitions {
            if partition > 0 && partition % brokerCount == 0 { shift += 1 }
            let first = (partition + startIndex) % brokerCount
            let leader = arranged[first]
            var replicas = [leader]
            var racksWithReplicas: Set<String> = [rackOf[leader] ?? ""]
            var brokersWithReplicas: Set<BrokerId> = [leader]
            var k = 0
            for _ in 0..<(replicationFactor - 1) {
                while true {
                    let distance = 1 + (shift * rackCount + k) % (brokerCount - 1)
                    let broker = arranged[(first + distance) % brokerCount]
                    let rack = rackOf[broker] ?? ""
                    k += 1
                    let rackFree = !racksWithReplicas.contains(rack) || racksWithReplicas.count == rackCount
                    let brokerFree = !brokersWithReplicas.contains(broker) || brokersWithReplicas.count == brokerCount
                    if rackFree && brokerFree {
                        replicas.append(broker)
                        racksWithReplicas.insert(rack)
                        brokersWithReplicas.insert(broker)
                        break
                    }
                }
            }
            assignment[Int32(partition)] = replicas
            partition += 1
        }
        return assignment
    }
}
