import GroupCoordinator
import KafkaCommon
import KafkaProtocol

/// Offsets of deleted topics (Kafka 2.3's `GroupCoordinator.handleDeletedPartitions`, through
/// `cleanupGroupMetadata` with `GroupMetadata.removeOffsets` as the selector): when UpdateMetadata
/// marks partitions deleted, every group this broker coordinates forgets its committed offsets of
/// them, whatever its state; an Empty group left with no offsets becomes Dead and is removed.
/// Tombstones are written for the removed offsets, and for each removed group that ever completed
/// a rebalance (generation > 0; one that only stored offsets has no metadata record to bury), in
/// one batch per group to its `__consumer_offsets` partition, so that a later load does not bring
/// them back.
extension GroupMetadataManager {
    /// Removes `partitions`' committed offsets from every owned group and writes the tombstones;
    /// returns how many offsets were removed.
    @discardableResult
    func removeOffsets(of partitions: Set<TopicPartition>, now: Int64) -> Int {
        guard !partitions.isEmpty else { return 0 }
        var removals: [(groupId: String, partitions: [TopicPartition], groupTombstone: Bool)] = []
        forEachGroup { groupId, slot in
            let removed = slot.offsets.keys.filter { partitions.contains($0) }
            for tp in removed { slot.offsets[tp] = nil }
            slot.pendingTransactionalOffsets.remove(partitions: partitions)
            var groupTombstone = false
            if var group = slot.group, group.state == .empty, !slot.hasOffsets {
                try? group.transition(to: .dead, now: now)
                slot.group = nil
                groupTombstone = group.generationId > 0
            }
            if !removed.isEmpty || groupTombstone {
                removals.append((groupId, removed.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }, groupTombstone))
            }
        }
        for removal in removals {
            storeTombstones(groupId: removal.groupId, partitions: removal.partitions, includingGroup: removal.groupTombstone) { _ in }
        }
        return removals.reduce(0) { $0 + $1.partitions.count }
    }
}

extension GroupCoordinator {
    /// UpdateMetadata marked `partitions` deleted (their leader is -2): their committed offsets
    /// are removed, as Kafka 2.3 removes them, and logged in its words.
    func handleDeletedPartitions(_ partitions: [TopicPartition]) {
        let removed = manager.removeOffsets(of: Set(partitions), now: time.milliseconds)
        logger.info("Removed \(removed) offsets associated with deleted partitions: \(partitions.map(\.description).joined(separator: ", ")).")
    }
}
