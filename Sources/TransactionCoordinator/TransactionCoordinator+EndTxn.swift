import KafkaProtocol

/// EndTxn (and the aborts the coordinator starts itself: fencing, timeouts), Kafka 2.3's
/// `handleEndTransaction`.
extension TransactionCoordinator {
    /// Ends the producer's transaction with `result`: PrepareCommit or PrepareAbort is written to
    /// the log, then the markers are queued and NONE answered (the markers complete the
    /// transaction later).
    ///
    /// Answers before the append: INVALID_REQUEST for an empty id; INVALID_PRODUCER_ID_MAPPING for
    /// an unknown id or another producer id; INVALID_PRODUCER_EPOCH for an older epoch;
    /// CONCURRENT_TRANSACTIONS while a transition other than a fence is pending, or when the same
    /// result is already being completed; NONE when the same result already completed (a retry);
    /// INVALID_TXN_STATE for the other result of a completed or completing transaction, or for no
    /// transaction (Empty). After the append: its error, or the checks again (the epoch may have
    /// moved meanwhile).
    public func handleEndTransaction(
        transactionalId: String, producerId: Int64, producerEpoch: Int16, result: TransactionResult
    ) async -> ErrorCode {
        guard !transactionalId.isEmpty else { return .invalidRequest }
        let now = time.milliseconds
        let coordinatorEpoch: Int32
        switch stateManager.transactionState(of: transactionalId) {
        case .failure(let error): return error
        case .success(nil): return .invalidProducerIdMapping
        case .success(let current?): coordinatorEpoch = current.coordinatorEpoch
        }
        let invalidState: (TransactionState) -> Result<TxnTransitMetadata, ErrorCode> = { [logger, prefix] state in
            logger.debug("\(prefix)TransactionalId: \(transactionalId)'s state is \(state), but received transaction marker result to send: \(result)")
            return .failure(.invalidTxnState)
        }
        let prepared: Result<TxnTransitMetadata, ErrorCode>
        do {
            prepared = try updateMetadata(transactionalId) { (metadata: inout TransactionMetadata) throws(TransactionStateError) -> Result<TxnTransitMetadata, ErrorCode> in
                if metadata.producerId != producerId { return .failure(.invalidProducerIdMapping) }
                if producerEpoch < metadata.producerEpoch { return .failure(.invalidProducerEpoch) }
                if let pending = metadata.pendingState, pending != .prepareEpochFence { return .failure(.concurrentTransactions) }
                switch metadata.state {
                case .ongoing:
                    let nextState: TransactionState = result == .commit ? .prepareCommit : .prepareAbort
                    if nextState == .prepareAbort && metadata.pendingState == .prepareEpochFence {
                        metadata.clearEpochFence(producerEpoch: producerEpoch)
                    }
                    return .success(try metadata.prepareAbortOrCommit(nextState, updateTimestamp: now))
                case .completeCommit: return result == .commit ? .failure(.none) : invalidState(metadata.state)
                case .completeAbort: return result == .abort ? .failure(.none) : invalidState(metadata.state)
                case .prepareCommit: return result == .commit ? .failure(.concurrentTransactions) : invalidState(metadata.state)
                case .prepareAbort: return result == .abort ? .failure(.concurrentTransactions) : invalidState(metadata.state)
                case .empty: return invalidState(metadata.state)
                case .dead, .prepareEpochFence:
                    throw .invalidTransition(transactionalId: transactionalId, from: metadata.state, to: result == .commit ? .prepareCommit : .prepareAbort)
                }
            } ?? .failure(.invalidProducerIdMapping)
        } catch {
            logger.critical("\(prefix)Found transactionalId \(transactionalId) in an illegal state: \(error)")
            return .unknownServerError
        }
        let transit: TxnTransitMetadata
        switch prepared {
        case .failure(let error):
            logger.debug("\(prefix)Aborting append of \(result) to transaction log with coordinator and returning \(error) error to client for \(transactionalId)'s EndTransaction request")
            return error
        case .success(let prepared): transit = prepared
        }

        let appendError = await appendTransactionToLog(transactionalId, coordinatorEpoch: coordinatorEpoch, transit: transit)
        guard appendError == .none else {
            logger.info("\(prefix)Aborting sending of transaction markers and returning \(appendError) error to client for \(transactionalId)'s EndTransaction request of \(result), since appending \(transit) to transaction log with coordinator epoch \(coordinatorEpoch) failed")
            return appendError
        }
        return await sendMarkersAfterEnd(transactionalId, producerId: producerId, producerEpoch: producerEpoch, result: result, coordinatorEpoch: coordinatorEpoch)
    }

