import KafkaCommon

/// The state a transactional id is to move to once its record is in `__transaction_state` (Kafka
/// 2.3's `TxnTransitMetadata`): what a `prepare…` function of ``TransactionMetadata`` returns, what
/// the coordinator appends to the log, and what ``TransactionMetadata/completeTransition(to:)``
/// then installs.
///
/// Invariant (kept by the `prepare…` functions): `producerId` and `producerEpoch` are not negative.
public struct TxnTransitMetadata: Sendable, Hashable, CustomStringConvertible {
    public var producerId: Int64
    public var producerEpoch: Int16
    public var txnTimeoutMs: Int32
    public var txnState: TransactionState
    public var topicPartitions: Set<TopicPartition>
    /// When the transaction started, in ms; -1 when none has.
    public var txnStartTimestamp: Int64
    public var txnLastUpdateTimestamp: Int64

    public init(
        producerId: Int64, producerEpoch: Int16, txnTimeoutMs: Int32, txnState: TransactionState,
        topicPartitions: Set<TopicPartition>, txnStartTimestamp: Int64, txnLastUpdateTimestamp: Int64
    ) {
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.txnTimeoutMs = txnTimeoutMs
        self.txnState = txnState
        self.topicPartitions = topicPartitions
        self.txnStartTimestamp = txnStartTimestamp
        self.txnLastUpdateTimestamp = txnLastUpdateTimestamp
    }

    public var description: String {
        "TxnTransitMetadata(producerId=\(producerId), producerEpoch=\(producerEpoch), txnTimeoutMs=\(txnTimeoutMs), "
            + "txnState=\(txnState), topicPartitions=\(ScalaSetText.text(of: topicPartitions.sorted())), "
            + "txnStartTimestamp=\(txnStartTimestamp), txnLastUpdateTimestamp=\(txnLastUpdateTimestamp))"
    }
}
