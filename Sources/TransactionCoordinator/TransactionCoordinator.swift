import KafkaCommon
import KafkaProtocol
import Logging

/// The transaction coordinator's request logic (Kafka 2.3's `TransactionCoordinator`):
/// InitProducerId, AddPartitionsToTxn and EndTxn against the cache of transactional ids
/// (``TransactionStateManager``), with the log append, the marker sending and producer id
/// generation injected.
///
/// Every change follows Kafka's two steps: check the request and prepare the transition (which
/// marks it pending, so a concurrent request for the same id gets CONCURRENT_TRANSACTIONS), append
/// the new state to `__transaction_state`, then complete the transition and answer. The error
/// codes are 2.3's: a stale epoch is INVALID_PRODUCER_EPOCH (2.3 has no PRODUCER_FENCED).
///
/// Isolation: an actor. Its state changes only between awaits, and a transition pending across an
/// append keeps other requests for the same transactional id out, as Kafka's metadata lock and
/// pending state do.
public actor TransactionCoordinator {
    public let brokerId: BrokerId
    public internal(set) var stateManager: TransactionStateManager
    let appender: any TransactionLogAppender
    let markerSender: any TransactionMarkerSender
    let producerIds: any ProducerIdGenerator
    let time: any Time
    let logger: Logger

    public init(
        stateManager: TransactionStateManager, appender: any TransactionLogAppender, markerSender: any TransactionMarkerSender,
        producerIds: any ProducerIdGenerator, time: any Time, logger: Logger
    ) {
        self.brokerId = stateManager.brokerId
        self.stateManager = stateManager
        self.appender = appender
        self.markerSender = markerSender
        self.producerIds = producerIds
        self.time = time
        var logger = logger
        logger[metadataKey: "broker"] = "\(stateManager.brokerId.rawValue)"
        self.logger = logger
    }

    /// Changes the cache from outside (partition loads and removals, the expiry sweep).
    public func updateStateManager<T: Sendable>(_ body: @Sendable (inout TransactionStateManager) throws -> T) rethrows -> T {
        try body(&stateManager)
    }

    var prefix: String { "[TransactionCoordinator id=\(brokerId.rawValue)] " }

    // MARK: InitProducerId

    /// InitProducerId: a new producer id for a producer with no transactional id; for a
    /// transactional id, its producer id with the next epoch (a new id at epoch 0 once the epochs
    /// are used up), after fencing and aborting an open transaction.
    ///
    /// Answers: INVALID_REQUEST for an empty id; INVALID_TRANSACTION_TIMEOUT outside
    /// 1...`transaction.max.timeout.ms`; CONCURRENT_TRANSACTIONS while a transition is pending or
    /// a commit or abort completes, and after starting to abort an Ongoing transaction (the
    /// producer retries and gets the epoch after the fence); the partition's errors.
    public func handleInitProducerId(transactionalId: String?, transactionTimeoutMs: Int32) async -> InitProducerIdResult {
        guard let transactionalId else {
            do {
                return InitProducerIdResult(producerId: try await producerIds.generateProducerId(), producerEpoch: 0, error: .none)
            } catch {
                logger.error("\(prefix)Failed to generate a producer id: \(error)")
                return .failure(.unknownServerError)
            }
        }
        guard !transactionalId.isEmpty else { return .failure(.invalidRequest) }
        guard stateManager.validateTransactionTimeoutMs(transactionTimeoutMs) else { return .failure(.invalidTransactionTimeout) }

        let coordinatorEpoch: Int32
        switch stateManager.transactionState(of: transactionalId) {
        case .failure(let error): return .failure(error)
        case .success(let existing?): coordinatorEpoch = existing.coordinatorEpoch
        case .success(nil):
            let producerId: Int64
            do { producerId = try await producerIds.generateProducerId() } catch { return .failure(.unknownServerError) }
            let created = TransactionMetadata(
                transactionalId: transactionalId, producerId: producerId, producerEpoch: TransactionMetadata.noProducerEpoch,
                txnTimeoutMs: transactionTimeoutMs, state: .empty, txnLastUpdateTimestamp: time.milliseconds)
            switch stateManager.putTransactionStateIfNotExists(created) {
            case .failure(let error): return .failure(error)
            case .success(let current): coordinatorEpoch = current.coordinatorEpoch
            }
        }

        // A rotation needs a new producer id before the metadata is looked at again.
        var newProducerId: Int64?
        if case .success(let current?) = stateManager.transactionState(of: transactionalId), current.metadata.isProducerEpochExhausted,
           !current.metadata.pendingTransitionInProgress {
            do { newProducerId = try await producerIds.generateProducerId() } catch { return .failure(.unknownServerError) }
        }

        let transit: TxnTransitMetadata
        switch prepareInitProducerIdTransit(transactionalId, timeoutMs: transactionTimeoutMs, newProducerId: newProducerId) {
        case .failure(let error): return .failure(error)
        case .success(let prepared): transit = prepared
        }

        if transit.txnState == .prepareEpochFence {
            let error = await handleEndTransaction(
                transactionalId: transactionalId, producerId: transit.producerId, producerEpoch: transit.producerEpoch, result: .abort)
            return .failure(error == .none ? .concurrentTransactions : error)
        }
        let error = await appendTransactionToLog(transactionalId, coordinatorEpoch: coordinatorEpoch, transit: transit)
        guard error == .none else {
            logger.info("\(prefix)Returning \(error) error code to client for \(transactionalId)'s InitProducerId request")
            return .failure(error)
        }
        logger.info("\(prefix)Initialized transactionalId \(transactionalId) with producerId \(transit.producerId) and producer epoch \(transit.producerEpoch) on partition \(TransactionStateManager.topic)-\(stateManager.partitionFor(transactionalId))")
        return InitProducerIdResult(producerId: transit.producerId, producerEpoch: transit.producerEpoch, error: .none)
    }

    /// Kafka's `prepareInitProduceIdTransit`: the transition InitProducerId starts.
    private func prepareInitProducerIdTransit(_ transactionalId: String, timeoutMs: Int32, newProducerId: Int64?) -> Result<TxnTransitMetadata, ErrorCode> {
        let now = time.milliseconds
        do {
            let result = try stateManager.withMetadata(of: transactionalId) { (metadata: inout TransactionMetadata) throws(TransactionStateError) -> Result<TxnTransitMetadata, ErrorCode> in
                if metadata.pendingTransitionInProgress { return .failure(.concurrentTransactions) }
                switch metadata.state {
                case .prepareAbort, .prepareCommit:
                    return .failure(.concurrentTransactions)
                case .completeAbort, .completeCommit, .empty:
                    if metadata.isProducerEpochExhausted {
                        guard let newProducerId else { return .failure(.concurrentTransactions) }
                        return .success(try metadata.prepareProducerIdRotation(newProducerId: newProducerId, newTxnTimeoutMs: timeoutMs, updateTimestamp: now))
                    }
                    return .success(try metadata.prepareIncrementProducerEpoch(newTxnTimeoutMs: timeoutMs, updateTimestamp: now))
                case .ongoing:
                    return .success(try metadata.prepareFenceProducerEpoch())
                case .dead, .prepareEpochFence:
                    throw .invalidTransition(transactionalId: transactionalId, from: metadata.state, to: .empty)
                }
            }
            return result ?? .failure(.notCoordinator)
        } catch {
            logger.critical("\(prefix)Found transactionalId \(transactionalId) in an illegal state: \(error)")
            return .failure(.unknownServerError)
        }
    }

    // MARK: AddPartitionsToTxn

    /// AddPartitionsToTxn: the partitions join the producer's transaction (starting it).
    ///
    /// Answers: INVALID_REQUEST for an empty id; INVALID_PRODUCER_ID_MAPPING for an unknown id or
    /// another producer id; INVALID_PRODUCER_EPOCH for another epoch; CONCURRENT_TRANSACTIONS
    /// while a transition is pending or the transaction ends; NONE at once when every partition
    /// is already in the Ongoing transaction; else the append's answer.
    public func handleAddPartitionsToTransaction(
        transactionalId: String, producerId: Int64, producerEpoch: Int16, partitions: Set<TopicPartition>
    ) async -> ErrorCode {
        guard !transactionalId.isEmpty else { return .invalidRequest }
        let now = time.milliseconds
        let coordinatorEpoch: Int32
        switch stateManager.transactionState(of: transactionalId) {
        case .failure(let error): return error
        case .success(nil): return .invalidProducerIdMapping
        case .success(let current?): coordinatorEpoch = current.coordinatorEpoch
        }
        let prepared: Result<TxnTransitMetadata, ErrorCode>
        do {
            prepared = try stateManager.withMetadata(of: transactionalId) { (metadata: inout TransactionMetadata) throws(TransactionStateError) -> Result<TxnTransitMetadata, ErrorCode> in
                if metadata.producerId != producerId { return .failure(.invalidProducerIdMapping) }
                if metadata.producerEpoch != producerEpoch { return .failure(.invalidProducerEpoch) }
                if metadata.pendingTransitionInProgress { return .failure(.concurrentTransactions) }
                if metadata.state == .prepareCommit || metadata.state == .prepareAbort { return .failure(.concurrentTransactions) }
                if metadata.state == .ongoing && partitions.isSubset(of: metadata.topicPartitions) { return .failure(.none) }
                return .success(try metadata.prepareAddPartitions(partitions, updateTimestamp: now))
            } ?? .failure(.invalidProducerIdMapping)
        } catch {
            logger.critical("\(prefix)Found transactionalId \(transactionalId) in an illegal state: \(error)")
            return .unknownServerError
        }
        switch prepared {
        case .failure(let error):
            logger.debug("\(prefix)Returning \(error) error code to client for \(transactionalId)'s AddPartitions request")
            return error
        case .success(let transit):
            return await appendTransactionToLog(transactionalId, coordinatorEpoch: coordinatorEpoch, transit: transit)
        }
    }

    // MARK: The log

    /// Appends `transit` for `transactionalId` and completes it (Kafka's `appendTransactionToLog`).
    func appendTransactionToLog(
        _ transactionalId: String, coordinatorEpoch: Int32, transit: TxnTransitMetadata, retryOnError: @Sendable (ErrorCode) -> Bool = { _ in false }
    ) async -> ErrorCode {
        if let error = stateManager.checkBeforeAppend(transactionalId, coordinatorEpoch: coordinatorEpoch) { return error }
        let record: TransactionLogRecord
        do { record = try TransactionLogRecord(transactionalId: transactionalId, transit: transit) } catch {
            logger.critical("\(prefix)Cannot write \(transit) for \(transactionalId): \(error)")
            return .unknownServerError
        }
        let appendError = await appender.append(
            [record], toPartition: stateManager.partitionFor(transactionalId), timestamp: time.milliseconds, timeoutMs: transit.txnTimeoutMs)
        do {
            let error = try stateManager.completeAppend(
                transactionalId, coordinatorEpoch: coordinatorEpoch, transit: transit, appendError: appendError, retryOnError: retryOnError)
            if appendError != .none {
                logger.info("\(prefix)TransactionalId \(transactionalId) append transaction log for \(transit) transition failed due to \(error)")
            }
            return error
        } catch {
            logger.critical("\(prefix)TransactionalId \(transactionalId)'s transition to \(transit) failed: \(error)")
            return .unknownServerError
        }
    }
}
