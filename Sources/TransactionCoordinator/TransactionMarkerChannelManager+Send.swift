import KafkaCommon
import KafkaProtocol

/// One pass of the send loop and the handling of its answers (Kafka 2.3's
/// `drainQueuedTransactionMarkers` and `TransactionMarkerRequestCompletionHandler`).
extension TransactionMarkerChannelManager {
    /// Retries the final appends that found the log unavailable, routes the markers without a
    /// leader again, then sends each broker's queue as one WriteTxnMarkers request (the brokers
    /// concurrently) and handles the answers. Returns whether something waits for a retry
    /// (markers without a leader, failed sends, partitions answered with a retriable error,
    /// appends to retry), so the loop backs off instead of sending them again at once.
    @discardableResult
    public func sendQueuedMarkers() async -> Bool {
        let appends = txnLogAppendRetryQueue
        txnLogAppendRetryQueue.removeAll()
        for pending in appends { await writeTxnCompletion(pending) }

        let unrouted = markersQueueForUnknownBroker
        markersQueueForUnknownBroker.removeAll()
        for marker in unrouted where transactionsWithPendingMarkers[marker.transactionalId] != nil {
            await addTxnMarkersToBrokers(marker)
            await maybeWriteTxnCompletion(marker.transactionalId)
        }

        let batches = markersQueuePerBroker.filter { !$0.value.isEmpty }
        markersQueuePerBroker.removeAll()
        let network = self.network
        // One unstructured task per broker, awaited in turn: the brokers are still asked
        // concurrently. (A task group whose children returned a (broker, markers, Result) tuple
        // crashed the release build in the runtime's copy of that tuple at the first answer,
        // under Swift 6.3.1; the debug build did not.)
        let sends = batches.map { broker, markers in
            let request = Self.request(for: markers)
            return MarkerSend(broker: broker, markers: markers, answer: Task { try await network.send(request, to: broker) })
        }
        var failedSends = false
        var retriedPartitions = false
        for send in sends {
            do {
                let response = try await send.answer.value
                if await handleResponse(response, markers: send.markers, from: send.broker) { retriedPartitions = true }
            } catch {
                failedSends = true
                await handleDisconnect(send.markers, from: send.broker, error: error)
            }
        }
        return failedSends || retriedPartitions || !markersQueueForUnknownBroker.isEmpty || !txnLogAppendRetryQueue.isEmpty
    }

    /// One broker's queue on its way: the markers sent and the task awaiting the answer.
    struct MarkerSend {
        var broker: BrokerId
        var markers: [TxnIdAndMarker]
        var answer: Task<WriteTxnMarkers.Response, any Error>
    }

    /// The WriteTxnMarkers request of a broker's queue: one entry per queued marker, topics and
    /// partitions in order.
    static func request(for markers: [TxnIdAndMarker]) -> WriteTxnMarkers.Request {
        WriteTxnMarkers.Request(transactionMarkers: markers.map { marker in
            let byTopic = Dictionary(grouping: marker.partitions, by: \.topic)
            return WriteTxnMarkers.TxnMarker(
                producerId: marker.producerId, producerEpoch: marker.producerEpoch, transactionResult: marker.result == .commit,
                topics: byTopic.keys.sorted().map { WriteTxnMarkers.Topic(topic: $0, partitions: byTopic[$0]!.map(\.partition).sorted()) },
                coordinatorEpoch: marker.coordinatorEpoch)
        })
    }

    /// The request never got an answer: every marker is routed again (the leaders may have
    /// moved), unless its transaction is no longer this coordinator's.
    func handleDisconnect(_ markers: [TxnIdAndMarker], from broker: BrokerId, error: any Error) async {
        logger.info("\(prefix)Sending broker \(broker.rawValue)'s transaction markers failed (\(error)); re-enqueuing \(markers.count) of them")
        for marker in markers {
            guard await isStillWanted(marker) else { continue }
            await addTxnMarkersToBrokers(marker)
            await maybeWriteTxnCompletion(marker.transactionalId)
        }
    }

