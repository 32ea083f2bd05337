import KafkaCommon
import KafkaStorage

/// The replica manager's metrics (`kafka.server:type=ReplicaManager`), computed at scrape time
/// from the partitions, and the hook the produce and fetch paths count through.
extension ReplicaManager {
    /// The topic counters when metrics are on: an atomic load of a reference set once at start-up
    /// (`metrics`), so the produce and fetch paths pay one load and a nil check when they are off.
    var brokerTopicStats: BrokerTopicStats? { metrics.load()?.topicStats }

    /// The figures Kafka's ReplicaManager gauges show.
    public struct Gauges: Sendable, Equatable {
        public var partitionCount = 0
        public var leaderCount = 0
        /// Led here with an ISR smaller than the replica set.
        public var underReplicatedPartitions = 0
        /// Led here with an ISR smaller than the topic's `min.insync.replicas`.
        public var underMinIsrPartitionCount = 0
        public var offlineReplicaCount = 0
        /// Partitions followed here (their fetcher lag counts towards MaxLag).
        public var followed: Set<TopicPartition> = []
    }

    /// Computes the gauges from every hosted partition (a scrape-time read of each partition's
    /// role; no counter is kept on the role-change paths).
    public func gauges() -> Gauges {
        var gauges = Gauges()
        for partition in allPartitions {
            let role = partition.role
            gauges.partitionCount += 1
            guard role.leader == brokerId else {
                if role.leader != .none { gauges.followed.insert(partition.topicPartition) }
                continue
            }
            gauges.leaderCount += 1
            if role.isr.count < role.replicas.count { gauges.underReplicatedPartitions += 1 }
            if role.isr.count < partition.log.config.minInSyncReplicas { gauges.underMinIsrPartitionCount += 1 }
        }
        return gauges
    }
}
