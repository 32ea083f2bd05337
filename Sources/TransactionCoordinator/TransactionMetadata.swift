import KafkaCommon

/// A transactional id's producer and transaction, as the coordinator holds it in its cache (Kafka
/// 2.3's `TransactionMetadata`), as a value.
///
/// Lifecycle: created on the first InitProducerId of a transactional id (or loaded from
/// `__transaction_state`); every change goes in two steps. A `prepare…` function checks the
/// transition, records its target in ``pendingState`` and returns a ``TxnTransitMetadata``; the
/// coordinator appends that to the log, and once it is written calls
/// ``completeTransition(to:)``, which checks it again and installs it (or, when the append
/// failed, clears ``pendingState``).
///
/// Invariants: at most one transition is pending at a time; ``state`` only ever moves along
/// ``TransactionState/validPreviousStates``; ``topicPartitions`` is empty outside Ongoing,
/// PrepareCommit and PrepareAbort; ``txnStartTimestamp`` is -1 until the first partition is added.
///
/// Isolation: a value; its owner (the coordinator's cache) serialises access, where Kafka takes
/// the metadata's lock.
public struct TransactionMetadata: Sendable, Hashable, CustomStringConvertible {
    public let transactionalId: String
    public internal(set) var producerId: Int64
    /// The producer's epoch; -1 (`RecordBatch.NO_PRODUCER_EPOCH`) before the first InitProducerId completes.
    public internal(set) var producerEpoch: Int16
    public internal(set) var txnTimeoutMs: Int32
    public internal(set) var state: TransactionState
    public internal(set) var topicPartitions: Set<TopicPartition>
    /// When the transaction started (its first partition was added), in ms; -1 when none has.
    public internal(set) var txnStartTimestamp: Int64
    /// When the metadata last changed, in ms; what transactional id expiration measures from.
    public internal(set) var txnLastUpdateTimestamp: Int64
    /// The state a prepared transition is taking the metadata to; nil when none is pending.
    public internal(set) var pendingState: TransactionState?

    /// Producer epochs run up to `Int16.max - 1`: the last one is kept so the coordinator can
    /// always fence the current producer.
    public static let noProducerEpoch: Int16 = -1

    public init(
        transactionalId: String, producerId: Int64, producerEpoch: Int16, txnTimeoutMs: Int32,
        state: TransactionState = .empty, topicPartitions: Set<TopicPartition> = [],
        txnStartTimestamp: Int64 = -1, txnLastUpdateTimestamp: Int64, pendingState: TransactionState? = nil
    ) {
        self.transactionalId = transactionalId
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.txnTimeoutMs = txnTimeoutMs
        self.state = state
        self.topicPartitions = topicPartitions
        self.txnStartTimestamp = txnStartTimestamp
        self.txnLastUpdateTimestamp = txnLastUpdateTimestamp
        self.pendingState = pendingState
    }

    /// Whether a prepared transition waits for its log append.
    public var pendingTransitionInProgress: Bool { pendingState != nil }

    /// Whether the producer id has no epoch left to hand out (`producerEpoch >= Int16.max - 1`); the
    /// next InitProducerId moves the transactional id to a new producer id.
    public var isProducerEpochExhausted: Bool { producerEpoch >= Int16.max - 1 }

    /// The metadata as it stands, as a transit (Kafka's `prepareNoTransit`): nothing is pending after it.
    public func prepareNoTransit() -> TxnTransitMetadata {
        TxnTransitMetadata(
            producerId: producerId, producerEpoch: producerEpoch, txnTimeoutMs: txnTimeoutMs, txnState: state,
            topicPartitions: topicPartitions, txnStartTimestamp: txnStartTimestamp, txnLastUpdateTimestamp: txnLastUpdateTimestamp)
    }

    /// Removes a partition whose marker is written; only while the transaction is being completed.
    public mutating func removePartition(_ topicPartition: TopicPartition) throws(TransactionStateError) {
        guard state == .prepareCommit || state == .prepareAbort else {
            throw .removePartitionOutsidePrepare(transactionalId: transactionalId, state: state)
        }
        topicPartitions.remove(topicPartition)
    }

    public var description: String {
        "TransactionMetadata(transactionalId=\(transactionalId), producerId=\(producerId), producerEpoch=\(producerEpoch), "
            + "txnTimeoutMs=\(txnTimeoutMs), state=\(state), pendingState=\(pendingState.map { "Some(\($0))" } ?? "None"), "
            + "topicPartitions=\(ScalaSetText.text(of: topicPartitions.sorted())), txnStartTimestamp=\(txnStartTimestamp), "
            + "txnLastUpdateTimestamp=\(txnLastUpdateTimestamp))"
    }
}
