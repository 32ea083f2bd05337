import KafkaCommon
import KafkaZk

/// The automatic leader rebalance (Kafka's `checkAndTriggerAutoLeaderRebalance`, run every
/// `leader.imbalance.check.interval.seconds` when `auto.leader.rebalance.enable`), as pure
/// functions over the controller context.
///
/// A broker's imbalance ratio: of the partitions whose preferred replica (first of the assignment)
/// it is, the share led by some other broker (partitions of topics being deleted, and partitions
/// without a known leadership, are left out of the count of those led elsewhere, as Kafka does).
/// When the ratio exceeds `leader.imbalance.per.broker.percentage` / 100, the broker's partitions
/// led elsewhere get a preferred replica election — those whose preferred replica can win it:
/// the broker is alive, not shutting down, and in the partition's ISR — unless a partition
/// reassignment is in progress, which Kafka lets finish first.
public enum LeaderImbalance {
    /// One broker's share of the partitions it prefers that it does not lead.
    public struct BrokerImbalance: Sendable, Equatable {
        public var broker: BrokerId
        /// Partitions whose preferred replica is `broker`.
        public var preferredCount: Int
        /// Those of them led by another broker, sorted.
        public var notLedByPreferred: [TopicPartition]

        public var ratio: Double { preferredCount == 0 ? 0 : Double(notLedByPreferred.count) / Double(preferredCount) }
    }

    /// Every broker that is some partition's preferred replica, with its imbalance, by broker id.
    public static func imbalances(_ context: ControllerContext) -> [BrokerImbalance] {
        var preferred: [BrokerId: Int] = [:]
        var notLed: [BrokerId: [TopicPartition]] = [:]
        for (tp, assignment) in context.partitionAssignments where !context.isTopicQueuedUpForDeletion(tp.topic) {
            guard let broker = assignment.first else { continue }
            preferred[broker, default: 0] += 1
            if let leader = context.partitionLeadership[tp]?.leaderAndIsr.leader, leader != broker {
                notLed[broker, default: []].append(tp)
            }
        }
        return preferred.keys.sorted().map { broker in
            BrokerImbalance(broker: broker, preferredCount: preferred[broker] ?? 0,
                            notLedByPreferred: (notLed[broker] ?? []).sorted())
        }
    }

    /// Whether `imbalance` exceeds the allowed percentage (strictly, as Kafka compares).
    public static func isAboveThreshold(_ imbalance: BrokerImbalance, imbalancePercentage: Int) -> Bool {
        imbalance.ratio > Double(imbalancePercentage) / 100
    }

    /// The partitions to give a preferred replica election now, sorted: those of every broker
    /// above the threshold whose preferred replica is alive, not shutting down, and in the ISR;
    /// none while a reassignment is in progress.
    public static func partitionsToRebalance(_ context: ControllerContext, imbalancePercentage: Int) -> [TopicPartition] {
        guard context.partitionsBeingReassigned.isEmpty else { return [] }
        let eligible = PreferredReplicaPartitionLeaderElection.eligibleBrokers(context)
        return imbalances(context)
            .filter { isAboveThreshold($0, imbalancePercentage: imbalancePercentage) && eligible.contains($0.broker) }
            .flatMap { imbalance in
                imbalance.notLedByPreferred.filter { tp in
                    context.partitionLeadership[tp]?.leaderAndIsr.isr.contains(imbalance.broker) == true
                }
            }
            .sorted()
    }
}
