import KafkaCommon
import KafkaProtocol

/// The transaction coordinator's cache of transactional ids, by `__transaction_state` partition
/// (Kafka 2.3's `TransactionStateManager`), as a value: the shell that owns it performs the log
/// reads and appends and the scheduling, and calls in here with their results.
///
/// A transactional id lives in partition `abs(javaHash(id)) % transaction.state.log.num.partitions`
/// (``partitionFor(_:)``). This broker answers for it only while it leads that partition and has
/// loaded it:
/// - loading (``addLoadingPartition(_:coordinatorEpoch:)`` until
///   ``completeLoading(_:coordinatorEpoch:transactions:now:)``): COORDINATOR_LOAD_IN_PROGRESS;
/// - leaving (``prepareRemoval(_:coordinatorEpoch:)`` until ``completeRemoval(_:coordinatorEpoch:)``),
///   or never loaded: NOT_COORDINATOR;
/// - owned: the cache entry, tagged with the coordinator epoch (the partition's leader epoch) it
///   was loaded at, which every log append is checked against.
///
/// Invariants: a partition is in at most one of loading, leaving and owned-and-not-leaving for a
/// given coordinator epoch; the cache holds only partitions whose load completed.
public struct TransactionStateManager: Sendable {
    /// A partition of `__transaction_state` and the coordinator epoch it is (un)loaded at.
    public struct PartitionAndEpoch: Sendable, Hashable {
        public var partition: Int32
        public var coordinatorEpoch: Int32
        public init(partition: Int32, coordinatorEpoch: Int32) {
            self.partition = partition
            self.coordinatorEpoch = coordinatorEpoch
        }
    }

    /// The transactional ids of one owned partition (Kafka's `TxnMetadataCacheEntry`).
    public struct CacheEntry: Sendable, Equatable {
        public var coordinatorEpoch: Int32
        public var metadataPerTransactionalId: [String: TransactionMetadata]
    }

    /// A transactional id's metadata and the coordinator epoch of its partition.
    public struct EpochAndMetadata: Sendable, Equatable {
        public var coordinatorEpoch: Int32
        public var metadata: TransactionMetadata
    }

    public static let topic = "__transaction_state"

    public let brokerId: BrokerId
    public let config: TransactionConfig
    /// The partition count of `__transaction_state`: the topic's in ZooKeeper when it exists,
    /// `transaction.state.log.num.partitions` otherwise.
    public let partitionCount: Int32

    public internal(set) var loadingPartitions: Set<PartitionAndEpoch> = []
    public internal(set) var leavingPartitions: Set<PartitionAndEpoch> = []
    public internal(set) var cache: [Int32: CacheEntry] = [:]

    public init(brokerId: BrokerId, config: TransactionConfig, partitionCount: Int32? = nil) {
        self.brokerId = brokerId
        self.config = config
        self.partitionCount = partitionCount ?? config.transactionLogNumPartitions
        precondition(self.partitionCount > 0, "__transaction_state needs at least one partition")
    }

    /// The `__transaction_state` partition of `transactionalId`: Java's `String.hashCode`, Kafka's
    /// `Utils.abs`, modulo the partition count, so an id lands where Apache Kafka puts it.
    public func partitionFor(_ transactionalId: String) -> Int32 {
        JavaHash.abs(JavaHash.stringHashCode(transactionalId)) % partitionCount
    }

    /// Whether a producer may ask for this transaction timeout: positive and at most
    /// `transaction.max.timeout.ms`.
    public func validateTransactionTimeoutMs(_ timeoutMs: Int32) -> Bool {
        timeoutMs > 0 && timeoutMs <= config.transactionMaxTimeoutMs
    }

    /// The metadata of `transactionalId`: COORDINATOR_LOAD_IN_PROGRESS while its partition loads,
    /// NOT_COORDINATOR while it leaves or when this broker does not own it, nil when the partition
    /// is owned but has no such id (Kafka's `getTransactionState`).
    public func transactionState(of transactionalId: String) -> Result<EpochAndMetadata?, ErrorCode> {
        let partition = partitionFor(transactionalId)
        if loadingPartitions.contains(where: { $0.partition == partition }) { return .failure(.coordinatorLoadInProgress) }
        if leavingPartitions.contains(where: { $0.partition == partition }) { return .failure(.notCoordinator) }
        guard let entry = cache[partition] else { return .failure(.notCoordinator) }
        return .success(entry.metadataPerTransactionalId[transactionalId].map {
            EpochAndMetadata(coordinatorEpoch: entry.coordinatorEpoch, metadata: $0)
        })
    }

    /// The metadata of `transactionalId`, adding `created` when there is none (Kafka's
    /// `putTransactionStateIfNotExists`); the same errors as ``transactionState(of:)``.
    public mutating func putTransactionStateIfNotExists(_ created: TransactionMetadata) -> Result<EpochAndMetadata, ErrorCode> {
        switch transactionState(of: created.transactionalId) {
        case .failure(let error): return .failure(error)
        case .success(let existing?): return .success(existing)
        case .success(nil):
            let partition = partitionFor(created.transactionalId)
            cache[partition]!.metadataPerTransactionalId[created.transactionalId] = created
            return .success(EpochAndMetadata(coordinatorEpoch: cache[partition]!.coordinatorEpoch, metadata: created))
        }
    }

    /// Changes the cached metadata of `transactionalId` in place with `body` (where Kafka takes
    /// the metadata's lock); nil, and nothing runs, when the id is not cached.
    public mutating func withMetadata<T>(
        of transactionalId: String, _ body: (inout TransactionMetadata) throws(TransactionStateError) -> T
    ) throws(TransactionStateError) -> T? {
        let partition = partitionFor(transactionalId)
        guard var metadata = cache[partition]?.metadataPerTransactionalId[transactionalId] else { return nil }
        let result = try body(&metadata)
        cache[partition]!.metadataPerTransactionalId[transactionalId] = metadata
        return result
    }
}
