import KafkaCommon
import KafkaRecords

/// The producer state of one partition (Kafka 2.3's `ProducerStateManager`): for each producer
/// id its `ProducerStateEntry`, the transactions still open, and those whose marker is written but
/// not yet below the high watermark. It lets the leader refuse out-of-order and fenced batches
/// and answer retries with their first offsets, and gives the log its first unstable offset.
///
/// A value with no I/O except the snapshot files (`ProducerStateManager+Snapshots.swift`), held
/// by the `LocalLog` under the log's lock, the same on leaders and followers. Time is passed in.
///
/// Offsets: `mapEndOffset` is the log offset the state is complete up to (exclusive; the log end
/// offset after every append); `lastSnapOffset` that of the latest snapshot written or loaded.
///
/// Invariants: every open transaction is its producer's `currentTxnFirstOffset` and is keyed by
/// its first offset in `ongoingTxns`; a completed one moves to `unreplicatedTxns` until the high
/// watermark passes its marker.
public struct ProducerStateManager: Sendable {
    /// `transactional.id.expiration.ms`'s default: how long an idle producer's state is kept.
    public static let defaultMaxProducerIdExpirationMs: Int64 = 604_800_000

    public let topicPartition: TopicPartition
    /// The log directory, where the `<offset>.snapshot` files are.
    public let logDir: String
    public var maxProducerIdExpirationMs: Int64
    public internal(set) var producers: [Int64: ProducerStateEntry] = [:]
    public internal(set) var mapEndOffset: Int64 = 0
    public internal(set) var lastSnapOffset: Int64 = 0
    /// Open transactions by first offset.
    var ongoingTxns: [Int64: TxnMetadata] = [:]
    /// Completed transactions (marker written) by first offset, until the high watermark passes
    /// their marker.
    var unreplicatedTxns: [Int64: TxnMetadata] = [:]

    public init(topicPartition: TopicPartition, logDir: String, maxProducerIdExpirationMs: Int64 = defaultMaxProducerIdExpirationMs) {
        self.topicPartition = topicPartition
        self.logDir = logDir
        self.maxProducerIdExpirationMs = maxProducerIdExpirationMs
    }

    // MARK: Stability

    /// The first offset of the oldest transaction that is open, or complete but with its marker
    /// still above the high watermark; nil when there is none.
    public var firstUnstableOffset: Int64? {
        guard !ongoingTxns.isEmpty || !unreplicatedTxns.isEmpty else { return nil }
        let undecided = ongoingTxns.keys.min()
        let unreplicated = unreplicatedTxns.keys.min()
        switch (undecided, unreplicated) {
        case let (undecided?, unreplicated?): return min(undecided, unreplicated)
        default: return undecided ?? unreplicated
        }
    }

    /// The first offset of the oldest open transaction.
    public var firstUndecidedOffset: Int64? { ongoingTxns.keys.min() }

    /// The transactions whose markers are now below `highWatermark` are stable.
    public mutating func onHighWatermarkUpdated(_ highWatermark: Int64) {
        removeUnreplicatedTransactions(before: highWatermark)
    }

    private mutating func removeUnreplicatedTransactions(before offset: Int64) {
        guard !unreplicatedTxns.isEmpty else { return }
        unreplicatedTxns = unreplicatedTxns.filter { _, txn in !(txn.lastOffset.map { $0 < offset } ?? false) }
    }

    public var isEmpty: Bool { producers.isEmpty && unreplicatedTxns.isEmpty }

    // MARK: Appends

    /// The check of a producer's data batches in an append (Kafka 2.3's `prepareUpdate`): full
    /// for producers on the leader (epoch only on `__consumer_offsets`, whose transactional
    /// offset commits carry no sequence), none for the broker's own appends (the coordinators),
    /// followers and replay. Markers are checked unless replicated (`validatesMarkers`).
    public func prepareUpdate(producerId: Int64, origin: AppendOrigin) -> ProducerAppendInfo {
        let validation: ProducerAppendInfo.ValidationType
        switch origin {
        case .replication, .coordinator: validation = .none
        case .client: validation = topicPartition.topic == "__consumer_offsets" ? .epochOnly : .full
        }
        return ProducerAppendInfo(topicPartition: topicPartition, producerId: producerId,
                                  currentEntry: producers[producerId] ?? ProducerStateEntry(producerId: producerId),
                                  validationType: validation, validatesMarkers: origin != .replication)
    }

