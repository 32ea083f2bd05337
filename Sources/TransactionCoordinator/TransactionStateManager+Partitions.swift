/// Leadership changes of `__transaction_state` partitions (Kafka 2.3's
/// `loadTransactionsForTxnTopicPartition` and `removeTransactionsForTxnTopicPartition`), each in
/// two steps: the first runs when the change arrives, the second when the (scheduled) load or
/// removal runs. A step finds nothing to do when a later change of the same partition came in between.
extension TransactionStateManager {
    /// A transaction that was being completed when its partition was loaded: its markers are
    /// to be sent again (`result` says which), and `transit` completes it.
    public struct PendingCompletion: Sendable, Equatable {
        public var transactionalId: String
        public var coordinatorEpoch: Int32
        public var result: TransactionResult
        public var transit: TxnTransitMetadata
    }

    /// This broker became leader of `partition` at `coordinatorEpoch`: the partition is loading
    /// (and no longer leaving).
    public mutating func addLoadingPartition(_ partition: Int32, coordinatorEpoch: Int32) {
        let key = PartitionAndEpoch(partition: partition, coordinatorEpoch: coordinatorEpoch)
        leavingPartitions.remove(key)
        loadingPartitions.insert(key)
    }

    /// The partition's records are read (`transactions`, from ``TransactionLogLoad``): they become
    /// the partition's cache entry, unless the load was overtaken (nil then, and nothing changes).
    /// Each transaction in PrepareCommit or PrepareAbort gets its completion prepared (pending
    /// CompleteCommit or CompleteAbort at `now`) and is returned, for its markers to be sent, as
    /// Kafka does once the partition is no longer loading. A cache entry left from an earlier
    /// epoch is replaced (Kafka 2.3 fails such a load as "should not happen" and leaves the
    /// partition loading).
    public mutating func completeLoading(
        _ partition: Int32, coordinatorEpoch: Int32, transactions: [String: TransactionMetadata], now: Int64
    ) throws(TransactionStateError) -> [PendingCompletion]? {
        let key = PartitionAndEpoch(partition: partition, coordinatorEpoch: coordinatorEpoch)
        guard loadingPartitions.contains(key) else { return nil }
        var loaded = transactions
        var pending: [PendingCompletion] = []
        for transactionalId in loaded.keys.sorted() {
            let result: TransactionResult
            switch loaded[transactionalId]!.state {
            case .prepareCommit: result = .commit
            case .prepareAbort: result = .abort
            default: continue
            }
            let transit = try loaded[transactionalId]!.prepareComplete(updateTimestamp: now)
            pending.append(PendingCompletion(transactionalId: transactionalId, coordinatorEpoch: coordinatorEpoch, result: result, transit: transit))
        }
        cache[partition] = CacheEntry(coordinatorEpoch: coordinatorEpoch, metadataPerTransactionalId: loaded)
        loadingPartitions.remove(key)
        return pending
    }

    /// This broker is no longer leader of `partition`: it is leaving (and no longer loading);
    /// its transactional ids answer NOT_COORDINATOR from now on.
    public mutating func prepareRemoval(_ partition: Int32, coordinatorEpoch: Int32) {
        let key = PartitionAndEpoch(partition: partition, coordinatorEpoch: coordinatorEpoch)
        loadingPartitions.remove(key)
        leavingPartitions.insert(key)
    }

    /// Drops the partition's cache entry, unless the removal was overtaken. Returns the number of
    /// transactional ids dropped (nil when the removal was overtaken or there was no entry).
    @discardableResult
    public mutating func completeRemoval(_ partition: Int32, coordinatorEpoch: Int32) -> Int? {
        let key = PartitionAndEpoch(partition: partition, coordinatorEpoch: coordinatorEpoch)
        guard leavingPartitions.contains(key) else { return nil }
        leavingPartitions.remove(key)
        return cache.removeValue(forKey: partition)?.metadataPerTransactionalId.count
    }

    /// Whether this broker answers for `partition` (loaded and not leaving).
    public func owns(_ partition: Int32) -> Bool {
        cache[partition] != nil && !leavingPartitions.contains(where: { $0.partition == partition })
            && !loadingPartitions.contains(where: { $0.partition == partition })
    }
}

/// How a transaction ends (Kafka's `TransactionResult`): the marker type written to its partitions.
public enum TransactionResult: Sendable, Equatable, CustomStringConvertible {
    case commit
    case abort

    public var description: String { self == .commit ? "COMMIT" : "ABORT" }
}
