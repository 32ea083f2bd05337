/// The second step of every change: install a prepared transition once its record is written to
/// `__transaction_state` (Kafka 2.3's `completeTransitionTo`).
extension TransactionMetadata {
    /// Installs `transit`, which must be the pending transition, and clears ``pendingState``.
    ///
    /// The checks, by target state (anything else is refused and nothing changes):
    /// - Empty (InitProducerId): the epoch is the same, one more, or 0 with a new producer id; no
    ///   partitions; no start time. Producer id, epoch and timeout are taken.
    /// - Ongoing (add partitions): same producer id and epoch; the current partitions are a subset
    ///   of the new; same timeout; the start time does not go back. Partitions and start time are taken.
    /// - PrepareCommit, PrepareAbort (EndTxn): same producer id and epoch, partitions, timeout and start time.
    /// - CompleteCommit, CompleteAbort (markers written): same producer id, epoch and timeout; a
    ///   start time. The start time is taken and the partitions cleared.
    /// - PrepareEpochFence is never completed (the abort replaces it), and Dead is never stored.
    ///
    /// Every completed transition takes the last update time and the state.
    public mutating func completeTransition(to transit: TxnTransitMetadata) throws(TransactionStateError) {
        guard let toState = pendingState else { throw .noPendingTransition(transactionalId: transactionalId) }
        guard toState == transit.txnState else { throw .unexpectedTransitMetadata(transactionalId: transactionalId, transit) }
        var next = self
        switch toState {
        case .empty:
            guard producerEpoch == transit.producerEpoch || isValidProducerEpochBump(transit),
                  transit.topicPartitions.isEmpty, transit.txnStartTimestamp == -1
            else { throw .unexpectedTransitMetadata(transactionalId: transactionalId, transit) }
            next.txnTimeoutMs = transit.txnTimeoutMs
            next.producerEpoch = transit.producerEpoch
            next.producerId = transit.producerId
        case .ongoing:
            guard isSameProducer(transit), topicPartitions.isSubset(of: transit.topicPartitions),
                  txnTimeoutMs == transit.txnTimeoutMs, txnStartTimestamp <= transit.txnStartTimestamp
            else { throw .unexpectedTransitMetadata(transactionalId: transactionalId, transit) }
            next.txnStartTimestamp = transit.txnStartTimestamp
            next.topicPartitions.formUnion(transit.topicPartitions)
        case .prepareAbort, .prepareCommit:
            guard isSameProducer(transit), topicPartitions == transit.topicPartitions,
                  txnTimeoutMs == transit.txnTimeoutMs, txnStartTimestamp == transit.txnStartTimestamp
            else { throw .unexpectedTransitMetadata(transactionalId: transactionalId, transit) }
        case .completeAbort, .completeCommit:
            guard isSameProducer(transit), txnTimeoutMs == transit.txnTimeoutMs, transit.txnStartTimestamp != -1
            else { throw .unexpectedTransitMetadata(transactionalId: transactionalId, transit) }
            next.txnStartTimestamp = transit.txnStartTimestamp
            next.topicPartitions.removeAll()
        case .prepareEpochFence:
            throw .unexpectedTransitMetadata(transactionalId: transactionalId, transit)
        case .dead:
            throw .completedToDead(transactionalId: transactionalId)
        }
        next.txnLastUpdateTimestamp = transit.txnLastUpdateTimestamp
        next.pendingState = nil
        next.state = toState
        self = next
    }

    private func isSameProducer(_ transit: TxnTransitMetadata) -> Bool {
        transit.producerEpoch == producerEpoch && transit.producerId == producerId
    }

    private func isValidProducerEpochBump(_ transit: TxnTransitMetadata) -> Bool {
        Int32(transit.producerEpoch) == Int32(producerEpoch) + 1 || (transit.producerEpoch == 0 && transit.producerId != producerId)
    }
}