    /// Takes on an append's outcome for its producer (after the batches are written).
    public mutating func update(_ appendInfo: ProducerAppendInfo) {
        precondition(appendInfo.producerId != RecordBatch.noProducerId, "producer state update without a producer id")
        let next = appendInfo.updatedEntry
        if producers[appendInfo.producerId] != nil {
            producers[appendInfo.producerId]!.update(with: next)
        } else {
            producers[appendInfo.producerId] = next
        }
        for txn in appendInfo.startedTransactions { ongoingTxns[txn.firstOffset] = txn }
    }

    public mutating func updateMapEndOffset(_ offset: Int64) { mapEndOffset = offset }

    public func lastEntry(_ producerId: Int64) -> ProducerStateEntry? { producers[producerId] }

    /// The LSO just after `completed`'s marker: the first offset of the oldest other open
    /// transaction, else the offset after the marker.
    public func lastStableOffset(_ completed: CompletedTransaction) -> Int64 {
        let others = ongoingTxns.values.filter { $0.producerId != completed.producerId }.map(\.firstOffset)
        return others.min() ?? completed.lastOffset + 1
    }

    /// Moves `completed` from the open transactions to those waiting for the high watermark.
    public mutating func completeTxn(_ completed: CompletedTransaction) {
        // The append info registered every transaction it completes (`startedTransactions`), so
        // the entry is there; should it not be (a log Kafka's cleaner rewrote), it is kept anyway.
        var txn = ongoingTxns.removeValue(forKey: completed.firstOffset)
            ?? TxnMetadata(producerId: completed.producerId, firstOffset: completed.firstOffset)
        txn.lastOffset = completed.lastOffset
        unreplicatedTxns[completed.firstOffset] = txn
    }

    // MARK: Expiry and the log start offset

    func isExpired(_ entry: ProducerStateEntry, now: Int64) -> Bool {
        entry.currentTxnFirstOffset == nil && now - entry.lastTimestamp >= maxProducerIdExpirationMs
    }

    /// Forgets the producers idle (no open transaction, last batch's timestamp) for at least
    /// `maxProducerIdExpirationMs`. Returns how many.
    @discardableResult
    public mutating func removeExpiredProducers(now: Int64) -> Int {
        let before = producers.count
        producers = producers.filter { !isExpired($0.value, now: now) }
        return before - producers.count
    }

    /// Whether a producer's last batch is still in the log (its older batches below
    /// `logStartOffset` are forgotten on the way).
    static func isRetained(_ entry: inout ProducerStateEntry, logStartOffset: Int64) -> Bool {
        entry.removeBatches(endingBelow: logStartOffset)
        return entry.lastDataOffset >= logStartOffset
    }

    /// The log start offset moved to `logStartOffset` (retention, DeleteRecords): forgets the
    /// producers whose last batch is gone with their open transactions, the completed
    /// transactions below it, and the snapshots below it.
    public mutating func truncateHead(logStartOffset: Int64) throws(StorageError) {
        var evicted: Set<Int64> = []
        for (producerId, var entry) in producers {
            if Self.isRetained(&entry, logStartOffset: logStartOffset) {
                producers[producerId] = entry
            } else {
                evicted.insert(producerId)
            }
        }
        for producerId in evicted { producers.removeValue(forKey: producerId) }
        if !evicted.isEmpty { ongoingTxns = ongoingTxns.filter { !evicted.contains($0.value.producerId) } }
        removeUnreplicatedTransactions(before: logStartOffset)
        if mapEndOffset < logStartOffset { mapEndOffset = logStartOffset }
        try deleteSnapshots(before: logStartOffset)
        lastSnapOffset = try latestSnapshotOffset() ?? logStartOffset
    }

    /// Loads a producer's entry (from a snapshot), with its open transaction.
    mutating func loadProducerEntry(_ entry: ProducerStateEntry) {
        producers[entry.producerId] = entry
        if let first = entry.currentTxnFirstOffset {
            ongoingTxns[first] = TxnMetadata(producerId: entry.producerId, firstOffset: first)
        }
    }

    /// Forgets everything and deletes every snapshot (the log restarts empty).
    public mutating func truncate() throws(StorageError) {
        producers = [:]
        ongoingTxns = [:]
        unreplicatedTxns = [:]
        try deleteSnapshots { _ in true }
        lastSnapOffset = 0
        mapEndOffset = 0
    }
}
