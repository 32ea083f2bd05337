import KafkaCommon
import KafkaProtocol

/// The two periodic sweeps of Kafka 2.3's coordinator: transactions open longer than their
/// timeout are aborted (`timedOutTransactions`, every
/// `transaction.abort.timed.out.transaction.cleanup.interval.ms`), and transactional ids idle
/// longer than `transactional.id.expiration.ms` are removed with a tombstone
/// (`enableTransactionalIdExpiration`, every `transaction.remove.expired.transaction.cleanup.interval.ms`).
extension TransactionStateManager {
    /// A transaction to abort for its timeout, as it was when found.
    public struct TransactionalIdAndProducerIdEpoch: Sendable, Hashable {
        public var transactionalId: String
        public var producerId: Int64
        public var producerEpoch: Int16
    }

    /// A transactional id being expired: its Dead transit, pending until its tombstone is written.
    public struct ExpiringTransactionalId: Sendable, Equatable {
        public var transactionalId: String
        public var coordinatorEpoch: Int32
        public var transit: TxnTransitMetadata
    }

    /// The Ongoing transactions, with nothing pending, that started more than their timeout before
    /// `now` (`txnStartTimestamp + txnTimeoutMs < now`), outside leaving partitions; sorted by id.
    public func timedOutTransactions(now: Int64) -> [TransactionalIdAndProducerIdEpoch] {
        cache.filter { partition, _ in !leavingPartitions.contains(where: { $0.partition == partition }) }
            .values.flatMap { entry in
                entry.metadataPerTransactionalId.values.filter { metadata in
                    !metadata.pendingTransitionInProgress && metadata.state == .ongoing
                        && metadata.txnStartTimestamp + Int64(metadata.txnTimeoutMs) < now
                }.map { TransactionalIdAndProducerIdEpoch(transactionalId: $0.transactionalId, producerId: $0.producerId, producerEpoch: $0.producerEpoch) }
            }.sorted { $0.transactionalId < $1.transactionalId }
    }

    /// Prepares the expiry of every transactional id in Empty, CompleteCommit or CompleteAbort whose
    /// last update is at least `transactional.id.expiration.ms` before `now` (each gets Dead
    /// pending), grouped by partition, for their tombstones to be written. An id with a
    /// transition pending is skipped (Kafka's `prepareDead` would refuse it).
    public mutating func prepareTransactionalIdExpiration(now: Int64) -> [Int32: [ExpiringTransactionalId]] {
        var expiring: [Int32: [ExpiringTransactionalId]] = [:]
        for partition in cache.keys.sorted() {
            let entry = cache[partition]!
            for transactionalId in entry.metadataPerTransactionalId.keys.sorted() {
                var metadata = entry.metadataPerTransactionalId[transactionalId]!
                guard [.empty, .completeCommit, .completeAbort].contains(metadata.state),
                      metadata.txnLastUpdateTimestamp <= now - config.transactionalIdExpirationMs,
                      let transit = try? metadata.prepareDead()
                else { continue }
                cache[partition]!.metadataPerTransactionalId[transactionalId] = metadata
                expiring[partitionFor(transactionalId), default: []].append(
                    ExpiringTransactionalId(transactionalId: transactionalId, coordinatorEpoch: entry.coordinatorEpoch, transit: transit))
            }
        }
        return expiring
    }

    /// The tombstones of `expired` (one partition's) were appended with `error`: each id still at
    /// the same coordinator epoch, pending Dead and at the same producer epoch is removed when the
    /// append succeeded; any other keeps its metadata with nothing pending. Returns the ids removed.
    @discardableResult
    public mutating func completeTransactionalIdExpiration(_ expired: [ExpiringTransactionalId], appendError: ErrorCode) -> [String] {
        var removed: [String] = []
        for item in expired {
            let partition = partitionFor(item.transactionalId)
            guard let entry = cache[partition], var metadata = entry.metadataPerTransactionalId[item.transactionalId] else { continue }
            if entry.coordinatorEpoch == item.coordinatorEpoch, metadata.pendingState == .dead,
               metadata.producerEpoch == item.transit.producerEpoch, appendError == .none {
                cache[partition]!.metadataPerTransactionalId[item.transactionalId] = nil
                removed.append(item.transactionalId)
            } else {
                metadata.clearPendingState()
                cache[partition]!.metadataPerTransactionalId[item.transactionalId] = metadata
            }
        }
        return removed
    }
}