    /// Once PrepareCommit/PrepareAbort is written: checks the metadata again, prepares the
    /// completion and queues the markers.
    private func sendMarkersAfterEnd(
        _ transactionalId: String, producerId: Int64, producerEpoch: Int16, result: TransactionResult, coordinatorEpoch: Int32
    ) async -> ErrorCode {
        let now = time.milliseconds
        guard case .success(let current?) = stateManager.transactionState(of: transactionalId) else {
            logger.critical("\(prefix)The coordinator still owns the transaction partition for \(transactionalId), but there is no metadata in the cache; this is not expected")
            return .notCoordinator
        }
        guard current.coordinatorEpoch == coordinatorEpoch else {
            logger.debug("\(prefix)The transaction coordinator epoch has changed to \(current.coordinatorEpoch) after \(result) was successfully appended to the log for \(transactionalId) with old epoch \(coordinatorEpoch)")
            return .notCoordinator
        }
        let prepared: Result<(TransactionMetadata, TxnTransitMetadata), ErrorCode>
        do {
            prepared = try updateMetadata(transactionalId) { (metadata: inout TransactionMetadata) throws(TransactionStateError) -> Result<(TransactionMetadata, TxnTransitMetadata), ErrorCode> in
                if metadata.producerId != producerId { return .failure(.invalidProducerIdMapping) }
                if metadata.producerEpoch != producerEpoch { return .failure(.invalidProducerEpoch) }
                if metadata.pendingTransitionInProgress { return .failure(.concurrentTransactions) }
                switch (metadata.state, result) {
                case (.prepareCommit, .commit), (.prepareAbort, .abort):
                    let transit = try metadata.prepareComplete(updateTimestamp: now)
                    return .success((metadata, transit))
                case (.empty, _), (.ongoing, _), (.completeCommit, _), (.completeAbort, _), (.prepareCommit, _), (.prepareAbort, _):
                    return .failure(.invalidTxnState)
                case (.dead, _), (.prepareEpochFence, _):
                    throw .invalidTransition(transactionalId: transactionalId, from: metadata.state, to: .completeAbort)
                }
            } ?? .failure(.notCoordinator)
        } catch {
            logger.critical("\(prefix)Found transactionalId \(transactionalId) in an illegal state: \(error)")
            return .unknownServerError
        }
        switch prepared {
        case .failure(let error):
            logger.info("\(prefix)Aborting sending of transaction markers after appended \(result) to transaction log and returning \(error) error to client for \(transactionalId)'s EndTransaction request")
            return error
        case .success(let (metadata, transit)):
            await markerSender.addTxnMarkersToSend(
                transactionalId: transactionalId, coordinatorEpoch: coordinatorEpoch, result: result, metadata: metadata, transit: transit)
            return .none
        }
    }

    /// `body` on the cached metadata of `transactionalId`; nil when it is not cached.
    func updateMetadata<T>(
        _ transactionalId: String, _ body: (inout TransactionMetadata) throws(TransactionStateError) -> T
    ) throws(TransactionStateError) -> T? {
        try stateManager.withMetadata(of: transactionalId, body)
    }
}