    /// Whether `marker`'s transaction still waits here and is still this coordinator's; drops it
    /// when not.
    func isStillWanted(_ marker: TxnIdAndMarker) async -> Bool {
        guard let pending = transactionsWithPendingMarkers[marker.transactionalId], pending.coordinatorEpoch == marker.coordinatorEpoch
        else { return false }
        guard let target, await target.stillCoordinates(transactionalId: marker.transactionalId, coordinatorEpoch: marker.coordinatorEpoch)
        else {
            logger.info("\(prefix)I am no longer the coordinator for \(marker.transactionalId) with coordinator epoch \(marker.coordinatorEpoch); cancel sending transaction markers to the brokers")
            removeMarkersForTxnId(marker.transactionalId)
            return false
        }
        return true
    }

    /// The per-partition answers of one broker.
    ///
    /// NONE: the partition's marker is written. A fenced producer epoch or coordinator: the
    /// transaction is dropped (someone newer completes it). Leadership moved, the partition
    /// unknown, not enough replicas, a timeout, a storage error: routed again. A partition missing
    /// from the answer is routed again too. Anything else cannot happen for a marker; it is
    /// logged and the partition is left pending, as Kafka's handler stops on it. Returns whether
    /// any partition was routed again.
    @discardableResult
    func handleResponse(_ response: WriteTxnMarkers.Response, markers: [TxnIdAndMarker], from broker: BrokerId) async -> Bool {
        var routedAgain = false
        var byProducerId: [Int64: WriteTxnMarkers.TxnMarkerResult] = [:]
        for result in response.transactionMarkers { byProducerId[result.producerId] = result }
        for marker in markers {
            guard await isStillWanted(marker) else { continue }
            var errors: [TopicPartition: ErrorCode] = [:]
            for topic in byProducerId[marker.producerId]?.topics ?? [] {
                for partition in topic.partitions { errors[TopicPartition(topic.topic, partition.partition)] = partition.errorCode }
            }
            var retry: Set<TopicPartition> = []
            var written: Set<TopicPartition> = []
            var abortSending = false
            for partition in marker.partitions.sorted() {
                guard let error = errors[partition] else {
                    logger.warning("\(prefix)Broker \(broker.rawValue) did not answer the marker of \(partition) for \(marker.transactionalId); retrying")
                    retry.insert(partition)
                    continue
                }
                switch error {
                case .none:
                    written.insert(partition)
                case .invalidProducerEpoch, .transactionCoordinatorFenced:
                    logger.info("\(prefix)Sending \(marker.transactionalId)'s transaction marker for partition \(partition) has failed with error \(error); the producer or coordinator epoch has changed, this transaction can now be ignored")
                    abortSending = true
                case .unknownTopicOrPartition, .notLeaderForPartition, .notEnoughReplicas, .notEnoughReplicasAfterAppend,
                     .requestTimedOut, .kafkaStorageError:
                    logger.info("\(prefix)Sending \(marker.transactionalId)'s transaction marker for partition \(partition) has failed with error \(error), retrying with current coordinator epoch \(marker.coordinatorEpoch)")
                    retry.insert(partition)
                default:
                    logger.critical("\(prefix)Received fatal error \(error) while sending txn marker for \(marker.transactionalId) to \(partition)")
                }
            }
            if abortSending {
                removeMarkersForTxnId(marker.transactionalId)
                continue
            }
            transactionsWithPendingMarkers[marker.transactionalId]?.remaining.subtract(written)
            if !retry.isEmpty {
                var again = marker
                again.partitions = retry
                await addTxnMarkersToBrokers(again)
                routedAgain = true
            }
            await maybeWriteTxnCompletion(marker.transactionalId)
        }
        return routedAgain
    }
}
