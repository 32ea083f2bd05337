import KafkaProtocol

/// The coordinator's two periodic jobs (Kafka 2.3's `abortTimedOutTransactions`, scheduled every
/// `transaction.abort.timed.out.transaction.cleanup.interval.ms`, and the transactional id
/// expiration every `transaction.remove.expired.transaction.cleanup.interval.ms`). The shell
/// schedules them; each runs once per call.
extension TransactionCoordinator {
    /// Aborts every Ongoing transaction open longer than its timeout: the producer is fenced (its
    /// epoch goes up by one, so the aborting markers reject its late writes) and the transaction
    /// is ended with ABORT, as an EndTxn from the coordinator itself. Returns the answer of each
    /// abort by transactional id (INVALID_PRODUCER_ID_MAPPING, CONCURRENT_TRANSACTIONS or the
    /// abort's own error where it could not start).
    @discardableResult
    public func abortTimedOutTransactions() async -> [String: ErrorCode] {
        var outcomes: [String: ErrorCode] = [:]
        for timedOut in stateManager.timedOutTransactions(now: time.milliseconds) {
            let id = timedOut.transactionalId
            let fence: Result<TxnTransitMetadata, ErrorCode>
            do {
                fence = try updateMetadata(id) { (metadata: inout TransactionMetadata) throws(TransactionStateError) -> Result<TxnTransitMetadata, ErrorCode> in
                    if metadata.producerId != timedOut.producerId { return .failure(.invalidProducerIdMapping) }
                    if metadata.pendingTransitionInProgress { return .failure(.concurrentTransactions) }
                    return .success(try metadata.prepareFenceProducerEpoch())
                } ?? .failure(.invalidTxnState)
            } catch {
                logger.error("\(prefix)Could not fence the timed out transaction of transactionalId \(id): \(error)")
                outcomes[id] = .unknownServerError
                continue
            }
            switch fence {
            case .failure(let error):
                if error == .invalidProducerIdMapping {
                    logger.error("\(prefix)Found incorrect producerId when expiring transactionalId: \(id). Expected producerId: \(timedOut.producerId).")
                }
                outcomes[id] = error
            case .success(let transit):
                let error = await handleEndTransaction(
                    transactionalId: id, producerId: transit.producerId, producerEpoch: transit.producerEpoch, result: .abort)
                switch error {
                case .none: logger.info("\(prefix)Completed rollback ongoing transaction of transactionalId: \(id) due to timeout")
                case .invalidProducerIdMapping, .invalidProducerEpoch, .concurrentTransactions:
                    logger.debug("\(prefix)Rolling back ongoing transaction of transactionalId: \(id) has aborted due to \(error)")
                default: logger.warning("\(prefix)Rolling back ongoing transaction of transactionalId: \(id) failed due to \(error)")
                }
                outcomes[id] = error
            }
        }
        return outcomes
    }

    /// Removes the transactional ids idle longer than `transactional.id.expiration.ms`: their
    /// tombstones are appended, one batch per `__transaction_state` partition, and each id whose
    /// tombstone is written (and that did not change meanwhile) leaves the cache. Returns the ids
    /// removed.
    @discardableResult
    public func removeExpiredTransactionalIds() async -> [String] {
        let now = time.milliseconds
        let expiring = stateManager.prepareTransactionalIdExpiration(now: now)
        var removed: [String] = []
        for partition in expiring.keys.sorted() {
            let entries = expiring[partition]!
            var tombstones: [TransactionLogRecord] = []
            for entry in entries {
                if let tombstone = try? TransactionLogRecord(transactionalId: entry.transactionalId, transit: nil) { tombstones.append(tombstone) }
            }
            let error = await appender.append(tombstones, toPartition: partition, timestamp: now, timeoutMs: stateManager.config.requestTimeoutMs)
            if error != .none {
                logger.warning("\(prefix)Failed to remove expired transactionalIds \(entries.map(\.transactionalId)) from cache. Tombstone append error code: \(error)")
            }
            removed += stateManager.completeTransactionalIdExpiration(entries, appendError: error)
        }
        return removed
    }
}
