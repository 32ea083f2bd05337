import KafkaCommon
import KafkaProtocol
import Logging

/// Sends the COMMIT/ABORT markers of completing transactions to the partitions' leaders and,
/// once every partition of a transaction has its marker, writes CompleteCommit/CompleteAbort
/// (Kafka 2.3's `TransactionMarkerChannelManager` with its
/// `TransactionMarkerRequestCompletionHandler`).
///
/// Lifecycle: the coordinator queues a transaction (``addTxnMarkersToSend``); its partitions are
/// routed to one queue per destination broker (the leader in the metadata), or to the queue of
/// partitions whose leader is unknown, or skipped when the partition is gone. Each pass
/// (``sendQueuedMarkers()``) retries the final appends that found the log unavailable, routes the
/// unknown-leader queue again, and sends every broker's queue as one WriteTxnMarkers v0 request.
/// The answer removes each written partition from the transaction's remaining set; partitions
/// whose leader moved or that timed out are routed again; a disconnect routes the whole request
/// again; a fenced producer epoch drops the transaction. When the remaining set is empty the
/// final state is appended through the coordinator.
///
/// Invariant: a transactional id has at most one pending completion here; every queued marker
/// names partitions still in its transaction's remaining set (or already written, which is
/// harmless: markers are idempotent in the log's producer state).
///
/// Isolation: an actor. ``start()`` runs the passes in a task until ``shutdown()``; tests call
/// ``sendQueuedMarkers()`` themselves with an injected network and metadata.
public actor TransactionMarkerChannelManager: TransactionMarkerSender {
    /// One transaction's markers for one destination (Kafka's `TxnIdAndMarker`).
    public struct TxnIdAndMarker: Sendable, Equatable {
        public var transactionalId: String
        public var coordinatorEpoch: Int32
        public var producerId: Int64
        public var producerEpoch: Int16
        public var result: TransactionResult
        public var partitions: Set<TopicPartition>
        /// The `__transaction_state` partition of `transactionalId`.
        public var txnTopicPartition: Int32
    }

    /// A transaction waiting for its markers (Kafka's `PendingCompleteTxn`).
    struct PendingCompleteTxn: Sendable {
        var transactionalId: String
        var coordinatorEpoch: Int32
        var txnTopicPartition: Int32
        var transit: TxnTransitMetadata
        /// Partitions whose marker is not written yet.
        var remaining: Set<TopicPartition>
    }

    let brokerId: BrokerId
    let metadata: any TxnMarkerMetadata
    let network: any TxnMarkerNetwork
    let partitionFor: @Sendable (String) -> Int32
    let logger: Logger
    /// How long a pass waits before the next when something must be retried (Kafka's send thread
    /// polls in a loop; this is its pace for retries).
    let retryBackoff: Duration
    weak var target: (any TxnMarkerCompletionTarget)?

    var transactionsWithPendingMarkers: [String: PendingCompleteTxn] = [:]
    var markersQueuePerBroker: [BrokerId: [TxnIdAndMarker]] = [:]
    var markersQueueForUnknownBroker: [TxnIdAndMarker] = []
    var txnLogAppendRetryQueue: [PendingCompleteTxn] = []
    private var sendTask: Task<Void, Never>?
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    public init(
        brokerId: BrokerId, metadata: any TxnMarkerMetadata, network: any TxnMarkerNetwork,
        partitionFor: @escaping @Sendable (String) -> Int32, logger: Logger, retryBackoff: Duration = .milliseconds(100)
    ) {
        self.brokerId = brokerId
        self.metadata = metadata
        self.network = network
        self.partitionFor = partitionFor
        self.retryBackoff = retryBackoff
        var logger = logger
        logger[metadataKey: "broker"] = "\(brokerId.rawValue)"
        self.logger = logger
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// The coordinator whose transactions complete here; held weakly (it holds this manager).
    public func attach(_ target: any TxnMarkerCompletionTarget) { self.target = target }

    var prefix: String { "[Transaction Marker Channel Manager \(brokerId.rawValue)]: " }

    // MARK: Queueing

    public func addTxnMarkersToSend(
        transactionalId: String, coordinatorEpoch: Int32, result: TransactionResult, metadata: TransactionMetadata,
        transit: TxnTransitMetadata
    ) async {
        transactionsWithPendingMarkers[transactionalId] = PendingCompleteTxn(
            transactionalId: transactionalId, coordinatorEpoch: coordinatorEpoch, txnTopicPartition: partitionFor(transactionalId),
            transit: transit, remaining: metadata.topicPartitions)
        await addTxnMarkersToBrokers(
            TxnIdAndMarker(
                transactionalId: transactionalId, coordinatorEpoch: coordinatorEpoch, producerId: metadata.producerId,
                producerEpoch: metadata.producerEpoch, result: result, partitions: metadata.topicPartitions,
                txnTopicPartition: partitionFor(transactionalId)))
        await maybeWriteTxnCompletion(transactionalId)
    }

    public func removeMarkers(forTxnTopicPartition partition: Int32) async {
        for broker in markersQueuePerBroker.keys {
            markersQueuePerBroker[broker]?.removeAll { $0.txnTopicPartition == partition }
        }
        markersQueueForUnknownBroker.removeAll { $0.txnTopicPartition == partition }
        txnLogAppendRetryQueue.removeAll { $0.txnTopicPartition == partition }
        transactionsWithPendingMarkers = transactionsWithPendingMarkers.filter { $0.value.txnTopicPartition != partition }
    }

    /// Forgets one transaction: its completion and its queued markers.
    func removeMarkersForTxnId(_ transactionalId: String) {
        transactionsWithPendingMarkers[transactionalId] = nil
        for broker in markersQueuePerBroker.keys {
            markersQueuePerBroker[broker]?.removeAll { $0.transactionalId == transactionalId }
        }
        markersQueueForUnknownBroker.removeAll { $0.transactionalId == transactionalId }
    }

    /// Routes the partitions of `marker` to their leaders' queues (Kafka's `addTxnMarkersToBrokers`);
    /// deleted partitions leave the transaction's remaining set.
    func addTxnMarkersToBrokers(_ marker: TxnIdAndMarker) async {
        var perBroker: [BrokerId: Set<TopicPartition>] = [:]
        var unknownLeader: Set<TopicPartition> = []
        var deleted: Set<TopicPartition> = []
        for partition in marker.partitions {
            switch await metadata.destination(of: partition) {
            case .leader(let broker): perBroker[broker, default: []].insert(partition)
            case .leaderNotAvailable: unknownLeader.insert(partition)
            case .partitionDeleted: deleted.insert(partition)
            }
        }
        if !deleted.isEmpty {
            logger.info("\(prefix)Couldn't find leader endpoint for partitions \(ScalaSetText.text(of: deleted.sorted())) while trying to send transaction markers for \(marker.transactionalId), these partitions are likely deleted already and hence can be skipped")
            transactionsWithPendingMarkers[marker.transactionalId]?.remaining.subtract(deleted)
        }
        for (broker, partitions) in perBroker {
            var routed = marker
            routed.partitions = partitions
            markersQueuePerBroker[broker, default: []].append(routed)
        }
        if !unknownLeader.isEmpty {
            var routed = marker
            routed.partitions = unknownLeader
            markersQueueForUnknownBroker.append(routed)
        }
        wake.yield()
    }

    // MARK: Completion

    /// Writes the final state once no partition waits for its marker (Kafka's
    /// `maybeWriteTxnCompletion`).
    func maybeWriteTxnCompletion(_ transactionalId: String) async {
        guard let pending = transactionsWithPendingMarkers[transactionalId], pending.remaining.isEmpty else { return }
        transactionsWithPendingMarkers[transactionalId] = nil
        await writeTxnCompletion(pending)
    }

    /// Kafka's `tryAppendToLog`: COORDINATOR_NOT_AVAILABLE is retried on the next pass; losing the
    /// coordinatorship or a reload ends the attempt (the next coordinator completes it).
    func writeTxnCompletion(_ pending: PendingCompleteTxn) async {
        guard let target else { return }
        logger.debug("\(prefix)Completed sending transaction markers for \(pending.transactionalId) as \(pending.transit.txnState)")
        let error = await target.completeTransaction(
            transactionalId: pending.transactionalId, coordinatorEpoch: pending.coordinatorEpoch, transit: pending.transit)
        switch error {
        case .none:
            logger.trace("\(prefix)Completed transaction for \(pending.transactionalId) with coordinator epoch \(pending.coordinatorEpoch), final state after commit: \(pending.transit.txnState)")
        case .notCoordinator:
            logger.info("\(prefix)No longer the coordinator for transactionalId: \(pending.transactionalId) while trying to append to transaction log, skip writing to transaction log")
        case .coordinatorNotAvailable:
            logger.info("\(prefix)Not available to append \(pending.transit) for \(pending.transactionalId): possible causes include UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND and REQUEST_TIMED_OUT; retry appending")
            txnLogAppendRetryQueue.append(pending)
            wake.yield()
        case .coordinatorLoadInProgress:
            logger.info("\(prefix)Coordinator is loading the partition \(pending.txnTopicPartition) and hence cannot complete append of \(pending.transit) for \(pending.transactionalId); skip writing to transaction log as the loading process should complete it")
        default:
            logger.critical("\(prefix)Unexpected error \(error) while appending to transaction log for \(pending.transactionalId)")
        }
    }

    // MARK: Introspection (tests, logging)

    /// The queued markers of `broker`, oldest first.
    public func queuedMarkers(for broker: BrokerId) -> [TxnIdAndMarker] { markersQueuePerBroker[broker] ?? [] }
    /// The markers waiting for a leader.
    public var queuedMarkersForUnknownBroker: [TxnIdAndMarker] { markersQueueForUnknownBroker }
    /// The transactional ids whose markers are not all written yet.
    public var transactionsWaitingForMarkers: Set<String> { Set(transactionsWithPendingMarkers.keys) }
    /// The partitions of `transactionalId` still without their marker; nil when it is not pending.
    public func remainingPartitions(of transactionalId: String) -> Set<TopicPartition>? {
        transactionsWithPendingMarkers[transactionalId]?.remaining
    }

    // MARK: The send loop

    /// Starts the passes in a task: a pass whenever something is queued, and every
    /// `retryBackoff` while markers or appends wait for a retry.
    public func start() {
        guard sendTask == nil else { return }
        sendTask = Task { [weak self] in
            guard let stream = await self?.wakeups else { return }
            var iterator = stream.makeAsyncIterator()
            while !Task.isCancelled {
                guard let self else { return }
                let needsRetry = await self.sendQueuedMarkers()
                if Task.isCancelled { return }
                if needsRetry {
                    try? await Task.sleep(for: self.retryBackoff)
                } else if await iterator.next() == nil {
                    return
                }
            }
        }
    }

    /// Stops the passes; queued markers are dropped with the manager.
    public func shutdown() async {
        sendTask?.cancel()
        wake.finish()
        await sendTask?.value
        sendTask = nil
    }
}
