/// The transaction coordinator's settings (Kafka 2.3's `TransactionConfig`), with Kafka's defaults.
public struct TransactionConfig: Sendable, Equatable {
    /// `transactional.id.expiration.ms`: how long a transactional id with no open transaction may
    /// stay idle before it is removed (7 days).
    public var transactionalIdExpirationMs: Int64 = 604_800_000
    /// `transaction.max.timeout.ms`: the largest transaction timeout a producer may ask for (15 min).
    public var transactionMaxTimeoutMs: Int32 = 900_000
    /// `transaction.state.log.num.partitions` (50).
    public var transactionLogNumPartitions: Int32 = 50
    /// `transaction.state.log.replication.factor` (3).
    public var transactionLogReplicationFactor: Int16 = 3
    /// `transaction.state.log.segment.bytes` (100 MiB).
    public var transactionLogSegmentBytes: Int32 = 104_857_600
    /// `transaction.state.log.min.isr` (2).
    public var transactionLogMinInsyncReplicas: Int32 = 2
    /// `transaction.abort.timed.out.transaction.cleanup.interval.ms` (1 min).
    public var abortTimedOutTransactionsIntervalMs: Int64 = 60_000
    /// `transaction.remove.expired.transaction.cleanup.interval.ms` (1 hour).
    public var removeExpiredTransactionalIdsIntervalMs: Int64 = 3_600_000
    /// `request.timeout.ms`: how long the expiry sweep's tombstone append may take (30 s).
    public var requestTimeoutMs: Int32 = 30_000

    public init() {}
}
