import KafkaCommon

/// The first step of every change: check it and make it pending (Kafka 2.3's `prepare…`
/// functions). Each returns the target to append to `__transaction_state`; none changes anything
/// but ``TransactionMetadata/pendingState`` (except that a refused one changes nothing at all).
extension TransactionMetadata {
    /// InitProducerId while an Ongoing transaction exists: the epoch goes up by one so the markers
    /// of the abort that follows fence the old producer. Pending: PrepareEpochFence. The epoch is
    /// never returned to a client; the abort (``prepareAbortOrCommit(_:updateTimestamp:)`` after
    /// ``clearEpochFence(producerEpoch:)``) uses it.
    public mutating func prepareFenceProducerEpoch() throws(TransactionStateError) -> TxnTransitMetadata {
        guard producerEpoch < Int16.max else { throw .producerEpochExhausted(producerId: producerId, epoch: producerEpoch) }
        return try prepareTransition(
            to: .prepareEpochFence, producerId: producerId, producerEpoch: producerEpoch + 1, txnTimeoutMs: txnTimeoutMs,
            topicPartitions: topicPartitions, txnStartTimestamp: txnStartTimestamp, updateTimestamp: txnLastUpdateTimestamp)
    }

    /// InitProducerId with no open transaction: the next epoch (0 for a new transactional id),
    /// the request's timeout, no partitions. Pending: Empty.
    public mutating func prepareIncrementProducerEpoch(
        newTxnTimeoutMs: Int32, updateTimestamp: Int64
    ) throws(TransactionStateError) -> TxnTransitMetadata {
        guard !isProducerEpochExhausted else { throw .producerEpochExhausted(producerId: producerId, epoch: producerEpoch) }
        let nextEpoch: Int16 = producerEpoch == Self.noProducerEpoch ? 0 : producerEpoch + 1
        return try prepareTransition(
            to: .empty, producerId: producerId, producerEpoch: nextEpoch, txnTimeoutMs: newTxnTimeoutMs,
            topicPartitions: [], txnStartTimestamp: -1, updateTimestamp: updateTimestamp)
    }

    /// InitProducerId once the epochs are exhausted: a new producer id at epoch 0. Pending: Empty.
    public mutating func prepareProducerIdRotation(
        newProducerId: Int64, newTxnTimeoutMs: Int32, updateTimestamp: Int64
    ) throws(TransactionStateError) -> TxnTransitMetadata {
        guard !state.hasPendingTransaction else { throw .transactionPending(transactionalId: transactionalId, state: state) }
        return try prepareTransition(
            to: .empty, producerId: newProducerId, producerEpoch: 0, txnTimeoutMs: newTxnTimeoutMs,
            topicPartitions: [], txnStartTimestamp: -1, updateTimestamp: updateTimestamp)
    }

    /// AddPartitionsToTxn (and AddOffsetsToTxn, with the group's `__consumer_offsets` partition):
    /// the partitions join the transaction, which starts now unless it is already open. Pending: Ongoing.
    public mutating func prepareAddPartitions(
        _ addedTopicPartitions: Set<TopicPartition>, updateTimestamp: Int64
    ) throws(TransactionStateError) -> TxnTransitMetadata {
        let startTimestamp: Int64 = switch state {
        case .empty, .completeAbort, .completeCommit: updateTimestamp
        default: txnStartTimestamp
        }
        return try prepareTransition(
            to: .ongoing, producerId: producerId, producerEpoch: producerEpoch, txnTimeoutMs: txnTimeoutMs,
            topicPartitions: topicPartitions.union(addedTopicPartitions), txnStartTimestamp: startTimestamp,
            updateTimestamp: updateTimestamp)
    }

    /// EndTxn: `newState` is PrepareCommit or PrepareAbort; everything else stays.
    public mutating func prepareAbortOrCommit(
        _ newState: TransactionState, updateTimestamp: Int64
    ) throws(TransactionStateError) -> TxnTransitMetadata {
        try prepareTransition(
            to: newState, producerId: producerId, producerEpoch: producerEpoch, txnTimeoutMs: txnTimeoutMs,
            topicPartitions: topicPartitions, txnStartTimestamp: txnStartTimestamp, updateTimestamp: updateTimestamp)
    }

    /// Every marker is written: CompleteCommit after PrepareCommit, CompleteAbort otherwise, with no
    /// partitions left.
    public mutating func prepareComplete(updateTimestamp: Int64) throws(TransactionStateError) -> TxnTransitMetadata {
        let newState: TransactionState = state == .prepareCommit ? .completeCommit : .completeAbort
        return try prepareTransition(
            to: newState, producerId: producerId, producerEpoch: producerEpoch, txnTimeoutMs: txnTimeoutMs,
            topicPartitions: [], txnStartTimestamp: txnStartTimestamp, updateTimestamp: updateTimestamp)
    }

    /// The transactional id expired: its tombstone is to be written. Pending: Dead; the last
    /// update time stays.
    public mutating func prepareDead() throws(TransactionStateError) -> TxnTransitMetadata {
        try prepareTransition(
            to: .dead, producerId: producerId, producerEpoch: producerEpoch, txnTimeoutMs: txnTimeoutMs,
            topicPartitions: [], txnStartTimestamp: txnStartTimestamp, updateTimestamp: txnLastUpdateTimestamp)
    }

    /// The abort that follows a fence: the PrepareEpochFence pending state is dropped and the
    /// fenced epoch becomes the metadata's, so the PrepareAbort prepared next carries it. As in
    /// Kafka 2.3, this epoch is set before the abort is written.
    public mutating func clearEpochFence(producerEpoch: Int16) {
        pendingState = nil
        self.producerEpoch = producerEpoch
    }

    /// Drops the pending transition, as the coordinator does when its log append failed.
    public mutating func clearPendingState() {
        pendingState = nil
    }

    /// Checks a transition and makes it pending; Kafka's `prepareTransitionTo`.
    mutating func prepareTransition(
        to newState: TransactionState, producerId newProducerId: Int64, producerEpoch newEpoch: Int16, txnTimeoutMs newTimeout: Int32,
        topicPartitions newPartitions: Set<TopicPartition>, txnStartTimestamp newStart: Int64, updateTimestamp: Int64
    ) throws(TransactionStateError) -> TxnTransitMetadata {
        if let pendingState { throw .transitionPending(transactionalId: transactionalId, pending: pendingState, requested: newState) }
        guard newProducerId >= 0 else { throw .illegalProducerId(newProducerId) }
        guard newEpoch >= 0 else { throw .illegalProducerEpoch(newEpoch) }
        guard TransactionState.isValidTransition(from: state, to: newState) else {
            throw .invalidTransition(transactionalId: transactionalId, from: state, to: newState)
        }
        pendingState = newState
        return TxnTransitMetadata(
            producerId: newProducerId, producerEpoch: newEpoch, txnTimeoutMs: newTimeout, txnState: newState,
            topicPartitions: newPartitions, txnStartTimestamp: newStart, txnLastUpdateTimestamp: updateTimestamp)
    }
}
