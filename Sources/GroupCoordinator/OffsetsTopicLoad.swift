import KafkaCommon
import KafkaRecords

/// What one `__consumer_offsets` partition holds once read from its start to its end: the
/// record-level half of Kafka 2.3's `GroupMetadataManager.doLoadGroupsAndOffsets`, as a value fed
/// batch by batch in log order. Turning the result into groups (`GroupMetadata`, the empty groups
/// that have only offsets) is the coordinator's part.
///
/// The rules, in log order:
/// - a plain offset commit replaces the partition's loaded offset; its tombstone removes it;
/// - an offset commit in a transactional batch (TxnOffsetCommit) is pending under its producer id
///   until that producer's COMMIT marker moves it into ``offsets`` (unless a loaded offset of a
///   later batch is already there) or its ABORT marker drops it; a transactional tombstone removes
///   only the pending entry;
/// - group metadata replaces the group's loaded metadata; its tombstone removes the group and
///   remembers it in ``removedGroups`` (until metadata for it comes again).
///
/// Invariant: a group is never both in ``groups`` and in ``removedGroups``.
public struct OffsetsTopicLoad: Sendable {
    /// A loaded commit: its value and the offset of the first record of the batch it was in
    /// (Kafka's `CommitRecordMetadataAndOffset`), which orders a transactional commit against a
    /// plain one of the same partition.
    public struct Commit: Sendable, Equatable {
        public var batchBaseOffset: Int64
        public var value: OffsetCommitValue

        public init(batchBaseOffset: Int64, value: OffsetCommitValue) {
            self.batchBaseOffset = batchBaseOffset
            self.value = value
        }
    }

    /// The committed offsets in force.
    public private(set) var offsets: [GroupTopicPartition: Commit] = [:]
    /// Transactional commits whose transaction has not ended, by producer id.
    public private(set) var pendingOffsets: [Int64: [GroupTopicPartition: Commit]] = [:]
    /// The latest metadata of each group that has some.
    public private(set) var groups: [String: GroupMetadataValue] = [:]
    /// Groups whose last record is a tombstone.
    public private(set) var removedGroups: Set<String> = []

    public init() {}

    /// Applies one batch, read from the partition in log order. Throws on a record that does not
    /// decode (Kafka fails the load of the partition then) and leaves the state as it was before
    /// the batch.
    public mutating func apply(_ batch: RecordBatch) throws {
        if batch.isControlBatch {
            let producerId = batch.producerId
            if try batch.controlRecordType() == .commit {
                for (key, commit) in pendingOffsets[producerId] ?? [:] {
                    if let loaded = offsets[key], loaded.batchBaseOffset >= commit.batchBaseOffset { continue }
                    offsets[key] = commit
                }
            }
            pendingOffsets[producerId] = nil
            return
        }
        var next = self
        var records = try batch.records()
        var batchBaseOffset: Int64?
        while let record = try records.next() {
            let base = batchBaseOffset ?? record.offset
            batchBaseOffset = base
            switch try OffsetsTopicRecord(key: record.key, value: record.value) {
            case .offsetCommit(let key, let value):
                let commit = value.map { Commit(batchBaseOffset: base, value: $0.data) }
                if batch.isTransactional {
                    next.pendingOffsets[batch.producerId, default: [:]][key.data.groupTopicPartition] = commit
                } else {
                    next.offsets[key.data.groupTopicPartition] = commit
                }
            case .groupMetadata(let key, let value?):
                next.removedGroups.remove(key.data.group)
                next.groups[key.data.group] = value.data
            case .groupMetadata(let key, nil):
                next.groups[key.data.group] = nil
                next.removedGroups.insert(key.data.group)
            }
        }
        self = next
    }

    /// The committed offsets of `group`, by partition.
    public func offsets(of group: String) -> [TopicPartition: Commit] {
        var result: [TopicPartition: Commit] = [:]
        for (key, commit) in offsets where key.group == group { result[key.topicPartition] = commit }
        return result
    }
}
