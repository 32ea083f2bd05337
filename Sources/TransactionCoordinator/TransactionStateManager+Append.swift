import KafkaProtocol

/// The cache side of writing a transition to `__transaction_state` (Kafka 2.3's
/// `appendTransactionToLog`): a check before the append, then the completion with the append's
/// result. The shell performs the append in between (acks=-1, one record, key and value from
/// ``TransactionLogRecord``).
extension TransactionStateManager {
    /// Whether `transactionalId` may be appended at `coordinatorEpoch`: nil when it may, else the
    /// error to answer (the partition's loading/leaving error, NOT_COORDINATOR when the id is gone
    /// or the epoch changed).
    public func checkBeforeAppend(_ transactionalId: String, coordinatorEpoch: Int32) -> ErrorCode? {
        switch transactionState(of: transactionalId) {
        case .failure(let error): error
        case .success(nil): .notCoordinator
        case .success(let current?): current.coordinatorEpoch == coordinatorEpoch ? nil : .notCoordinator
        }
    }

    /// The append of `transit` for `transactionalId` ended with `appendError` (from the log);
    /// returns the error for the caller's callback.
    ///
    /// On success the transition completes, unless the partition's coordinator epoch changed or
    /// the id is gone (NOT_COORDINATOR) or the partition is loading or leaving (its error). On
    /// failure the log's error becomes the coordinator's (``coordinatorError(forAppendError:)``)
    /// and the pending state is cleared, unless `retryOnError` says the caller will retry it or
    /// the coordinator epoch changed.
    public mutating func completeAppend(
        _ transactionalId: String, coordinatorEpoch: Int32, transit: TxnTransitMetadata, appendError: ErrorCode,
        retryOnError: (ErrorCode) -> Bool = { _ in false }
    ) throws(TransactionStateError) -> ErrorCode {
        if appendError == .none {
            switch transactionState(of: transactionalId) {
            case .failure(let error): return error
            case .success(nil): return .notCoordinator
            case .success(let current?):
                guard current.coordinatorEpoch == coordinatorEpoch else { return .notCoordinator }
                _ = try withMetadata(of: transactionalId) { (metadata: inout TransactionMetadata) throws(TransactionStateError) in
                    try metadata.completeTransition(to: transit)
                }
                return .none
            }
        }
        let error = Self.coordinatorError(forAppendError: appendError)
        if case .success(let current?) = transactionState(of: transactionalId), current.coordinatorEpoch == coordinatorEpoch,
           !retryOnError(error) {
            _ = try withMetadata(of: transactionalId) { (metadata: inout TransactionMetadata) throws(TransactionStateError) in
                metadata.clearPendingState()
            }
        }
        return error
    }

    /// The error a client gets for a failed append to the transaction log: the partition or its
    /// replicas unavailable or a timeout → COORDINATOR_NOT_AVAILABLE (retry); leadership lost or a
    /// storage error → NOT_COORDINATOR (find the coordinator again); too large → UNKNOWN_SERVER_ERROR;
    /// anything else as it is.
    public static func coordinatorError(forAppendError error: ErrorCode) -> ErrorCode {
        switch error {
        case .unknownTopicOrPartition, .notEnoughReplicas, .notEnoughReplicasAfterAppend, .requestTimedOut: .coordinatorNotAvailable
        case .notLeaderForPartition, .kafkaStorageError: .notCoordinator
        case .messageTooLarge, .recordListTooLarge: .unknownServerError
        default: error
        }
    }
}
