import TransactionCoordinator

extension KafkaConfig {
    /// The transaction coordinator's settings from the broker config (Kafka 2.3 hands the same
    /// keys to its `TransactionConfig`), each at least 1 as Kafka checks them:
    ///
    /// | key | default |
    /// |---|---|
    /// | `transactional.id.expiration.ms` | 604800000 (7 days) |
    /// | `transaction.max.timeout.ms` | 900000 |
    /// | `transaction.state.log.num.partitions` | 50 |
    /// | `transaction.state.log.replication.factor` | 3 |
    /// | `transaction.state.log.segment.bytes` | 104857600 |
    /// | `transaction.state.log.min.isr` | 2 |
    /// | `transaction.abort.timed.out.transaction.cleanup.interval.ms` | 60000 |
    /// | `transaction.remove.expired.transaction.cleanup.interval.ms` | 3600000 |
    ///
    /// (`request.timeout.ms` bounds the sweep's appends and the marker requests.) The defaults are
    /// those a Kafka 2.3.0 broker reports in DescribeConfigs (the `java/` fixtures).
    func transactionConfig() throws -> TransactionConfig {
        func atLeastOne(_ key: String) throws -> Int {
            let value = integer(key)
            guard value >= 1 else {
                throw ConfigError(file: nil, key: key, message: "Invalid value \(value) for configuration \(key): Value must be at least 1")
            }
            return value
        }
        var config = TransactionConfig()
        config.transactionalIdExpirationMs = Int64(try atLeastOne("transactional.id.expiration.ms"))
        config.transactionMaxTimeoutMs = Int32(try atLeastOne("transaction.max.timeout.ms"))
        config.transactionLogNumPartitions = Int32(try atLeastOne("transaction.state.log.num.partitions"))
        config.transactionLogReplicationFactor = Int16(try atLeastOne("transaction.state.log.replication.factor"))
        config.transactionLogSegmentBytes = Int32(try atLeastOne("transaction.state.log.segment.bytes"))
        config.transactionLogMinInsyncReplicas = Int32(try atLeastOne("transaction.state.log.min.isr"))
        config.abortTimedOutTransactionsIntervalMs = Int64(try atLeastOne("transaction.abort.timed.out.transaction.cleanup.interval.ms"))
        config.removeExpiredTransactionalIdsIntervalMs = Int64(try atLeastOne("transaction.remove.expired.transaction.cleanup.interval.ms"))
        config.requestTimeoutMs = Int32(try atLeastOne("request.timeout.ms"))
        return config
    }
}
