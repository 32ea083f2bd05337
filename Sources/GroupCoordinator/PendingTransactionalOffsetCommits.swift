import KafkaCommon

/// A group's offsets committed inside transactions that have not ended yet, by producer id
/// (Kafka 2.3's `GroupMetadata.pendingTransactionalOffsetCommits`), as a value.
///
/// Lifecycle of one producer's entry:
/// 1. TxnOffsetCommit arrives: ``prepare(producerId:offsets:)`` records the offsets, not yet
///    written (no batch offset);
/// 2. their transactional batch is appended to `__consumer_offsets`:
///    ``onAppend(producerId:topicPartition:value:batchBaseOffset:)`` records where, or
///    ``fail(producerId:topicPartition:)`` forgets the partition when the append failed;
/// 3. the transaction's marker reaches the group's `__consumer_offsets` partition:
///    ``complete(producerId:isCommit:committed:batchOffsets:)`` drops the entry, and on COMMIT
///    moves its written offsets into the committed ones, unless a commit of a later batch is
///    already there (a plain OffsetCommit written after the transactional one wins, whatever the
///    order the two complete in).
///
/// A load of `__consumer_offsets` that ends inside a transaction gives its entries with their
/// batch offsets at once (``load(producerId:offsets:)``).
///
/// Invariants: no producer has an empty entry; pending offsets are never what OffsetFetch
/// serves (it reads the committed offsets only, as in Kafka 2.3, which has no `require_stable`).
public struct PendingTransactionalOffsetCommits: Sendable, Equatable {
    /// One pending offset: its value and, once written, the base offset of its batch (Kafka's
    /// `CommitRecordMetadataAndOffset`).
    public struct Pending: Sendable, Equatable {
        public var value: OffsetCommitValue
        public var batchBaseOffset: Int64?

        public init(value: OffsetCommitValue, batchBaseOffset: Int64?) {
            self.value = value
            self.batchBaseOffset = batchBaseOffset
        }
    }

    public private(set) var byProducer: [Int64: [TopicPartition: Pending]] = [:]

    public init() {}

    public var isEmpty: Bool { byProducer.isEmpty }

    /// The producers with a transaction open on this group (Kafka's `activeProducers`).
    public var activeProducers: Set<Int64> { Set(byProducer.keys) }

    /// Kafka's `hasPendingOffsetCommitsFromProducer`.
    public func hasPending(producerId: Int64) -> Bool { byProducer[producerId] != nil }

    public func pending(producerId: Int64) -> [TopicPartition: Pending] { byProducer[producerId] ?? [:] }

    /// A TxnOffsetCommit's offsets, before their append (Kafka's `prepareTxnOffsetCommit`); a
    /// partition already pending for the producer is replaced.
    public mutating func prepare(producerId: Int64, offsets: [TopicPartition: OffsetCommitValue]) {
        guard !offsets.isEmpty else { return }
        for (tp, value) in offsets {
            byProducer[producerId, default: [:]][tp] = Pending(value: value, batchBaseOffset: nil)
        }
    }

    /// Offsets a load of the log found inside a transaction still open at its end.
    public mutating func load(producerId: Int64, offsets: [TopicPartition: OffsetsTopicLoad.Commit]) {
        guard !offsets.isEmpty else { return }
        for (tp, commit) in offsets {
            byProducer[producerId, default: [:]][tp] = Pending(value: commit.value, batchBaseOffset: commit.batchBaseOffset)
        }
    }

    /// The batch holding `value` for `topicPartition` was appended at `batchBaseOffset` (Kafka's
    /// `onTxnOffsetCommitAppend`). Ignored unless the same value is still pending: a later
    /// TxnOffsetCommit of the partition replaced it, or the transaction ended meanwhile.
    public mutating func onAppend(producerId: Int64, topicPartition: TopicPartition, value: OffsetCommitValue, batchBaseOffset: Int64) {
        guard byProducer[producerId]?[topicPartition]?.value == value else { return }
        byProducer[producerId]![topicPartition]!.batchBaseOffset = batchBaseOffset
    }

    /// The append of `topicPartition`'s offset failed: it is forgotten, and the producer's entry
    /// with it when it was the last (Kafka's `failPendingTxnOffsetCommit`). The client retries.
    public mutating func fail(producerId: Int64, topicPartition: TopicPartition) {
        guard byProducer[producerId] != nil else { return }
        byProducer[producerId]![topicPartition] = nil
        if byProducer[producerId]!.isEmpty { byProducer[producerId] = nil }
    }

    /// The producer's transaction ended with a marker in the group's partition (Kafka's
    /// `completePendingTxnOffsetCommit`): its entry is dropped; on COMMIT each written offset
    /// replaces the committed one of its partition unless that one's batch is later
    /// (`batchOffsets`: the base offset of the batch of each committed offset, where known; an
    /// unknown one counts as earlier). An offset never written (its append still pending, which
    /// a client that waits for TxnOffsetCommit's answer before EndTxn never causes) is dropped.
    /// Returns the partitions whose committed offset changed, sorted.
    @discardableResult
    public mutating func complete(
        producerId: Int64, isCommit: Bool, committed: inout [TopicPartition: OffsetCommitValue], batchOffsets: inout [TopicPartition: Int64]
    ) -> [TopicPartition] {
        guard let pending = byProducer.removeValue(forKey: producerId), isCommit else { return [] }
        var changed: [TopicPartition] = []
        for (tp, entry) in pending {
            guard let batchBaseOffset = entry.batchBaseOffset else { continue }
            if let current = batchOffsets[tp], committed[tp] != nil, current >= batchBaseOffset { continue }
            committed[tp] = entry.value
            batchOffsets[tp] = batchBaseOffset
            changed.append(tp)
        }
        return changed.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
    }

    /// Forgets `partitions` in every producer's entry (Kafka's `removeOffsets`, for deleted
    /// topics and deleted groups); entries left empty go.
    public mutating func remove(partitions: Set<TopicPartition>) {
        for producerId in Array(byProducer.keys) {
            byProducer[producerId] = byProducer[producerId]!.filter { !partitions.contains($0.key) }
            if byProducer[producerId]!.isEmpty { byProducer[producerId] = nil }
        }
    }

    /// Forgets everything (a deleted group).
    public mutating func removeAll() { byProducer = [:] }
}
