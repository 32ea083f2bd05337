import KafkaCommon

/// Where a new topic's replicas go, when the request does not say (Kafka's rack-unaware
/// `AdminUtils.assignReplicasToBrokers`; the rack-aware one is in `ReplicaAssignment+RackAware`).
///
/// Brokers are taken in increasing id order. Partition `p`'s first replica (its preferred leader)
/// is broker `(p + start) mod n`, so leaders are spread round-robin; the other replicas follow
/// it at a distance of `1 + (shift + j) mod (n - 1)` brokers, where `shift` grows by one after
/// every `n` partitions, so that followers of consecutive rounds land on different brokers.
/// `start` and the initial `shift` are random unless fixed (tests and CreatePartitions fix them).
///
/// Example, brokers [1,2,3], start 0, shift 0: p0 [1,2,3], p1 [2,3,1], p2 [3,1,2], p3 [1,3,2],
/// p4 [2,1,3], p5 [3,2,1], p6 [1,2,3], …
public enum ReplicaAssignment {
    public enum AssignmentError: Error, Equatable, CustomStringConvertible {
        case invalidPartitions(Int32)
        case invalidReplicationFactor(Int16, availableBrokers: Int)
        /// Some brokers set `broker.rack` and some do not (Kafka's `AdminOperationException`).
        case incompleteRackInformation(String)

        public var description: String {
            switch self {
            case .invalidPartitions(let count): "Number of partitions must be larger than 0 (got \(count))."
            case .invalidReplicationFactor(let factor, let brokers):
                "Replication factor: \(factor) larger than available brokers: \(brokers)."
            case .incompleteRackInformation(let message): message
            }
        }
    }

    public static func assign(
        partitions: Int32, replicationFactor: Int16, brokers: [BrokerId],
        fixedStartIndex: Int? = nil, startPartitionId: Int32 = 0
    ) throws(AssignmentError) -> [Int32: [BrokerId]] {
        guard partitions > 0 else { throw .invalidPartitions(partitions) }
        guard replicationFactor > 0 else { throw .invalidReplicationFactor(replicationFactor, availableBrokers: brokers.count) }
        guard Int(replicationFactor) <= brokers.count else {
            throw .invalidReplicationFactor(replicationFactor, availableBrokers: brokers.count)
        }
        let sorted = brokers.sorted()
        let count = sorted.count
        let startIndex = fixedStartIndex ?? Int.random(in: 0..<count)
        var shift = fixedStartIndex ?? Int.random(in: 0..<count)
        var assignment: [Int32: [BrokerId]] = [:]
        var partition = Int(max(0, startPartitionId))
        for _ in 0..<Int(partitions) {
            if partition > 0 && partition % count == 0 { shift += 1 }
            let first = (partition + startIndex) % count
            var replicas = [sorted[first]]
            for j in 0..<(Int(replicationFactor) - 1) {
                let distance = 1 + (shift + j) % (count - 1)
                replicas.append(sorted[(first + distance) % count])
            }
            assignment[Int32(partition)] = replicas
            partition += 1
        }
        return assignment
    }
}
