import GroupCoordinator
import KafkaCommon
import Synchronization

/// One group's place in the `GroupMetadataManager`: its metadata and committed offsets, behind
/// the group's own lock (Kafka's `GroupMetadata.lock`, taken by `group.inLock`), so that
/// decisions on different groups run at the same time and those on one group one after another.
///
/// Lifecycle: created in the manager's table the first time a request names the group (or when
/// its partition is loaded); dropped from the table when it holds neither a group nor offsets
/// after a decision, or when its partition is unloaded. A decision that finds, under this lock,
/// that its entry is no longer the table's looks the group up again (`GroupMetadataManager
/// .withGroup`), so nothing is decided on a dropped entry.
///
/// Lock order: a group's lock, then the manager's (as Kafka: the group lock before the metadata
/// lock); never two groups' locks at once.
final class GroupEntry: Sendable {
    struct Slot: Sendable {
        var group: GroupMetadata?
        /// Committed offsets by partition (Kafka's `GroupMetadata.offsets`).
        var offsets: [TopicPartition: OffsetCommitValue] = [:]
        /// The base offset of the `__consumer_offsets` batch of each committed offset, where
        /// known: orders a transaction's offsets against plain commits when it commits.
        var offsetBatchOffsets: [TopicPartition: Int64] = [:]
        /// Offsets of transactions not ended yet, by producer id; not served by OffsetFetch.
        var pendingTransactionalOffsets = PendingTransactionalOffsetCommits()
        /// Whether the group got plain OffsetCommits, and TxnOffsetCommits (Kafka warns when both).
        var receivedConsumerOffsetCommits = false
        var receivedTransactionalOffsetCommits = false

        /// Whether the group has committed or pending offsets (Kafka's `hasOffsets`).
        var hasOffsets: Bool { !offsets.isEmpty || !pendingTransactionalOffsets.isEmpty }

        var isEmpty: Bool { group == nil && !hasOffsets }
    }

    let groupId: String
    /// The group's `__consumer_offsets` partition.
    let partition: Int32
    private let slot: Mutex<Slot>

    init(groupId: String, partition: Int32, slot: Slot = Slot()) {
        self.groupId = groupId
        self.partition = partition
        self.slot = Mutex(slot)
    }

    /// Runs `body` with the group locked. `body` must not call out (append, answer, purgatory).
    func withLock<Result>(_ body: (inout Slot) throws -> Result) rethrows -> Result {
        try slot.withLock { try body(&$0) }
    }
}
