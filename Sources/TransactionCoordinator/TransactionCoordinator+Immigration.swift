import KafkaRecords

/// Reads a `__transaction_state` partition of this broker's log for loading.
public protocol TransactionLogReader: Sendable {
    /// The partition's batches from its log start offset to its end; nil when this broker has no
    /// log for it (Kafka warns and loads nothing then).
    func readAll(partition: Int32) async throws -> MemoryRecords?
}

/// Leadership changes of `__transaction_state` partitions (Kafka 2.3's `handleTxnImmigration`
/// and `handleTxnEmigration`): the shell calls these when this broker becomes leader or follower
/// of one, with the partition's leader epoch as the coordinator epoch.
extension TransactionCoordinator {
    /// Loads the partition: its ids answer COORDINATOR_LOAD_IN_PROGRESS until the records are
    /// read, then from the cache. Transactions found in PrepareCommit or PrepareAbort have their
    /// markers sent again (their completion prepared). A load overtaken by a later change of the
    /// partition is dropped. A record that does not decode ends the read, as in Kafka: what was
    /// read before it is loaded and the error logged.
    public func handleTxnImmigration(partition: Int32, coordinatorEpoch: Int32, reader: any TransactionLogReader) async {
        let topicPartition = "\(TransactionStateManager.topic)-\(partition)"
        stateManager.addLoadingPartition(partition, coordinatorEpoch: coordinatorEpoch)
        logger.info("\(prefix)Loading transaction metadata from \(topicPartition)")
        let start = time.milliseconds
        var load = TransactionLogLoad()
        do {
            if let records = try await reader.readAll(partition: partition) {
                try load.apply(records)
                logger.info("\(prefix)Finished loading \(load.transactions.count) transaction metadata from \(topicPartition) in \(time.milliseconds - start) milliseconds")
            } else {
                logger.warning("\(prefix)Attempted to load transaction metadata from \(topicPartition), but found no log")
            }
        } catch {
            logger.error("\(prefix)Error loading transactions from transaction log \(topicPartition): \(error)")
        }
        let pending: [TransactionStateManager.PendingCompletion]?
        do {
            pending = try stateManager.completeLoading(partition, coordinatorEpoch: coordinatorEpoch, transactions: load.transactions, now: time.milliseconds)
        } catch {
            logger.critical("\(prefix)Could not complete the loaded transactions of \(topicPartition): \(error)")
            return
        }
        for completion in pending ?? [] {
            guard case .success(let current?) = stateManager.transactionState(of: completion.transactionalId) else { continue }
            await markerSender.addTxnMarkersToSend(
                transactionalId: completion.transactionalId, coordinatorEpoch: completion.coordinatorEpoch, result: completion.result,
                metadata: current.metadata, transit: completion.transit)
        }
    }

    /// Unloads the partition: its ids answer NOT_COORDINATOR, its cache entry is dropped and its
    /// queued markers are forgotten.
    public func handleTxnEmigration(partition: Int32, coordinatorEpoch: Int32) async {
        let topicPartition = "\(TransactionStateManager.topic)-\(partition)"
        stateManager.prepareRemoval(partition, coordinatorEpoch: coordinatorEpoch)
        if let removed = stateManager.completeRemoval(partition, coordinatorEpoch: coordinatorEpoch) {
            logger.info("\(prefix)Removed \(removed) cached transaction metadata for \(topicPartition) on follower transition")
        } else {
            logger.info("\(prefix)Trying to remove cached transaction metadata for \(topicPartition) on follower transition but there is no entries remaining; it is likely that another process for removing the cached entries has just executed earlier before")
        }
        await markerSender.removeMarkers(forTxnTopicPartition: partition)
    }
}
