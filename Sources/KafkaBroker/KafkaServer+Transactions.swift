import KafkaCommon
import KafkaZk
import TransactionCoordinator

extension KafkaServer {
    /// Starts this broker's transaction coordinator. `__transaction_state`'s partition count is
    /// read once, as the offsets topic's is: the topic's if it exists, else
    /// `transaction.state.log.num.partitions`.
    func startTransactionCoordinator(
        zkClient: KafkaZkClient, replicaManager: ReplicaManager, metadataCache: MetadataCache, producerIds: ProducerIdManager
    ) async throws -> (runtime: TransactionCoordinatorRuntime, lookup: TransactionCoordinatorLookup) {
        let transactionConfig = try config.transactionConfig()
        let partitionCount = try await zkClient.topicAssignment(TransactionStateManager.topic)
            .map { Int32($0.assignment.count) } ?? transactionConfig.transactionLogNumPartitions
        let runtime = try await TransactionCoordinatorRuntime.start(
            brokerId: brokerId, config: transactionConfig, partitionCount: partitionCount, zkClient: zkClient,
            replicaManager: replicaManager, metadataCache: metadataCache, interBrokerListener: config.interBrokerListenerName,
            producerIds: producerIds, time: time)
        return (runtime, TransactionCoordinatorLookup(partitionCount: partitionCount, config: transactionConfig))
    }
}

extension TransactionCoordinatorRuntime {
    /// LeaderAndIsr's leadership changes of `__transaction_state` partitions, with the
    /// partition's leader epoch as the coordinator epoch (Kafka 2.3's `onLeadershipChange`).
    func onLeadershipChange(leaders: [TopicPartition], followers: [TopicPartition], replicaManager: ReplicaManager) {
        for tp in leaders where tp.topic == TransactionStateManager.topic {
            onElection(tp.partition, coordinatorEpoch: replicaManager.partition(tp)?.role.leaderEpoch.rawValue ?? 0)
        }
        for tp in followers where tp.topic == TransactionStateManager.topic {
            onResignation(tp.partition, coordinatorEpoch: replicaManager.partition(tp)?.role.leaderEpoch.rawValue ?? 0)
        }
    }

    /// StopReplica's stopped `__transaction_state` partitions are unloaded.
    func onStopReplica(_ stopped: [TopicPartition]) {
        for tp in stopped where tp.topic == TransactionStateManager.topic { onResignation(tp.partition, coordinatorEpoch: -1) }
    }
}
