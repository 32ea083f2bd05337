import KafkaProtocol

/// The coordinator's side of ``TransactionMarkerChannelManager``: the checks its completion
/// handler makes and the append of the final state (Kafka 2.3's
/// `TransactionMarkerChannelManager.tryAppendToLog`).
extension TransactionCoordinator: TxnMarkerCompletionTarget {
    public func stillCoordinates(transactionalId: String, coordinatorEpoch: Int32) async -> Bool {
        guard case .success(let current?) = stateManager.transactionState(of: transactionalId) else { return false }
        return current.coordinatorEpoch == coordinatorEpoch
    }

    /// Writes CompleteCommit or CompleteAbort; a COORDINATOR_NOT_AVAILABLE append keeps the
    /// transition pending so the channel manager can retry it.
    public func completeTransaction(transactionalId: String, coordinatorEpoch: Int32, transit: TxnTransitMetadata) async -> ErrorCode {
        await appendTransactionToLog(
            transactionalId, coordinatorEpoch: coordinatorEpoch, transit: transit, retryOnError: { $0 == .coordinatorNotAvailable })
    }
}
