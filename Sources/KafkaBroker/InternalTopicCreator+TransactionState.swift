import KafkaCommon
import KafkaProtocol
import TransactionCoordinator

extension InternalTopicCreator {
    /// The topic configs `__transaction_state` is created with (Kafka 2.3's
    /// `TransactionLog` topic configs): compacted, uncompressed, segments of
    /// `transaction.state.log.segment.bytes`, `min.insync.replicas` from
    /// `transaction.state.log.min.isr`, and no unclean leader election.
    static func transactionStateTopicConfigs(_ config: TransactionConfig) -> [String: String] {
        [
            "cleanup.policy": "compact", "compression.type": "uncompressed", "unclean.leader.election.enable": "false",
            "segment.bytes": "\(config.transactionLogSegmentBytes)", "min.insync.replicas": "\(config.transactionLogMinInsyncReplicas)",
        ]
    }

    /// Creates `__transaction_state` as ``createOffsetsTopic(aliveBrokers:)`` creates the offsets
    /// topic: not with fewer alive brokers than `transaction.state.log.replication.factor`
    /// (COORDINATOR_NOT_AVAILABLE), LEADER_NOT_AVAILABLE once written or already there, else the
    /// creation's error.
    func createTransactionStateTopic(aliveBrokers: Int, config: TransactionConfig) async -> ErrorCode {
        let topic = TransactionStateManager.topic
        guard aliveBrokers >= Int(config.transactionLogReplicationFactor) else {
            logger.error("Number of alive brokers '\(aliveBrokers)' does not meet the required replication factor '\(config.transactionLogReplicationFactor)' for the transactions state topic (configured via 'transaction.state.log.replication.factor'). This error can be ignored if the cluster is starting up and not all brokers are up yet.")
            return .coordinatorNotAvailable
        }
        return await create(topic, partitions: config.transactionLogNumPartitions,
                            replicationFactor: config.transactionLogReplicationFactor,
                            configs: Self.transactionStateTopicConfigs(config))
    }
}
