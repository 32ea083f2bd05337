import KafkaProtocol

/// Appends records, as one batch, to a `__transaction_state` partition on this broker, as the
/// coordinator's `ReplicaManager.appendRecords` call does in Kafka 2.3 (acks=-1, no compression,
/// internal topic allowed, every record stamped `timestamp`), and reports the partition's error
/// once the append is replicated or failed. A transition appends one record; the expiry sweep
/// appends a partition's tombstones together.
public protocol TransactionLogAppender: Sendable {
    /// `.none` once the records are in the log and replicated; the log's error otherwise.
    func append(_ records: [TransactionLogRecord], toPartition partition: Int32, timestamp: Int64, timeoutMs: Int32) async -> ErrorCode
}

/// Queues the markers of a transaction that is being completed (Kafka 2.3's
/// `TransactionMarkerChannelManager.addTxnMarkersToSend`): one WriteTxnMarkers entry per partition
/// of `metadata`, and once every partition acknowledged, the append of `transit` (CompleteCommit or
/// CompleteAbort). It returns once the markers are queued, not when they are written.
public protocol TransactionMarkerSender: Sendable {
    func addTxnMarkersToSend(
        transactionalId: String, coordinatorEpoch: Int32, result: TransactionResult, metadata: TransactionMetadata,
        transit: TxnTransitMetadata) async

    /// Forgets the queued markers of the transactions of a `__transaction_state` partition this
    /// broker no longer leads (`removeMarkersForTxnTopicPartition`).
    func removeMarkers(forTxnTopicPartition partition: Int32) async
}

/// Hands out producer ids unique in the cluster (``ProducerIdManager``).
public protocol ProducerIdGenerator: Sendable {
    func generateProducerId() async throws -> Int64
}

extension ProducerIdManager: ProducerIdGenerator {}

/// The answer to InitProducerId (Kafka's `InitProducerIdResult`): an id and epoch, or an error
/// with -1 and -1.
public struct InitProducerIdResult: Sendable, Equatable {
    public var producerId: Int64
    public var producerEpoch: Int16
    public var error: ErrorCode

    public init(producerId: Int64, producerEpoch: Int16, error: ErrorCode) {
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.error = error
    }

    public static func failure(_ error: ErrorCode) -> Self { Self(producerId: -1, producerEpoch: -1, error: error) }
}
